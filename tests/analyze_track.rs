//! `tagwatch analyze --track`: the bundled demo capture placed on a GPS track.

mod common;
use common::*;

use std::ffi::OsStr;
use std::path::Path;

const DEMO: &str = "captures/demo-synthetic.btsnoop";

/// 2026-01-15T08:00:00Z, where the demo capture starts; it runs for 10 minutes.
const START_S: i64 = 1_768_464_000;

/// Metres per degree of latitude on the haversine sphere tagwatch uses.
const M_PER_DEG_LAT: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// A GPX walking due north at a steady 1 km per 10 minutes, one point every 10 s from
/// 08:00:00 for `minutes`.
fn walk_north(path: &Path, minutes: i64) {
    let mut gpx = String::from("<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><trkseg>\n");
    for s in (0..=minutes * 60).step_by(10) {
        let lat = 50.0 + s as f64 * (1000.0 / 600.0) / M_PER_DEG_LAT;
        let time = chrono::DateTime::from_timestamp(START_S + s, 0).unwrap();
        gpx += &format!(
            "<trkpt lat=\"{lat:.8}\" lon=\"8.0\"><time>{}</time></trkpt>\n",
            time.format("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    gpx += "</trkseg></trk></gpx>\n";
    std::fs::write(path, gpx).unwrap();
}

#[test]
fn a_tracker_walking_one_km_with_you_has_places_along_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("walk.gpx");
    walk_north(&gpx, 10);
    let (code, json, stderr) = analyze_json(&[OsStr::new("--track"), gpx.as_os_str(), OsStr::new(DEMO)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!trackers(&json).is_empty());
    for t in trackers(&json) {
        assert_eq!(t["located_sightings"], t["sightings"], "{t}");
        // Every demo tracker is heard from 08:00:02 to 08:09:58, i.e. over more than 990 m.
        // A place starts at the first sighting more than 200 m (PLACE_RADIUS_M) from the last
        // one's start, and at 6 km/h each is held for its minute, so there are at least 5;
        // a centre is the mean of its place's positions, about 100 m into its 200 m, so the
        // first and last centres are between (990 - 2 x 150) m and 1000 m apart.
        assert!(t["places"].as_u64().unwrap() >= 5, "{t}");
        let d = t["max_distance_m"].as_f64().unwrap();
        assert!((690.0..=1000.0).contains(&d), "{t}");
    }
}

#[test]
fn sightings_beyond_the_track_have_no_position() {
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("short.gpx");
    // The track ends at 08:02; with the default 120 s gap, positions stop at 08:04.
    walk_north(&gpx, 2);
    let (code, json, stderr) = analyze_json(&[OsStr::new("--track"), gpx.as_os_str(), OsStr::new(DEMO)]);
    assert_eq!(code, 0, "{stderr}");
    for t in trackers(&json) {
        let located = t["located_sightings"].as_u64().unwrap();
        let sightings = t["sightings"].as_u64().unwrap();
        // Sightings come about every 2 s: 08:00-08:04 holds roughly 2/5 of them.
        assert!(located > 0 && located < sightings / 2, "{t}");
        assert!(t["places"].as_u64().unwrap() >= 1, "{t}");
    }
}

#[test]
fn the_table_gets_location_columns_only_with_a_track() {
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("walk.gpx");
    walk_north(&gpx, 10);
    let with = tagwatch()
        .args(["analyze", "--track"])
        .arg(&gpx)
        .arg(DEMO)
        .output()
        .unwrap();
    let with = String::from_utf8(with.stdout).unwrap();
    assert!(
        with.lines().next().unwrap().ends_with("PLACES  DISTANCE"),
        "{with}"
    );
    let without = tagwatch().args(["analyze", DEMO]).output().unwrap();
    let without = String::from_utf8(without.stdout).unwrap();
    assert!(
        !without.contains("PLACES") && !without.contains("DISTANCE"),
        "{without}"
    );
}

#[test]
fn an_unreadable_track_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes-not-a-track.txt");
    std::fs::write(&bad, "hello\n").unwrap();
    let (code, _, stderr) = analyze_json(&[OsStr::new("--track"), bad.as_os_str(), OsStr::new(DEMO)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("notes-not-a-track.txt"), "{stderr}");
    let missing = dir.path().join("missing.gpx");
    let (code, _, stderr) = analyze_json(&[OsStr::new("--track"), missing.as_os_str(), OsStr::new(DEMO)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.gpx"), "{stderr}");
}
