//! Any text as a GPS track: format detection and every track parser (NMEA, GPX, CSV, gpsd
//! JSON, Google's Records.json and Timeline export) must return fixes or an error, never
//! panic; interpolation on what they return too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagwatch::location::{
    DEFAULT_MAX_GAP_US, detect, parse_csv, parse_google_records, parse_google_timeline, parse_gpsd_json, parse_gpx,
    parse_nmea,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = detect(&text);
    let tracks = [
        Some(parse_nmea(&text).0),
        Some(parse_gpsd_json(&text).0),
        parse_csv(&text).ok().map(|(t, _)| t),
        parse_gpx(&text).ok().map(|(t, _)| t),
        parse_google_records(&text).ok().map(|(t, _)| t),
        parse_google_timeline(&text).ok().map(|(t, _)| t),
    ];
    for track in tracks.into_iter().flatten() {
        if let Some(first) = track.fixes().first() {
            let _ = track.position_at(first.time_us + 1, DEFAULT_MAX_GAP_US);
            let _ = track.length_m();
        }
    }
});
