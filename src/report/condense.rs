//! A tracker's sightings condensed for print: one row per stay (heard at one place for 5
//! minutes or more) and one per minute of travel, so a 3-hour commute is tens of rows, not
//! thousands. Every sighting stays in the appendix CSV.

use geo::{Distance, Haversine, Point};

use crate::correlate::verdict::MAX_SILENCE_US;
use crate::correlate::{PLACE_RADIUS_M, STAY_US};
use crate::evidence::SightingRecord;

const MINUTE_US: i64 = 60_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// At one place (within [`PLACE_RADIUS_M`]) for [`STAY_US`] or longer.
    Stay,
    /// One minute of sightings while moving.
    Travel,
    /// One minute of sightings with no position.
    Unlocated,
}

/// A row of the condensed table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Segment {
    pub kind: Kind,
    pub start_us: i64,
    pub end_us: i64,
    pub sightings: usize,
    /// The mean position of a stay, the last of a minute of travel.
    pub position: Option<(f64, f64)>,
    pub rssi_max: Option<i8>,
}

/// Great-circle distance in metres between two (lat, lon).
pub(crate) fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.1, a.0), Point::new(b.1, b.0))
}

fn position(s: &SightingRecord) -> Option<(f64, f64)> {
    s.position.map(|p| (p.lat, p.lon))
}

/// The sightings (in time order) as stays and minutes of travel, in time order.
pub(crate) fn segments(sightings: &[&SightingRecord]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut i = 0;
    while i < sightings.len() {
        if let Some(end) = stay_end(sightings, i) {
            let run = &sightings[i..=end];
            let located: Vec<(f64, f64)> = run.iter().filter_map(|s| position(s)).collect();
            let n = located.len() as f64;
            let mean = located
                .iter()
                .fold((0.0, 0.0), |(a, b), (lat, lon)| (a + lat / n, b + lon / n));
            out.push(Segment {
                kind: Kind::Stay,
                start_us: run[0].time_us,
                end_us: run[run.len() - 1].time_us,
                sightings: run.len(),
                position: Some(mean),
                rssi_max: run.iter().filter_map(|s| s.rssi).max(),
            });
            i = end + 1;
            continue;
        }
        let s = sightings[i];
        let kind = if s.position.is_some() {
            Kind::Travel
        } else {
            Kind::Unlocated
        };
        let minute = s.time_us.div_euclid(MINUTE_US);
        match out.last_mut() {
            Some(last) if last.kind == kind && last.start_us.div_euclid(MINUTE_US) == minute => {
                last.end_us = s.time_us;
                last.sightings += 1;
                last.position = position(s).or(last.position);
                last.rssi_max = last.rssi_max.max(s.rssi);
            }
            _ => out.push(Segment {
                kind,
                start_us: s.time_us,
                end_us: s.time_us,
                sightings: 1,
                position: position(s),
                rssi_max: s.rssi,
            }),
        }
        i += 1;
    }
    out
}

/// The last index of a stay beginning at `i`: sightings within [`PLACE_RADIUS_M`] of the
/// first, with no silence longer than [`MAX_SILENCE_US`], spanning [`STAY_US`] or more.
fn stay_end(sightings: &[&SightingRecord], i: usize) -> Option<usize> {
    let anchor = position(sightings[i])?;
    let mut end = i;
    for (j, s) in sightings.iter().enumerate().skip(i + 1) {
        let near = position(s).is_some_and(|p| metres(anchor, p) <= PLACE_RADIUS_M);
        if !near || s.time_us.saturating_sub(sightings[end].time_us) > MAX_SILENCE_US {
            break;
        }
        end = j;
    }
    (sightings[end].time_us.saturating_sub(sightings[i].time_us) >= STAY_US).then_some(end)
}

/// The length of the path through the segments' positions, in metres.
pub(crate) fn path_m(segments: &[Segment]) -> f64 {
    let points: Vec<(f64, f64)> = segments.iter().filter_map(|s| s.position).collect();
    points.windows(2).map(|w| metres(w[0], w[1])).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Position;
    use crate::model::{AddrType, PduKind};

    fn at(time_s: i64, lat: f64, lon: f64) -> SightingRecord {
        SightingRecord {
            tracker_id: "t".into(),
            time_us: time_s * 1_000_000,
            address: "C4:00:00:00:00:01".into(),
            address_type: AddrType::Random,
            rssi: Some(-60),
            pdu: PduKind::AdvNonconnInd,
            raw_hex: String::new(),
            position: Some(Position {
                lat,
                lon,
                accuracy_m: None,
            }),
            source: "x".into(),
        }
    }

    #[test]
    fn a_stay_is_one_row_and_travel_one_row_a_minute() {
        // 20 minutes at home (every 2 s, 30 m wander), then 5 minutes walking north at 1.5 m/s.
        let mut all: Vec<SightingRecord> = (0..600)
            .map(|i| at(i * 2, 35.6437 + (i % 3) as f64 * 0.0001, 139.6710))
            .collect();
        all.extend((0..150).map(|i| at(1200 + i * 2, 35.6437 + (i * 3) as f64 * 0.000009, 139.6710)));
        let refs: Vec<&SightingRecord> = all.iter().collect();
        let segs = segments(&refs);
        assert_eq!(segs[0].kind, Kind::Stay);
        // The stay holds the home sightings and the first steps within 200 m.
        assert!(segs[0].sightings >= 600, "{}", segs[0].sightings);
        assert!(segs[1..].iter().all(|s| s.kind == Kind::Travel));
        // 5 minutes of walking, the first 200 m (about 2 of them) still counted in the stay.
        assert!(
            (2..=4).contains(&segs[1..].len()),
            "{} minutes of travel",
            segs.len() - 1
        );
        assert_eq!(segs.iter().map(|s| s.sightings).sum::<usize>(), all.len());
    }

    #[test]
    fn a_long_silence_splits_a_stay() {
        let mut all: Vec<SightingRecord> = (0..10).map(|i| at(i * 60, 35.0, 139.0)).collect();
        all.extend((0..10).map(|i| at(3600 + i * 60, 35.0, 139.0)));
        let refs: Vec<&SightingRecord> = all.iter().collect();
        let segs = segments(&refs);
        assert_eq!(segs.len(), 2);
        assert!(segs.iter().all(|s| s.kind == Kind::Stay));
    }
}
