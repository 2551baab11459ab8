//! The evidence store: what it keeps, and that it notices every kind of tampering.

mod common;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use tagwatch::store::{Mode, ProblemKind, Store, StoreError};

use common::{point, sighting, tracker};

const A: &str = "apple_find_my-aaaa";
const B: &str = "apple_find_my-bbbb";

/// A store with two sessions, sightings of two trackers, a track, verdicts and a note with an
/// attachment. Returns the path of the database in `dir`.
fn filled(dir: &Path) -> PathBuf {
    let path = dir.join("evidence.sqlite");
    let attachment = dir.join("photo.jpg");
    std::fs::write(&attachment, b"\xff\xd8 a photo of the tag under the car").unwrap();
    let mut store = Store::open(&path, Mode::Create).unwrap();
    let s1 = store.begin_session("analyze", &["a.btsnoop".into()], 1).unwrap();
    let sightings: Vec<_> = (0..20)
        .map(|i| sighting(if i % 2 == 0 { A } else { B }, 20 - i, "a.btsnoop"))
        .collect();
    store.add_sightings(s1, &sightings).unwrap();
    store
        .add_track(s1, &(0..10).map(point).collect::<Vec<_>>())
        .unwrap();
    store
        .save_trackers(s1, &[tracker(A, "medium"), tracker(B, "none")])
        .unwrap();
    store.end_session(s1, 2, 1234).unwrap();
    store
        .add_note("saw it under the car", Some(&attachment), 3)
        .unwrap();
    let s2 = store.begin_session("scan", &["hci0".into()], 4).unwrap();
    store.add_sightings(s2, &[sighting(A, 100, "hci0")]).unwrap();
    store.add_track(s2, &[point(100)]).unwrap();
    store.save_trackers(s2, &[tracker(A, "high")]).unwrap();
    store.end_session(s2, 5, 0).unwrap();
    path
}

/// Runs SQL on the database behind the store's back, as someone editing the file would.
fn tamper(path: &Path, f: impl FnOnce(&Connection)) {
    let conn = Connection::open(path).unwrap();
    f(&conn);
}

fn flip_blob(conn: &Connection, column: &str, table: &str, seq: i64) {
    let mut blob: Vec<u8> = conn
        .query_row(
            &format!("SELECT {column} FROM {table} WHERE seq = ?1"),
            [seq],
            |r| r.get(0),
        )
        .unwrap();
    let mid = blob.len() / 2;
    blob[mid] ^= 0x01;
    conn.execute(
        &format!("UPDATE {table} SET {column} = ?1 WHERE seq = ?2"),
        params![blob, seq],
    )
    .unwrap();
}

/// Every problem verify finds (kind, first and last record), reading the store read-only.
fn problems(path: &Path) -> Vec<(ProblemKind, i64, i64)> {
    let report = Store::open_read_only(path).unwrap().verify().unwrap();
    report
        .problems
        .iter()
        .map(|p| (p.kind, p.first, p.last))
        .collect()
}

fn seq_of(path: &Path, kind: &str, nth: i64) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.query_row(
        "SELECT seq FROM records WHERE kind = ?1 ORDER BY seq LIMIT 1 OFFSET ?2",
        params![kind, nth],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn report_has_latest_verdicts_sightings_in_time_order_track_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let store = Store::open(&path, Mode::Create).unwrap();
    let all = store.report_data(None, 99).unwrap();
    assert_eq!(all.trackers.len(), 2);
    let a = all.trackers.iter().find(|t| t.id == A).unwrap();
    assert_eq!(a.risk, "high", "the later session's verdict wins");
    assert_eq!(all.sightings.len(), 21);
    assert!(all.sightings.windows(2).all(|w| w[0].time_us <= w[1].time_us));
    assert_eq!(all.track.len(), 11);
    assert_eq!(all.notes.len(), 1);
    let note = &all.notes[0];
    assert_eq!(note.attachment_name.as_deref(), Some("photo.jpg"));
    assert_eq!(note.attachment_sha256.as_ref().map(String::len), Some(64));
    assert_eq!(all.generated_us, 99);

    let verified = store.verify().unwrap();
    assert!(verified.intact(), "{verified:?}");
    assert_eq!(verified.records, 31);
    assert_eq!(all.verification, verified, "the report carries what verify found");

    let only_b = store.report_data(Some(B), 99).unwrap();
    assert_eq!(only_b.trackers.len(), 1);
    assert_eq!(only_b.trackers[0].risk, "none");
    assert_eq!(only_b.sightings.len(), 10);
    assert!(only_b.sightings.iter().all(|s| s.tracker_id == B));
    // B was seen in the first session only: its track, not the second session's.
    assert_eq!(only_b.track.len(), 10);

    assert!(matches!(
        store.report_data(Some("tile-0000"), 99),
        Err(StoreError::UnknownTracker(_))
    ));
}

#[test]
fn sessions_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite"), Mode::Create).unwrap();
    assert!(matches!(
        store.begin_session("party", &[], 0),
        Err(StoreError::SessionKind(_))
    ));
    assert!(matches!(
        store.add_sightings(7, &[sighting(A, 0, "x")]),
        Err(StoreError::UnknownSession(7))
    ));
    let s = store.begin_session("sweep", &[], 0).unwrap();
    store.end_session(s, 1, 0).unwrap();
    assert!(matches!(
        store.add_track(s, &[point(0)]),
        Err(StoreError::UnknownSession(_))
    ));
}

#[test]
fn a_record_that_would_not_read_back_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("e.sqlite"), Mode::Create).unwrap();
    let s = store.begin_session("analyze", &[], 0).unwrap();
    let mut bad = tracker(A, "none");
    bad.max_distance_m = f64::NAN;
    assert!(matches!(
        store.save_trackers(s, &[bad]),
        Err(StoreError::Unstorable { .. })
    ));
    assert!(store.verify().unwrap().intact());
}

#[test]
fn reopening_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let mut store = Store::open(&path, Mode::Create).unwrap();
    store.add_note("again", None, 10).unwrap();
    let report = store.verify().unwrap();
    assert_eq!((report.records, report.intact()), (32, true));
}

#[test]
fn flipped_payload_byte_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let seq = seq_of(&path, "sighting", 7);
    tamper(&path, |c| flip_blob(c, "payload", "records", seq));
    assert_eq!(problems(&path), [(ProblemKind::ContentChanged, seq, seq)]);
}

#[test]
fn flipped_hash_or_prev_hash_byte_is_found() {
    use ProblemKind::{ContentChanged, LinkBroken};
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let seq = seq_of(&path, "tracker", 0);
    tamper(&path, |c| flip_blob(c, "hash", "records", seq));
    // Its own hash no longer matches, and the next record no longer links to it.
    assert_eq!(
        problems(&path),
        [(ContentChanged, seq, seq), (LinkBroken, seq + 1, seq + 1)]
    );

    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    tamper(&path, |c| flip_blob(c, "prev_hash", "records", seq));
    let mut found = problems(&path);
    found.sort_by_key(|p| p.0 as u8);
    assert_eq!(found, [(ContentChanged, seq, seq), (LinkBroken, seq, seq)]);
}

#[test]
fn changed_kind_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let seq = seq_of(&path, "session_end", 0);
    tamper(&path, |c| {
        c.execute("UPDATE records SET kind = 'note' WHERE seq = ?1", [seq])
            .unwrap();
    });
    assert_eq!(
        problems(&path),
        [
            (ProblemKind::ContentChanged, seq, seq),
            (ProblemKind::Unreadable, seq, seq)
        ]
    );
}

#[test]
fn flipped_attachment_byte_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let seq = seq_of(&path, "note", 0);
    tamper(&path, |c| flip_blob(c, "data", "attachments", seq));
    let report = Store::open_read_only(&path).unwrap().verify().unwrap();
    assert_eq!(problems(&path), [(ProblemKind::AttachmentChanged, seq, seq)]);
    let text = report.problems[0].to_string();
    assert!(text.contains("attached file"), "{text}");
}

#[test]
fn deleted_attachment_and_stray_attachment_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let seq = seq_of(&path, "note", 0);
    tamper(&path, |c| {
        c.execute("DELETE FROM attachments", []).unwrap();
    });
    assert_eq!(problems(&path), [(ProblemKind::AttachmentMissing, seq, seq)]);

    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let target = seq_of(&path, "sighting", 2);
    tamper(&path, |c| {
        c.execute("INSERT INTO attachments (seq, data) VALUES (?1, x'00')", [target])
            .unwrap();
    });
    assert_eq!(problems(&path), [(ProblemKind::StrayAttachment, target, target)]);
}

#[test]
fn deleted_row_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    tamper(&path, |c| {
        c.execute("DELETE FROM records WHERE seq = 5", []).unwrap();
    });
    let report = Store::open_read_only(&path).unwrap().verify().unwrap();
    assert_eq!(problems(&path), [(ProblemKind::Missing, 5, 5)]);
    let text = report.problems[0].to_string();
    assert_eq!(text, "after record 4: 1 record missing");
}

#[test]
fn dropping_the_last_rows_changes_the_head() {
    // The one change the chain alone cannot see: the head and count a report printed can.
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let before = Store::open(&path, Mode::Create).unwrap().verify().unwrap();
    tamper(&path, |c| {
        c.execute(
            "DELETE FROM records WHERE seq = (SELECT max(seq) FROM records)",
            [],
        )
        .unwrap();
    });
    let after = Store::open(&path, Mode::Create).unwrap().verify().unwrap();
    assert!(after.intact(), "{after:?}");
    assert_eq!(after.records, before.records - 1);
    assert_ne!(after.head, before.head);
    // The last session lost its end: a warning, since a power cut does the same.
    assert!(before.unclosed_sessions.is_empty());
    assert_eq!(after.unclosed_sessions.len(), 1);
    assert!(after.unclosed_sessions[0].last);
}

#[test]
fn inserted_or_renumbered_row_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    // A forged row at the end, with a made-up hash.
    tamper(&path, |c| {
        c.execute(
            "INSERT INTO records (seq, kind, payload, prev_hash, hash)
             SELECT seq + 1, kind, payload, hash, hash FROM records ORDER BY seq DESC LIMIT 1",
            [],
        )
        .unwrap();
    });
    assert_eq!(problems(&path), [(ProblemKind::ContentChanged, 32, 32)]);

    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    tamper(&path, |c| {
        c.execute("UPDATE records SET seq = 1000 WHERE seq = 3", [])
            .unwrap();
    });
    assert_eq!(
        problems(&path),
        [
            (ProblemKind::Missing, 3, 3),
            (ProblemKind::Missing, 32, 999),
            (ProblemKind::ContentChanged, 1000, 1000)
        ]
    );
}

#[test]
fn swapped_payloads_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled(dir.path());
    let (x, y) = (seq_of(&path, "sighting", 3), seq_of(&path, "sighting", 9));
    tamper(&path, |c| {
        let payload = |seq: i64| -> Vec<u8> {
            c.query_row("SELECT payload FROM records WHERE seq = ?1", [seq], |r| r.get(0))
                .unwrap()
        };
        let (px, py) = (payload(x), payload(y));
        for (seq, p) in [(x, py), (y, px)] {
            c.execute("UPDATE records SET payload = ?1 WHERE seq = ?2", params![p, seq])
                .unwrap();
        }
    });
    assert_eq!(
        problems(&path),
        [
            (ProblemKind::ContentChanged, x, x),
            (ProblemKind::ContentChanged, y, y)
        ]
    );
}

/// A store big enough to span many pages, closed (so the WAL is folded into the file).
fn big(dir: &Path) -> PathBuf {
    let path = dir.join("big.sqlite");
    let mut store = Store::open(&path, Mode::Create).unwrap();
    let s = store.begin_session("scan", &[], 0).unwrap();
    let sightings: Vec<_> = (0..2000).map(|i| sighting(A, i, "hci0")).collect();
    store.add_sightings(s, &sightings).unwrap();
    drop(store);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    path
}

#[test]
fn flipped_byte_in_the_file_inside_a_record_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = big(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    // Sighting 1000's advertising data, as it sits in the file.
    let needle = format!("1eff4c001219{:016x}", 1000);
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap();
    bytes[at + 20] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    // Session start is seq 1, so sighting 1000 is seq 1002.
    assert_eq!(problems(&path), [(ProblemKind::ContentChanged, 1002, 1002)]);
}

#[test]
fn damaged_file_is_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = big(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let middle = bytes.len() / page / 2 * page;
    // Garbage over a page header in the middle of the file.
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    match Store::open(&path, Mode::Create) {
        Err(e @ (StoreError::Damaged { .. } | StoreError::NotTagwatch { .. })) => {
            assert!(e.to_string().contains("big.sqlite"), "{e}");
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(store) => {
            let report = store.verify().unwrap();
            assert!(
                report.problems.iter().any(|p| p.kind == ProblemKind::Database),
                "{report:?}"
            );
        }
    }
    // And a report cannot show part of the evidence as all of it: it fails, or carries
    // the damage in its verification (which `report` refuses unless told).
    if let Ok(store) = Store::open_read_only(&path)
        && let Ok(data) = store.report_data(None, 0)
    {
        assert!(!data.verification.intact());
    }
}

#[test]
fn foreign_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "my diary, not a database\n".repeat(100)).unwrap();
    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let tiny = dir.path().join("tiny");
    std::fs::write(&tiny, "hello").unwrap();
    for path in [&text, &other, &tiny] {
        let before = std::fs::read(path).unwrap();
        let e = Store::open(path, Mode::Create).err().expect("refused");
        assert!(matches!(e, StoreError::NotTagwatch { .. }), "{e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        assert_eq!(std::fs::read(path).unwrap(), before, "{}", path.display());
    }
}

#[test]
fn unwritable_places_give_a_clear_error() {
    // Tests run as root, for whom permission bits do not stop writes; a path under a regular
    // file (a folder cannot be made there) and one in /proc fail for root too.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for path in [
        file.join("evidence.sqlite"),
        PathBuf::from("/proc/tagwatch-test/evidence.sqlite"),
        PathBuf::from("/proc/self/evidence.sqlite"),
    ] {
        let e = Store::open(&path, Mode::Create).err().expect("refused");
        assert!(
            matches!(e, StoreError::Io { .. } | StoreError::NoFolder { .. }),
            "{e}"
        );
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    }
    let e = Store::open(dir.path(), Mode::Create)
        .err()
        .expect("a folder is refused");
    assert!(e.to_string().contains("folder"), "{e}");
}

#[cfg(unix)]
#[test]
fn database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.sqlite");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", path.display()));
    {
        let mut store = Store::open(&path, Mode::Create).unwrap();
        store.add_note("x", None, 0).unwrap();
        for p in [path.clone(), side("-wal"), side("-shm")] {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
    // Reopened, SQLite makes new -wal and -shm files: they must be private too.
    let mut store = Store::open(&path, Mode::Create).unwrap();
    store.add_note("y", None, 1).unwrap();
    for p in [path.clone(), side("-wal"), side("-shm")] {
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn default_path_ends_in_the_tagwatch_folder() {
    let path = Store::default_path();
    assert!(path.ends_with("tagwatch/evidence.sqlite") || path.ends_with("tagwatch-evidence.sqlite"));
}
