use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;
use crate::classify::Classifier;

/// Message id -> the names of the values it uses, for one source.
fn variables(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source).expect("a catalogue parses");
    resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => {
                let mut names = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_variables(p, &mut names);
                }
                Some((m.id.name.to_string(), names))
            }
            _ => None,
        })
        .collect()
}

fn pattern_variables(pattern: &Pattern<&str>, names: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(e) => inline_variables(e, names),
                Expression::Select { selector, variants } => {
                    inline_variables(selector, names);
                    for v in variants {
                        pattern_variables(&v.value, names);
                    }
                }
            }
        }
    }
}

fn inline_variables(e: &InlineExpression<&str>, names: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            names.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => {
            let pattern = Pattern {
                elements: vec![PatternElement::Placeable {
                    expression: (**expression).clone(),
                }],
            };
            pattern_variables(&pattern, names);
        }
        _ => {}
    }
}

#[test]
fn every_message_is_in_both_languages_with_the_same_values() {
    for (area, en, ja) in AREAS {
        let (en, ja) = (variables(en), variables(ja));
        let only = |a: &BTreeMap<_, _>, b: &BTreeMap<String, _>| {
            a.keys()
                .filter(|k| !b.contains_key(*k))
                .cloned()
                .collect::<Vec<String>>()
        };
        assert_eq!(
            only(&en, &ja),
            Vec::<String>::new(),
            "{area}.ftl: only in English"
        );
        assert_eq!(
            only(&ja, &en),
            Vec::<String>::new(),
            "{area}.ftl: only in Japanese"
        );
        for (id, names) in &en {
            assert_eq!(names, &ja[id], "{area}.ftl: {id} uses other values in Japanese");
        }
    }
}

#[test]
fn every_catalogue_loads_without_a_syntax_error_or_a_duplicate() {
    for lang in Lang::ALL {
        for source in sources(lang) {
            assert!(FluentResource::try_new(source.to_string()).is_ok());
        }
        let ids = message_ids(lang);
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{lang:?}: an id defined twice");
        // Loading adds every file to one bundle, which refuses a duplicate id too.
        assert!(!catalogue(lang).plain.is_empty());
    }
}

#[test]
fn every_family_has_a_japanese_description_and_no_other() {
    let families: BTreeSet<String> = Classifier::builtin()
        .families()
        .iter()
        .map(|f| format!("family-{}", f.key))
        .collect();
    let described: BTreeSet<String> = ids(&[FAMILIES_JA]).into_iter().collect();
    assert_eq!(described, families);
    for family in Classifier::builtin().families() {
        assert!(Lang::Ja.family_description(&family.key).is_some());
        assert_eq!(Lang::En.family_description(&family.key), None);
    }
}

/// Every `.rs` file under `dir`, concatenated.
fn sources_under(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&sources_under(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    text
}

#[test]
fn every_message_is_used() {
    let code = sources_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    for (area, en, _) in AREAS {
        // `examples-COMMAND`: src/cli/help.rs looks them up by command, and its tests check them.
        for id in ids(&[en]).into_iter().filter(|id| !id.starts_with("examples-")) {
            // `reason-CODE` is looked up by the reason's code (correlate::Reason::code).
            let quoted = id.strip_prefix("reason-").unwrap_or(&id);
            assert!(
                code.contains(&format!("\"{id}\"")) || code.contains(&format!("\"{quoted}\"")),
                "{area}.ftl: {id} is never used"
            );
        }
    }
}

#[test]
fn values_are_filled_in_and_counts_grouped_in_both_languages() {
    assert_eq!(Lang::En.fill("times_other", &[("n", &5324u64)]), "5,324 times");
    assert_eq!(
        Lang::En.fill("table-hidden", &[("n", &1usize)]),
        "(1 phone, computer or headphones near its owner not listed; --all lists them.)"
    );
    assert!(
        Lang::En
            .fill("table-hidden", &[("n", &2usize)])
            .starts_with("(2 phones, computers")
    );
    assert_eq!(Lang::Ja.fill("times_other", &[("n", &5324u64)]), "5,324回");
    assert_eq!(
        Lang::En.fill("times_other", &[("n", &1_234_567i64)]),
        "1,234,567 times"
    );
    assert_eq!(Lang::En.fill("times_other", &[("n", &-1200i64)]), "-1,200 times");
    assert_eq!(Lang::En.fill("times_other", &[("n", &999u64)]), "999 times");
    assert_eq!(
        Lang::En.fill("zoom", &[("factor", &"4")]),
        "zoom ×4",
        "strings go in as they are, without isolation marks"
    );
    assert_eq!(Lang::Ja.t("north"), "北");
}

#[test]
#[should_panic(expected = "needs values")]
fn a_message_missing_or_needing_values_is_a_test_failure() {
    Lang::En.t("zoom");
}

#[test]
fn language_parses_from_its_code() {
    assert_eq!("ja".parse::<Lang>(), Ok(Lang::Ja));
    assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
    assert!("fr".parse::<Lang>().is_err());
}

#[test]
fn the_flag_then_tagwatch_lang_then_lc_all_lc_messages_lang() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    };
    assert_eq!(choose(Some(Lang::En), env(&[("TAGWATCH_LANG", "ja")])), Lang::En);
    assert_eq!(choose(Some(Lang::Ja), env(&[("LANG", "C")])), Lang::Ja);
    assert_eq!(
        choose(None, env(&[("TAGWATCH_LANG", "ja"), ("LANG", "C")])),
        Lang::Ja
    );
    assert_eq!(
        choose(None, env(&[("TAGWATCH_LANG", "en"), ("LANG", "ja_JP")])),
        Lang::En
    );
    // An unknown TAGWATCH_LANG is passed over for the locale.
    assert_eq!(
        choose(None, env(&[("TAGWATCH_LANG", "fr"), ("LANG", "ja_JP")])),
        Lang::Ja
    );
    assert_eq!(choose(None, env(&[("LANG", "ja_JP.UTF-8")])), Lang::Ja);
    assert_eq!(
        choose(None, env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ja_JP")])),
        Lang::En
    );
    assert_eq!(
        choose(None, env(&[("LC_ALL", "ja_JP.UTF-8"), ("LC_MESSAGES", "C")])),
        Lang::Ja
    );
    assert_eq!(
        choose(None, env(&[("LC_MESSAGES", "ja_JP.UTF-8"), ("LANG", "en_US")])),
        Lang::Ja
    );
    assert_eq!(
        choose(None, env(&[("LC_MESSAGES", "C"), ("LANG", "ja_JP")])),
        Lang::En
    );
    assert_eq!(
        choose(None, env(&[("LC_ALL", ""), ("LC_MESSAGES", "ja_JP")])),
        Lang::Ja
    );
    assert_eq!(choose(None, env(&[])), Lang::En);
}

/// Every family name, model, mode and network the signature files can give (constants, looked-up
/// values and defaults), in English.
fn signature_names() -> BTreeSet<String> {
    fn texts(value: &toml::Value, out: &mut BTreeSet<String>) {
        match value {
            toml::Value::String(s) => {
                out.insert(s.clone());
            }
            toml::Value::Table(t) => {
                for v in t
                    .get("values")
                    .and_then(|v| v.as_table())
                    .into_iter()
                    .flat_map(|t| t.values())
                {
                    texts(v, out);
                }
                t.get("default").into_iter().for_each(|v| texts(v, out));
            }
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    for (_, source) in Classifier::builtin_sources() {
        let file: toml::Table = source.parse().unwrap();
        file.get("name").into_iter().for_each(|v| texts(v, &mut names));
        for pattern in file
            .get("pattern")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            for field in ["model", "mode", "network"] {
                pattern.get(field).into_iter().for_each(|v| texts(v, &mut names));
            }
        }
    }
    names
}

#[test]
fn every_name_in_the_signatures_has_a_japanese_name_and_no_other() {
    let names = signature_names();
    assert!(names.contains("Find Hub tag") && names.contains("unwanted_tracking_protection"));
    // Product names are the same in Japanese, but names.ftl lists them too, so that a new
    // signature's name cannot go unnoticed.
    let keys: BTreeSet<String> = names.iter().map(|n| name_key(n)).collect();
    let listed: BTreeSet<String> = ids(&[NAMES_JA]).into_iter().collect();
    assert_eq!(listed, keys);
    for name in &names {
        assert_eq!(Lang::En.name(name), name);
    }
    assert_eq!(Lang::Ja.name("Find Hub tag"), "Find Hub タグ");
    assert_eq!(
        Lang::Ja.name("unwanted_tracking_protection"),
        "不要な追跡からの保護モード"
    );
    assert_eq!(Lang::Ja.name("SmartTag"), "SmartTag");
    assert_eq!(Lang::Ja.name("no such name"), "no such name");
}
