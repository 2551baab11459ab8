//! The map and timeline panes and the status line of the live view. Positions are projected
//! to metres around a local origin first, so a room and a city are drawn to the same rules.

use chrono::{DateTime, FixedOffset};
use geo::{Bearing, Distance, Haversine, Point};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Circle, Context, Line as Segment, Points};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};

use super::{Listener, Snapshot, TrackerView};
use crate::correlate::{PLACE_RADIUS_M, STAY_US};
use crate::i18n::{Lang, Localised};
use crate::location::Fix;
use crate::present::neutralise;
use crate::present::table::tracker_text;
use crate::scan::LinkState;

/// The smallest area a map shows across: a room.
pub const MIN_SPAN_M: f64 = 20.0;
/// Zoomed in, a map column is never less than this: GPS is not better.
const MIN_M_PER_COL: f64 = 0.1;
/// A terminal cell is about twice as tall as it is wide.
const CELL_ASPECT: f64 = 2.0;
/// The track is not drawn across a hole this long: nobody knows the way taken.
const TRACK_HOLE_US: i64 = 5 * 60 * 1_000_000;
/// Colours of the sightings, oldest to newest.
const AGES: [Color; 4] = [Color::Blue, Color::Cyan, Color::Yellow, Color::LightRed];
/// Signal strengths the timeline spans, in dBm.
const DBM: (f64, f64) = (-100.0, -30.0);
/// Between the parts of a title or the status line.
const SEP: &str = " · ";

/// What the panes need besides their area.
pub struct Look<'a> {
    pub lang: Lang,
    pub tz: FixedOffset,
    pub snap: &'a Snapshot,
    /// The selected tracker.
    pub tracker: Option<&'a TrackerView>,
    pub focused: bool,
}

/// "08:15:02" at the view's UTC offset.
pub fn clock(tz: FixedOffset, time_us: i64) -> String {
    DateTime::from_timestamp_micros(time_us)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%H:%M:%S")
        .to_string()
}

/// Terminal columns `s` takes: East Asian wide characters count two.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// As many of `parts`, from the first, as fit in `max` columns joined by " · ": a part (a
/// time, a model name) is shown whole or not at all.
pub fn fit(parts: &[String], max: usize) -> String {
    let mut out = String::new();
    for p in parts {
        let sep = if out.is_empty() { "" } else { SEP };
        if width(&out) + width(sep) + width(p) > max {
            break;
        }
        out.push_str(sep);
        out.push_str(p);
    }
    out
}

/// `parts` in lines of at most `max` columns, broken only between parts; a part wider than a
/// line (a long path) is cut at its start, where a path is least telling.
pub fn wrap(parts: &[String], max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for p in parts {
        let p = if width(p) > max {
            cut_front(p, max)
        } else {
            p.clone()
        };
        match lines.last_mut() {
            Some(l) if width(l) + width(SEP) + width(&p) <= max => {
                l.push_str(SEP);
                l.push_str(&p);
            }
            _ => lines.push(p),
        }
    }
    lines
}

/// The end of `s` that fits in `max` columns, after "…".
fn cut_front(s: &str, max: usize) -> String {
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let w = width(&c.to_string());
        if used + w > max {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// `p` (lat, lon) in metres east and north of `origin`: the azimuthal equidistant projection,
/// true in distance and direction from the origin, which is the middle of the map.
pub fn project(origin: (f64, f64), p: (f64, f64)) -> (f64, f64) {
    let (o, q) = (Point::new(origin.1, origin.0), Point::new(p.1, p.0));
    let d = Haversine.distance(o, q);
    if d == 0.0 {
        return (0.0, 0.0);
    }
    let bearing = Haversine.bearing(o, q).to_radians();
    (d * bearing.sin(), d * bearing.cos())
}

/// The part of the plane a map shows, in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub x: [f64; 2],
    pub y: [f64; 2],
    pub m_per_col: f64,
}

/// The window over `points` (metres) for `cols` x `rows` cells: all of them with a margin at
/// `zoom` 0, each step in halving the metres per column around `centre` (else the middle).
pub fn fit_window(
    points: &[(f64, f64)],
    cols: u16,
    rows: u16,
    zoom: i32,
    centre: Option<(f64, f64)>,
) -> Window {
    let (cols, rows) = (f64::from(cols.max(1)), f64::from(rows.max(1)));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if points.is_empty() {
        (x0, x1, y0, y1) = (0.0, 0.0, 0.0, 0.0);
    }
    // A tenth more on each side, so nothing sits on the border.
    let span_x = ((x1 - x0) * 1.2).max(MIN_SPAN_M);
    let span_y = ((y1 - y0) * 1.2).max(MIN_SPAN_M);
    let fitted = (span_x / cols).max(span_y / (rows * CELL_ASPECT));
    let m_per_col = (fitted / 2f64.powi(zoom)).max(MIN_M_PER_COL);
    let (cx, cy) = match centre {
        Some(c) if zoom != 0 => c,
        _ => ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
    };
    let (half_x, half_y) = (m_per_col * cols / 2.0, m_per_col * CELL_ASPECT * rows / 2.0);
    Window {
        x: [cx - half_x, cx + half_x],
        y: [cy - half_y, cy + half_y],
        m_per_col,
    }
}

/// A scale bar at most `max_cols` wide: its length in columns and the round distance (1, 2 or
/// 5 times a power of ten metres) it stands for.
pub fn scale_bar(m_per_col: f64, max_cols: u16) -> Option<(u16, f64)> {
    let longest = m_per_col * f64::from(max_cols);
    let power = 10f64.powf(longest.log10().floor());
    let metres = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * power)
        .find(|&m| m <= longest)?;
    let cols = (metres / m_per_col).round() as u16;
    (cols >= 2).then_some((cols.min(max_cols), metres))
}

/// "500 m", "2 km", "1.5 km".
pub fn metres(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{} km", (m / 100.0).round() / 10.0)
    }
}

/// The border of the pane Tab has moved to stands out.
pub fn focus(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    }
}

fn border(title: String, focused: bool) -> Block<'static> {
    Block::new()
        .borders(Borders::ALL)
        .border_style(focus(focused))
        .title(title)
}

/// The tracker's name and id, as the table shows it.
fn who(v: &TrackerView, lang: Lang) -> [String; 2] {
    [neutralise(&tracker_text(&v.tracker, lang)), v.tracker.id.clone()]
}

fn title(look: &Look<'_>, pane: &str, more: &[String], area: Rect) -> String {
    let mut parts = vec![look.lang.t(pane).to_string()];
    match look.tracker {
        Some(v) => parts.extend(who(v, look.lang)),
        None => parts.push(look.lang.t("no_tracker").to_string()),
    }
    parts.extend_from_slice(more);
    format!(" {} ", fit(&parts, usize::from(area.width.saturating_sub(4))))
}

/// The map: the person's track so far, the selected tracker's sightings coloured by time, its
/// places (stays named), where it started following, a north arrow and a scale bar.
pub fn map(look: &Look<'_>, frame: &mut Frame<'_>, area: Rect, zoom: i32) {
    let lang = look.lang;
    let factor = match zoom {
        0 => lang.t("zoom_fit").to_string(),
        z if z > 0 => lang.fill("zoom", &[("factor", &(1u64 << z.min(30)).to_string())]),
        z => lang.fill("zoom", &[("factor", &format!("1/{}", 1u64 << (-z).min(30)))]),
    };
    let more = [factor, lang.t("map_keys").to_string()];
    let block = border(title(look, "map", &more, area), look.focused);
    let inner = block.inner(area);

    let sightings: Vec<(i64, (f64, f64))> = look.tracker.map_or(Vec::new(), |v| {
        v.history
            .buckets()
            .filter_map(|(_, b)| Some((b.last_us, b.position?)))
            .collect()
    });
    let places: Vec<(&Fix, bool)> = look.tracker.map_or(Vec::new(), |v| {
        let p = &v.tracker.places;
        p.centres()
            .iter()
            .zip(p.visits())
            .map(|(c, (first, last))| (c, last - first >= STAY_US))
            .collect()
    });
    let alert = look.tracker.and_then(|v| v.alert_fix);
    let track = &look.snap.track;
    let mut all: Vec<(f64, f64)> = track.iter().map(|f| (f.lat, f.lon)).collect();
    all.extend(sightings.iter().map(|(_, p)| *p));
    all.extend(places.iter().map(|(c, _)| (c.lat, c.lon)));
    all.extend(alert.iter().map(|f| (f.lat, f.lon)));
    if all.is_empty() {
        let text = Paragraph::new(lang.t("no_position")).alignment(Alignment::Center);
        frame.render_widget(text.block(block), area);
        return;
    }
    // The middle of the box around everything: distances from it are true.
    let (lat0, lat1, lon0, lon1) = all.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), &(lat, lon)| (a.min(lat), b.max(lat), c.min(lon), d.max(lon)),
    );
    let origin = ((lat0 + lat1) / 2.0, (lon0 + lon1) / 2.0);
    let at = |lat: f64, lon: f64| project(origin, (lat, lon));
    let projected: Vec<(f64, f64)> = all.iter().map(|&(lat, lon)| at(lat, lon)).collect();
    let you = track.last().map(|f| at(f.lat, f.lon));
    let window = fit_window(&projected, inner.width, inner.height, zoom, you);

    let (first_us, last_us) = match (sightings.first(), sightings.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => (0, 0),
    };
    let age_class = |t: i64| {
        let span = (last_us - first_us).max(1) as f64;
        (((t - first_us) as f64 / span * AGES.len() as f64) as usize).min(AGES.len() - 1)
    };
    let mut by_age: Vec<Vec<(f64, f64)>> = vec![Vec::new(); AGES.len()];
    for &(time, (lat, lon)) in &sightings {
        by_age[age_class(time)].push(at(lat, lon));
    }
    let canvas = Canvas::default()
        .block(block)
        .marker(Marker::Braille)
        .x_bounds(window.x)
        .y_bounds(window.y)
        .paint(|ctx: &mut Context<'_>| {
            for w in track.windows(2) {
                if w[1].time_us - w[0].time_us > TRACK_HOLE_US {
                    continue;
                }
                let ((x1, y1), (x2, y2)) = (at(w[0].lat, w[0].lon), at(w[1].lat, w[1].lon));
                ctx.draw(&Segment::new(x1, y1, x2, y2, Color::DarkGray));
            }
            ctx.layer();
            for &(c, stay) in &places {
                let (x, y) = at(c.lat, c.lon);
                let colour = if stay { Color::Magenta } else { Color::Gray };
                ctx.draw(&Circle::new(x, y, PLACE_RADIUS_M, colour));
            }
            for (coords, &color) in by_age.iter().zip(&AGES) {
                ctx.draw(&Points { coords, color });
            }
            ctx.layer();
            for &(c, _) in places.iter().filter(|(_, stay)| *stay) {
                // One column right of the place, so the person's mark there leaves it whole.
                let (x, y) = at(c.lat, c.lon);
                ctx.print(
                    x + window.m_per_col,
                    y,
                    Span::styled(lang.t("stay"), Style::new().fg(Color::Magenta)),
                );
            }
            if let Some((x, y)) = you {
                ctx.print(x, y, Span::styled("◆", Style::new().add_modifier(Modifier::BOLD)));
            }
            if let Some(f) = alert {
                let (x, y) = at(f.lat, f.lon);
                let style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
                ctx.print(x, y, Span::styled("⚠", style));
            }
        });
    frame.render_widget(canvas, area);
    overlays(
        look,
        frame,
        inner,
        &window,
        (first_us, last_us),
        !sightings.is_empty(),
    );
}

/// The north arrow, the scale bar and the legend, over the map's corners.
fn overlays(
    look: &Look<'_>,
    frame: &mut Frame<'_>,
    inner: Rect,
    window: &Window,
    span: (i64, i64),
    heard: bool,
) {
    let lang = look.lang;
    if inner.height < 4 || inner.width < 12 {
        return;
    }
    let north = lang.t("north");
    let w = width(north).max(1) as u16;
    let arrow = Rect::new(inner.right() - w - 1, inner.y, w, 2);
    frame.render_widget(Paragraph::new(vec![Line::from("↑"), Line::from(north)]), arrow);
    let bottom = inner.bottom() - 1;
    if let Some((cols, m)) = scale_bar(window.m_per_col, inner.width / 4) {
        let bar = format!(
            "├{}┤ {}",
            "─".repeat(usize::from(cols.saturating_sub(2))),
            metres(m)
        );
        let w = (width(&bar) as u16).min(inner.width);
        frame.render_widget(Paragraph::new(bar), Rect::new(inner.x, bottom, w, 1));
    }
    let mut legend = vec![
        Span::styled("◆ ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(lang.t("you")),
    ];
    if look.tracker.is_some_and(|v| v.alert_fix.is_some()) {
        legend.push(Span::styled("  ⚠ ", Style::new().fg(Color::Red)));
        legend.push(Span::raw(lang.t("alert")));
    }
    if heard {
        legend.push(Span::raw(format!("  {} ", clock(look.tz, span.0))));
        legend.extend(AGES.iter().map(|&c| Span::styled("●", Style::new().fg(c))));
        legend.push(Span::raw(format!(" {}", clock(look.tz, span.1))));
    }
    let legend = Line::from(legend);
    let w = legend.width() as u16;
    // Above the scale bar, and only when it fits whole (its times are not cut).
    if w <= inner.width && inner.height >= 6 {
        frame.render_widget(Paragraph::new(legend), Rect::new(inner.x, bottom - 1, w, 1));
    }
}

/// The timeline: the selected tracker's signal over the session, when it was not heard and
/// when it started following; under it, when the radio listened and when there was a GPS fix.
pub fn timeline(look: &Look<'_>, frame: &mut Frame<'_>, area: Rect) {
    let lang = look.lang;
    // The legend under the chart, where it hides no bar.
    let key = |mark: &'static str, colour: Color, name: &str| {
        [
            Span::styled(mark, Style::new().fg(colour)),
            Span::raw(format!(" {}  ", lang.t(name))),
        ]
    };
    let legend: Vec<Span> = [
        key("█", Color::Green, "signal"),
        key("•", Color::DarkGray, "not_heard"),
        key("│", Color::Red, "alert"),
    ]
    .concat();
    let block = border(title(look, "timeline", &[], area), look.focused).title_bottom(Line::from(legend));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let snap = look.snap;
    let Some(start) = snap.started_us else {
        return;
    };
    if inner.height < 4 {
        return;
    }
    let end = snap.now_us.max(start + 1_000_000);
    let x = |t: i64| (t - start) as f64 / 1e6;
    let strip_names = [lang.t("radio"), lang.t("gps")];
    let y_labels = ["-100", "-65", "-30"];
    let time_w = clock(look.tz, start).len();
    let margin = y_labels
        .iter()
        .chain(&strip_names)
        .map(|s| width(s))
        .chain([time_w - 1])
        .max()
        .unwrap_or(0);
    let graph_w = usize::from(inner.width).saturating_sub(margin + 1);
    // Room for the first and the last time, each whole, or nothing.
    if graph_w < 2 * (time_w + 2) {
        return;
    }
    let column = |c: usize| {
        let at = |c: usize| start + ((end - start) as f64 * c as f64 / graph_w as f64) as i64;
        (at(c), at(c + 1))
    };

    let [chart_area, strips] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(inner);
    let (signal, not_heard, alert) = match look.tracker {
        Some(v) => {
            let h = &v.history;
            // Two samples a column, as many as the braille dots: heard stretches are solid.
            let signal: Vec<(f64, f64)> = (0..graph_w * 2)
                .filter_map(|i| {
                    let at = start + ((end - start) as f64 * (i as f64 + 0.5) / (graph_w * 2) as f64) as i64;
                    let dbm = h.at(at)?.rssi()?;
                    Some((x(at), (dbm - DBM.0).clamp(0.0, DBM.1 - DBM.0)))
                })
                .collect();
            let not_heard: Vec<(f64, f64)> = (0..graph_w)
                .map(column)
                .filter(|&(from, to)| to > v.tracker.first_seen_us && !h.heard_in(from, to))
                .map(|(from, to)| (x((from + to) / 2), 1.0))
                .collect();
            let alert: Vec<(f64, f64)> = v
                .tracker
                .alert_at_us
                .map(|a| vec![(x(a), 0.0), (x(a), DBM.1 - DBM.0)])
                .unwrap_or_default();
            (signal, not_heard, alert)
        }
        None => Default::default(),
    };
    let mut datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Bar)
            .style(Style::new().fg(Color::Green))
            .data(&signal),
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(Color::DarkGray))
            .data(&not_heard),
    ];
    if !alert.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(Color::Red))
                .data(&alert),
        );
    }
    let pad = |s: &str| format!("{}{s}", " ".repeat(margin.saturating_sub(width(s))));
    // Labels spaced as the chart places them, each whole: the first ends at the axis, the
    // last at the right edge, the others centred in their slot.
    let n = (graph_w / (time_w + 2)).clamp(2, 5);
    let at = |f: f64| clock(look.tz, start + ((end - start) as f64 * f) as i64);
    let mut x_labels = vec![Line::from(at(0.0))];
    x_labels.extend((0..n - 2).map(|i| Line::from(at((i as f64 + 1.5) / n as f64))));
    x_labels.push(Line::from(at(1.0)));
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([0.0, x(end)]).labels(x_labels))
        .y_axis(
            Axis::default()
                .bounds([0.0, DBM.1 - DBM.0])
                .labels(y_labels.iter().map(|l| Line::from(pad(l))).collect::<Vec<_>>()),
        );
    frame.render_widget(chart, chart_area);

    let spans = [&snap.radio, &snap.gps];
    let colours = [Color::Green, Color::Blue];
    let rows: Vec<Line> = strip_names
        .iter()
        .zip(spans)
        .zip(colours)
        .map(|((name, spans), colour)| {
            let mut line = vec![Span::raw(format!("{} ", pad(name)))];
            line.extend((0..graph_w).map(column).map(|(from, to)| {
                if spans.any_in(from, to) {
                    Span::styled("█", Style::new().fg(colour))
                } else {
                    Span::styled("░", Style::new().fg(Color::DarkGray))
                }
            }));
            Line::from(line)
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), strips);
}

/// The status line's parts: what listens, how (raw or reconstructed), how much it hears, the
/// GPS fix and the evidence database with its latest anchor.
pub fn status(lang: Lang, input: &Listener, snap: &Snapshot) -> Vec<String> {
    let (what, how) = match input {
        Listener::Adapter { name, state, exact } => {
            let state = match state {
                LinkState::Up => lang.t("adapter_up").to_string(),
                LinkState::Reconnecting => lang.t("adapter_reconnecting").to_string(),
                LinkState::Down(why) => lang.fill("adapter_down", &[("why", &neutralise(&why.text(lang)))]),
            };
            (
                lang.fill("adapter", &[("name", &neutralise(name)), ("state", &state)]),
                lang.t(if *exact { "exact" } else { "reconstructed" }),
            )
        }
        Listener::Replay { file } => (
            lang.fill("replay", &[("file", &neutralise(file))]),
            lang.t("capture"),
        ),
    };
    let rate = lang.fill("rate", &[("rate", &format!("{:.1}", snap.rate))]);
    let gps = match snap.fix {
        Some(f) => {
            let accuracy = f.accuracy_m.map_or(String::new(), |m| format!("±{} ", metres(m)));
            let old = age(lang, snap.now_us - f.time_us);
            lang.fill("fix", &[("accuracy", &accuracy), ("age", &old)])
        }
        None => lang.t("no_fix").to_string(),
    };
    let mut parts = vec![
        format!("{} {what}", lang.t("checking")),
        how.to_string(),
        rate,
        gps,
    ];
    match &snap.evidence {
        Some(e) => {
            let db = neutralise(&e.db.display().to_string());
            parts.push(lang.fill("evidence", &[("db", &db)]));
            parts.push(match &e.anchor {
                Some(code) => lang.fill("anchor", &[("code", &neutralise(code))]),
                None => lang.t("no_anchor_yet").to_string(),
            });
        }
        None => parts.push(lang.t("no_evidence").to_string()),
    }
    if let Some(a) = &snap.advisory {
        parts.push(a.summary(lang));
    }
    parts
}

/// "40 s", "12 min", "3 h" in `lang`.
pub(crate) fn age(lang: Lang, us: i64) -> String {
    let s = us.max(0) / 1_000_000;
    let (key, n) = match s {
        0..120 => ("seconds", s),
        120..7200 => ("minutes", s / 60),
        _ => ("hours", s / 3600),
    };
    lang.fill(key, &[("n", &n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_seconds_minutes_hours_in_both_languages() {
        assert_eq!(age(Lang::Ja, 3_000_000), "3 秒");
        assert_eq!(age(Lang::En, 600_000_000), "10 min");
        assert_eq!(age(Lang::En, 3 * 3_600_000_000), "3 h");
    }

    #[test]
    fn projection_keeps_distances_and_directions_from_the_origin() {
        let tokyo = (35.6812, 139.7671);
        assert_eq!(project(tokyo, tokyo), (0.0, 0.0));
        // 0.01° north is about 1112 m north; 0.01° east, about 904 m east at this latitude.
        let (x, y) = project(tokyo, (35.6912, 139.7671));
        assert!(x.abs() < 0.01 && (1110.0..1113.0).contains(&y), "{x} {y}");
        let (x, y) = project(tokyo, (35.6812, 139.7771));
        assert!((900.0..907.0).contains(&x) && y.abs() < 1.0, "{x} {y}");
        let d = Haversine.distance(Point::new(139.7671, 35.6812), Point::new(139.80, 35.70));
        let (x, y) = project(tokyo, (35.70, 139.80));
        assert!((x.hypot(y) - d).abs() < 0.01);
    }

    #[test]
    fn the_window_fits_a_room_and_a_city_and_zooms_around_the_person() {
        // One point: a room of MIN_SPAN_M each way around it.
        let w = fit_window(&[(5.0, 5.0)], 40, 10, 0, None);
        assert!(w.x[1] - w.x[0] >= MIN_SPAN_M && w.y[1] - w.y[0] >= MIN_SPAN_M);
        assert!(w.x[0] < 5.0 && 5.0 < w.x[1] && w.y[0] < 5.0 && 5.0 < w.y[1]);
        // A city: 20 km east-west on 100 columns, rows twice as tall as columns are wide.
        let city = [(-10_000.0, 0.0), (10_000.0, 2_000.0)];
        let w = fit_window(&city, 100, 20, 0, None);
        assert!((w.m_per_col - 240.0).abs() < 1e-9, "{}", w.m_per_col);
        assert!((w.y[1] - w.y[0] - 240.0 * 2.0 * 20.0).abs() < 1e-6);
        // Two steps in: a quarter of the metres per column, centred on the person.
        let z = fit_window(&city, 100, 20, 2, Some((10_000.0, 2_000.0)));
        assert!((z.m_per_col - 60.0).abs() < 1e-9);
        assert!(((z.x[0] + z.x[1]) / 2.0 - 10_000.0).abs() < 1e-6);
        // Never finer than GPS.
        assert_eq!(fit_window(&city, 100, 20, 40, None).m_per_col, MIN_M_PER_COL);
    }

    #[test]
    fn the_scale_bar_is_a_round_distance_within_its_room() {
        assert_eq!(scale_bar(240.0, 25), Some((21, 5000.0)));
        assert_eq!(scale_bar(1.0, 30), Some((20, 20.0)));
        assert_eq!(scale_bar(0.5, 10), Some((10, 5.0)));
        assert_eq!(scale_bar(100.0, 1), None);
        assert_eq!(
            (metres(500.0), metres(2000.0), metres(1500.0)),
            ("500 m".into(), "2 km".into(), "1.5 km".into())
        );
    }

    #[test]
    fn parts_are_shown_whole_or_not_at_all_wide_characters_count_two() {
        let parts: Vec<String> = ["地図", "AirTag", "08:00:01"].map(String::from).into();
        assert_eq!(width("地図"), 4);
        assert_eq!(fit(&parts, 15), "地図 · AirTag");
        assert_eq!(fit(&parts, 24), "地図 · AirTag · 08:00:01");
        assert_eq!(wrap(&parts, 13), ["地図 · AirTag", "08:00:01"]);
        assert_eq!(
            wrap(&["/home/someone/evidence.sqlite".to_string()], 12),
            ["…ence.sqlite"]
        );
    }
}
