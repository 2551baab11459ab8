//! Evidence is append-only and never doubled: a capture analysed again (recognised by the
//! SHA-256 of its bytes, whatever its name) refers to the sightings kept the first time, and
//! marking a tracker as one's own is an annotation beside the alert, which stays.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use serde_json::Value;

const CAPTURE: &str = "captures/commute_airtag-synthetic.btsnoop";
const TRACK: &str = "captures/commute_airtag-synthetic.gpx";
const OTHER: &str = "captures/demo-synthetic.btsnoop";
/// A headless scan replaying the capture as fast as it can, with the track.
const SCAN: [&str; 8] = [
    "scan",
    "--headless",
    "--speed",
    "0",
    "--track",
    TRACK,
    "--replay",
    CAPTURE,
];
/// The planted AirTag of the commute scenario.
const FOLLOWER: &str = "apple_find_my-0b04929b";

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `tagwatch ARGS` on `db`, which must succeed; its standard output.
fn run(db: &Path, args: &[&str]) -> Vec<u8> {
    let out = tagwatch().args(args).env("TAGWATCH_DB", db).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "tagwatch {args:?}: {stderr}");
    out.stdout
}

/// `tagwatch analyze ARGS` into `db`; its standard output.
fn analyze(db: &Path, args: &[&str]) -> String {
    String::from_utf8(run(db, &[&["analyze"], args].concat())).unwrap()
}

/// How many records of `kind` the database holds.
fn records(db: &Path, kind: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM records WHERE kind = ?1", [kind], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap() as usize
}

/// `tagwatch export --format json` of `db`.
fn exported(db: &Path) -> Value {
    serde_json::from_slice(&run(db, &["export", "--format", "json", "-o", "-"])).unwrap()
}

/// Each exported sighting as (time, address, raw, tracker, position): equal lists mean equal
/// evidence, in the same order.
fn sightings(export: &Value) -> Vec<(i64, String, String, String, Value)> {
    export["sightings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["time_us"].as_i64().unwrap(),
                s["address"].as_str().unwrap().to_string(),
                s["raw_hex"].as_str().unwrap().to_string(),
                s["tracker_id"].as_str().unwrap().to_string(),
                s["position"].clone(),
            )
        })
        .collect()
}

#[test]
fn analysing_again_with_the_track_adds_positions_not_sightings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analyze(&db, &[CAPTURE]);
    let kept = records(&db, "sighting");
    assert!(kept > 1000, "{kept}");
    let before = sightings(&exported(&db));
    assert_eq!(before.len(), kept);
    assert!(before.iter().all(|s| s.4.is_null()), "no track, no positions");

    analyze(&db, &["--track", TRACK, CAPTURE]);
    assert_eq!(
        records(&db, "sighting"),
        kept,
        "the second analysis stored no sighting again"
    );
    assert!(records(&db, "placement") > 0);
    let after = sightings(&exported(&db));
    assert_eq!(after.len(), kept, "each sighting once");
    assert!(
        after.iter().all(|s| s.4.is_object()),
        "every sighting has its new position"
    );

    // Exactly what one analysis with the track keeps.
    let single = dir.path().join("single.sqlite");
    analyze(&single, &["--track", TRACK, CAPTURE]);
    assert_eq!(sightings(&exported(&single)), after);
    let (again, once) = (exported(&db), exported(&single));
    assert_eq!(again["trackers"], once["trackers"], "the latest verdicts");
    // The track is the second session's: the report and the export show it.
    assert_eq!(again["track"], once["track"]);

    // Both sessions name the capture by its digest.
    let starts = payloads(&db, "session_start");
    let digests: Vec<&Value> = starts.iter().map(|s| &s["sources"][0]["sha256"]).collect();
    assert_eq!(digests.len(), 2);
    assert_eq!(digests[0], digests[1]);
    assert_eq!(digests[0].as_str().unwrap().len(), 64);
    assert_eq!(
        starts[0]["sources"][0]["size"].as_u64(),
        Some(std::fs::metadata(manifest(CAPTURE)).unwrap().len())
    );

    tagwatch()
        .arg("verify")
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
}

#[test]
fn analysing_again_without_the_track_keeps_the_positions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analyze(&db, &["--track", TRACK, CAPTURE]);
    let placed = sightings(&exported(&db));
    assert!(placed.iter().all(|s| s.4.is_object()));
    analyze(&db, &[CAPTURE]);
    assert_eq!(sightings(&exported(&db)), placed);
}

/// How many records of each kind that analysing again could add the database holds:
/// (sighting, track, track_ref, placement records, placements in them).
fn counts(db: &Path) -> (usize, usize, usize, usize, usize) {
    let placements: usize = payloads(db, "placement")
        .iter()
        .map(|p| p["record"].as_array().unwrap().len())
        .sum();
    (
        records(db, "sighting"),
        records(db, "track"),
        records(db, "track_ref"),
        records(db, "placement"),
        placements,
    )
}

/// The follower's sightings as the export counts them: the listed ones and its verdict's.
fn follower_sightings(export: &Value) -> (usize, u64) {
    let listed = sightings(export).iter().filter(|s| s.3 == FOLLOWER).count();
    let tracker = export["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == FOLLOWER)
        .unwrap();
    (listed, tracker["sightings"].as_u64().unwrap())
}

#[test]
fn analysing_again_with_the_same_track_or_another_keeps_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    // The same walk 0.1 degrees further north: every fix differs.
    let gpx = std::fs::read_to_string(manifest(TRACK)).unwrap();
    let shifted = gpx.replace("lat=\"35.", "lat=\"35.1");
    assert_ne!(shifted, gpx);
    let other = dir.path().join("other.gpx");
    std::fs::write(&other, shifted).unwrap();
    let other = other.to_str().unwrap();

    analyze(&db, &["--track", TRACK, CAPTURE]);
    let (kept, track, refs, placement_records, placed) = counts(&db);
    assert!(
        kept > 1000 && track > 0,
        "{kept} sightings, {track} track records"
    );
    assert_eq!((refs, placement_records, placed), (0, 0, 0));
    let first = exported(&db);
    let points = first["track"].as_array().unwrap().len();
    assert!(points > 1000, "{points} track points");
    assert_eq!(follower_sightings(&first).0 as u64, follower_sightings(&first).1);

    // The same capture and track again: the track is referred to, nothing is placed again.
    analyze(&db, &["--track", TRACK, CAPTURE]);
    assert_eq!(counts(&db), (kept, track, 1, 0, 0));
    let again = exported(&db);
    assert_eq!(sightings(&again), sightings(&first));
    assert_eq!(again["track"], first["track"]);
    assert_eq!(follower_sightings(&again), follower_sightings(&first));

    // Another track: stored once, and every kept sighting placed on it once.
    analyze(&db, &["--track", other, CAPTURE]);
    let (_, _, _, placement_records, placed) = counts(&db);
    assert_eq!(counts(&db), (kept, 2 * track, 1, placement_records, kept));
    assert_eq!(placed, kept, "each kept sighting placed on the new track");
    analyze(&db, &["--track", other, CAPTURE]);
    assert_eq!(counts(&db), (kept, 2 * track, 2, placement_records, kept));
    // The first track once more: it was placed so before.
    analyze(&db, &["--track", TRACK, CAPTURE]);
    assert_eq!(counts(&db), (kept, 2 * track, 3, placement_records, kept));

    let last = exported(&db);
    assert_eq!(sightings(&last).len(), kept, "each sighting listed once");
    assert_eq!(follower_sightings(&last), follower_sightings(&first));
    assert_eq!(
        last["track"].as_array().unwrap().len(),
        2 * points,
        "both tracks, each once"
    );
    assert_eq!(last["sessions"].as_array().unwrap().len(), 5);
    tagwatch()
        .arg("verify")
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
}

#[test]
fn a_copy_under_another_name_is_the_same_capture() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let copy = dir.path().join("renamed.btsnoop");
    std::fs::copy(manifest(CAPTURE), &copy).unwrap();
    analyze(&db, &["--track", TRACK, CAPTURE]);
    let kept = records(&db, "sighting");
    let before = sightings(&exported(&db));

    analyze(&db, &["--track", TRACK, copy.to_str().unwrap()]);
    assert_eq!(records(&db, "sighting"), kept);
    assert_eq!(sightings(&exported(&db)), before);
    // Placed as before: the copy adds no placement, and its track is the one kept.
    assert_eq!(counts(&db), (kept, records(&db, "track"), 1, 0, 0));
}

#[test]
fn two_captures_in_one_run_store_only_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analyze(&db, &[CAPTURE]);
    let commute = records(&db, "sighting");
    let other = dir.path().join("other.sqlite");
    analyze(&other, &[OTHER]);
    let new = records(&other, "sighting");
    assert!(new > 0);

    // The new capture first, then the known one: each keeps its own state.
    analyze(&db, &[OTHER, CAPTURE]);
    assert_eq!(records(&db, "sighting"), commute + new);
    let listed = sightings(&exported(&db));
    assert_eq!(listed.len(), commute + new);
    let mut unique = listed.clone();
    unique.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    unique.dedup_by(|a, b| (a.0, &a.1, &a.2) == (b.0, &b.1, &b.2));
    assert_eq!(unique.len(), listed.len(), "no sighting listed twice");

    // Both known now: nothing more is stored.
    analyze(&db, &[CAPTURE, OTHER]);
    assert_eq!(records(&db, "sighting"), commute + new);
}

#[test]
fn the_same_capture_twice_in_one_run_is_kept_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let copy = dir.path().join("copy.btsnoop");
    std::fs::copy(manifest(CAPTURE), &copy).unwrap();
    analyze(&db, &["--track", TRACK, CAPTURE, copy.to_str().unwrap()]);
    let single = dir.path().join("single.sqlite");
    analyze(&single, &["--track", TRACK, CAPTURE]);
    assert_eq!(records(&db, "sighting"), records(&single, "sighting"));
    assert_eq!(sightings(&exported(&db)), sightings(&exported(&single)));

    // Known from before and read twice: each reading refers to every kept sighting.
    analyze(&single, &[copy.to_str().unwrap(), CAPTURE]);
    assert_eq!(records(&single, "sighting"), records(&db, "sighting"));
}

#[test]
fn a_replayed_scan_of_a_known_capture_refers_to_its_sightings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analyze(&db, &[CAPTURE]);
    let kept = records(&db, "sighting");
    run(&db, &SCAN);
    assert_eq!(records(&db, "sighting"), kept);
    let listed = sightings(&exported(&db));
    assert_eq!(listed.len(), kept);
    // The scan had the track: the kept sightings of the follower now have positions.
    assert!(listed.iter().filter(|s| s.3 == FOLLOWER).all(|s| s.4.is_object()));
}

#[test]
fn analysing_what_a_scan_recorded_refers_to_the_scan_sightings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let recorded = dir.path().join("today.jsonl");
    let record = recorded.to_str().unwrap();
    run(&db, &[&SCAN[..], &["--record", record]].concat());
    let kept = records(&db, "sighting");
    let digests = payloads(&db, "recorded");
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0]["record"]["path"], record);

    let scanned = counts(&db);
    assert!(scanned.1 > 0, "the scan kept its track");
    let before = exported(&db);
    analyze(&db, &[record]);
    assert_eq!(
        records(&db, "sighting"),
        kept,
        "the recording is the scan's evidence"
    );
    // With the scan's track: nothing new to place, and the track is referred to.
    analyze(&db, &["--track", TRACK, record]);
    let (sighting, track, refs, placement_records, _) = counts(&db);
    assert_eq!(
        (sighting, track, refs, placement_records),
        (kept, scanned.1, 1, 0)
    );
    let after = exported(&db);
    assert_eq!(sightings(&after).len(), kept);
    assert_eq!(sightings(&after), sightings(&before));
    assert_eq!(follower_sightings(&after), follower_sightings(&before));
}

#[test]
fn allowing_a_follower_annotates_it_and_keeps_its_alert() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let allow = dir.path().join("allow.txt");
    std::fs::write(&allow, format!("# my bag\n{FOLLOWER}\n")).unwrap();

    let table = analyze(
        &db,
        &["--track", TRACK, "--allow", allow.to_str().unwrap(), CAPTURE],
    );
    let row = table.lines().find(|l| l.starts_with(FOLLOWER)).unwrap();
    assert!(row.contains("mine") && !row.contains("FOLLOWING"), "{table}");

    let trackers = payloads(&db, "tracker");
    let kept = trackers
        .iter()
        .map(|t| &t["record"])
        .find(|t| t["id"] == FOLLOWER)
        .unwrap();
    assert_eq!(kept["following"], true, "the alert stays in the record");
    assert!(kept["alert_at_us"].is_i64() && kept["risk"] == "high");
    assert_eq!(kept["own"], true);
    let annotations = payloads(&db, "annotation");
    let [a] = annotations.as_slice() else {
        panic!("one annotation expected: {annotations:?}")
    };
    assert_eq!(a["tracker_id"], FOLLOWER);
    assert_eq!(a["what"], "own");
    assert_eq!(a["how"], format!("allow list {} line 2", allow.display()));
    assert_eq!(a["line"], 2);
    assert_eq!(kept["marked_own_at_us"], a["time_us"]);
    assert!(a["address"].is_string() && a["identity"].is_string());

    let json = analyze(
        &db,
        &[
            "--format",
            "json",
            "--track",
            TRACK,
            "--allow",
            allow.to_str().unwrap(),
            CAPTURE,
        ],
    );
    let json: Value = serde_json::from_str(&json).unwrap();
    let t = json["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == FOLLOWER)
        .unwrap();
    assert_eq!(
        (&t["following"], &t["own"]),
        (&Value::Bool(true), &Value::Bool(true))
    );

    // The report says when it was marked, beside the alert.
    let out = dir.path().join("report");
    tagwatch()
        .args(["report", "-o"])
        .arg(&out)
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
    let en = std::fs::read_to_string(out.join("report-en.html")).unwrap();
    assert!(en.contains("Marked as own by the person at") && en.contains("Suspected of following"));
    let ja = std::fs::read_to_string(out.join("report-ja.html")).unwrap();
    assert!(ja.contains("に自分の物として登録"));
}

#[test]
fn an_allowed_follower_raises_no_alert_and_runs_no_hook() {
    let dir = tempfile::tempdir().unwrap();
    let allow = dir.path().join("allow.txt");
    std::fs::write(&allow, format!("{FOLLOWER}\n")).unwrap();
    let scan = |allow: Option<&Path>, hook: &Path| {
        let mut cmd = tagwatch();
        cmd.args(SCAN)
            .arg("--on-alert")
            .arg(format!("touch {}", hook.display()));
        if let Some(a) = allow {
            cmd.arg("--allow").arg(a);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stderr).unwrap()
    };
    let alarmed = dir.path().join("alarmed");
    let stderr = scan(None, &alarmed);
    assert!(stderr.contains("ALERT") && alarmed.exists(), "{stderr}");

    let quiet = dir.path().join("quiet");
    let stderr = scan(Some(&allow), &quiet);
    assert!(!stderr.contains("ALERT"), "{stderr}");
    assert!(!quiet.exists(), "--on-alert ran for the user's own tracker");
}
