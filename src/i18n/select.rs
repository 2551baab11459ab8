//! Which language to write in: `--lang`, else `TAGWATCH_LANG`, else the locale (the first of
//! LC_ALL, LC_MESSAGES, LANG that is set, as POSIX reads them): Japanese for `ja*`, else English.

use super::Lang;

/// The language from the `--lang` flag and the environment `env` (a variable's value by name).
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
pub fn from_env(flag: Option<Lang>) -> Lang {
    choose(flag, |k| std::env::var(k).ok())
}
