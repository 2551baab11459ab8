//! The evidence path end to end: `analyze` stores a following AirTag's sightings, `note`
//! adds to them, `verify` finds the chain intact, and finds a flipped byte.

mod common;
use common::*;

use std::path::Path;

/// Writes the commute scenario (a planted AirTag) and analyses it into `db`.
fn analysed(dir: &Path, db: &Path) {
    tagwatch()
        .args(["synth", "scenario", "commute_airtag", "-o"])
        .arg(dir)
        .assert()
        .success();
    tagwatch()
        .args(["analyze", "--track"])
        .arg(dir.join("commute_airtag-synthetic.gpx"))
        .arg(dir.join("commute_airtag-synthetic.btsnoop"))
        .env("TAGWATCH_DB", db)
        .assert()
        .success();
}

#[test]
fn analyze_stores_tracker_sightings_and_verify_finds_them_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analysed(dir.path(), &db);
    tagwatch()
        .args(["note", "found it in the lining of my bag", "--file"])
        .arg(dir.path().join("commute_airtag-labels.json"))
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();

    let out = tagwatch().arg("verify").env("TAGWATCH_DB", &db).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(": intact: "), "{text}");

    // The report, in both languages, names the following AirTag and carries the chain head
    // that verify printed, so a reader can check the evidence against it.
    let head = text.trim().rsplit(' ').next().unwrap().to_string();
    let out_dir = dir.path().join("report");
    tagwatch()
        .args(["report", "--utc-offset", "+09:00", "-o"])
        .arg(&out_dir)
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
    for lang in ["ja", "en"] {
        let html = std::fs::read_to_string(out_dir.join(format!("report-{lang}.html"))).unwrap();
        assert!(html.contains(&head), "{lang} report lacks the chain head");
        assert!(html.contains("<svg"), "{lang} report has no map");
        assert!(html.contains(" JST ("), "{lang} report is not in Japan time");
    }
    // Reports and exports hold where the person was: readable by their owner only.
    let export = dir.path().join("sightings.csv");
    tagwatch()
        .args(["export", "--format", "csv", "-o"])
        .arg(&export)
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
    for file in [
        out_dir.join("report-ja.html"),
        out_dir.join("report-en.html"),
        export,
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    let ja = std::fs::read_to_string(out_dir.join("report-ja.html")).unwrap();
    assert!(ja.contains("lang=\"ja\"") && ja.contains("追跡"), "not Japanese");

    let store = tagwatch::store::Store::open(&db, tagwatch::store::Mode::Existing).unwrap();
    let data = store.report_data(None, 0).unwrap();
    let airtag = data
        .trackers
        .iter()
        .find(|t| t.following)
        .expect("the AirTag follows");
    assert_eq!(airtag.model.as_deref(), Some("AirTag"));
    assert!(
        std::fs::read_to_string(out_dir.join("report-en.html"))
            .unwrap()
            .contains(&airtag.id)
    );
    let mine: Vec<_> = data
        .sightings
        .iter()
        .filter(|s| s.tracker_id == airtag.id)
        .collect();
    assert_eq!(mine.len() as u64, airtag.sightings, "every sighting is kept");
    assert!(
        mine.iter()
            .all(|s| s.position.is_some() && s.raw_hex.starts_with("1eff4c001219"))
    );
    assert!(!data.track.is_empty());
    assert_eq!(data.notes.len(), 1);
    assert_eq!(
        data.notes[0].attachment_name.as_deref(),
        Some("commute_airtag-labels.json")
    );
    // Bystanders are not evidence: the person's own iPhone (near its owner) is not stored.
    let phone_sightings = data
        .sightings
        .iter()
        .filter(|s| s.raw_hex.contains("4c0012020"))
        .count();
    assert_eq!(phone_sightings, 0);
}

#[test]
fn verify_finds_a_flipped_byte_in_stored_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analysed(dir.path(), &db);
    // Change one stored sighting's RSSI, as someone editing the file would.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let changed = conn
        .execute(
            "UPDATE records SET payload = CAST(replace(CAST(payload AS TEXT), '\"rssi\":-6', '\"rssi\":-7') AS BLOB) \
             WHERE seq = (SELECT min(seq) FROM records WHERE kind = 'sighting')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let out = tagwatch().arg("verify").env("TAGWATCH_DB", &db).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("BROKEN: 1 problem in"), "{text}");
    assert!(text.contains("record 2: content changed"), "{text}");
}

#[test]
fn an_unusable_database_path_is_a_clear_error_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = tagwatch()
        .args(["analyze", "captures/demo-synthetic.btsnoop"])
        .env("TAGWATCH_DB", file.join("evidence.sqlite"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("a-file/evidence.sqlite"), "{err}");
    assert!(err.contains("--no-store"), "{err}");
    assert!(out.stdout.is_empty(), "nothing analysed before the store opened");
    // --no-store only looks.
    tagwatch()
        .args(["analyze", "--no-store", "captures/demo-synthetic.btsnoop"])
        .env("TAGWATCH_DB", file.join("evidence.sqlite"))
        .assert()
        .success();
}
