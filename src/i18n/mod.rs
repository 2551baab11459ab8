//! Every text a person reads, in Japanese and English, from the Fluent catalogues in
//! `locales/<code>/<area>.ftl` (embedded, so the binary is self-contained), and the choice of
//! language from `--lang`, `TAGWATCH_LANG` and the locale.
//!
//! One bundle per language holds all areas, so a message id is unique across a language.
//! Counts are given as numbers: Fluent picks the plural form from them (CLDR rules) and
//! [`grouped`] writes them with thousands separators ("5,324 件"), which Fluent itself does not.

mod message;
mod select;
mod units;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use message::{Localised, Message};
pub use select::{choose, from_env};
pub use units::{distance, group_digits};

/// The language of what tagwatch writes. Adding one means adding a variant here and its
/// directory under `locales/` with every area's file; the tests check that none is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Ja,
    En,
}

/// Each area's catalogue in English and Japanese.
macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        [$((
            $area,
            include_str!(concat!("../../locales/en/", $area, ".ftl")),
            include_str!(concat!("../../locales/ja/", $area, ".ftl")),
        )),*]
    };
}

/// (area, English source, Japanese source).
const AREAS: [(&str, &str, &str); 8] = areas!(
    "cli",
    "common",
    "errors",
    "listening",
    "live",
    "report",
    "table",
    "verdict"
);

/// Japanese descriptions of the tracker families (`family-KEY`); the English ones are the
/// signature files' own, so this file has no English twin.
const FAMILIES_JA: &str = include_str!("../../locales/ja/families.ftl");

/// Japanese names of families, models, modes and networks (`name-SLUG`); the English ones are
/// the signature files' own, so this file has no English twin.
const NAMES_JA: &str = include_str!("../../locales/ja/names.ftl");

/// Japanese `--help`; the English is clap's, from the doc comments in src/cli/ (no twin either).
const CLI_HELP_JA: &str = include_str!("../../locales/ja/cli-help.ftl");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 code, used for `<html lang>`, file names and the `locales/` directory.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The message `key`, which takes no values. Debug builds (the tests) panic on a missing
    /// message so it cannot go unnoticed; release builds fall back to English, then the key.
    pub fn t(self, key: &str) -> &'static str {
        if let Some(text) = catalogue(self).plain.get(key) {
            return text;
        }
        if cfg!(debug_assertions) {
            panic!("message {key:?} missing for {self:?}, or it needs values (use fill)");
        }
        catalogue(Lang::En).plain.get(key).map_or("?", String::as_str)
    }

    /// The message `key` with its values: `&[("n", &5324u64), ("place", &name)]`. Numbers
    /// choose the plural form and are written grouped; strings are put in as they are.
    pub fn fill(self, key: &str, values: &[(&str, &dyn Arg)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, value.value());
        }
        match catalogue(self).format(key, &args) {
            Ok(text) => text,
            Err(problem) if cfg!(debug_assertions) => panic!("message {key:?} in {self:?}: {problem}"),
            Err(_) if self != Lang::En => Lang::En.fill(key, values),
            Err(_) => key.to_string(),
        }
    }

    /// Whether this language has the message `key`, which takes no values.
    pub fn has(self, key: &str) -> bool {
        catalogue(self).plain.contains_key(key)
    }

    /// What the tracker family `family` is, when this language has its own description (the
    /// English one is the signature file's).
    pub fn family_description(self, family: &str) -> Option<&'static str> {
        catalogue(self)
            .plain
            .get(&format!("family-{family}"))
            .map(String::as_str)
    }

    /// A family, model, mode or network as the signature files name it in English
    /// ("Find Hub tag", "unwanted_tracking_protection"), in this language; as it is where the
    /// language has no name of its own for it (English, product names).
    pub fn name(self, english: &str) -> &str {
        match catalogue(self).plain.get(&name_key(english)) {
            Some(name) => name,
            None => english,
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown language {s:?} (use ja or en)"))
    }
}

/// A value put into a message: a number (plural form, grouped digits) or a text.
pub trait Arg {
    fn value(&self) -> FluentValue<'_>;
}

impl Arg for &str {
    fn value(&self) -> FluentValue<'_> {
        FluentValue::from(*self)
    }
}

impl Arg for String {
    fn value(&self) -> FluentValue<'_> {
        FluentValue::from(self.as_str())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn value(&self) -> FluentValue<'_> {
                FluentValue::from(*self)
            }
        }
    )*};
}
number_arg!(u32, u64, usize, i32, i64, f64);

/// One language's messages.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    /// The messages that take no values, formatted once so [`Lang::t`] can lend them out.
    plain: HashMap<String, String>,
}

impl Catalogue {
    fn load(lang: Lang) -> Catalogue {
        let locale = lang.code().parse().expect("a language code is a locale");
        let mut bundle = FluentBundle::new_concurrent(vec![locale]);
        // No Unicode isolation marks around values: terminals and tests would show them.
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(|value, _| grouped(value)));
        for source in sources(lang) {
            // Embedded and checked by the tests: a syntax error or a duplicate id is a build mistake.
            let resource = FluentResource::try_new(source.to_string())
                .unwrap_or_else(|(_, e)| panic!("locales/{}: {e:?}", lang.code()));
            bundle
                .add_resource(resource)
                .unwrap_or_else(|e| panic!("locales/{}: {e:?}", lang.code()));
        }
        let mut catalogue = Catalogue {
            bundle,
            plain: HashMap::new(),
        };
        catalogue.plain = message_ids(lang)
            .into_iter()
            .filter_map(|id| Some((id.clone(), catalogue.format(&id, &FluentArgs::new()).ok()?)))
            .collect();
        catalogue
    }

    /// Message `key` with `args`, or what went wrong (missing message or value).
    fn format(&self, key: &str, args: &FluentArgs) -> Result<String, String> {
        let pattern = self
            .bundle
            .get_message(key)
            .and_then(|m| m.value())
            .ok_or("no such message")?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, Some(args), &mut errors);
        match errors.is_empty() {
            true => Ok(text.into_owned()),
            false => Err(format!("{errors:?}")),
        }
    }
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: [OnceLock<Catalogue>; 2] = [OnceLock::new(), OnceLock::new()];
    CATALOGUES[lang as usize].get_or_init(|| Catalogue::load(lang))
}

/// `name-SLUG` of a name in the signature files: "Find Hub tag" -> `name-find-hub-tag`.
fn name_key(english: &str) -> String {
    let words: Vec<&str> = english
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!("name-{}", words.join("-").to_ascii_lowercase())
}

/// The catalogue sources of `lang`.
fn sources(lang: Lang) -> Vec<&'static str> {
    let mut sources: Vec<_> = AREAS
        .iter()
        .map(|(_, en, ja)| if lang == Lang::Ja { *ja } else { *en })
        .collect();
    if lang == Lang::Ja {
        sources.extend([FAMILIES_JA, NAMES_JA, CLI_HELP_JA]);
    }
    sources
}

/// The ids of every message of `lang`.
fn message_ids(lang: Lang) -> Vec<String> {
    ids(&sources(lang))
}

/// The message ids defined in `sources`, in order.
fn ids(sources: &[&str]) -> Vec<String> {
    use fluent_bundle::FluentResource;
    sources
        .iter()
        .filter_map(|s| FluentResource::try_new(s.to_string()).ok())
        .flat_map(|r| {
            r.entries()
                .filter_map(|e| match e {
                    fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A number in a message as people write it ([`group_digits`]).
fn grouped(value: &FluentValue) -> Option<String> {
    match value {
        FluentValue::Number(n) => Some(group_digits(&n.as_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
