//! The aligned, coloured table `tagwatch analyze` prints for people.
//! Colour goes through anstream, which drops it for NO_COLOR and non-terminals.

use std::fmt::Write;
use std::io::{self, IsTerminal};

use anstyle::{AnsiColor, Style};

use crate::analyze::{Analysis, Outcome};
use crate::classify::{Classifier, OwnerState};
use crate::correlate::Tracker;
use crate::correlate::verdict::Risk;
use crate::coverage::Warning;
use crate::i18n::{Lang, Localised};

use unicode_width::UnicodeWidthStr;

use super::{grouped, local_span, local_time, neutralise, owner_text, verdict_text};
use crate::i18n::distance;

/// The columns, with their header's message; a column is dropped to fit the terminal in
/// [`DROP_ORDER`], the id, the tracker and the verdict never.
const HEADERS: [&str; 9] = [
    "col-id",
    "col-tracker",
    "col-verdict",
    "col-owner",
    "col-addresses",
    "col-first-seen",
    "col-last-seen",
    "col-sightings",
    "col-rssi",
];

/// Shown only when a track was given: without one they would be all zeros.
const LOCATION_HEADERS: [&str; 2] = ["col-places", "col-distance"];

/// Which columns go first when the table is wider than the terminal (indices into the
/// headers): what matters least to someone asking "is one following me?" first.
const DROP_ORDER: [usize; 8] = [4, 8, 5, 3, 7, 9, 6, 10];

fn style_of(state: OwnerState) -> Style {
    match state {
        OwnerState::Separated => AnsiColor::Red.on_default().bold(),
        OwnerState::NearOwner => AnsiColor::Green.on_default(),
        OwnerState::Unknown => AnsiColor::Yellow.on_default(),
    }
}

/// "FOLLOWING" stands out; a tracker worth a look says its risk; the rest stay quiet. The
/// user's own tracker says so, whatever its verdict (the reasons keep it).
fn verdict_cell(t: &Tracker, lang: Lang) -> (String, Style) {
    let text = verdict_text(lang, t.own.is_some(), t.following(), t.risk.as_str());
    let style = if t.own.is_some() {
        AnsiColor::Green.on_default()
    } else if t.following() {
        AnsiColor::Red.on_default().bold().invert()
    } else if t.risk > Risk::None {
        AnsiColor::Yellow.on_default().bold()
    } else {
        Style::new()
    };
    (text, style)
}

/// "SmartTag (setup)": the model when the payload tells it, else the family's name, then the
/// mode and finding network when known, all in `lang`. The family key is part of the id beside it.
pub(crate) fn tracker_text(t: &Tracker, lang: Lang) -> String {
    let name = t.model.unwrap_or_else(|| {
        Classifier::builtin()
            .family(t.family)
            .map_or(t.family, |f| f.name.as_str())
    });
    let details: Vec<String> = t
        .mode
        .iter()
        .chain(&t.network)
        .map(|d| lang.name(d).replace('_', " "))
        .collect();
    if details.is_empty() {
        lang.name(name).to_string()
    } else {
        let details = details.join(lang.t("separator-list"));
        lang.fill(
            "tracker-details",
            &[("name", &lang.name(name)), ("details", &details)],
        )
    }
}

fn addresses_text(t: &Tracker) -> String {
    match t.addresses.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} +{}", rest.len()),
    }
}

fn row(t: &Tracker, located: bool, lang: Lang) -> Vec<(String, Style)> {
    let plain = |s: String| (s, Style::new());
    let mut cells = vec![
        plain(t.id.clone()),
        plain(tracker_text(t, lang)),
        verdict_cell(t, lang),
        (
            owner_text(lang, t.owner_state).to_string(),
            style_of(t.owner_state),
        ),
        plain(addresses_text(t)),
        plain(local_time(t.first_seen_us)),
        plain(local_time(t.last_seen_us)),
        plain(grouped(t.sightings)),
        plain(t.rssi_max.map_or("-".to_string(), |r| format!("{r} dBm"))),
    ];
    if located {
        cells.push(plain(t.places.len().to_string()));
        cells.push(plain(distance(t.places.max_distance_m())));
    }
    cells
}

/// The width the table must fit: `COLUMNS` when set, else the terminal's when standard output
/// is one, else none (a file or a pipe gets every column).
pub fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(n);
    }
    match io::stdout().is_terminal() {
        true => ratatui::crossterm::terminal::size()
            .ok()
            .map(|(w, _)| usize::from(w)),
        false => None,
    }
}

/// Writes the table in `lang`, within `width` columns when given (dropping the columns that
/// matter least, and saying so); phones, computers and headphones near their owner only when
/// `all`. Rows are made twice (once to measure the columns, once to write) rather than kept,
/// so a crowd of trackers costs no extra memory.
pub fn write(
    analysis: &Analysis,
    all: bool,
    lang: Lang,
    width: Option<usize>,
    w: &mut dyn io::Write,
) -> io::Result<()> {
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
        .map(|h| lang.t(h))
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for t in listed() {
        for (w, (cell, _)) in widths.iter_mut().zip(row(t, analysis.located, lang)) {
            *w = (*w).max(cell.width());
        }
    }
    let mut shown_columns: Vec<usize> = (0..headers.len()).collect();
    let total = |columns: &[usize]| columns.iter().map(|&i| widths[i] + 2).sum::<usize>() - 2;
    let mut dropped = Vec::new();
    for i in DROP_ORDER.into_iter().filter(|&i| i < headers.len()) {
        if width.is_none_or(|max| total(&shown_columns) <= max) {
            break;
        }
        shown_columns.retain(|&c| c != i);
        dropped.push(headers[i]);
    }
    let line = |cells: &[(&str, Style)]| {
        let mut out = String::new();
        for &i in &shown_columns {
            let (text, style) = cells[i];
            let fill = widths[i].saturating_sub(text.width());
            let _ = write!(out, "{style}{text}{style:#}{:fill$}  ", "");
        }
        out.truncate(out.trim_end_matches(' ').len());
        out.push('\n');
        out
    };
    let shown = listed().count();
    if shown == 0 {
        // Never a bare "no trackers": say what was heard, or that nothing was.
        w.write_all(statement(analysis, lang).as_bytes())?;
    } else {
        let bold = Style::new().bold();
        let header_cells: Vec<(&str, Style)> = headers.iter().map(|h| (*h, bold)).collect();
        w.write_all(line(&header_cells).as_bytes())?;
        for t in listed() {
            let cells = row(t, analysis.located, lang);
            let cells: Vec<(&str, Style)> = cells.iter().map(|(c, s)| (c.as_str(), *s)).collect();
            w.write_all(line(&cells).as_bytes())?;
        }
        if !dropped.is_empty() {
            let columns = dropped.join(lang.t("separator-list"));
            let max = width.unwrap_or_default();
            writeln!(
                w,
                "{}",
                lang.fill("table-left-out", &[("width", &max), ("columns", &columns)])
            )?;
        }
    }
    let hidden = analysis.trackers.len() - shown;
    if hidden > 0 {
        writeln!(w, "{}", lang.fill("table-hidden", &[("n", &hidden)]))?;
    }
    why(w, analysis, all, lang)?;
    w.write_all(summary(analysis, shown, lang).as_bytes())
}

/// The reasons for every tracker listed, a quiet one too, so no verdict goes unexplained.
/// Written line by line: with 50,000 trackers the whole text was 7 MB, and growing it held
/// two copies at the end of a live session, its peak of memory.
fn why(w: &mut dyn io::Write, analysis: &Analysis, all: bool, lang: Lang) -> io::Result<()> {
    for (i, t) in analysis.listed(all).enumerate() {
        if i == 0 {
            write!(w, "\n{}\n", lang.t("table-why"))?;
        }
        // Reasons carry place names the user typed and may come from a forged record.
        let reasons = neutralise(&t.reasons_text(lang));
        writeln!(
            w,
            "{}",
            lang.fill(
                "table-why-line",
                &[("id", &neutralise(&t.id)), ("reasons", &reasons)]
            )
        )?;
    }
    Ok(())
}

/// What the result covers, in a sentence or two: the outcome, how many advertisements over
/// how long, how many tracker sightings the track placed. Leads the output when no tracker
/// is listed (`analyze` and `scan`) and ends a sweep.
pub fn statement(analysis: &Analysis, lang: Lang) -> String {
    let c = &analysis.coverage;
    let mut parts = Vec::new();
    if c.incomplete {
        parts.push(lang.t("statement-incomplete").to_string());
    }
    if c.unreadable_records > 0 {
        parts.push(lang.fill("statement-partly", &[("n", &c.unreadable_records)]));
    }
    let heard = match (c.heard, c.ran_us) {
        (Some(span), _) => lang.fill(
            "heard-over",
            &[
                ("n", &c.advertisements),
                ("duration", &lang.duration(span.length_us())),
                ("span", &local_span(span)),
            ],
        ),
        // "ran", not "listened": the adapter may have been down the whole time.
        (None, Some(us)) => lang.fill("heard-ran", &[("duration", &lang.duration(us))]),
        (None, None) if analysis.captures.is_empty() => lang.t("heard-zero").to_string(),
        (None, None) => lang.fill("heard-captures", &[("n", &analysis.captures.len())]),
    };
    let placed = placed(analysis, lang);
    parts.push(match analysis.outcome() {
        Outcome::NothingHeard => lang.fill("outcome-nothing", &[("heard", &heard)]),
        Outcome::NoTrackers => lang.fill("outcome-no-trackers", &[("heard", &heard), ("placed", &placed)]),
        Outcome::Trackers | Outcome::Following => {
            let mut text = lang.fill("outcome-trackers", &[("heard", &heard), ("placed", &placed)]);
            if let Some(first) = text.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            text
        }
    });
    parts.join(" ") + "\n"
}

/// "; 312 of 5,324 tracker sightings placed: the track covers 08:00-08:40 only", when a
/// track was given or received.
fn placed(analysis: &Analysis, lang: Lang) -> String {
    let c = &analysis.coverage;
    let Some(track) = c.track else {
        return match c.tracker_sightings {
            0 => String::new(),
            n => lang.fill("placed-no-track", &[("n", &n)]),
        };
    };
    let mut out = lang.fill(
        "placed",
        &[("placed", &c.placed_sightings), ("n", &c.tracker_sightings)],
    );
    for w in &c.warnings {
        match w {
            Warning::TrackPartial { .. } => {
                out.push_str(&lang.fill("placed-partial", &[("span", &local_span(track))]));
            }
            Warning::TrackOutside { .. } => {
                out.push_str(&lang.fill("placed-outside", &[("span", &local_span(track))]));
            }
            Warning::CaptureHeardNothing { .. }
            | Warning::CaptureNotUnderstood { .. }
            | Warning::ImplausibleTimes { .. } => {}
        }
    }
    out
}

/// What each track file held: fixes, skipped records and the first problem, its time span.
fn tracks(analysis: &Analysis, lang: Lang) -> String {
    let c = &analysis.coverage;
    let mut out = String::new();
    for t in &c.track_files {
        let path = neutralise(&t.path.display().to_string());
        let format = t.format.to_string();
        out.push_str(&lang.fill(
            "track-file",
            &[("path", &path), ("format", &format), ("n", &t.fixes)],
        ));
        if let Some(span) = t.span {
            out.push_str(&lang.fill("track-span", &[("span", &local_span(span))]));
        }
        if t.skipped > 0 {
            out.push_str(&lang.fill("track-skipped", &[("n", &t.skipped)]));
        }
        if let Some(problem) = &t.first_problem {
            out.push_str(&lang.fill(
                "track-first-problem",
                &[("problem", &neutralise(&problem.text(lang)))],
            ));
        }
        out.push('\n');
    }
    if let (true, Some(span)) = (c.track_files.is_empty(), c.track) {
        let _ = writeln!(
            out,
            "{}",
            lang.fill(
                "track-total",
                &[("n", &c.track_fixes), ("span", &local_span(span))]
            )
        );
    }
    out
}

/// One line per capture and track, then the totals: what was read and what was passed over.
fn summary(analysis: &Analysis, listed: usize, lang: Lang) -> String {
    let mut out = String::from("\n");
    for c in &analysis.captures {
        let format = c
            .format
            .map_or(lang.t("capture-unknown-format").to_string(), |f| f.to_string());
        let path = neutralise(&c.path.display().to_string());
        out.push_str(&lang.fill(
            "capture-line",
            &[
                ("path", &path),
                ("format", &format),
                ("n", &c.stats.advertisements),
            ],
        ));
        if c.stats.bad_records > 0 {
            out.push_str(&lang.fill("capture-damaged", &[("n", &c.stats.bad_records)]));
        }
        if let Some(why) = c.stats.unreadable_reason {
            out.push_str(&lang.fill(
                "capture-not-understood",
                &[("n", &c.stats.unreadable), ("why", &why.message().text(lang))],
            ));
        }
        if c.error.is_some() {
            out.push_str(lang.t("capture-stopped"));
        }
        out.push('\n');
    }
    out.push_str(&tracks(analysis, lang));
    if listed > 0 {
        out.push_str(&statement(analysis, lang));
    }
    if analysis.outcome() == Outcome::NothingHeard {
        // "0 trackers" would read as an all-clear.
        let _ = writeln!(out, "{}", lang.t("times-local"));
    } else {
        let _ = writeln!(
            out,
            "{}",
            lang.fill(
                "summary-total",
                &[("n", &listed), ("others", &analysis.other_advertisements)]
            )
        );
    }
    out
}
