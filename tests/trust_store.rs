//! The evidence store against someone with one-time access to the laptop, and against the
//! accidents that look like it: commands that must not create a database, a planted trigger
//! that silences inserts, schema objects tagwatch did not make, a write-protected copy for the
//! police, damage in several places, a cut tail, eight processes creating one database, and
//! reports of a chain that does not verify.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tagwatch::store::{Mode, ProblemKind, Store, StoreError};

use common::{sighting, tagwatch};

const DEMO: &str = "captures/demo-synthetic.btsnoop";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `tagwatch ARGS --db DB`.
fn run(db: &Path, args: &[&str]) -> Output {
    tagwatch().args(args).arg("--db").arg(db).output().unwrap()
}

/// A database holding one closed `analyze` session of the demo capture.
fn analysed(dir: &Path) -> PathBuf {
    let db = dir.join("evidence.sqlite");
    let out = run(&db, &["analyze", DEMO]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    db
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn sql(path: &Path, statements: &str) {
    Connection::open(path).unwrap().execute_batch(statements).unwrap();
}

fn count(path: &Path, query: &str) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row(query, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn commands_that_read_or_add_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.sqlite");
    let out_dir = dir.path().join("report");
    let export = dir.path().join("export.json");
    let commands: [&[&str]; 4] = [
        &["verify"],
        &["report", "-o", out_dir.to_str().unwrap()],
        &["export", "--format", "json", "-o", export.to_str().unwrap()],
        &["note", "found it under the seat"],
    ];
    for args in commands {
        let out = run(&db, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(&db.display().to_string()), "{args:?}: {err}");
        assert!(
            err.contains("`tagwatch analyze`"),
            "{args:?} says what creates one: {err}"
        );
        for file in [db.clone(), side(&db, "-wal"), side(&db, "-shm"), export.clone()] {
            assert!(!file.exists(), "{args:?} created {}", file.display());
        }
        assert!(!out_dir.exists(), "{args:?}");
    }
    assert!(matches!(
        Store::open(&db, Mode::Existing),
        Err(StoreError::Missing { .. })
    ));
    assert!(matches!(
        Store::open_read_only(&db),
        Err(StoreError::Missing { .. })
    ));
    assert!(!db.exists());
}

#[test]
fn db_in_a_missing_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("nonexistent");
    let db = folder.join("x.sqlite");
    let out = run(&db, &["analyze", DEMO]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(out.stdout.is_empty(), "nothing analysed before the store opened");
    assert!(!folder.exists());
    assert!(matches!(
        Store::open(&db, Mode::Create),
        Err(StoreError::NoFolder { .. })
    ));
    assert!(!folder.exists());
}

#[cfg(unix)]
#[test]
fn tagwatch_creates_only_its_own_data_folder_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = tagwatch()
        .args(["analyze", DEMO])
        .env_remove("TAGWATCH_DB")
        .env("XDG_DATA_HOME", &data)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let folder = data.join("tagwatch");
    assert!(folder.join("evidence.sqlite").is_file());
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

const SILENCER: &str = "CREATE TRIGGER t BEFORE INSERT ON records BEGIN SELECT RAISE(IGNORE); END;";

#[test]
fn a_planted_insert_silencing_trigger_is_refused_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = analysed(dir.path());
    sql(&db, SILENCER);
    let records = count(&db, "SELECT count(*) FROM records");

    let out = run(&db, &["analyze", DEMO]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stdout.contains("Evidence kept") && !stderr.contains("Evidence kept"));
    assert!(
        stderr.contains("trigger t on records: not created by tagwatch"),
        "{stderr}"
    );
    assert!(stderr.contains("tampered"), "{stderr}");
    assert_eq!(count(&db, "SELECT count(*) FROM records"), records);

    let out = run(&db, &["note", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("trigger t on records"));

    // verify does not stop at it: it is a finding about the evidence.
    let out = run(&db, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("trigger t on records: not created by tagwatch"),
        "{stdout}"
    );

    let e = Store::open(&db, Mode::Create).err().expect("refused");
    assert!(matches!(e, StoreError::UnknownSchema { .. }), "{e}");
    assert!(e.to_string().contains("keep a copy and run verify"), "{e}");
}

#[test]
fn an_insert_that_does_not_take_effect_is_an_error() {
    // Planted while tagwatch has the database open: only checking every insert catches it.
    for trigger in [
        SILENCER,
        "CREATE TRIGGER d AFTER INSERT ON records BEGIN DELETE FROM records WHERE seq = new.seq; END;",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("evidence.sqlite");
        let mut store = Store::open(&db, Mode::Create).unwrap();
        let session = store.begin_session("scan", &["hci0".into()], 0).unwrap();
        sql(&db, trigger);
        let e = store
            .add_sightings(session, &[sighting("apple_find_my-aaaa", 1, "hci0")])
            .expect_err("a silenced insert fails");
        assert!(matches!(e, StoreError::NotKept { .. }), "{trigger}: {e}");
        assert!(e.to_string().contains("did not take effect"), "{e}");
        let e = store.add_note("under the seat", None, 2).expect_err("fails");
        assert!(matches!(e, StoreError::NotKept { .. }), "{trigger}: {e}");
        assert_eq!(count(&db, "SELECT count(*) FROM records"), 1, "{trigger}");
    }
}

#[test]
fn schema_objects_tagwatch_did_not_create_are_refused() {
    for (plant, named) in [
        (
            "CREATE VIEW v AS SELECT * FROM records",
            "view v: not created by tagwatch",
        ),
        ("CREATE TABLE extra (x)", "table extra: not created by tagwatch"),
        (
            "CREATE INDEX i ON records (kind)",
            "index i on records: not created by tagwatch",
        ),
        (
            "ALTER TABLE records ADD COLUMN x DEFAULT 0",
            "table records: not as tagwatch created it",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("evidence.sqlite");
        let mut store = Store::open(&db, Mode::Create).unwrap();
        store.add_note("x", None, 0).unwrap();
        drop(store);
        sql(&db, plant);
        for mode in [Mode::Create, Mode::Existing] {
            let e = Store::open(&db, mode).err().expect("refused");
            assert!(e.to_string().contains(named), "{plant}: {e}");
        }
        let report = Store::open_read_only(&db).unwrap().verify().unwrap();
        assert_eq!(report.problems.len(), 1, "{plant}: {report:?}");
        assert_eq!(report.problems[0].kind, ProblemKind::SchemaObject);
        assert_eq!(report.problems[0].detail, named);
    }
    // A table of its own dropped: refused, and verify says so rather than failing.
    let dir = tempfile::tempdir().unwrap();
    let db = analysed(dir.path());
    sql(&db, "DROP TABLE attachments");
    let e = Store::open(&db, Mode::Existing).err().expect("refused");
    assert!(e.to_string().contains("table attachments: missing"), "{e}");
    let out = run(&db, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("table attachments: missing"), "{stdout}");
}

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn a_write_protected_copy_verifies_and_is_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = analysed(dir.path());
    let police = dir.path().join("police");
    std::fs::create_dir(&police).unwrap();
    let copy = police.join("evidence.sqlite");
    std::fs::copy(&db, &copy).unwrap();
    let set_mode =
        |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    set_mode(&copy, 0o444);
    set_mode(&police, 0o555);
    let (hash, modified) = (
        sha256(&copy),
        std::fs::metadata(&copy).unwrap().modified().unwrap(),
    );

    let out = run(&copy, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains(": intact: "), "{stdout}");
    let reports = dir.path().join("reports");
    let out = run(&copy, &["report", "-o", reports.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Tests run as root, for whom the modes above do not stop writes: the library must not
    // try any.
    let store = Store::open_read_only(&copy).unwrap();
    assert!(store.verify().unwrap().intact());
    assert!(store.report_data(None, 0).unwrap().verification.intact());
    drop(store);

    assert_eq!(listing(&police), ["evidence.sqlite"], "no -wal or -shm beside it");
    assert_eq!(sha256(&copy), hash, "the bytes are unchanged");
    assert_eq!(std::fs::metadata(&copy).unwrap().modified().unwrap(), modified);
    set_mode(&police, 0o755);
}

#[test]
fn read_only_verify_sees_what_a_running_writer_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let mut writer = Store::open(&db, Mode::Create).unwrap();
    writer.begin_session("scan", &["hci0".into()], 0).unwrap();
    writer.add_note("still running", None, 1).unwrap();
    assert!(
        side(&db, "-wal").exists(),
        "the records are in the log, not yet in the file"
    );
    let report = Store::open_read_only(&db).unwrap().verify().unwrap();
    assert_eq!(report.records, 2);
    assert!(report.intact());
    assert_eq!(report.unclosed_sessions.len(), 1, "the scan is still going");
}

/// One closed session of `n` sightings: seq 1 starts it, sightings are 2..=n+1.
fn sightings_store(dir: &Path, n: i64) -> PathBuf {
    let db = dir.join("evidence.sqlite");
    let mut store = Store::open(&db, Mode::Create).unwrap();
    let session = store.begin_session("scan", &["hci0".into()], 0).unwrap();
    let all: Vec<_> = (0..n)
        .map(|i| sighting("apple_find_my-aaaa", i, "hci0"))
        .collect();
    store.add_sightings(session, &all).unwrap();
    store.end_session(session, n, 0).unwrap();
    db
}

#[test]
fn every_damaged_range_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = sightings_store(dir.path(), 500);
    sql(
        &db,
        "UPDATE records SET payload = CAST(replace(CAST(payload AS TEXT), '\"hci0\"', '\"hci1\"') AS BLOB)
             WHERE seq BETWEEN 120 AND 130;
         DELETE FROM records WHERE seq BETWEEN 400 AND 411;",
    );
    let out = run(&db, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("BROKEN: 2 problems in 490 records"), "{stdout}");
    assert!(stdout.contains("records 120-130: content changed"), "{stdout}");
    assert!(
        stdout.contains("after record 399: 12 records missing"),
        "{stdout}"
    );
    let report = Store::open_read_only(&db).unwrap().verify().unwrap();
    let ranges: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.first, p.last))
        .collect();
    assert_eq!(
        ranges,
        [
            (ProblemKind::ContentChanged, 120, 130),
            (ProblemKind::Missing, 400, 411)
        ]
    );
}

#[test]
fn a_cut_tail_is_a_warning_that_names_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = analysed(dir.path());
    // The verdicts and the end of the session, gone.
    sql(
        &db,
        "DELETE FROM records WHERE seq > (SELECT max(seq) FROM records WHERE kind = 'sighting')",
    );
    let out = run(&db, &["verify"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a warning, not a break: {stdout}");
    assert!(stdout.contains("warning: session 1 (analyze, began "), "{stdout}");
    assert!(stdout.contains("never closed"), "{stdout}");
    assert!(stdout.contains("records were cut from the end"), "{stdout}");
    assert!(
        stdout.contains("only an anchor kept elsewhere can tell"),
        "{stdout}"
    );

    let reports = dir.path().join("reports");
    let out = run(&db, &["report", "-o", reports.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (lang, says) in [("en", "has no end record"), ("ja", "終了の記録がありません")] {
        let html = std::fs::read_to_string(reports.join(format!("report-{lang}.html"))).unwrap();
        assert!(html.contains(says), "{lang}");
    }
}

#[test]
fn eight_processes_creating_one_database_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let children: Vec<_> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_tagwatch"))
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["analyze", DEMO, "--db"])
                .arg(&db)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    assert_eq!(count(&db, "SELECT count(*) FROM sqlite_schema"), 2, "one schema");
    assert_eq!(
        count(&db, "SELECT count(*) FROM records WHERE kind = 'session_start'"),
        8
    );
    let report = Store::open_read_only(&db).unwrap().verify().unwrap();
    assert!(report.intact(), "{report:?}");
    assert!(report.unclosed_sessions.is_empty());
}

#[test]
fn a_broken_chain_is_reported_only_when_asked_and_then_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = analysed(dir.path());
    sql(
        &db,
        "UPDATE records SET payload = CAST(replace(CAST(payload AS TEXT), 'demo-', 'demo_') AS BLOB)
             WHERE seq = 5;",
    );
    let reports = dir.path().join("reports");
    let export = dir.path().join("sightings.json");
    let broken = Store::open_read_only(&db).unwrap().verify().unwrap();
    assert_eq!(broken.problems.len(), 1, "{broken:?}");
    let out = run(&db, &["report", "-o", reports.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("record 5: content changed"), "{stderr}");
    assert!(stderr.contains("--even-if-broken"), "{stderr}");
    assert!(!reports.exists());
    let out = run(
        &db,
        &["export", "--format", "json", "-o", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(!export.exists());

    let out = run(
        &db,
        &["report", "--even-if-broken", "-o", reports.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (lang, title, problem) in [
        (
            "en",
            "Warning: this evidence does not verify",
            "record 5: content changed",
        ),
        (
            "ja",
            "警告：この証拠は検証に失敗しました",
            "記録 5：内容が変更されています",
        ),
    ] {
        let html = std::fs::read_to_string(reports.join(format!("report-{lang}.html"))).unwrap();
        assert!(html.contains(title), "{lang}");
        assert!(html.contains(problem), "{lang}");
        assert!(
            html.contains("class=\"broken-mark\""),
            "{lang}: marked on printed pages"
        );
    }

    for format in ["json", "geojson", "csv", "kml"] {
        let out = run(
            &db,
            &["export", "--even-if-broken", "--format", format, "-o", "-"],
        );
        assert_eq!(out.status.code(), Some(0), "{format}");
        let body = text(&out.stdout);
        match format {
            "json" | "geojson" => {
                let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                let problems = &json["verification"]["problems"];
                assert_eq!(problems[0]["kind"], "content_changed", "{format}");
                assert_eq!(problems[0]["first"], 5, "{format}");
            }
            "csv" => {
                let mut lines = body.lines();
                assert!(lines.next().unwrap().contains(",verification,"));
                assert!(lines.all(|l| l.contains("BROKEN: record 5: content changed")));
            }
            _ => {
                assert!(body.contains("<Data name=\"verification\">"), "{body}");
                assert!(body.contains("BROKEN: record 5: content changed"));
            }
        }
    }
}

#[test]
fn a_writer_starting_during_an_immutable_read_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let db = sightings_store(dir.path(), 3);
    // No -wal beside it: read as immutable, which cannot see a writer.
    let reader = Store::open_read_only(&db).unwrap();
    assert!(reader.verify().unwrap().intact());
    let mut writer = Store::open(&db, Mode::Existing).unwrap();
    writer.add_note("written meanwhile", None, 9).unwrap();
    assert!(matches!(
        reader.verify(),
        Err(StoreError::ChangedWhileRead { .. })
    ));
    assert!(matches!(
        reader.report_data(None, 0),
        Err(StoreError::ChangedWhileRead { .. })
    ));
}

#[test]
fn read_only_open_takes_any_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = sightings_store(dir.path(), 3);
    let odd = dir.path().join("ev?dence #1 %20 ü.sqlite");
    std::fs::rename(&db, &odd).unwrap();
    let report = Store::open_read_only(&odd).unwrap().verify().unwrap();
    assert_eq!((report.records, report.intact()), (5, true));
    assert_eq!(listing(dir.path()), ["ev?dence #1 %20 ü.sqlite"]);
}
