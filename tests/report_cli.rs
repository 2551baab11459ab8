//! The person's own evidence end to end: `note` with when, where, what kind, which tracker
//! and what identifies it; `attachment get` giving the photo back, checked; and the report's
//! recipe for checking the chain with sqlite3 and coreutils, without tagwatch.

mod common;
use common::*;

use std::path::Path;
use std::process::Command as Process;

use tagwatch::store::Store;

/// The bundled demo capture analysed into `db`; returns a tracker id it holds.
fn analysed(db: &Path) -> String {
    tagwatch()
        .args(["analyze", "captures/demo-synthetic.btsnoop", "--db"])
        .arg(db)
        .assert()
        .code(predicates::ord::lt(5));
    let data = Store::open_read_only(db).unwrap().report_data(None, 0).unwrap();
    data.trackers[0].id.clone()
}

#[test]
fn a_note_keeps_event_time_place_category_tracker_and_identification_and_gives_its_photo_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let id = analysed(&db);
    let photo = dir.path().join("tag.jpg");
    // Any bytes will do for the round trip; a JPEG start so the report takes it for a picture.
    let bytes: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xE0]
        .into_iter()
        .chain((0..5000u32).map(|i| (i * 7) as u8))
        .collect();
    std::fs::write(&photo, &bytes).unwrap();
    tagwatch()
        .args([
            "note",
            "found under the rear bumper",
            "--tracker",
            &id,
            "--category",
            "found-tag",
        ])
        .args(["--at", "2026-01-15T19:40:00+09:00", "--place", "car park at work"])
        .args([
            "--serial",
            "H6WDK0LQP0GV",
            "--read-from",
            "Apple NFC page",
            "--db",
        ])
        .arg(&db)
        .arg("--file")
        .arg(&photo)
        .assert()
        .code(0);
    let data = Store::open_read_only(&db).unwrap().report_data(None, 0).unwrap();
    let note = data.notes.last().unwrap();
    assert_eq!(note.event_us, Some(1_768_473_600_000_000));
    assert!(
        note.time_us > note.event_us.unwrap(),
        "recorded now, happened then"
    );
    assert_eq!(note.place.as_deref(), Some("car park at work"));
    assert_eq!(note.tracker_id.as_deref(), Some(id.as_str()));
    assert_eq!(note.identification.serial.as_deref(), Some("H6WDK0LQP0GV"));
    assert_eq!(note.attachment_size, Some(bytes.len() as u64));
    let seq = note.seq.unwrap().to_string();

    let back = dir.path().join("back.jpg");
    get(&seq, &back, &db)
        .code(0)
        .stderr(predicates::str::contains("matches note"));
    assert_eq!(std::fs::read(&back).unwrap(), bytes);
    // Never over an existing file.
    get(&seq, &back, &db).code(8);
    // A record that is not a note with a file is a usage error that says so.
    get("1", Path::new("-"), &db)
        .code(64)
        .stderr(predicates::str::contains("not a note"));

    // A changed attachment is refused, and nothing is written.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE attachments SET data = X'FFD8FF00' WHERE seq = ?1",
            [note.seq.unwrap() as i64],
        )
        .unwrap();
    }
    let again = dir.path().join("again.jpg");
    get(&seq, &again, &db)
        .code(1)
        .stderr(predicates::str::contains("SHA-256"));
    assert!(!again.exists());
}

#[test]
fn a_note_refuses_an_unknown_tracker_and_a_time_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    analysed(&db);
    let records = Store::open_read_only(&db).unwrap().verify().unwrap().records;
    tagwatch()
        .args(["note", "x", "--tracker", "apple_find_my-nothere", "--db"])
        .arg(&db)
        .assert()
        .code(7);
    tagwatch()
        .args(["note", "x", "--at", "yesterday evening", "--db"])
        .arg(&db)
        .assert()
        .code(64)
        .stderr(predicates::str::contains("is not a time"));
    // Neither added a record.
    assert_eq!(
        Store::open_read_only(&db).unwrap().verify().unwrap().records,
        records
    );
}

/// `tagwatch attachment get SEQ -o OUT --db DB`.
fn get(seq: &str, out: &Path, db: &Path) -> assert_cmd::assert::Assert {
    tagwatch()
        .args(["attachment", "get", seq, "-o"])
        .arg(out)
        .arg("--db")
        .arg(db)
        .assert()
}

fn installed(program: &str) -> bool {
    Process::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the report's recipe in `dir` (where evidence.sqlite is) and returns its output.
fn recipe(dir: &Path) -> String {
    let out = Process::new("bash")
        .args(["-c", tagwatch::report::CHECK_RECIPE])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_reports_recipe_checks_the_chain_without_tagwatch() {
    if !installed("sqlite3") || !installed("basenc") {
        println!("skipping: sqlite3 or basenc (GNU coreutils) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    // A few records are enough (the recipe runs a process or four per record), one with a file.
    let mut store = Store::open(&db, tagwatch::store::Mode::Create).unwrap();
    store
        .add_note("first", Some(Path::new("captures/README.md")), 1)
        .unwrap();
    store.add_note("second", None, 2).unwrap();
    drop(store);
    tagwatch()
        .args(["note", "a note", "--db"])
        .arg(&db)
        .assert()
        .code(0);
    let report = Store::open_read_only(&db).unwrap().verify().unwrap();
    let out = recipe(dir.path());
    assert_eq!(
        out.trim(),
        format!("{} records, chain head {}", report.records, report.head),
        "an intact chain prints only its count and head"
    );
    // One changed byte in one payload: the recipe names that record.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE records SET payload = CAST(replace(CAST(payload AS TEXT), 'a note', 'A note') AS BLOB) WHERE kind = 'note'", [])
            .unwrap();
    }
    let out = recipe(dir.path());
    assert!(
        out.contains(&format!("record {}: hash does not match", report.records)),
        "{out}"
    );
}
