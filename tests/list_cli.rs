//! `tagwatch list`: what the evidence database holds, read only; and the ids suggested when
//! `report` or `export` is given one that is not stored.

mod common;
use common::*;

use std::path::Path;

const COMMUTE: &str = "captures/commute_airtag-synthetic.btsnoop";
const COMMUTE_GPX: &str = "captures/commute_airtag-synthetic.gpx";
/// The AirTag that follows on the commute (`analyze` prints it).
const FOLLOWING: &str = "apple_find_my-0b04929b";

/// A database holding an analysis, a note and an anchor; the anchor's code.
fn filled(db: &Path) -> String {
    let run = |args: &[&str]| {
        let out = tagwatch().args(args).env("TAGWATCH_DB", db).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["analyze", "--track", COMMUTE_GPX, COMMUTE]);
    run(&[
        "note",
        "found it in the lining of my bag\u{202e}, sewn in behind the zip",
    ]);
    let anchor = run(&["anchor", "--no-qr"]);
    anchor
        .split_whitespace()
        .find(|w| w.starts_with("TW1-"))
        .expect("an anchor code")
        .to_string()
}

#[test]
fn list_shows_sessions_trackers_notes_and_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let code = filled(&db);
    let before = std::fs::read(&db).unwrap();
    let out = tagwatch().arg("list").env("TAGWATCH_DB", &db).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Sessions (1)"), "{text}");
    assert!(text.contains("analyze  ") && text.contains(COMMUTE), "{text}");
    assert!(text.contains("Sweeps (0)"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains(FOLLOWING))
        .expect("the AirTag listed");
    assert!(line.contains("FOLLOWING") && line.contains("1 day"), "{line}");
    assert!(text.contains("Notes (1)"), "{text}");
    // The note's first words, with the bidirectional control made harmless.
    assert!(
        text.contains("found it in the lining of my bag\u{FFFD}, sewn in"),
        "{text}"
    );
    assert!(!text.contains('\u{202e}'));
    assert!(text.contains("Anchors (2)") && text.contains(&code), "{text}");
    // Read only: not a byte changed.
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn list_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite");
    let out = tagwatch().arg("list").arg("--db").arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no evidence database"));
    assert!(!db.exists());
}

#[test]
fn an_unknown_tracker_id_suggests_the_stored_ones_near_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    filled(&db);
    // Cut short (copied from a narrow terminal) and mistyped.
    for wrong in ["apple_find_my-0b04", "apple_find_my-0b04929c"] {
        for args in [
            vec![
                "report",
                "-o",
                dir.path().join("r").to_str().unwrap(),
                "--tracker",
                wrong,
            ],
            vec!["export", "--format", "csv", "-o", "-", "--tracker", wrong],
        ] {
            let out = tagwatch().args(&args).env("TAGWATCH_DB", &db).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(7), "{err}");
            assert!(err.contains(&format!("did you mean: {FOLLOWING}?")), "{err}");
            // A mistyped id is the command line's mistake, not a failure of the store.
            assert!(
                err.starts_with(&format!("error: no tracker \"{wrong}\"")),
                "{err}"
            );
            assert!(!err.contains("evidence store"), "{err}");
        }
    }
    let out = tagwatch()
        .args([
            "export",
            "--format",
            "csv",
            "-o",
            "-",
            "--tracker",
            "something-else-entirely",
        ])
        .env("TAGWATCH_DB", &db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7));
    assert!(
        !err.contains("did you mean") && err.contains("`tagwatch list`"),
        "{err}"
    );
}
