//! Google location history, as a phone keeps it: the Takeout `Records.json` (`locations[]`
//! with `latitudeE7`, `longitudeE7`, `timestamp` or the older `timestampMs`, `accuracy`) and
//! the on-device Timeline export (`semanticSegments[]` with `timelinePath[]` points and the
//! places of visits and activities, `rawSignals[]` with measured positions and accuracy).
//!
//! Records are read leniently: a record that lacks a field or holds a wrong one is skipped
//! and counted, as a bad line of any other track is; positions go through the same outlier
//! checks.

use serde::Deserialize;
use serde_json::Value;

use super::time::parse_datetime;
use super::{At, Builder, Fix, ParseError, ReadReport, Skip, Track, bad_value};
use crate::i18n::Message;

/// Whether the opening of a JSON document names the Takeout records (`Some(false)`) or the
/// Timeline export (`Some(true)`).
pub(super) fn detect(head: &str) -> Option<bool> {
    // The key opening the document; both exports start with their main array.
    let first_key = head
        .trim_start()
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix('"')?;
    if first_key.starts_with("locations\"") {
        Some(false)
    } else if ["semanticSegments\"", "rawSignals\"", "userLocationProfile\""]
        .iter()
        .any(|k| first_key.starts_with(k))
    {
        Some(true)
    } else {
        None
    }
}

#[derive(Deserialize)]
struct Records {
    locations: Vec<Location>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    latitude_e7: Option<Value>,
    longitude_e7: Option<Value>,
    timestamp: Option<Value>,
    timestamp_ms: Option<Value>,
    accuracy: Option<Value>,
}

/// Reads a Takeout `Records.json`. A record's place is its index in `locations` (from 1).
pub fn parse_google_records(text: &str) -> Result<(Track, ReadReport), ParseError> {
    let records: Records = serde_json::from_str(text).map_err(json_error)?;
    let mut b = Builder::new();
    for (i, l) in records.locations.iter().enumerate() {
        let at = At::Record(i + 1);
        let e7 = |v: &Option<Value>| v.as_ref().and_then(Value::as_i64).map(|n| n as f64 / 1e7);
        let (Some(lat), Some(lon)) = (e7(&l.latitude_e7), e7(&l.longitude_e7)) else {
            b.skip(Skip::Malformed, at, Message::new("record-no-e7"));
            continue;
        };
        let time = match (&l.timestamp, &l.timestamp_ms) {
            (Some(Value::String(t)), _) => parse_datetime(t),
            (None, Some(Value::String(ms))) => ms.parse::<i64>().ok().and_then(|ms| ms.checked_mul(1000)),
            _ => {
                b.skip(Skip::Undated, at, Message::new("record-no-timestamp"));
                continue;
            }
        };
        let Some(time_us) = time else {
            b.skip(Skip::Malformed, at, Message::new("record-bad-timestamp"));
            continue;
        };
        b.push(
            Fix {
                time_us,
                lat,
                lon,
                accuracy_m: accuracy(l.accuracy.as_ref()),
            },
            at,
        );
    }
    Ok(b.finish())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Timeline {
    #[serde(default)]
    semantic_segments: Vec<Segment>,
    #[serde(default)]
    raw_signals: Vec<RawSignal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Segment {
    start_time: Option<String>,
    end_time: Option<String>,
    #[serde(default)]
    timeline_path: Vec<PathPoint>,
    visit: Option<Value>,
    activity: Option<Value>,
}

#[derive(Deserialize)]
struct PathPoint {
    point: Option<String>,
    time: Option<String>,
}

#[derive(Deserialize)]
struct RawSignal {
    position: Option<Value>,
}

/// Reads the Timeline export: every path point, the start and end of every visit (at its
/// place) and activity (at its start and end), and every raw position. A record's place is
/// its index in `semanticSegments`, then in `rawSignals`, each from 1.
pub fn parse_google_timeline(text: &str) -> Result<(Track, ReadReport), ParseError> {
    let timeline: Timeline = serde_json::from_str(text).map_err(json_error)?;
    let mut b = Builder::new();
    let fix = |b: &mut Builder, at: At, point: Option<&str>, time: Option<&str>, accuracy_m: Option<f64>| {
        let (Some(point), Some(time)) = (point, time) else {
            return b.skip(Skip::Malformed, at, Message::new("record-no-place-or-time"));
        };
        let Some((lat, lon)) = lat_lng(point) else {
            return b.skip(Skip::Malformed, at, bad_value("field-position", point));
        };
        let Some(time_us) = parse_datetime(time) else {
            return b.skip(Skip::Malformed, at, bad_value("field-time", time));
        };
        b.push(
            Fix {
                time_us,
                lat,
                lon,
                accuracy_m,
            },
            at,
        );
    };
    let str_at = |v: &Value, path: &[&str]| {
        path.iter()
            .try_fold(v, |v, k| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    for (i, s) in timeline.semantic_segments.iter().enumerate() {
        let at = At::Record(i + 1);
        for p in &s.timeline_path {
            fix(&mut b, at, p.point.as_deref(), p.time.as_deref(), None);
        }
        let (start, end) = (s.start_time.as_deref(), s.end_time.as_deref());
        if let Some(visit) = &s.visit {
            let place = str_at(visit, &["topCandidate", "placeLocation", "latLng"]);
            fix(&mut b, at, place.as_deref(), start, None);
            fix(&mut b, at, place.as_deref(), end, None);
        }
        if let Some(activity) = &s.activity {
            let from = str_at(activity, &["start", "latLng"]);
            let to = str_at(activity, &["end", "latLng"]);
            fix(&mut b, at, from.as_deref(), start, None);
            fix(&mut b, at, to.as_deref(), end, None);
        }
    }
    let segments = timeline.semantic_segments.len();
    for (i, r) in timeline.raw_signals.iter().enumerate() {
        // Raw signals without a position (Wi-Fi scans, activity records) are no fix.
        let Some(p) = &r.position else { continue };
        let at = At::Record(segments + i + 1);
        let point = p.get("LatLng").and_then(Value::as_str);
        let time = p.get("timestamp").and_then(Value::as_str);
        fix(&mut b, at, point, time, accuracy(p.get("accuracyMeters")));
    }
    Ok(b.finish())
}

/// `"35.6812°, 139.7671°"`.
fn lat_lng(s: &str) -> Option<(f64, f64)> {
    let (lat, lon) = s.split_once(',')?;
    let number = |p: &str| p.trim().trim_end_matches('°').trim().parse::<f64>().ok();
    Some((number(lat)?, number(lon)?))
}

/// An accuracy in metres, when it is one.
fn accuracy(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|a| a.is_finite() && *a >= 0.0)
}

fn json_error(e: serde_json::Error) -> ParseError {
    ParseError {
        at: At::Line(e.line()),
        problem: Message::new("track-not-google").with("detail", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_both_exports_by_their_first_key() {
        assert_eq!(detect("{\n  \"locations\": [{"), Some(false));
        assert_eq!(detect("{\"semanticSegments\": []"), Some(true));
        assert_eq!(detect("{\"rawSignals\": []"), Some(true));
        assert_eq!(detect("{\"class\":\"TPV\"}"), None);
        assert_eq!(detect("[1, 2]"), None);
    }

    #[test]
    fn records_old_and_new_times_and_bad_ones() {
        let text = r#"{"locations": [
            {"latitudeE7": 356812000, "longitudeE7": 1397671000, "accuracy": 12, "timestamp": "2024-01-15T08:00:00.000Z"},
            {"latitudeE7": 356813000, "longitudeE7": 1397672000, "timestampMs": "1705305660000"},
            {"latitudeE7": "x", "longitudeE7": 1397672000, "timestampMs": "1705305660000"},
            {"latitudeE7": 356813000, "longitudeE7": 1397672000}
        ]}"#;
        let (track, report) = parse_google_records(text).unwrap();
        assert_eq!(track.len(), 2);
        let first = track.fixes()[0];
        assert_eq!(
            (first.lat, first.lon, first.accuracy_m),
            (35.6812, 139.7671, Some(12.0))
        );
        assert_eq!(track.fixes()[1].time_us, 1_705_305_660_000_000);
        assert_eq!((report.skipped.malformed, report.skipped.undated), (1, 1));
        assert_eq!(report.first_problem.unwrap().at, At::Record(3));
    }

    #[test]
    fn timeline_paths_visits_activities_and_raw_positions() {
        let text = r#"{"semanticSegments": [
            {"startTime": "2024-01-15T17:00:00.000+09:00", "endTime": "2024-01-15T17:30:00.000+09:00",
             "visit": {"topCandidate": {"placeLocation": {"latLng": "35.6812°, 139.7671°"}}}},
            {"startTime": "2024-01-15T17:30:00.000+09:00", "endTime": "2024-01-15T18:00:00.000+09:00",
             "activity": {"start": {"latLng": "35.6812°, 139.7671°"}, "end": {"latLng": "35.69°, 139.70°"}}},
            {"startTime": "2024-01-15T17:00:00.000+09:00", "endTime": "2024-01-15T19:00:00.000+09:00",
             "timelinePath": [{"point": "35.685°, 139.74°", "time": "2024-01-15T17:45:00.000+09:00"},
                              {"point": "nowhere", "time": "2024-01-15T17:46:00.000+09:00"}]}],
          "rawSignals": [{"position": {"LatLng": "35.6851°, 139.7401°", "accuracyMeters": 8,
                                       "timestamp": "2024-01-15T08:45:30.000Z"}},
                         {"wifiScan": {}}]}"#;
        let (track, report) = parse_google_timeline(text).unwrap();
        // 17:00, 17:30 (visit end and activity start: one instant), 17:45, 17:45:30, 18:00.
        assert_eq!(track.len(), 5, "{report}");
        assert_eq!(track.fixes()[0].time_us, 1_705_305_600_000_000);
        assert_eq!(track.fixes()[3].accuracy_m, Some(8.0));
        assert_eq!(report.skipped.malformed, 1);
        assert_eq!(report.first_problem.unwrap().at, At::Record(3));
    }

    #[test]
    fn broken_json_is_an_error_with_its_line() {
        let e = parse_google_records("{\"locations\": [\n{]").unwrap_err();
        assert_eq!(e.at, At::Line(2));
    }
}
