//! The report's drawings as inline SVG: a map drawn from the coordinates alone (no tiles, so
//! the report needs no network and shows nothing but the evidence) and a timeline chart.

use std::fmt::{Display, Write};

use chrono::TimeZone;

use super::{Lang, esc, local_and_utc, utc};
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

/// The map of one tracker's located sightings over the person's track; `None` when nothing
/// has a position. `id` makes the gradient's id unique in the document.
pub(crate) fn map<Tz: TimeZone>(
    id: usize,
    sightings: &[&SightingRecord],
    track: &[TrackPoint],
    lang: Lang,
    tz: &Tz,
) -> Option<String>
where
    Tz::Offset: Display,
{
    let located: Vec<(&SightingRecord, f64, f64)> = sightings
        .iter()
        .filter_map(|s| s.position.map(|p| (*s, p.lat, p.lon)))
        .collect();
    let (first, last) = (located.first()?, located.last()?);
    // Only the part of the track while the tracker was heard, so the map stays on the evidence.
    let t0 = located.iter().map(|l| l.0.time_us).min()?;
    let t1 = located.iter().map(|l| l.0.time_us).max()?;
    let route: Vec<&TrackPoint> = track
        .iter()
        .filter(|p| p.time_us >= t0 && p.time_us <= t1)
        .collect();
    let points: Vec<(f64, f64)> = located
        .iter()
        .map(|&(_, lat, lon)| (lat, lon))
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
    for &(sighting, lat, lon) in &located {
        let (x, y) = proj.project(lat, lon);
        let _ = write!(
            s,
            r##"<circle class="sighting" cx="{x:.1}" cy="{y:.1}" r="5" fill="{}"><title>{}</title></circle>"##,
            time_colour(fraction(sighting.time_us, t0, t1)),
            esc(&local_and_utc(sighting.time_us, tz))
        );
    }
    // Start and end of what the map shows (hollow, so the dots under them stay visible): the route if there is one, else the sightings.
    let (start, end) = match (route.first(), route.last()) {
        (Some(a), Some(b)) if route.len() > 1 => ((a.lat, a.lon), (b.lat, b.lon)),
        _ => ((first.1, first.2), (last.1, last.2)),
    };
    for (class, (lat, lon), key) in [("start", start, "map_start"), ("end", end, "map_end")] {
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
    let hm = |us: i64| utc(us).with_timezone(tz).format("%H:%M").to_string();
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
const TL_H: f64 = 220.0;
const TL_LEFT: f64 = 50.0;
const TL_RIGHT: f64 = 750.0;
const TL_TOP: f64 = 15.0;
const TL_BOTTOM: f64 = 180.0;
const BIN_US: i64 = 5 * 60_000_000;
/// At most this many bars; a longer span gets wider bins (multiples of 5 minutes).
const MAX_BINS: i64 = 288;
const RSSI_MIN: f64 = -100.0;
const RSSI_MAX: f64 = -30.0;

/// The timeline chart of one tracker's sightings and the bin width in minutes, or `None`
/// when there are none.
pub(crate) fn timeline<Tz: TimeZone>(sightings: &[&SightingRecord], tz: &Tz) -> Option<(String, i64)>
where
    Tz::Offset: Display,
{
    // Times in i128 from here: a damaged or forged time at either end of i64 gives a strange
    // chart, never an overflow or an index out of bounds.
    let t0 = i128::from(sightings.iter().map(|s| s.time_us).min()?);
    let t1 = i128::from(sightings.iter().map(|s| s.time_us).max()?);
    let span = t1 - t0;
    let (bin_us, max_bins) = (i128::from(BIN_US), i128::from(MAX_BINS));
    let bin = bin_us * ((span / bin_us + 1) / max_bins + 1);
    let bins = (span / bin + 1) as usize;
    let mut counts = vec![0u32; bins];
    for s in sightings {
        counts[((i128::from(s.time_us) - t0) / bin) as usize] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    let plot_w = TL_RIGHT - TL_LEFT;
    let plot_h = TL_BOTTOM - TL_TOP;
    let bar_w = plot_w / bins as f64;
    let x_of = |t: i128| TL_LEFT + (t - t0) as f64 / (bins as i128 * bin) as f64 * plot_w;

    let mut s = String::new();
    let _ = write!(s, r##"<svg class="timeline" viewBox="0 0 {TL_W} {TL_H}">"##);
    let _ = write!(
        s,
        r##"<path class="axis" d="M{TL_LEFT} {TL_TOP} V{TL_BOTTOM} H{TL_RIGHT} V{TL_TOP}"/>"##
    );
    for (i, &c) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let h = c as f64 / max as f64 * plot_h;
        let _ = write!(
            s,
            r##"<rect class="bar" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{c}</title></rect>"##,
            TL_LEFT + i as f64 * bar_w + 0.5,
            TL_BOTTOM - h,
            (bar_w - 1.0).max(0.5)
        );
    }
    for sighting in sightings {
        if let Some(rssi) = sighting.rssi {
            let f = ((rssi as f64 - RSSI_MIN) / (RSSI_MAX - RSSI_MIN)).clamp(0.0, 1.0);
            let _ = write!(
                s,
                r##"<circle class="rssi" cx="{:.1}" cy="{:.1}" r="2.5"/>"##,
                x_of(i128::from(sighting.time_us)),
                TL_BOTTOM - f * plot_h
            );
        }
    }
    // Axes: counts on the left, dBm on the right, five local times below.
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{TL_BOTTOM}" text-anchor="end">0</text><text x="{:.1}" y="{:.1}" text-anchor="end">{max}</text>"##,
        TL_LEFT - 5.0,
        TL_LEFT - 5.0,
        TL_TOP + 10.0
    );
    for dbm in [RSSI_MIN, -65.0, RSSI_MAX] {
        let y = TL_BOTTOM - (dbm - RSSI_MIN) / (RSSI_MAX - RSSI_MIN) * plot_h;
        let _ = write!(
            s,
            r##"<text class="dbm" x="{:.1}" y="{:.1}">{dbm}</text>"##,
            TL_RIGHT + 5.0,
            y + 4.0
        );
    }
    let end = t0 + bins as i128 * bin;
    for i in 0..5 {
        let t = t0 + (end - t0) * i / 4;
        let x = x_of(t);
        let t = i64::try_from(t).unwrap_or(i64::MAX);
        let fmt = if i == 0 { "%m-%d %H:%M" } else { "%H:%M" };
        let _ = write!(
            s,
            r##"<path class="tick" d="M{x:.1} {TL_BOTTOM} v5"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            TL_BOTTOM + 20.0,
            utc(t).with_timezone(tz).format(fmt)
        );
    }
    s.push_str("</svg>");
    Some((s, i64::try_from(bin / 60_000_000).unwrap_or(i64::MAX)))
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
