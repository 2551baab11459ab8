//! Reports and exports made from [`ReportData`]: a self-contained HTML report for a police
//! consultation (Japanese or English from one template) and CSV, GeoJSON, KML and JSON
//! exports of the sightings.

mod condense;
mod export;
mod html;
mod log;
mod provenance;
mod svg;
mod zone;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use crate::evidence::ReportData;
use crate::i18n::Lang;

pub use export::{to_csv, to_geojson, to_json, to_kml};
pub use log::image_type;
pub use provenance::CHECK_RECIPE;
pub use zone::{Zone, ZoneSource};

/// The appendix beside each report: every sighting of every tracker, as `export --format csv`.
pub const APPENDIX: &str = "report-sightings.csv";

/// The language a report is written in. Adding one means adding a variant here and its
/// string to every table of `messages.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The BCP 47 code, used for `<html lang>`, file names and the catalogue.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The report's message `key` in this language (see [`Lang::text`]).
    fn t(self, key: &str) -> &'static str {
        self.text(&catalogue().messages, key)
    }

    fn fill(self, key: &str, values: &[(&str, &str)]) -> String {
        self.fill_text(&catalogue().messages, key, values)
    }

    /// The message `key` of `messages` in this language, else in English, else "?". Debug
    /// builds (the tests) panic instead of falling back, so a missing string cannot go unnoticed.
    pub fn text(self, messages: &'static Messages, key: &str) -> &'static str {
        let texts = messages.get(key);
        if let Some(s) = texts.and_then(|m| m.get(self.code())) {
            return s;
        }
        if cfg!(debug_assertions) {
            panic!("message {key:?} missing for {self:?}");
        }
        texts
            .and_then(|m| m.get(Lang::En.code()))
            .map_or("?", String::as_str)
    }

    /// The message `key` of `messages` with each `{name}` replaced by its value.
    pub fn fill_text(self, messages: &'static Messages, key: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(messages, key).to_string(), |s, (name, value)| {
                s.replace(&format!("{{{name}}}"), value)
            })
    }
}

/// A catalogue's texts: key -> language code -> text (a `[messages.KEY]` table per key).
pub type Messages = BTreeMap<String, BTreeMap<String, String>>;

/// What is wrong with a catalogue: a key without a text in some language, or with a text in
/// a language that is not in [`Lang`].
pub fn missing_texts(messages: &Messages) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, texts) in messages {
        for lang in Lang::ALL {
            if texts.get(lang.code()).is_none_or(|s| s.trim().is_empty()) {
                problems.push(format!("{key}: no {lang:?} text"));
            }
        }
        if texts.len() != Lang::ALL.len() {
            problems.push(format!("{key}: a language that is not in Lang"));
        }
    }
    problems
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

/// `messages.toml`: key -> language code -> text.
#[derive(Debug, Deserialize)]
struct Catalogue {
    messages: Messages,
    /// Family key -> language code -> description, for languages other than English.
    family_description: BTreeMap<String, BTreeMap<String, String>>,
}

const MESSAGES: &str = include_str!("messages.toml");

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    // The file is embedded and checked by the tests, so a parse error is a build mistake.
    CATALOGUE.get_or_init(|| toml::from_str(MESSAGES).expect("report/messages.toml is valid"))
}

/// The report in `lang` with times in `zone` (its appendix CSV is [`to_csv`] of the same data).
pub fn render_html(data: &ReportData, lang: Lang, zone: &Zone) -> String {
    html::render(data, lang, zone, (APPENDIX, to_csv(data, zone).as_bytes()))
}

/// Writes the HTML report as `report-<lang>.html` into `dir`, and beside it the appendix
/// [`APPENDIX`] that the report names with its SHA-256; returns the report's path.
pub fn write_report(dir: &Path, data: &ReportData, lang: Lang, zone: &Zone) -> io::Result<PathBuf> {
    let csv = to_csv(data, zone);
    let write = |path: PathBuf, bytes: &[u8]| {
        crate::files::write_atomic(&path, bytes)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
            .map(|()| path)
    };
    write(dir.join(APPENDIX), csv.as_bytes())?;
    let page = html::render(data, lang, zone, (APPENDIX, csv.as_bytes()));
    write(dir.join(format!("report-{}.html", lang.code())), page.as_bytes())
}

/// Text from the data, made safe as HTML text or an attribute value: markup characters are
/// escaped and control characters (which could hide or reorder text) are shown as `[U+XXXX]`.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in neutralise(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces control and bidirectional-override characters with a visible `[U+XXXX]`,
/// keeping newlines and tabs. Also used for XML exports, where most controls are invalid.
fn neutralise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.replace("\r\n", "\n").chars() {
        if crate::present::is_steering(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// An enum as its serde name (`adv_nonconn_ind`, `random`), as the JSON outputs spell it.
fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn utc(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// RFC 3339 in UTC with microseconds, as in tagwatch's JSON.
fn rfc3339(us: i64) -> String {
    utc(us).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// "2026-01-15 17:00:00 JST (08:00:00 UTC)"; the UTC date is given too when it differs.
fn local_and_utc(us: i64, zone: &Zone) -> String {
    let u = utc(us);
    let local = u.with_timezone(&zone.offset);
    let utc_part = if local.date_naive() == u.date_naive() {
        u.format("%H:%M:%S")
    } else {
        u.format("%Y-%m-%d %H:%M:%S")
    };
    format!(
        "{} {} ({utc_part} UTC)",
        local.format("%Y-%m-%d %H:%M:%S"),
        zone.abbreviation()
    )
}

/// "850 m", "6.3 km", as the verdict writes distances.
fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// "1 h 42 min", "35 min", "40 s" in English; the units come from the catalogue.
fn duration(us: i64, lang: Lang) -> String {
    let s = us.max(0) / 1_000_000;
    let (h, m) = (s / 3600, s % 3600 / 60);
    match (h, m) {
        (0, 0) => lang.fill("duration_s", &[("s", &s)]),
        (0, _) => lang.fill("duration_min", &[("m", &m)]),
        _ => lang.fill("duration_h_min", &[("h", &h), ("m", &m)]),
    }
}

#[cfg(test)]
mod fixture {
    use crate::classify::OwnerState;
    use crate::evidence::*;
    use crate::model::{AddrType, PduKind};

    include!("../../tests/fixtures/report_data.rs");
}

#[cfg(test)]
mod tests;
