//! Fixes, tracks, interpolation and distance: what every reader produces and the
//! correlator consumes.

use serde::{Deserialize, Serialize};

/// Interpolating across a longer hole would invent a path nobody walked.
pub const DEFAULT_MAX_GAP_US: i64 = 2 * 60 * 1_000_000;

/// Mean Earth radius (IUGG), the usual choice for haversine distances.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// One position of the person carrying the scanner.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// UTC microseconds since the Unix epoch.
    pub time_us: i64,
    /// WGS84 degrees, north positive.
    pub lat: f64,
    /// WGS84 degrees, east positive.
    pub lon: f64,
    /// Horizontal error estimate in metres, when the source gives one.
    pub accuracy_m: Option<f64>,
}

impl Fix {
    /// NaN or out-of-range coordinates come from broken receivers or parsers; they
    /// must never reach the correlator.
    pub fn has_valid_position(&self) -> bool {
        self.lat.is_finite() && self.lon.is_finite() && self.lat.abs() <= 90.0 && self.lon.abs() <= 180.0
    }
}

/// Great-circle (haversine) distance in metres. Within 0.5 % of the WGS84 geodesic,
/// which is far better than the GPS and RSSI errors it is compared with.
pub fn distance_m(a: &Fix, b: &Fix) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Fixes in strictly increasing time order (one per instant).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Track {
    fixes: Vec<Fix>,
}

impl Track {
    /// Sorts the fixes, drops invalid positions and keeps the last fix of any
    /// repeated instant, so the invariant holds whatever the caller passes.
    pub fn from_fixes(mut fixes: Vec<Fix>) -> Self {
        fixes.retain(Fix::has_valid_position);
        fixes.sort_by_key(|f| f.time_us);
        let mut out: Vec<Fix> = Vec::with_capacity(fixes.len());
        for f in fixes {
            match out.last_mut() {
                Some(last) if last.time_us == f.time_us => *last = f,
                _ => out.push(f),
            }
        }
        Track { fixes: out }
    }

    /// One track from several (e.g. a phone's log and a GPS logger's): all their fixes,
    /// in time order; where two share an instant, the later track's fix wins.
    pub fn merge(tracks: impl IntoIterator<Item = Track>) -> Self {
        Track::from_fixes(tracks.into_iter().flat_map(|t| t.fixes).collect())
    }

    pub fn fixes(&self) -> &[Fix] {
        &self.fixes
    }

    /// Adds one fix where it belongs in time, as [`Track::from_fixes`] would (a live
    /// receiver's fixes come in order, so this is an append).
    pub fn push(&mut self, fix: Fix) {
        if !fix.has_valid_position() {
            return;
        }
        let i = self.fixes.partition_point(|f| f.time_us < fix.time_us);
        match self.fixes.get_mut(i) {
            Some(same) if same.time_us == fix.time_us => *same = fix,
            _ => self.fixes.insert(i, fix),
        }
    }

    pub fn len(&self) -> usize {
        self.fixes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fixes.is_empty()
    }

    /// Sum of the legs between consecutive fixes, in metres.
    pub fn length_m(&self) -> f64 {
        self.fixes.windows(2).map(|w| distance_m(&w[0], &w[1])).sum()
    }

    /// Where the person was at `time_us`: linear interpolation between the fixes
    /// around it. None when either neighbour is more than `max_gap_us` away, or the
    /// time lies outside the track by more than that; just outside the track the
    /// end fix is held.
    pub fn position_at(&self, time_us: i64, max_gap_us: i64) -> Option<Fix> {
        let idx = self.fixes.partition_point(|f| f.time_us < time_us);
        let after = self.fixes.get(idx);
        if let Some(a) = after
            && a.time_us == time_us
        {
            return Some(*a);
        }
        let before = idx.checked_sub(1).map(|i| &self.fixes[i]);
        let near = |f: &Fix| (f.time_us - time_us).unsigned_abs() <= max_gap_us.unsigned_abs();
        match (before, after) {
            (Some(b), Some(a)) if near(b) && near(a) => Some(interpolate(b, a, time_us)),
            (Some(end), None) | (None, Some(end)) if near(end) => Some(Fix { time_us, ..*end }),
            _ => None,
        }
    }
}

/// Where the person is at a moment: a recorded track, or a live receiver (gpsd).
pub trait PositionSource {
    /// The person's position at `time_us`, if known.
    fn position_at(&mut self, time_us: i64) -> Option<Fix>;
    /// The fixes to keep with the session's evidence, if the source has them.
    fn track(&self) -> Option<&Track> {
        None
    }
}

/// A recorded track as a position source: interpolated across holes up to `max_gap_us`.
#[derive(Clone, Copy, Debug)]
pub struct OnTrack<'t> {
    pub track: &'t Track,
    pub max_gap_us: i64,
}

impl PositionSource for OnTrack<'_> {
    fn position_at(&mut self, time_us: i64) -> Option<Fix> {
        self.track.position_at(time_us, self.max_gap_us)
    }

    fn track(&self) -> Option<&Track> {
        Some(self.track)
    }
}

/// Straight line in lat/lon; over the seconds between GPS fixes the curvature
/// error is millimetres. Longitude takes the short way across the antimeridian.
fn interpolate(b: &Fix, a: &Fix, time_us: i64) -> Fix {
    let t = (time_us - b.time_us) as f64 / (a.time_us - b.time_us) as f64;
    let mut dlon = a.lon - b.lon;
    if dlon > 180.0 {
        dlon -= 360.0;
    } else if dlon < -180.0 {
        dlon += 360.0;
    }
    let mut lon = b.lon + t * dlon;
    if lon > 180.0 {
        lon -= 360.0;
    } else if lon < -180.0 {
        lon += 360.0;
    }
    Fix {
        time_us,
        lat: b.lat + t * (a.lat - b.lat),
        lon,
        accuracy_m: match (b.accuracy_m, a.accuracy_m) {
            (Some(x), Some(y)) => Some(x + t * (y - x)),
            (x, y) => x.or(y),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(t_s: i64, lat: f64, lon: f64) -> Fix {
        Fix {
            time_us: t_s * 1_000_000,
            lat,
            lon,
            accuracy_m: None,
        }
    }

    #[test]
    fn push_keeps_the_order_of_from_fixes() {
        let fixes = [
            fix(3, 1.0, 1.0),
            fix(1, 2.0, 2.0),
            fix(3, 3.0, 3.0),
            fix(2, 91.0, 0.0),
            fix(5, 4.0, 4.0),
        ];
        let mut pushed = Track::default();
        for f in fixes {
            pushed.push(f);
        }
        assert_eq!(pushed, Track::from_fixes(fixes.to_vec()));
        assert_eq!(pushed.len(), 3);
    }

    #[test]
    fn midpoint_is_interpolated() {
        let mut a = fix(0, 10.0, 20.0);
        a.accuracy_m = Some(4.0);
        let mut b = fix(10, 11.0, 22.0);
        b.accuracy_m = Some(8.0);
        let t = Track::from_fixes(vec![b, a]);
        let m = t.position_at(5_000_000, DEFAULT_MAX_GAP_US).unwrap();
        assert_eq!(m.time_us, 5_000_000);
        assert!((m.lat - 10.5).abs() < 1e-12 && (m.lon - 21.0).abs() < 1e-12);
        assert_eq!(m.accuracy_m, Some(6.0));
        let q = t.position_at(2_500_000, DEFAULT_MAX_GAP_US).unwrap();
        assert!((q.lat - 10.25).abs() < 1e-12);
        assert_eq!(t.position_at(10_000_000, DEFAULT_MAX_GAP_US), Some(b));
    }

    #[test]
    fn gap_cuts_off() {
        let t = Track::from_fixes(vec![fix(0, 1.0, 1.0), fix(300, 2.0, 2.0), fix(310, 3.0, 3.0)]);
        // 150 s from either side of a 300 s hole: both neighbours too far.
        assert_eq!(t.position_at(150_000_000, DEFAULT_MAX_GAP_US), None);
        // 60 s after the first fix but 240 s before the next: still too far.
        assert_eq!(t.position_at(60_000_000, DEFAULT_MAX_GAP_US), None);
        assert!(t.position_at(305_000_000, DEFAULT_MAX_GAP_US).is_some());
        // Outside the track: held within the gap, None beyond it.
        let held = t
            .position_at(310_000_000 + 119_000_000, DEFAULT_MAX_GAP_US)
            .unwrap();
        assert_eq!((held.lat, held.lon), (3.0, 3.0));
        assert_eq!(t.position_at(310_000_000 + 121_000_000, DEFAULT_MAX_GAP_US), None);
        assert_eq!(t.position_at(-121_000_000, DEFAULT_MAX_GAP_US), None);
        assert!(t.position_at(-119_000_000, DEFAULT_MAX_GAP_US).is_some());
        assert_eq!(Track::default().position_at(0, DEFAULT_MAX_GAP_US), None);
    }

    #[test]
    fn antimeridian_takes_short_way() {
        let t = Track::from_fixes(vec![fix(0, 0.0, 179.0), fix(10, 0.0, -179.0)]);
        let m = t.position_at(7_500_000, DEFAULT_MAX_GAP_US).unwrap();
        assert!((m.lon - (-179.5)).abs() < 1e-9, "{}", m.lon);
    }

    #[test]
    fn from_fixes_sorts_dedups_and_drops_invalid() {
        let t = Track::from_fixes(vec![
            fix(2, 1.0, 1.0),
            fix(1, f64::NAN, 1.0),
            fix(1, 91.0, 1.0),
            fix(1, 5.0, 5.0),
            fix(2, 2.0, 2.0),
        ]);
        assert_eq!(t.fixes(), &[fix(1, 5.0, 5.0), fix(2, 2.0, 2.0)]);
    }

    #[test]
    fn merge_interleaves_tracks_in_time() {
        let a = Track::from_fixes(vec![fix(1, 1.0, 1.0), fix(3, 3.0, 3.0)]);
        let b = Track::from_fixes(vec![fix(2, 2.0, 2.0), fix(3, 4.0, 4.0)]);
        let m = Track::merge([a, b]);
        assert_eq!(m.fixes(), &[fix(1, 1.0, 1.0), fix(2, 2.0, 2.0), fix(3, 4.0, 4.0)]);
        assert!(Track::merge([]).is_empty());
    }

    #[test]
    fn known_city_pairs_within_half_percent() {
        // References: WGS84 geodesic distances from GeographicLib 2.0 (Karney).
        let paris = fix(0, 48.853, 2.3499); // Notre-Dame
        let london = fix(0, 51.4995, -0.1248); // Westminster
        let d = distance_m(&paris, &london);
        assert!((d / 343_329.1 - 1.0).abs() < 0.005, "{d}");
        let nyc = fix(0, 40.7128, -74.0060);
        let london_c = fix(0, 51.5074, -0.1278);
        let d = distance_m(&nyc, &london_c);
        assert!((d / 5_585_233.6 - 1.0).abs() < 0.005, "{d}");
        assert_eq!(distance_m(&paris, &paris), 0.0);
    }
}
