//! Damaged and hostile inputs (issue 11): a GPS fix dated years ahead, a multipath jump,
//! capture times outside 2000-2100, and files that are not regular files or are too large.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tagwatch::capture::{BtsnoopWriter, JsonlWriter};
use tagwatch::location::{TrackFile, read_track_file};
use tagwatch::model::{OwnedAdvertisement, PLAUSIBLE_TIME_US};

const CAPTURE: &str = "captures/commute_airtag-synthetic.btsnoop";
const GPX: &str = "captures/commute_airtag-synthetic.gpx";
/// The AirTag planted in the commute scenario.
const AIRTAG: &str = "E9:BA:73:CC:32:C0";
const YEAR_US: i64 = 365 * 86_400_000_000;

fn read(path: &Path) -> TrackFile {
    read_track_file(path).unwrap_or_else(|e| panic!("{e}"))
}

fn times(t: &TrackFile) -> BTreeSet<i64> {
    t.track.fixes().iter().map(|f| f.time_us).collect()
}

/// `tagwatch ARGS` with the evidence database `db`: (exit code, stdout, stderr).
fn run<S: AsRef<OsStr>>(db: &Path, args: &[S]) -> (i32, String, String) {
    let out = tagwatch().env("TAGWATCH_DB", db).args(args).output().unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tagwatch export --format json` of `db`, read back.
fn export_json(db: &Path) -> Value {
    let (code, out, stderr) = run(db, &["export", "--format", "json", "-o", "-"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&out).unwrap()
}

/// `analyze --format json` of the commute capture with `track`: its trackers by id.
fn placed(track: &Path) -> Vec<(String, Value, Value, f64)> {
    let (code, json, stderr) = analyze_json(&[OsStr::new("--track"), track.as_os_str(), OsStr::new(CAPTURE)]);
    assert_eq!(code, 0, "{stderr}");
    let mut out: Vec<_> = trackers(&json)
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["located_sightings"].clone(),
                t["places"].clone(),
                t["max_distance_m"].as_f64().unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn a_gpx_fix_five_years_ahead_is_dropped_and_the_sightings_are_placed_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(GPX).unwrap();
    // The 1000th point (about 09:23), five years ahead.
    let at = text.match_indices("<time>2026-").nth(999).unwrap().0;
    let edited = format!("{}<time>2031-{}", &text[..at], &text[at + "<time>2026-".len()..]);
    let path = dir.path().join("commute-one-fix-in-2031.gpx");
    std::fs::write(&path, edited).unwrap();

    let clean = read(Path::new(GPX));
    let moved = read(&path);
    assert_eq!(moved.report.skipped.time_outliers, 1, "{}", moved.report);
    assert_eq!(moved.report.skipped.total(), 1, "{}", moved.report);
    assert!(
        moved.report.to_string().contains("time outliers: 1"),
        "{}",
        moved.report
    );
    assert_eq!(moved.track.len(), clean.track.len() - 1);
    let missing: Vec<i64> = times(&clean).difference(&times(&moved)).copied().collect();
    assert_eq!(missing.len(), 1, "only the moved fix is gone");
    assert_eq!(moved.track.fixes().last(), clean.track.fixes().last());

    let (with_clean, with_moved) = (placed(Path::new(GPX)), placed(&path));
    assert_eq!(with_clean.len(), with_moved.len());
    for (c, m) in with_clean.iter().zip(&with_moved) {
        assert_eq!((&c.0, &c.1, &c.2), (&m.0, &m.1, &m.2), "{c:?} {m:?}");
        // One point of 2136 is interpolated from its neighbours 5 s either side.
        assert!((c.3 - m.3).abs() <= 0.01 * c.3 + 1.0, "{c:?} {m:?}");
    }
}

/// Sets the year of the `nth` RMC sentence `years` ahead, with a checksum that matches.
fn move_rmc(text: &str, nth: usize, years: u32) -> String {
    let mut seen = 0;
    let mut out = String::new();
    for line in text.lines() {
        let is_rmc = line.get(3..6) == Some("RMC");
        if is_rmc && seen == nth {
            let body = &line[1..line.rfind('*').unwrap()];
            let mut fields: Vec<String> = body.split(',').map(str::to_string).collect();
            let date = &fields[9];
            let yy: u32 = date[4..6].parse().unwrap();
            fields[9] = format!("{}{:02}", &date[..4], yy + years);
            let body = fields.join(",");
            let ck = body.bytes().fold(0u8, |a, b| a ^ b);
            out += &format!("${body}*{ck:02X}\n");
        } else {
            out += line;
            out += "\n";
        }
        seen += usize::from(is_rmc);
    }
    assert!(seen > nth, "only {seen} RMC sentences");
    out
}

/// A receiver's log: GGA then RMC every second for `seconds` from 2026-01-15 08:00 UTC.
fn synthetic_nmea(seconds: u32) -> String {
    let sentence = |body: String| {
        let ck = body.bytes().fold(0u8, |a, b| a ^ b);
        format!("${body}*{ck:02X}\n")
    };
    let mut text = String::new();
    for s in 0..seconds {
        let time = format!("08{:02}{:02}.00", s / 60, s % 60);
        let lat = format!("3538.{:04}", 6000 + s);
        text += &sentence(format!(
            "GPGGA,{time},{lat},N,13940.2600,E,1,08,1.0,40.0,M,39.0,M,,"
        ));
        text += &sentence(format!("GPRMC,{time},A,{lat},N,13940.2600,E,0.1,0.0,150126,,,A"));
    }
    text
}

/// One RMC five years ahead in `log`: that sentence and the GGA dated from it are dropped,
/// every epoch of the clean log is still in the track.
fn one_rmc_ahead_keeps_every_epoch(dir: &Path, log: &Path) {
    let text = std::fs::read_to_string(log).unwrap();
    let path = dir.join("moved.nmea");
    std::fs::write(&path, move_rmc(&text, 5, 5)).unwrap();
    let (clean, moved) = (read(log), read(&path));
    let name = log.display();
    assert_eq!(moved.report.skipped.time_outliers, 2, "{name}: {}", moved.report);
    assert_eq!(
        moved.report.skipped.total(),
        clean.report.skipped.total() + 2,
        "{name}: {}",
        moved.report
    );
    assert_eq!(times(&moved), times(&clean), "{name}");
}

#[test]
fn an_nmea_log_with_one_date_five_years_ahead_keeps_every_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let synthetic = dir.path().join("receiver.nmea");
    std::fs::write(&synthetic, synthetic_nmea(120)).unwrap();
    one_rmc_ahead_keeps_every_epoch(dir.path(), &synthetic);
    // A real GlobalSat BU-353-S4 log from gpsd's regression tests (SOURCES.md there).
    let Some(ext) = external() else {
        eprintln!("skipping: the real NMEA log (../shared/captures/external/gps/bu353s4.log)");
        return;
    };
    one_rmc_ahead_keeps_every_epoch(dir.path(), &ext.join("gps/bu353s4.log"));
}

#[test]
fn a_multipath_jump_is_dropped_a_train_at_300_kmh_is_kept() {
    // Two minutes walking at 1.4 m/s with one fix 5 km east, then two minutes in a
    // Shinkansen at 300 km/h; a fix a second.
    const M: f64 = 1.0 / 111_195.0;
    let start = 1_768_464_000;
    let mut points = Vec::new();
    let mut lat = 35.0;
    for s in 0..240 {
        lat += if s < 120 { 1.4 } else { 300.0 / 3.6 } * M;
        let lon = if s == 60 {
            139.0 + 5_000.0 * M / 35f64.to_radians().cos()
        } else {
            139.0
        };
        let time = chrono::DateTime::from_timestamp(start + s, 0).unwrap();
        points.push(format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\"><time>{}</time></trkpt>",
            time.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("walk-then-train.gpx");
    std::fs::write(
        &path,
        format!(
            "<gpx version=\"1.1\"><trk><trkseg>{}</trkseg></trk></gpx>",
            points.join("\n")
        ),
    )
    .unwrap();
    let read = read(&path);
    let s = &read.report.skipped;
    assert_eq!((s.impossible_jumps, s.total()), (1, 1), "{}", read.report);
    assert_eq!(read.track.len(), 239);
    assert!(read.track.fixes().iter().all(|f| f.lon == 139.0));
    let problem = read.report.first_problem.as_ref().unwrap().problem.to_string();
    assert!(problem.contains("jump away and back"), "{problem}");
    // The ride is all there: 120 s at 83 m/s.
    let train = &read.track.fixes()[119..];
    assert_eq!(train.len(), 120);
    let ride_m = tagwatch::location::distance_m(&train[0], &train[119]);
    assert!((ride_m - 119.0 * 300.0 / 3.6).abs() < 50.0, "{ride_m}");
}

/// Every advertisement of the commute capture.
fn commute_advertisements() -> Vec<OwnedAdvertisement> {
    let mut capture = tagwatch::capture::open(Path::new(CAPTURE)).unwrap();
    let mut ads = Vec::new();
    while capture.source.next_record(&mut |a| ads.push(a.into())).unwrap() {}
    ads
}

/// The commute capture as btsnoop, the AirTag's first four advertisements dated 1970, 2200,
/// i64::MAX and i64::MIN (the last two written into the timestamp field, which no writer
/// would do).
fn btsnoop_with_extreme_times(path: &Path) {
    let mut ads = commute_advertisements();
    let airtag: Vec<usize> = (0..ads.len())
        .filter(|&i| ads[i].address.to_string() == AIRTAG)
        .take(4)
        .collect();
    ads[airtag[0]].time_us = 0;
    ads[airtag[1]].time_us = 200 * YEAR_US + 1_000_000;
    let record = |adv: &OwnedAdvertisement| {
        let mut w = BtsnoopWriter::new(Vec::new()).unwrap();
        w.write_extended_report(&adv.as_advertisement()).unwrap();
        w.into_inner().unwrap().split_off(16)
    };
    let mut file = BtsnoopWriter::new(Vec::new()).unwrap().into_inner().unwrap();
    for (i, adv) in ads.iter().enumerate() {
        let mut r = record(adv);
        // The record header's 64-bit timestamp: bytes 16..24.
        if i == airtag[2] {
            r[16..24].copy_from_slice(&i64::MAX.to_be_bytes());
        } else if i == airtag[3] {
            r[16..24].copy_from_slice(&i64::MIN.to_be_bytes());
        }
        file.extend_from_slice(&r);
    }
    std::fs::write(path, file).unwrap();
}

/// The commute capture as JSON Lines, the AirTag's first two advertisements at 1970 and 2200.
fn jsonl_with_extreme_times(path: &Path) {
    let mut ads = commute_advertisements();
    let airtag = ads.iter_mut().filter(|a| a.address.to_string() == AIRTAG);
    for (a, time_us) in airtag.zip([0, 200 * YEAR_US + 1_000_000]) {
        a.time_us = time_us;
    }
    let mut w = JsonlWriter::new(Vec::new()).unwrap();
    for a in &ads {
        w.write(&a.as_advertisement()).unwrap();
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

/// The AirTag's sightings in `analyze --format json` output.
fn airtag_sightings(json: &Value) -> u64 {
    trackers(json)
        .iter()
        .find(|t| t["addresses"][0] == AIRTAG)
        .unwrap_or_else(|| panic!("no AirTag in {json}"))["sightings"]
        .as_u64()
        .unwrap()
}

#[test]
fn capture_times_outside_2000_to_2100_are_damaged_records_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (code, clean, stderr) = analyze_json(&[CAPTURE]);
    assert_eq!(code, 0, "{stderr}");
    let clean_sightings = airtag_sightings(&clean);
    let clean_bad = clean["captures"][0]["bad_records"].as_u64().unwrap();

    let btsnoop = dir.path().join("extreme-times.btsnoop");
    btsnoop_with_extreme_times(&btsnoop);
    let jsonl = dir.path().join("extreme-times.jsonl");
    jsonl_with_extreme_times(&jsonl);
    for (capture, extreme) in [(&btsnoop, 4), (&jsonl, 2)] {
        let db = dir.path().join(format!("{}.sqlite", capture.display()));
        let (code, out, stderr) = run(
            &db,
            &[
                OsStr::new("analyze"),
                OsStr::new("--format"),
                OsStr::new("json"),
                capture.as_os_str(),
            ],
        );
        assert_eq!(code, 0, "{}: {stderr}", capture.display());
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["captures"][0]["bad_records"], clean_bad + extreme, "{json}");
        assert_eq!(airtag_sightings(&json), clean_sightings - extreme);

        // Nothing outside the range reached the evidence.
        let evidence = export_json(&db);
        let sightings = evidence["sightings"].as_array().unwrap();
        assert!(!sightings.is_empty());
        for s in sightings {
            let t = s["time_us"].as_i64().unwrap();
            assert!(PLAUSIBLE_TIME_US.contains(&t), "{s}");
        }
        for t in evidence["trackers"].as_array().unwrap() {
            for key in ["first_seen_us", "last_seen_us"] {
                assert!(PLAUSIBLE_TIME_US.contains(&t[key].as_i64().unwrap()), "{t}");
            }
        }
        // The report draws its timeline from the evidence without panicking.
        let report = dir.path().join("report");
        let (code, _, stderr) = run(&db, &[OsStr::new("report"), OsStr::new("-o"), report.as_os_str()]);
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(report.join("report-en.html").is_file());
    }
}

/// Makes a file of `bytes` bytes without writing them (a sparse file).
fn sparse(path: &Path, bytes: u64) -> PathBuf {
    std::fs::File::create(path).unwrap().set_len(bytes).unwrap();
    path.to_path_buf()
}

/// `analyze` with `flag FILE` on the commute capture fails with exit 2, naming FILE and `why`.
fn analyze_refuses(flag: &str, file: &Path, why: &str) {
    let (code, _, stderr) = analyze_json(&[OsStr::new(flag), file.as_os_str(), OsStr::new(CAPTURE)]);
    assert_eq!(code, 2, "{flag} {}: {stderr}", file.display());
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(stderr.contains(why), "{stderr}");
}

#[test]
fn device_nodes_folders_pipes_and_huge_files_are_refused_as_tracks_and_lists() {
    let dev_zero = Path::new("/dev/zero");
    for flag in ["--track", "--allow", "--places"] {
        analyze_refuses(flag, dev_zero, "not a regular file (a character device)");
    }
    let dir = tempfile::tempdir().unwrap();
    analyze_refuses("--track", dir.path(), "not a regular file (a folder)");
    let fifo = dir.path().join("track.fifo");
    mkfifo(&fifo);
    analyze_refuses("--track", &fifo, "not a regular file (a named pipe)");
    let huge = sparse(&dir.path().join("huge.gpx"), 300 << 20);
    analyze_refuses(
        "--track",
        &huge,
        "300 MiB is larger than the 256 MiB a track may be",
    );
    let long_list = sparse(&dir.path().join("mine.txt"), 2 << 20);
    analyze_refuses(
        "--allow",
        &long_list,
        "2 MiB is larger than the 1 MiB a list may be",
    );
    analyze_refuses(
        "--places",
        &long_list,
        "2 MiB is larger than the 1 MiB a list may be",
    );
}

#[test]
fn dev_zero_and_huge_files_are_refused_as_attachments_and_nothing_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let (code, _, stderr) = run(&db, &["analyze", CAPTURE]);
    assert_eq!(code, 0, "{stderr}");
    let huge = sparse(&dir.path().join("video.mp4"), 65 << 20);
    for (file, why) in [
        (Path::new("/dev/zero"), "not a regular file (a character device)"),
        (dir.path(), "not a regular file (a folder)"),
        (&huge, "65 MiB is larger than the 64 MiB an attachment may be"),
    ] {
        let (code, _, stderr) = run(
            &db,
            &[
                OsStr::new("note"),
                OsStr::new("x"),
                OsStr::new("--file"),
                file.as_os_str(),
            ],
        );
        assert_eq!(code, 2, "{}: {stderr}", file.display());
        assert!(
            stderr.contains(&file.display().to_string()) && stderr.contains(why),
            "{stderr}"
        );
    }
    let evidence = export_json(&db);
    assert_eq!(
        evidence["notes"],
        Value::Array(vec![]),
        "no note without its attachment"
    );
}
