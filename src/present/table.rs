//! The aligned, coloured table `tagwatch analyze` prints for people.
//! Colour goes through anstream, which drops it for NO_COLOR and non-terminals.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::analyze::Analysis;
use crate::classify::{Classifier, OwnerState};
use crate::correlate::Tracker;

use super::{local_time, neutralise};

const HEADERS: [&str; 8] = [
    "ID",
    "TRACKER",
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

fn owner_text(state: OwnerState) -> &'static str {
    match state {
        OwnerState::Separated => "separated",
        OwnerState::NearOwner => "near owner",
        OwnerState::Unknown => "unknown",
    }
}

/// "SmartTag (setup)": the model when the payload tells it, else the family's name, then the
/// mode and finding network when known. The family key is part of the id beside it.
fn tracker_text(t: &Tracker) -> String {
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

fn row(t: &Tracker, located: bool) -> Vec<String> {
    let mut cells = vec![
        t.id.clone(),
        tracker_text(t),
        owner_text(t.owner_state).to_string(),
        addresses_text(t),
        local_time(t.first_seen_us),
        local_time(t.last_seen_us),
        t.sightings.to_string(),
        t.rssi_max.map_or("-".to_string(), |r| format!("{r} dBm")),
    ];
    if located {
        cells.push(t.places.len().to_string());
        cells.push(format!("{:.0} m", t.places.max_distance_m()));
    }
    cells
}

pub fn render(analysis: &Analysis) -> String {
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
    let rows: Vec<Vec<String>> = analysis
        .trackers
        .iter()
        .map(|t| row(t, analysis.located))
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let bold = Style::new().bold();
    let mut out = String::new();
    let pad = |out: &mut String, text: &str, width: usize, style: Style| {
        let fill = width.saturating_sub(text.chars().count());
        let _ = write!(out, "{style}{text}{style:#}{:fill$}  ", "");
    };
    let end_row = |out: &mut String| {
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
    };
    if rows.is_empty() {
        out.push_str("No trackers found.\n");
    } else {
        for (h, &w) in headers.iter().zip(&widths) {
            pad(&mut out, h, w, bold);
        }
        end_row(&mut out);
        for (r, t) in rows.iter().zip(&analysis.trackers) {
            for (i, (cell, &w)) in r.iter().zip(&widths).enumerate() {
                let style = if i == 2 {
                    style_of(t.owner_state)
                } else {
                    Style::new()
                };
                pad(&mut out, cell, w, style);
            }
            end_row(&mut out);
        }
    }
    out.push_str(&summary(analysis));
    out
}

/// One line per capture, then the totals: what was read and what was passed over.
fn summary(analysis: &Analysis) -> String {
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
        "{} trackers; {} advertisements from other devices counted, not kept. Times are local.",
        analysis.trackers.len(),
        analysis.other_advertisements
    );
    out
}
