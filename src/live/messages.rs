//! The texts of the live view's map, timeline and status line in Japanese and English, from
//! `messages.toml` through the report's catalogue machinery ([`Lang::text`]). The rest of the
//! view is English until it is translated as a whole.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::report::{Lang, Messages};

const MESSAGES: &str = include_str!("messages.toml");

#[derive(Deserialize)]
struct Catalogue {
    messages: Messages,
}

fn messages() -> &'static Messages {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    // Embedded and checked by the tests: a parse error is a build mistake.
    &CATALOGUE
        .get_or_init(|| toml::from_str(MESSAGES).expect("live/messages.toml is valid"))
        .messages
}

/// The message `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> &'static str {
    lang.text(messages(), key)
}

/// The message `key` in `lang` with each `{name}` replaced by its value.
pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    lang.fill_text(messages(), key, values)
}

/// The view's language: `--lang`, else `TAGWATCH_LANG`, else Japanese when the locale
/// (LC_ALL, LC_MESSAGES, LANG: the first one set) is, else English.
pub fn choose(flag: Option<Lang>, env: impl Fn(&str) -> Option<String>) -> Lang {
    if let Some(lang) = flag {
        return lang;
    }
    if let Some(lang) = env("TAGWATCH_LANG").and_then(|v| v.parse().ok()) {
        return lang;
    }
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|k| env(k).filter(|v| !v.is_empty()));
    match locale {
        Some(l) if l.starts_with("ja") => Lang::Ja,
        _ => Lang::En,
    }
}

/// [`choose`] with this process's environment.
pub fn lang(flag: Option<Lang>) -> Lang {
    choose(flag, |k| std::env::var(k).ok())
}

/// "40 s", "12 min", "3 h" in `lang`.
pub fn age(lang: Lang, us: i64) -> String {
    let s = us.max(0) / 1_000_000;
    let (key, n) = match s {
        0..120 => ("seconds", s),
        120..7200 => ("minutes", s / 60),
        _ => ("hours", s / 3600),
    };
    fill(lang, key, &[("n", &n.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_in_every_language_and_every_one_used() {
        assert_eq!(crate::report::missing_texts(messages()), Vec::<String>::new());
        let source = [
            include_str!("ui.rs"),
            include_str!("panes.rs"),
            include_str!("messages.rs"),
        ]
        .concat();
        for key in messages().keys() {
            assert!(source.contains(&format!("\"{key}\"")), "{key} is never used");
        }
    }

    #[test]
    fn the_flag_then_tagwatch_lang_then_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(choose(Some(Lang::En), env(&[("TAGWATCH_LANG", "ja")])), Lang::En);
        assert_eq!(
            choose(None, env(&[("TAGWATCH_LANG", "ja"), ("LANG", "C")])),
            Lang::Ja
        );
        assert_eq!(
            choose(None, env(&[("TAGWATCH_LANG", "en"), ("LANG", "ja_JP")])),
            Lang::En
        );
        assert_eq!(choose(None, env(&[("LANG", "ja_JP.UTF-8")])), Lang::Ja);
        assert_eq!(
            choose(None, env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ja_JP")])),
            Lang::En
        );
        assert_eq!(
            choose(None, env(&[("LC_ALL", ""), ("LC_MESSAGES", "ja_JP")])),
            Lang::Ja
        );
        assert_eq!(choose(None, env(&[])), Lang::En);
        assert_eq!(age(Lang::Ja, 3_000_000), "3 秒");
        assert_eq!(age(Lang::En, 600_000_000), "10 min");
    }
}
