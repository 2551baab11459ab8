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

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::evidence::ReportData;
use crate::i18n::Lang;

pub use export::{to_csv, to_geojson, to_json, to_kml};
pub use log::image_type;
pub use provenance::CHECK_RECIPE;
pub use zone::{Zone, ZoneSource};

/// The appendix beside each report: every sighting of every tracker, as `export --format csv`.
pub const APPENDIX: &str = "report-sightings.csv";

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
