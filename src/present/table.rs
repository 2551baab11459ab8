//! The aligned, coloured table `tagwatch analyze` prints for people.
//! Colour goes through anstream, which drops it for NO_COLOR and non-terminals.

use std::fmt::Write;
use std::io;

use anstyle::{AnsiColor, Style};

use crate::analyze::Analysis;
use crate::classify::{Classifier, OwnerState, personal_device_near_owner};
use crate::correlate::Tracker;
use crate::correlate::verdict::Risk;

use super::{local_time, neutralise};

const HEADERS: [&str; 9] = [
    "ID",
    "TRACKER",
    "VERDICT",
    "OWNER",
    "ADDRESSES",
    "FIRST SEEN",
    "LAST SEEN",
    "SIGHTINGS",
    "RSSI MAX",
];

/// Shown only when a track was given: without one they would be all zeros.
const LOCATION_HEADERS: [&str; 2] = ["PLACES", "DISTANCE"];

fn style_of(state: OwnerState) -> Style {
    match state {
        OwnerState::Separated => AnsiColor::Red.on_default().bold(),
        OwnerState::NearOwner => AnsiColor::Green.on_default(),
        OwnerState::Unknown => AnsiColor::Yellow.on_default(),
    }
}

/// "FOLLOWING" stands out; a tracker worth a look says its risk; the rest stay quiet. The
/// user's own tracker says so, whatever its verdict (the reasons keep it).
fn verdict_cell(t: &Tracker) -> (String, Style) {
    if t.own.is_some() {
        ("own (marked)".to_string(), AnsiColor::Green.on_default())
    } else if t.following() {
        let text = format!("FOLLOWING ({} risk)", t.risk.as_str());
        (text, AnsiColor::Red.on_default().bold().invert())
    } else if t.risk > Risk::None {
        (
            format!("{} risk", t.risk.as_str()),
            AnsiColor::Yellow.on_default().bold(),
        )
    } else {
        ("-".to_string(), Style::new())
    }
}

pub(crate) fn owner_text(state: OwnerState) -> &'static str {
    match state {
        OwnerState::Separated => "separated",
        OwnerState::NearOwner => "near owner",
        OwnerState::Unknown => "unknown",
    }
}

/// "SmartTag (setup)": the model when the payload tells it, else the family's name, then the
/// mode and finding network when known. The family key is part of the id beside it.
pub(crate) fn tracker_text(t: &Tracker) -> String {
    let name = t.model.unwrap_or_else(|| {
        Classifier::builtin()
            .family(t.family)
            .map_or(t.family, |f| f.name.as_str())
    });
    let details: Vec<String> = t
        .mode
        .iter()
        .chain(&t.network)
        .map(|d| d.replace('_', " "))
        .collect();
    if details.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", details.join(", "))
    }
}

fn addresses_text(t: &Tracker) -> String {
    match t.addresses.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

fn row(t: &Tracker, located: bool) -> Vec<(String, Style)> {
    let plain = |s: String| (s, Style::new());
    let mut cells = vec![
        plain(t.id.clone()),
        plain(tracker_text(t)),
        verdict_cell(t),
        (owner_text(t.owner_state).to_string(), style_of(t.owner_state)),
        plain(addresses_text(t)),
        plain(local_time(t.first_seen_us)),
        plain(local_time(t.last_seen_us)),
        plain(t.sightings.to_string()),
        plain(t.rssi_max.map_or("-".to_string(), |r| format!("{r} dBm"))),
    ];
    if located {
        cells.push(plain(t.places.len().to_string()));
        cells.push(plain(format!("{:.0} m", t.places.max_distance_m())));
    }
    cells
}

/// Writes the table; phones, computers and headphones near their owner only when `all`.
/// Rows are made twice (once to measure the columns, once to write) rather than kept, so a
/// crowd of trackers costs no extra memory.
pub fn write(analysis: &Analysis, all: bool, w: &mut dyn io::Write) -> io::Result<()> {
    let listed = || {
        analysis
            .trackers
            .iter()
            .filter(move |t| all || !personal_device_near_owner(t.owner_state, t.model))
    };
    let headers: Vec<&str> = HEADERS
        .iter()
        .chain(
            analysis
                .located
                .then_some(&LOCATION_HEADERS)
                .into_iter()
                .flatten(),
        )
        .copied()
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for t in listed() {
        for (w, (cell, _)) in widths.iter_mut().zip(row(t, analysis.located)) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = (&str, Style)>| {
        let mut out = String::new();
        for ((text, style), &width) in cells.zip(&widths) {
            let fill = width.saturating_sub(text.chars().count());
            let _ = write!(out, "{style}{text}{style:#}{:fill$}  ", "");
        }
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
        out
    };
    let shown = listed().count();
    if shown == 0 {
        w.write_all(b"No trackers found.\n")?;
    } else {
        let bold = Style::new().bold();
        w.write_all(line(&mut headers.iter().map(|h| (*h, bold))).as_bytes())?;
        for t in listed() {
            let cells = row(t, analysis.located);
            w.write_all(line(&mut cells.iter().map(|(c, s)| (c.as_str(), *s))).as_bytes())?;
        }
    }
    let hidden = analysis.trackers.len() - shown;
    if hidden > 0 {
        writeln!(
            w,
            "({hidden} phones, computers or headphones near their owners not listed; --all lists them.)"
        )?;
    }
    w.write_all(why(analysis).as_bytes())?;
    w.write_all(summary(analysis, shown).as_bytes())
}

/// The reasons for every tracker worth a look, in plain sentences.
fn why(analysis: &Analysis) -> String {
    let mut out = String::new();
    for t in analysis.trackers.iter().filter(|t| t.risk > Risk::None) {
        let _ = writeln!(out, "{}: {}.", t.id, t.reasons.join("; "));
    }
    if out.is_empty() {
        out
    } else {
        format!("\nWhy:\n{out}")
    }
}

/// One line per capture, then the totals: what was read and what was passed over.
fn summary(analysis: &Analysis, listed: usize) -> String {
    let mut out = String::from("\n");
    for c in &analysis.captures {
        let format = c.format.map_or("unknown format".to_string(), |f| f.to_string());
        let _ = write!(
            out,
            "{}: {format}, {} advertisements",
            neutralise(&c.path.display().to_string()),
            c.stats.advertisements
        );
        if c.stats.bad_records > 0 {
            let _ = write!(out, ", {} damaged records skipped", c.stats.bad_records);
        }
        if c.error.is_some() {
            out.push_str(", stopped early (see error)");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{listed} tracker{}; {} advertisements from other devices counted, not kept. Times are local.",
        if listed == 1 { "" } else { "s" },
        analysis.other_advertisements
    );
    out
}
