//! Fixes, tracks, interpolation and distance: what every reader produces and the
//! correlator consumes.

use std::ops::Range;

use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};

/// Interpolating across a longer hole would invent a path nobody walked.
pub const DEFAULT_MAX_GAP_US: i64 = 2 * 60 * 1_000_000;

/// Fixes further apart in time than this belong to separate stretches of a track.
pub const STRETCH_GAP_US: i64 = 24 * 60 * 60 * 1_000_000;

/// A stretch of at most this many fixes, more than [`STRETCH_GAP_US`] from any other fix,
/// is a receiver's clock error (one sentence dated years ahead, a stale fix replayed) when a
/// longer stretch exists, and is dropped. Ten covers a bad date carried over to the position
/// sentences that follow it; a real stretch that short adds little.
pub const TIME_OUTLIER_MAX_FIXES: usize = 10;

/// Faster than anyone carrying a scanner moves on the ground: a Shinkansen's 320 km/h is
/// 89 m/s. A fix that needs more from both neighbours is a jump (multipath), not a ride.
pub const MAX_SPEED_M_S: f64 = 100.0;

/// GPS error allowed on every leg before its speed is judged, so that fixes a fraction of a
/// second apart are not jumps because of ordinary noise.
const JUMP_SLACK_M: f64 = 100.0;

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
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
}

/// The fixes [`Track::without_outliers`] dropped, in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outliers {
    /// Short stretches far in time from the rest (see [`TIME_OUTLIER_MAX_FIXES`]).
    pub time: Vec<Fix>,
    /// Fixes that jump away and back faster than [`MAX_SPEED_M_S`].
    pub jumps: Vec<Fix>,
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

    /// [`Track::from_fixes`], then without the fixes a receiver got wrong: short stretches
    /// far in time from the rest, and single fixes that jump away and back faster than
    /// anyone travels. Sorting first means one fix dated years ahead can no longer hide the
    /// fixes after it.
    pub fn without_outliers(fixes: Vec<Fix>) -> (Self, Outliers) {
        let mut track = Track::from_fixes(fixes);
        let time = drop_time_outliers(&mut track.fixes, None);
        let jumps = drop_jumps(&mut track.fixes);
        (track, Outliers { time, jumps })
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
    /// receiver's fixes come in order, so this is an append), and drops outliers as
    /// [`Track::without_outliers`] does around it. Stretches are judged again only when a fix
    /// starts or ends one or one stands alone at an end, and the stretch of the fix just added
    /// is spared: after a long silence a receiver starts a new stretch one fix at a time.
    pub fn push(&mut self, fix: Fix) {
        if !fix.has_valid_position() {
            return;
        }
        let i = self.fixes.partition_point(|f| f.time_us < fix.time_us);
        match self.fixes.get_mut(i) {
            Some(same) if same.time_us == fix.time_us => *same = fix,
            _ => self.fixes.insert(i, fix),
        }
        let apart = |a: usize, b: usize| match (self.fixes.get(a), self.fixes.get(b)) {
            (Some(x), Some(y)) => y.time_us.saturating_sub(x.time_us) > STRETCH_GAP_US,
            _ => false,
        };
        // The new fix starts or ends a stretch, or one is left alone at an end of the track.
        let last = self.fixes.len() - 1;
        if (i > 0 && apart(i - 1, i)) || apart(i, i + 1) || apart(0, 1) || (last > 0 && apart(last - 1, last))
        {
            drop_time_outliers(&mut self.fixes, Some(fix.time_us));
            return;
        }
        // The new fix, or a neighbour now between two fixes, may be a jump.
        for j in [Some(i), i.checked_sub(1), Some(i + 1)].into_iter().flatten() {
            if j > 0 && j + 1 < self.fixes.len() && self.is_jump(j - 1, j, j + 1) {
                self.fixes.remove(j);
                return;
            }
        }
    }

    fn is_jump(&self, before: usize, at: usize, after: usize) -> bool {
        is_jump(&self.fixes[before], &self.fixes[at], &self.fixes[after])
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

/// Drops, from sorted fixes, the stretches of at most [`TIME_OUTLIER_MAX_FIXES`] fixes when a
/// longer one exists, except the stretch holding `spare` (a time); returns what it dropped.
fn drop_time_outliers(fixes: &mut Vec<Fix>, spare: Option<i64>) -> Vec<Fix> {
    let mut stretches: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 1..=fixes.len() {
        let gap = |f: &[Fix]| f[i].time_us.saturating_sub(f[i - 1].time_us) > STRETCH_GAP_US;
        if i == fixes.len() || gap(fixes) {
            stretches.push(start..i);
            start = i;
        }
    }
    let longest = stretches.iter().map(ExactSizeIterator::len).max().unwrap_or(0);
    if longest <= TIME_OUTLIER_MAX_FIXES {
        return Vec::new();
    }
    let (mut kept, mut dropped) = (Vec::with_capacity(fixes.len()), Vec::new());
    for r in stretches {
        let part = &fixes[r.clone()];
        let spared = spare.is_some_and(|t| (part[0].time_us..=part[part.len() - 1].time_us).contains(&t));
        if r.len() <= TIME_OUTLIER_MAX_FIXES && !spared {
            dropped.extend_from_slice(part);
        } else {
            kept.extend_from_slice(part);
        }
    }
    *fixes = kept;
    dropped
}

/// Whether going from `a` to `b` (later) needs more than [`MAX_SPEED_M_S`] (with [`JUMP_SLACK_M`]).
fn too_fast(a: &Fix, b: &Fix) -> bool {
    let seconds = b.time_us.saturating_sub(a.time_us) as f64 / 1e6;
    distance_m(a, b) > MAX_SPEED_M_S * seconds + JUMP_SLACK_M
}

/// A fix that is too fast to reach and to leave, between two fixes that are not: a jump
/// and a jump back. A fast ride is fast all along, so it never looks like this.
fn is_jump(before: &Fix, at: &Fix, after: &Fix) -> bool {
    too_fast(before, at) && too_fast(at, after) && !too_fast(before, after)
}

/// A multipath jump lasts a fix or two, at most this many: a phone logging every second
/// may stay off for a few seconds.
const MAX_JUMP_FIXES: usize = 3;

/// Drops jumps from sorted fixes, each judged against the last fix kept; returns them. A jump
/// is one to [`MAX_JUMP_FIXES`] fixes reached too fast from the fix before and left too fast
/// for the fix after, when going straight from before to after is not too fast.
fn drop_jumps(fixes: &mut Vec<Fix>) -> Vec<Fix> {
    let mut dropped = Vec::new();
    if fixes.len() < 3 {
        return dropped;
    }
    let mut kept = Vec::with_capacity(fixes.len());
    kept.push(fixes[0]);
    let mut i = 1;
    while i < fixes.len() {
        let before = kept[kept.len() - 1];
        let jump = (1..=MAX_JUMP_FIXES).find(|&n| {
            fixes.get(i + n).is_some_and(|after| {
                too_fast(&before, &fixes[i])
                    && too_fast(&fixes[i + n - 1], after)
                    && !too_fast(&before, after)
            })
        });
        match jump {
            Some(n) => {
                dropped.extend_from_slice(&fixes[i..i + n]);
                i += n;
            }
            None => {
                kept.push(fixes[i]);
                i += 1;
            }
        }
    }
    *fixes = kept;
    dropped
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

    const DAY_US: i64 = 86_400_000_000;
    /// 2026-01-15 08:00 UTC.
    const T0: i64 = 1_768_464_000_000_000;
    /// Metres to degrees of latitude.
    const M: f64 = 1.0 / 111_195.0;

    /// `n` fixes a second from `start`, heading north at `speed` m/s from 35 N.
    fn ride(start: i64, n: i64, speed: f64) -> Vec<Fix> {
        (0..n)
            .map(|s| Fix {
                time_us: start + s * 1_000_000,
                lat: 35.0 + s as f64 * speed * M,
                lon: 139.0,
                accuracy_m: None,
            })
            .collect()
    }

    #[test]
    fn short_stretches_far_in_time_are_time_outliers() {
        let mut fixes = ride(T0, 100, 1.4);
        let ahead = Fix {
            time_us: T0 + 5 * 365 * DAY_US,
            ..fixes[50]
        };
        let behind = Fix {
            time_us: T0 - 3 * 365 * DAY_US,
            ..fixes[20]
        };
        fixes[50] = ahead;
        fixes[20] = behind;
        let (t, out) = Track::without_outliers(fixes.clone());
        assert_eq!(out.time, [behind, ahead]);
        assert_eq!((t.len(), out.jumps.len()), (98, 0));
        // Without a longer stretch to compare with, nothing is judged.
        let few = [&fixes[18..23], &fixes[48..53]].concat();
        assert_eq!(Track::without_outliers(few).0.len(), 10);
    }

    #[test]
    fn tracks_of_several_days_keep_every_day() {
        let monday = ride(T0, 50, 1.4);
        let wednesday = ride(T0 + 2 * DAY_US, TIME_OUTLIER_MAX_FIXES as i64 + 1, 1.4);
        let (t, out) = Track::without_outliers([wednesday, monday].concat());
        assert_eq!((t.len(), out), (61, Outliers::default()));
        // Merging tracks read one by one judges nothing again.
        let short = Track::from_fixes(ride(T0 + 5 * DAY_US, 3, 1.4));
        let long = Track::from_fixes(ride(T0, 50, 1.4));
        assert_eq!(Track::merge([long, short]).len(), 53);
    }

    #[test]
    fn a_jump_and_back_is_dropped_a_fast_train_is_not() {
        // A Shinkansen at 300 km/h (83 m/s), with 20 m of GPS noise on every other fix.
        let mut train = ride(T0, 120, 300.0 / 3.6);
        for f in train.iter_mut().step_by(2) {
            f.lat += 20.0 * M;
        }
        let (t, out) = Track::without_outliers(train.clone());
        assert_eq!((t.len(), out), (120, Outliers::default()));
        // A multipath fix 5 km off for one second.
        let mut walk = ride(T0, 60, 1.4);
        let jump = Fix {
            lon: walk[30].lon + 5_000.0 * M / 35f64.to_radians().cos(),
            ..walk[30]
        };
        walk[30] = jump;
        let (t, out) = Track::without_outliers(walk.clone());
        assert_eq!((t.len(), out.jumps), (59, vec![jump]));
        // Off 800 m for three fixes 5 s apart (a phone saving battery), then back.
        let mut slow = ride(T0, 60, 1.4);
        for f in slow.iter_mut() {
            f.time_us = T0 + (f.time_us - T0) * 5;
        }
        for f in &mut slow[20..23] {
            f.lat += 800.0 * M;
        }
        let (t, out) = Track::without_outliers(slow.clone());
        assert_eq!((t.len(), &out.jumps[..]), (57, &slow[20..23]));
        // A flight is fast all along; after a tunnel the train is somewhere else: both stay.
        let flight = ride(T0, 30, 250.0);
        assert_eq!(Track::without_outliers(flight).0.len(), 30);
        let mut tunnel = ride(T0, 40, 80.0);
        tunnel.drain(10..30);
        for f in &mut tunnel[10..] {
            f.lat += 3_000.0 * M;
        }
        assert_eq!(Track::without_outliers(tunnel).0.len(), 20);
    }

    #[test]
    fn a_live_fix_years_away_does_not_poison_later_ones() {
        let fixes = ride(T0, 40, 1.4);
        for years in [5, -3] {
            let stray = Fix {
                time_us: T0 + years * 365 * DAY_US,
                ..fixes[0]
            };
            for stray_after in [0, 20] {
                let mut live = Track::default();
                for (i, f) in fixes.iter().enumerate() {
                    if i == stray_after {
                        live.push(stray);
                    }
                    live.push(*f);
                }
                assert_eq!(live.fixes(), &fixes[..], "{years} years after fix {stray_after}");
                // The latest fix is held for a sighting just after it.
                let next = fixes[39].time_us + 1_000_000;
                assert_eq!(
                    live.position_at(next, DEFAULT_MAX_GAP_US).map(|f| f.lat),
                    Some(fixes[39].lat)
                );
            }
        }
    }

    #[test]
    fn a_live_receiver_back_after_days_starts_a_stretch_fix_by_fix() {
        let mut live = Track::default();
        let before = ride(T0, 30, 1.4);
        let after = ride(T0 + 3 * DAY_US, 5, 1.4);
        for f in before.iter().chain(&after) {
            live.push(*f);
        }
        assert_eq!(live.len(), 35);
    }

    #[test]
    fn a_live_jump_goes_when_the_next_fix_comes() {
        let fixes = ride(T0, 10, 1.4);
        let mut live = Track::default();
        for f in &fixes[..5] {
            live.push(*f);
        }
        live.push(Fix {
            time_us: fixes[5].time_us,
            lat: fixes[5].lat + 5_000.0 * M,
            ..fixes[5]
        });
        assert_eq!(live.len(), 6, "not judged before its next fix");
        live.push(fixes[6]);
        assert_eq!(live.fixes(), [&fixes[..5], &fixes[6..7]].concat());
        // A fix replacing one in the middle with a jump goes at once.
        live.push(Fix {
            lat: fixes[3].lat + 5_000.0 * M,
            ..fixes[3]
        });
        assert_eq!(live.len(), 5);
        live.push(fixes[5]);
        assert_eq!(live.fixes(), [&fixes[..3], &fixes[4..7]].concat());
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
