//! The aligned, coloured table `tagwatch analyze` prints for people.
//! Colour goes through anstream, which drops it for NO_COLOR and non-terminals.

use std::fmt::Write;
use std::io;

use anstyle::{AnsiColor, Style};

use crate::analyze::{Analysis, Outcome};
use crate::classify::{Classifier, OwnerState};
use crate::correlate::Tracker;
use crate::correlate::verdict::Risk;
use crate::coverage::Warning;
use crate::i18n::Lang;

use super::{duration_text, grouped, local_span, local_time, neutralise};

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
    let listed = || analysis.listed(all);
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
        // Never a bare "no trackers": say what was heard, or that nothing was.
        w.write_all(statement(analysis).as_bytes())?;
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
        // Reasons carry place names the user typed and may come from a forged record.
        let _ = writeln!(
            out,
            "{}: {}.",
            neutralise(&t.id),
            neutralise(&t.reasons_text(Lang::En))
        );
    }
    if out.is_empty() {
        out
    } else {
        format!("\nWhy:\n{out}")
    }
}

/// What the result covers, in a sentence or two: the outcome, how many advertisements over
/// how long, how many tracker sightings the track placed. Leads the output when no tracker
/// is listed (`analyze` and `scan`) and ends a sweep.
pub fn statement(analysis: &Analysis) -> String {
    let c = &analysis.coverage;
    let mut out = String::new();
    if c.incomplete {
        out.push_str("Incomplete: reading stopped early (see error); this covers only what was read. ");
    }
    if c.unreadable_records > 0 {
        let _ = write!(
            out,
            "Partly checked: {} records could not be interpreted (see above); this covers only what was understood. ",
            grouped(c.unreadable_records)
        );
    }
    let heard = match (c.heard, c.ran_us) {
        (Some(span), _) => format!(
            "{} advertisement{} heard over {} ({})",
            grouped(c.advertisements),
            plural(c.advertisements),
            duration_text(span.length_us()),
            local_span(span)
        ),
        // "ran", not "listened": the adapter may have been down the whole time.
        (None, Some(us)) => format!("ran for {}, 0 advertisements", duration_text(us)),
        (None, None) if analysis.captures.is_empty() => "0 advertisements".to_string(),
        (None, None) => {
            let n = analysis.captures.len() as u64;
            format!("{} capture{} read, 0 advertisements", grouped(n), plural(n))
        }
    };
    match analysis.outcome() {
        Outcome::NothingHeard => {
            let _ = write!(
                out,
                "Nothing was heard: {heard}. This is not an all-clear: no tracker could have been seen."
            );
        }
        Outcome::NoTrackers => {
            let _ = write!(out, "No trackers among {heard}{}.", placed(analysis));
        }
        Outcome::Trackers | Outcome::Following => {
            let mut heard = heard;
            heard[..1].make_ascii_uppercase();
            let _ = write!(out, "{heard}{}.", placed(analysis));
        }
    }
    out.push('\n');
    out
}

/// "; 312 of 5,324 tracker sightings placed: the track covers 08:00-08:40 only", when a
/// track was given or received.
fn placed(analysis: &Analysis) -> String {
    let c = &analysis.coverage;
    let Some(track) = c.track else {
        return match c.tracker_sightings {
            0 => String::new(),
            n => format!(
                "; no track, so none of the {} tracker sightings has a position",
                grouped(n)
            ),
        };
    };
    let mut out = format!(
        "; {} of {} tracker sightings placed",
        grouped(c.placed_sightings),
        grouped(c.tracker_sightings)
    );
    for w in &c.warnings {
        match w {
            Warning::TrackPartial { .. } => {
                let _ = write!(out, ": the track covers {} only", local_span(track));
            }
            Warning::TrackOutside { .. } => {
                let _ = write!(
                    out,
                    ": the track ({}) is outside the time heard",
                    local_span(track)
                );
            }
            Warning::CaptureHeardNothing { .. }
            | Warning::CaptureNotUnderstood { .. }
            | Warning::ImplausibleTimes { .. } => {}
        }
    }
    out
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What each track file held: fixes, skipped records and the first problem, its time span.
fn tracks(analysis: &Analysis) -> String {
    let c = &analysis.coverage;
    let mut out = String::new();
    for t in &c.track_files {
        let _ = write!(
            out,
            "Track {}: {}, {} fixes",
            neutralise(&t.path.display().to_string()),
            t.format,
            grouped(t.fixes as u64)
        );
        if let Some(span) = t.span {
            let _ = write!(out, " ({})", local_span(span));
        }
        if t.skipped > 0 {
            let _ = write!(out, ", {} records skipped", grouped(t.skipped as u64));
        }
        if let Some(problem) = &t.first_problem {
            let _ = write!(out, " (first at {})", neutralise(problem));
        }
        out.push('\n');
    }
    if let (true, Some(span)) = (c.track_files.is_empty(), c.track) {
        let _ = writeln!(
            out,
            "Track: {} fixes ({})",
            grouped(c.track_fixes as u64),
            local_span(span)
        );
    }
    out
}

/// One line per capture and track, then the totals: what was read and what was passed over.
fn summary(analysis: &Analysis, listed: usize) -> String {
    let mut out = String::from("\n");
    for c in &analysis.captures {
        let format = c.format.map_or("unknown format".to_string(), |f| f.to_string());
        let _ = write!(
            out,
            "{}: {format}, {} advertisements",
            neutralise(&c.path.display().to_string()),
            grouped(c.stats.advertisements)
        );
        if c.stats.bad_records > 0 {
            let _ = write!(out, ", {} damaged records skipped", grouped(c.stats.bad_records));
        }
        if let Some(why) = c.stats.unreadable_reason {
            let _ = write!(out, ", {} records not understood ({why})", c.stats.unreadable);
        }
        if c.error.is_some() {
            out.push_str(", stopped early (see error)");
        }
        out.push('\n');
    }
    out.push_str(&tracks(analysis));
    if listed > 0 {
        out.push_str(&statement(analysis));
    }
    if analysis.outcome() == Outcome::NothingHeard {
        // "0 trackers" would read as an all-clear.
        out.push_str("Times are local.\n");
    } else {
        let _ = writeln!(
            out,
            "{listed} tracker{}; {} advertisements from other devices counted, not kept. Times are local.",
            plural(listed as u64),
            grouped(analysis.other_advertisements)
        );
    }
    out
}
