//! The report's drawings as inline SVG: a map drawn from the coordinates alone (no tiles, so
//! the report needs no network and shows nothing but the evidence) and a timeline chart.

use std::fmt::Write;

use super::condense::{Kind, Segment};
use super::{Lang, Zone, esc, local_and_utc, utc};
use crate::evidence::{SightingRecord, TrackPoint};

/// Metres per degree of latitude (and of longitude at the equator).
const M_PER_DEG: f64 = 111_320.0;

pub(crate) const MAP_W: f64 = 800.0;
pub(crate) const MAP_H: f64 = 500.0;
const MAP_MARGIN: f64 = 40.0;

/// An equirectangular projection of a bounding box onto a `w`×`h` drawing, centred, with
/// the same scale in both directions and a margin on every side.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Projection {
    centre_lat: f64,
    centre_lon: f64,
    /// cos(latitude) at the centre: how much shorter a degree of longitude is there.
    k: f64,
    /// Pixels per degree of latitude.
    scale: f64,
    w: f64,
    h: f64,
}

impl Projection {
    /// Fits (lat, lon) points; `None` when there are none. A box smaller than 200 m is
    /// drawn as 200 m so that one place does not fill the map.
    pub(crate) fn fit(points: &[(f64, f64)], w: f64, h: f64, margin: f64) -> Option<Self> {
        let first = points.first()?;
        let (mut lat0, mut lat1, mut lon0, mut lon1) = (first.0, first.0, first.1, first.1);
        for &(lat, lon) in points {
            lat0 = lat0.min(lat);
            lat1 = lat1.max(lat);
            lon0 = lon0.min(lon);
            lon1 = lon1.max(lon);
        }
        let centre_lat = (lat0 + lat1) / 2.0;
        let k = centre_lat.to_radians().cos().max(0.01);
        let min_extent = 200.0 / M_PER_DEG;
        let dx = ((lon1 - lon0) * k).max(min_extent);
        let dy = (lat1 - lat0).max(min_extent);
        let scale = ((w - 2.0 * margin) / dx).min((h - 2.0 * margin) / dy);
        Some(Projection {
            centre_lat,
            centre_lon: (lon0 + lon1) / 2.0,
            k,
            scale,
            w,
            h,
        })
    }

    pub(crate) fn project(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.w / 2.0 + (lon - self.centre_lon) * self.k * self.scale,
            self.h / 2.0 - (lat - self.centre_lat) * self.scale,
        )
    }

    fn metres_per_px(&self) -> f64 {
        M_PER_DEG / self.scale
    }
}

/// The longest 1, 2 or 5 × 10^n metres that fits in `max_m`, and its label.
fn scale_bar(max_m: f64) -> (f64, String) {
    let p = 10f64.powf(max_m.log10().floor());
    let m = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|f| f * p)
        .find(|&m| m <= max_m)
        .unwrap_or(p);
    let label = if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    };
    (m, label)
}

/// Blue for the first sighting through to red for the last (`f` from 0 to 1).
fn time_colour(f: f64) -> String {
    format!("hsl({:.0},85%,45%)", 240.0 * (1.0 - f.clamp(0.0, 1.0)))
}

/// Where `t` lies between `t0` and `t1` (0 to 1). In i128: a damaged or forged time at either
/// end of i64 must give a wrong dot, never an overflow.
fn fraction(t: i64, t0: i64, t1: i64) -> f64 {
    let span = i128::from(t1) - i128::from(t0);
    if span > 0 {
        (i128::from(t) - i128::from(t0)) as f64 / span as f64
    } else {
        0.0
    }
}

/// At most this many points of the person's route are drawn (evenly thinned).
const MAX_ROUTE_POINTS: usize = 600;

/// The map of one tracker over the person's track: the route, one dot per minute of travel,
/// the stays numbered as in the key-points table, the alert point, start and end; `None`
/// when nothing has a position. `id` makes the gradient's id unique in the document.
pub(crate) fn map(
    id: usize,
    segments: &[Segment],
    sightings: &[&SightingRecord],
    track: &[TrackPoint],
    alert: Option<&SightingRecord>,
    lang: Lang,
    zone: &Zone,
) -> Option<String> {
    let located: Vec<(&SightingRecord, f64, f64)> = sightings
        .iter()
        .filter_map(|s| s.position.map(|p| (*s, p.lat, p.lon)))
        .collect();
    let (first, last) = (located.first()?, located.last()?);
    // Only the part of the track while the tracker was heard, so the map stays on the evidence.
    let t0 = first.0.time_us;
    let t1 = last.0.time_us;
    let within: Vec<&TrackPoint> = track
        .iter()
        .filter(|p| p.time_us >= t0 && p.time_us <= t1)
        .collect();
    let step = within.len().div_ceil(MAX_ROUTE_POINTS).max(1);
    let mut route: Vec<&TrackPoint> = within.iter().copied().step_by(step).collect();
    if let Some(&end) = within.last()
        && route.last().is_some_and(|p| !std::ptr::eq(*p, end))
    {
        route.push(end);
    }
    let points: Vec<(f64, f64)> = segments
        .iter()
        .filter_map(|s| s.position)
        .chain([(first.1, first.2), (last.1, last.2)])
        .chain(route.iter().map(|p| (p.lat, p.lon)))
        .collect();
    let proj = Projection::fit(&points, MAP_W, MAP_H, MAP_MARGIN)?;

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="map" viewBox="0 0 {MAP_W} {MAP_H}" role="img" aria-label="{}">"##,
        esc(lang.t("map_heading"))
    );
    let _ = write!(
        s,
        r##"<defs><linearGradient id="time-{id}"><stop offset="0" stop-color="{}"/><stop offset="0.5" stop-color="{}"/><stop offset="1" stop-color="{}"/></linearGradient></defs>"##,
        time_colour(0.0),
        time_colour(0.5),
        time_colour(1.0)
    );
    let _ = write!(
        s,
        r##"<rect class="map-bg" x="0" y="0" width="{MAP_W}" height="{MAP_H}"/>"##
    );
    if route.len() > 1 {
        let pts: Vec<String> = route
            .iter()
            .map(|p| {
                let (x, y) = proj.project(p.lat, p.lon);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(s, r##"<polyline class="route" points="{}"/>"##, pts.join(" "));
    }
    for seg in segments.iter().filter(|g| g.kind == Kind::Travel) {
        let Some((lat, lon)) = seg.position else { continue };
        let (x, y) = proj.project(lat, lon);
        let _ = write!(
            s,
            r##"<circle class="sighting" cx="{x:.1}" cy="{y:.1}" r="4" fill="{}"><title>{}</title></circle>"##,
            time_colour(fraction(seg.start_us, t0, t1)),
            esc(&local_and_utc(seg.start_us, zone))
        );
    }
    for (n, seg) in segments.iter().filter(|g| g.kind == Kind::Stay).enumerate() {
        let Some((lat, lon)) = seg.position else { continue };
        let (x, y) = proj.project(lat, lon);
        let _ = write!(
            s,
            r##"<g class="stay"><circle cx="{x:.1}" cy="{y:.1}" r="11"/><text x="{x:.1}" y="{:.1}">{}</text></g>"##,
            y + 4.5,
            n + 1
        );
    }
    if let Some(p) = alert.and_then(|a| a.position) {
        let (x, y) = proj.project(p.lat, p.lon);
        let _ = write!(
            s,
            r##"<g class="alert"><path d="M{x:.1} {:.1} l9 16 h-18 z"/><text x="{:.1}" y="{:.1}">{}</text></g>"##,
            y - 10.0,
            x + 12.0,
            y + 5.0,
            esc(lang.t("map_alert"))
        );
    }
    // Start and end of what the map shows (hollow, so the dots under them stay visible).
    for (class, (lat, lon), key) in [
        ("start", (first.1, first.2), "map_start"),
        ("end", (last.1, last.2), "map_end"),
    ] {
        let (x, y) = proj.project(lat, lon);
        let _ = write!(
            s,
            r##"<g class="{class}"><rect x="{:.1}" y="{:.1}" width="16" height="16"/><text x="{:.1}" y="{:.1}">{}</text></g>"##,
            x - 8.0,
            y - 8.0,
            x + 11.0,
            y - 11.0,
            esc(lang.t(key))
        );
    }

    // Scale bar, bottom left, at most a quarter of the width.
    let (metres, label) = scale_bar(proj.metres_per_px() * MAP_W / 4.0);
    let px = metres / proj.metres_per_px();
    let (x0, y0) = (20.0, MAP_H - 20.0);
    let _ = write!(
        s,
        r##"<g class="scale"><path d="M{x0} {:.1} V{y0} H{:.1} V{:.1}"/><text x="{x0}" y="{:.1}">{label}</text></g>"##,
        y0 - 6.0,
        x0 + px,
        y0 - 6.0,
        y0 - 10.0
    );
    // North arrow, top right (north is up in this projection).
    let (nx, ny) = (MAP_W - 30.0, 22.0);
    let _ = write!(
        s,
        r##"<g class="north"><path d="M{nx} {ny} l-8 22 l8 -6 l8 6 z"/><text x="{nx}" y="{:.1}">{}</text></g>"##,
        ny + 38.0,
        esc(lang.t("north"))
    );
    // Colour legend, bottom right: first and last time.
    let (lx, ly) = (MAP_W - 260.0, MAP_H - 34.0);
    let hm = |us: i64| utc(us).with_timezone(&zone.offset).format("%H:%M").to_string();
    let _ = write!(
        s,
        r##"<g class="legend"><rect x="{lx}" y="{ly}" width="240" height="10" fill="url(#time-{id})"/><text x="{lx}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text></g>"##,
        ly + 24.0,
        hm(t0),
        lx + 240.0,
        ly + 24.0,
        hm(t1)
    );
    s.push_str("</svg>");
    Some(s)
}

const TL_W: f64 = 800.0;
const TL_H: f64 = 250.0;
const TL_LEFT: f64 = 60.0;
const TL_RIGHT: f64 = 750.0;
/// The presence strip: heard or not, each minute, with the stays shaded.
const STRIP_TOP: f64 = 22.0;
const STRIP_H: f64 = 26.0;
/// The signal plot below it.
const SIG_TOP: f64 = 70.0;
const SIG_BOTTOM: f64 = 205.0;
const MINUTE_US: i128 = 60_000_000;
/// At most this many columns; a longer span gets wider ones (whole minutes).
const MAX_COLUMNS: i128 = 720;
const RSSI_MIN: f64 = -100.0;
const RSSI_MAX: f64 = -30.0;

/// The timeline of one tracker: a presence strip (heard / not heard each minute, the stays
/// shaded and numbered), the strongest signal each minute as a line, and the alert as a
/// dashed line. `None` when there are no sightings.
pub(crate) fn timeline(
    sightings: &[&SightingRecord],
    segments: &[Segment],
    alert_us: Option<i64>,
    lang: Lang,
    zone: &Zone,
) -> Option<String> {
    // Times in i128 from here: a damaged or forged time at either end of i64 gives a strange
    // chart, never an overflow or an index out of bounds.
    let t0 = i128::from(sightings.iter().map(|s| s.time_us).min()?);
    let t1 = i128::from(sightings.iter().map(|s| s.time_us).max()?);
    let minutes = (t1 - t0) / MINUTE_US + 1;
    let column_us = MINUTE_US * ((minutes - 1) / MAX_COLUMNS + 1);
    let columns = ((t1 - t0) / column_us + 1) as usize;
    let mut strongest: Vec<Option<i8>> = vec![None; columns];
    let mut heard = vec![false; columns];
    for s in sightings {
        let c = ((i128::from(s.time_us) - t0) / column_us) as usize;
        heard[c] = true;
        strongest[c] = strongest[c].max(s.rssi);
    }
    let plot_w = TL_RIGHT - TL_LEFT;
    let col_w = plot_w / columns as f64;
    let span = columns as i128 * column_us;
    let x_of = |t: i128| TL_LEFT + (t - t0) as f64 / span as f64 * plot_w;

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="timeline" viewBox="0 0 {TL_W} {TL_H}" role="img" aria-label="{}">"##,
        esc(lang.t("timeline_heading"))
    );
    let _ = write!(
        s,
        r##"<text x="{TL_LEFT}" y="{:.1}">{}</text><text x="{TL_LEFT}" y="{:.1}">{}</text>"##,
        STRIP_TOP - 6.0,
        esc(lang.t("timeline_presence")),
        SIG_TOP - 6.0,
        esc(lang.t("timeline_signal"))
    );
    // Runs of equal columns as one rectangle each: a 3-hour strip is tens of shapes.
    let mut c = 0;
    while c < columns {
        let mut end = c;
        while end + 1 < columns && heard[end + 1] == heard[c] {
            end += 1;
        }
        let _ = write!(
            s,
            r##"<rect class="{}" x="{:.1}" y="{STRIP_TOP}" width="{:.1}" height="{STRIP_H}"/>"##,
            if heard[c] { "heard" } else { "not-heard" },
            TL_LEFT + c as f64 * col_w,
            (end - c + 1) as f64 * col_w
        );
        c = end + 1;
    }
    for (n, g) in segments.iter().filter(|g| g.kind == Kind::Stay).enumerate() {
        let (x0, x1) = (x_of(i128::from(g.start_us)), x_of(i128::from(g.end_us)));
        let _ = write!(
            s,
            r##"<rect class="stay-band" x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            STRIP_TOP + STRIP_H,
            (x1 - x0).max(1.0),
            SIG_BOTTOM - STRIP_TOP - STRIP_H,
            (x0 + x1) / 2.0,
            STRIP_TOP + STRIP_H + 14.0,
            n + 1
        );
    }
    let _ = write!(
        s,
        r##"<path class="axis" d="M{TL_LEFT} {SIG_TOP} V{SIG_BOTTOM} H{TL_RIGHT}"/>"##
    );
    // The signal line, broken where nothing was heard.
    let y_of = |rssi: i8| {
        let f = ((f64::from(rssi) - RSSI_MIN) / (RSSI_MAX - RSSI_MIN)).clamp(0.0, 1.0);
        SIG_BOTTOM - f * (SIG_BOTTOM - SIG_TOP)
    };
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, s: &mut String| {
        if run.len() > 1 {
            let _ = write!(s, r##"<polyline class="signal" points="{}"/>"##, run.join(" "));
        } else if let Some(p) = run.first() {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                s,
                r##"<circle class="rssi" cx="{x}" cy="{y}" r="1.5" fill="#c22"/>"##
            );
        }
        run.clear();
    };
    for (c, rssi) in strongest.iter().enumerate() {
        match rssi {
            Some(v) => run.push(format!(
                "{:.1},{:.1}",
                TL_LEFT + (c as f64 + 0.5) * col_w,
                y_of(*v)
            )),
            None => flush(&mut run, &mut s),
        }
    }
    flush(&mut run, &mut s);
    for dbm in [-100i8, -80, -60, -40] {
        let y = y_of(dbm);
        let _ = write!(
            s,
            r##"<text class="dbm" x="{:.1}" y="{:.1}" text-anchor="end">{dbm}</text>"##,
            TL_LEFT - 5.0,
            y + 4.0
        );
    }
    if let Some(at) = alert_us
        .map(i128::from)
        .filter(|at| (t0..=t0 + span).contains(at))
    {
        let x = x_of(at);
        let _ = write!(
            s,
            r##"<path class="alert-line" d="M{x:.1} {:.1} V{SIG_BOTTOM}"/><text x="{:.1}" y="{:.1}" fill="#a00">{}</text>"##,
            STRIP_TOP - 2.0,
            x + 3.0,
            SIG_TOP + 12.0,
            esc(lang.t("map_alert"))
        );
    }
    for i in 0..5 {
        let t = t0 + span * i / 4;
        let x = x_of(t);
        let t = i64::try_from(t).unwrap_or(i64::MAX);
        let fmt = if i == 0 { "%m-%d %H:%M" } else { "%H:%M" };
        let _ = write!(
            s,
            r##"<path class="tick" d="M{x:.1} {SIG_BOTTOM} v5"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            SIG_BOTTOM + 20.0,
            utc(t).with_timezone(&zone.offset).format(fmt)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{TL_RIGHT}" y="{:.1}" text-anchor="end">{}</text>"##,
        SIG_BOTTOM + 40.0,
        esc(&zone.abbreviation())
    );
    s.push_str("</svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn projection_keeps_points_inside_the_view_box(
            points in prop::collection::vec((-85.0f64..85.0, -180.0f64..180.0), 1..40),
            spread in prop::sample::select(vec![1e-6, 1e-3, 0.1, 1.0]),
        ) {
            // Shrink the cloud towards its first point to try tiny and large boxes alike.
            let (la, lo) = points[0];
            let pts: Vec<(f64, f64)> = points
                .iter()
                .map(|&(lat, lon)| (la + (lat - la) * spread, lo + (lon - lo) * spread))
                .collect();
            let p = Projection::fit(&pts, MAP_W, MAP_H, MAP_MARGIN).unwrap();
            for &(lat, lon) in &pts {
                let (x, y) = p.project(lat, lon);
                prop_assert!((MAP_MARGIN - 1e-6..=MAP_W - MAP_MARGIN + 1e-6).contains(&x), "x {x}");
                prop_assert!((MAP_MARGIN - 1e-6..=MAP_H - MAP_MARGIN + 1e-6).contains(&y), "y {y}");
            }
        }
    }

    #[test]
    fn north_is_up_and_east_is_right() {
        let p = Projection::fit(&[(35.0, 139.0), (35.1, 139.1)], MAP_W, MAP_H, MAP_MARGIN).unwrap();
        let (x0, y0) = p.project(35.0, 139.0);
        let (x1, y1) = p.project(35.1, 139.1);
        assert!(x1 > x0 && y1 < y0);
    }

    #[test]
    fn scale_bar_is_a_round_length() {
        assert_eq!(scale_bar(1234.0), (1000.0, "1 km".to_string()));
        assert_eq!(scale_bar(380.0), (200.0, "200 m".to_string()));
        assert_eq!(scale_bar(7500.0), (5000.0, "5 km".to_string()));
    }
}
