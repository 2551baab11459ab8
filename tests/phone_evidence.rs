//! Evidence from a phone: an Android bug report zip holding HCI snoop logs, and an iPhone's
//! Apple PacketLogger file. The zips are built here from real btsnoop logs (see
//! ../shared/captures/external/SOURCES.md); the PacketLogger files are synthetic.

mod common;
use common::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tagwatch::capture::{self, Format, PklgWriter};

const LOGS: &str = "FS/data/misc/bluetooth/logs";

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("phone-{}-{name}", std::process::id()))
}

/// A zip of `entries` (inner path, bytes), deflated.
fn zip(name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = tmp(name);
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (inner, bytes) in entries {
        z.start_file(*inner, options).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
    path
}

/// Two snoop logs of an owner's SmartTags, a fortnight apart: the older one as `.last`.
fn snoop_logs() -> Option<(PathBuf, PathBuf)> {
    let dir = external()?.join("galaxy_smarttag_research/investigation/log_analysis/owner_tag_interaction");
    Some((dir.join("playsound_2.log"), dir.join("playsound_3.log")))
}

#[test]
fn a_bug_report_reads_as_its_snoop_logs() {
    let Some((older, newer)) = snoop_logs() else {
        return;
    };
    let (old_bytes, new_bytes) = (std::fs::read(&older).unwrap(), std::fs::read(&newer).unwrap());
    // The newer log first in the zip: they are read oldest first all the same.
    let report = zip(
        "bugreport.zip",
        &[
            ("bugreport-phone-2022-03-31.txt", b"== dumpstate ==\n"),
            (&format!("{LOGS}/btsnoop_hci.log"), &new_bytes),
            ("FS/data/misc/other.bin", b"\0\0\0"),
            (&format!("{LOGS}/btsnoop_hci.log.last"), &old_bytes),
        ],
    );
    let (code, from_zip, err) = analyze_json(&[&report]);
    assert_eq!(code, 0, "{err}");
    let (code, direct, err) = analyze_json(&[&older, &newer]);
    assert_eq!(code, 0, "{err}");
    assert!(!trackers(&direct).is_empty());
    assert_eq!(trackers(&from_zip), trackers(&direct));
    assert_eq!(from_zip["coverage"], direct["coverage"]);
    let names: Vec<&str> = from_zip["captures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    let zip_name = report.display().to_string();
    assert_eq!(
        names,
        [
            format!("{zip_name}!{LOGS}/btsnoop_hci.log.last"),
            format!("{zip_name}!{LOGS}/btsnoop_hci.log")
        ]
    );
    // The table names them too.
    let out = tagwatch()
        .args(["analyze", "--no-store"])
        .arg(&report)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!("!{LOGS}/btsnoop_hci.log.last: btsnoop")),
        "{table}"
    );
}

#[test]
fn a_bug_report_of_the_synthetic_commute_reads_as_the_commute() {
    // Runs without ../shared: the bundled (synthetic) capture, under a vendor log's name.
    let log = std::fs::read(COMMUTE).unwrap();
    let inner = "FS/data/vendor/bluetooth/btsnoop_hci_vnd.log";
    let report = zip("commute-bugreport.zip", &[("version.txt", b"1"), (inner, &log)]);
    let (code, from_zip, err) = commute_with_capture(&report);
    assert_eq!(code, 0, "{err}");
    let (_, direct, _) = commute_with_capture(Path::new(COMMUTE));
    assert_eq!(trackers(&from_zip), trackers(&direct));
    assert_eq!(
        from_zip["captures"][0]["path"],
        format!("{}!{inner}", report.display())
    );
    let _ = std::fs::remove_file(report);
}

/// `analyze --format json` of `capture` with the commute's GPX track.
fn commute_with_capture(capture: &Path) -> (i32, Value, String) {
    analyze_json(&[
        capture.as_os_str(),
        "--no-store".as_ref(),
        "--track".as_ref(),
        COMMUTE_GPX.as_ref(),
    ])
}

#[test]
fn a_bug_report_in_the_evidence_names_and_digests_its_inner_logs() {
    let Some((older, _)) = snoop_logs() else { return };
    let bytes = std::fs::read(&older).unwrap();
    let report = zip("stored.zip", &[(&format!("{LOGS}/btsnoop_hci.log"), &bytes)]);
    let db = tmp("stored.sqlite");
    let out = tagwatch()
        .arg("analyze")
        .arg(&report)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tagwatch()
        .args(["export", "--format", "json", "-o", "-"])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("!{LOGS}/btsnoop_hci.log")), "{text}");
    // The same log analysed on its own is the capture already kept: no sighting twice.
    let out = tagwatch()
        .arg("analyze")
        .arg(&older)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let export = tagwatch()
        .args(["export", "--format", "json", "-o", "-"])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&export.stdout).unwrap();
    let first: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["sightings"].as_array().map(Vec::len),
        first["sightings"].as_array().map(Vec::len)
    );
    let _ = std::fs::remove_file(db);
}

#[test]
fn a_zip_without_a_snoop_log_says_how_to_make_one() {
    let report = zip("empty-report.zip", &[("bugreport.txt", b"nothing here")]);
    let (code, _, err) = analyze_json(&[&report]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no Bluetooth HCI snoop log"), "{err}");
    assert!(
        err.contains("Bluetooth HCI snoop log\" in the phone's developer options"),
        "{err}"
    );
}

#[test]
fn a_zip_that_would_inflate_beyond_the_cap_is_refused() {
    // A stored (uncompressed) log whose sizes are rewritten to claim 3.75 GiB: refused
    // before anything is inflated.
    let log = b"btsnoop\0\0\0\0\x01\0\0\x03\xea";
    let path = tmp("bomb.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("FS/data/misc/bluetooth/logs/btsnoop_hci.log", stored)
        .unwrap();
    z.write_all(log).unwrap();
    z.finish().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let size = (log.len() as u32).to_le_bytes();
    let claimed = 0xF000_0000u32.to_le_bytes();
    // Local header: uncompressed size at 22; central directory header ("PK\1\2"): at 24.
    assert_eq!(bytes[22..26], size);
    bytes[22..26].copy_from_slice(&claimed);
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    assert_eq!(bytes[central + 24..central + 28], size);
    bytes[central + 24..central + 28].copy_from_slice(&claimed);
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(capture::MAX_INFLATED, 2 << 30);
    let (code, _, err) = analyze_json(&[&path]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than the 2 GiB tagwatch reads"), "{err}");
}

#[test]
fn a_log_that_inflates_beyond_what_it_declares_is_refused() {
    // A deflated log whose declared size is rewritten to 100 bytes: a bomb that lies is
    // stopped at what it declared.
    let log = std::fs::read(COMMUTE).unwrap();
    let path = zip("liar.zip", &[(&format!("{LOGS}/btsnoop_hci.log"), &log[..4000])]);
    let mut bytes = std::fs::read(&path).unwrap();
    let size = 4000u32.to_le_bytes();
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    for at in [22, central + 24] {
        assert_eq!(bytes[at..at + 4], size);
        bytes[at..at + 4].copy_from_slice(&100u32.to_le_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    let (code, _, err) = analyze_json(&[&path]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("larger than its declared uncompressed size"),
        "{err}"
    );
}

/// Advertisements of the commute scenario, as a PacketLogger file in the given byte order,
/// between HCI commands and notes the reader passes over (synthetic).
fn pklg(name: &str, little_endian: bool) -> (PathBuf, u64) {
    let mut cap = capture::open(Path::new("captures/commute_airtag-synthetic.btsnoop")).unwrap();
    let path = tmp(name);
    let mut w = PklgWriter::new(
        std::io::BufWriter::new(std::fs::File::create(&path).unwrap()),
        little_endian,
    );
    let mut written = 0;
    let mut failed = None;
    while cap
        .source
        .next_record(&mut |adv| {
            // HCI LE Set Scan Enable, and a note, around the reports.
            let mut step = || {
                w.write_record(adv.time_us, 0x00, &[0x0C, 0x20, 0x02, 0x01, 0x00])?;
                w.write_legacy_report(adv)?;
                w.write_record(adv.time_us, 0xFC, b"synthetic")
            };
            match step() {
                Ok(()) => written += 1,
                Err(e) => failed = Some(e),
            }
        })
        .unwrap()
    {}
    assert!(failed.is_none(), "{failed:?}");
    w.into_inner().unwrap();
    (path, written)
}

#[test]
fn packetlogger_files_read_in_both_byte_orders() {
    let (_, direct, _) = analyze_json(&["captures/commute_airtag-synthetic.btsnoop", "--no-store"]);
    for little_endian in [false, true] {
        let (path, written) = pklg(&format!("commute-{little_endian}-synthetic.pklg"), little_endian);
        let mut cap = capture::open(&path).unwrap();
        assert_eq!(cap.format, Format::PacketLogger(little_endian));
        while cap.source.next_record(&mut |_| {}).unwrap() {}
        let stats = cap.source.stats();
        assert_eq!(
            (stats.advertisements, stats.records, stats.bad_records),
            (written, 3 * written, 0)
        );
        // The same verdicts as the btsnoop it was made from.
        let (code, json, err) = analyze_json(&[path.as_os_str(), "--no-store".as_ref()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(trackers(&json), trackers(&direct));
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn a_damaged_packetlogger_record_names_its_offset() {
    let (path, _) = pklg("damaged-synthetic.pklg", false);
    let mut bytes = std::fs::read(&path).unwrap();
    // A record past those that recognise the format claims 64 KiB more than is there.
    let mut at = 0;
    while at < 300 {
        at += 4 + u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    }
    bytes[at..at + 4].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    bytes.truncate(at + 200);
    std::fs::write(&path, bytes).unwrap();
    let mut cap = capture::open(&path).unwrap();
    let err = loop {
        match cap.source.next_record(&mut |_| {}) {
            Ok(true) => {}
            Ok(false) => panic!("read to the end"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.offset, at as u64);
    assert!(err.to_string().contains("PacketLogger capture"), "{err}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn tshark_reads_as_many_advertising_reports_from_a_packetlogger_file() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("skipping: tshark not installed");
        return;
    }
    for little_endian in [false, true] {
        let (path, written) = pklg(&format!("tshark-{little_endian}-synthetic.pklg"), little_endian);
        let out = Command::new("tshark")
            .arg("-r")
            .arg(&path)
            .args([
                "-Y",
                "bthci_evt.le_meta_subevent == 0x02",
                "-T",
                "fields",
                "-e",
                "bthci_evt.le_num_reports",
            ])
            .output()
            .expect("tshark runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let reports: u64 = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().parse::<u64>().expect("a count"))
            .sum();
        assert_eq!(reports, written, "little endian: {little_endian}");
        let _ = std::fs::remove_file(path);
    }
}

/// The commute's GPX track, as Google would keep it: Takeout's `Records.json` and the
/// phone's Timeline export (path points and raw positions, in Japan's time zone).
fn google_exports(prefix: &str) -> (PathBuf, PathBuf) {
    let gpx = tagwatch::location::read_track(Path::new(COMMUTE_GPX)).unwrap();
    let jst = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let time = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .unwrap()
            .with_timezone(&jst)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    };
    let e7 = |deg: f64| (deg * 1e7).round() as i64;
    let fixes = gpx.fixes();
    let records: Vec<Value> = fixes
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // Half in the older form, milliseconds as a string.
            let mut r =
                serde_json::json!({"latitudeE7": e7(f.lat), "longitudeE7": e7(f.lon), "accuracy": 10});
            if i % 2 == 0 {
                r["timestamp"] = time(f.time_us).into();
            } else {
                r["timestampMs"] = (f.time_us / 1000).to_string().into();
            }
            r
        })
        .collect();
    let point = |f: &tagwatch::location::Fix| format!("{:.7}°, {:.7}°", f.lat, f.lon);
    let (first, last) = (fixes[0], fixes[fixes.len() - 1]);
    let path: Vec<Value> = fixes
        .iter()
        .step_by(2)
        .map(|f| serde_json::json!({"point": point(f), "time": time(f.time_us)}))
        .collect();
    let raw: Vec<Value> = fixes
        .iter()
        .skip(1)
        .step_by(2)
        .map(|f| {
            serde_json::json!({"position": {"LatLng": point(f), "accuracyMeters": 10, "source": "GPS",
                "timestamp": time(f.time_us)}})
        })
        .collect();
    let timeline = serde_json::json!({
        "semanticSegments": [
            {"startTime": time(first.time_us), "endTime": time(last.time_us), "timelinePath": path},
            {"startTime": time(first.time_us - 3_600_000_000), "endTime": time(first.time_us),
             "visit": {"topCandidate": {"placeLocation": {"latLng": point(&first)}}}}
        ],
        "rawSignals": raw,
    });
    let records_path = tmp(&format!("{prefix}-Records.json"));
    std::fs::write(
        &records_path,
        serde_json::json!({ "locations": records }).to_string(),
    )
    .unwrap();
    let timeline_path = tmp(&format!("{prefix}-Timeline.json"));
    std::fs::write(&timeline_path, serde_json::to_string_pretty(&timeline).unwrap()).unwrap();
    (records_path, timeline_path)
}

const COMMUTE: &str = "captures/commute_airtag-synthetic.btsnoop";
const COMMUTE_GPX: &str = "captures/commute_airtag-synthetic.gpx";

/// `analyze --format json` of the commute with `track`.
fn commute_with(track: &Path) -> (i32, Value, String) {
    analyze_json(&[
        COMMUTE.as_ref(),
        "--no-store".as_ref(),
        "--track".as_ref(),
        track.as_os_str(),
    ])
}

/// Each tracker's id, whether it follows, and when the alert came (microseconds).
fn verdicts(track: &Path) -> Vec<(String, bool, Option<i64>)> {
    let (code, json, err) = commute_with(track);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    trackers(&json)
        .iter()
        .map(|t| {
            let at = t["alert_at"].as_str().map(|s| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .unwrap()
                    .timestamp_micros()
            });
            (
                t["id"].as_str().unwrap().to_string(),
                t["following"].as_bool().unwrap(),
                at,
            )
        })
        .collect()
}

#[test]
fn google_location_history_gives_the_verdicts_of_the_gpx() {
    let expected = verdicts(Path::new(COMMUTE_GPX));
    assert!(expected.iter().any(|(_, following, _)| *following));
    let (records, timeline) = google_exports("verdicts");
    for track in [&records, &timeline] {
        let got = verdicts(track);
        assert_eq!(got.len(), expected.len(), "{}", track.display());
        for ((id, following, at), (want_id, want_following, want_at)) in got.iter().zip(&expected) {
            assert_eq!((id, following), (want_id, want_following), "{}", track.display());
            // Positions rounded to 1e-7° are interpolated the same within a sighting or two.
            let apart = at.zip(*want_at).map(|(a, b)| (a - b).abs());
            assert!(
                apart.is_none_or(|d| d <= 30_000_000),
                "{id}: {at:?} vs {want_at:?}"
            );
            assert_eq!(at.is_some(), want_at.is_some(), "{id}");
        }
        let _ = std::fs::remove_file(track);
    }
}

#[test]
fn an_unknown_json_track_says_what_it_expected() {
    let path = tmp("unknown.json");
    std::fs::write(&path, r#"{"points": [{"lat": 35.6, "lon": 139.7}]}"#).unwrap();
    let (code, _, err) = commute_with(&path);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"locations\" (Records.json) or \"semanticSegments\" (Timeline.json)"),
        "{err}"
    );
    // Given as a capture, Google's history is named as the track it is.
    let (records, timeline) = google_exports("as-capture");
    let (code, _, err) = analyze_json(&[records.as_os_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Records.json) track, not a capture: give it with --track"),
        "{err}"
    );
    for p in [path, records, timeline] {
        let _ = std::fs::remove_file(p);
    }
}
