//! Hostile outputs (issue 11): a report, export or recording path prepared by someone else
//! (a link to the evidence database, a pipe, an existing recording) is refused, never written
//! through or re-permissioned; spreadsheet formulas and text-reordering characters in stored
//! data stay inert; damaged times in stored evidence make a report, not a panic.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tagwatch::exit;

fn digest(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An evidence database holding the bundled demo's trackers.
fn evidence(dir: &Path) -> PathBuf {
    let db = dir.join("evidence.sqlite");
    tagwatch()
        .args(["analyze", "captures/demo-synthetic.btsnoop"])
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
    db
}

#[cfg(unix)]
#[test]
fn a_report_name_linked_to_the_evidence_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = evidence(dir.path());
    let before = digest(&db);
    let out = dir.path().join("report");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&db, out.join("report-ja.html")).unwrap();
    let run = tagwatch()
        .args(["report", "--lang", "ja", "-o"])
        .arg(&out)
        .env("TAGWATCH_DB", &db)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(exit::OUTPUT.into()));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("report-ja.html") && stderr.contains("symbolic link"),
        "{stderr}"
    );
    assert_eq!(digest(&db), before, "the evidence database is untouched");
    tagwatch()
        .arg("verify")
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();

    // The same for an export, and the link itself is left as it was.
    let link = dir.path().join("sightings.csv");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    tagwatch()
        .args(["export", "--format", "csv", "-o"])
        .arg(&link)
        .env("TAGWATCH_DB", &db)
        .assert()
        .code(i32::from(exit::OUTPUT));
    assert_eq!(digest(&db), before);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[cfg(unix)]
#[test]
fn an_export_into_a_pipe_or_device_neither_writes_nor_changes_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = evidence(dir.path());
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let before = mode(&fifo);
    // A FIFO with no reader would block a writer forever: refusing is the only way to finish.
    let run = tagwatch()
        .args(["export", "--format", "json", "-o"])
        .arg(&fifo)
        .env("TAGWATCH_DB", &db)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(exit::OUTPUT.into()));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a regular file"));
    assert_eq!(mode(&fifo), before);
    // /dev/null is refused the same way, by its type: its mode is never touched.
    let null_mode = mode(Path::new("/dev/null"));
    tagwatch()
        .args(["export", "--format", "csv", "-o", "/dev/null"])
        .env("TAGWATCH_DB", &db)
        .assert()
        .code(i32::from(exit::OUTPUT));
    assert_eq!(mode(Path::new("/dev/null")), null_mode);
}

#[cfg(unix)]
#[test]
fn reports_replace_their_own_files_privately_and_leave_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = evidence(dir.path());
    let out = dir.path().join("report");
    std::fs::create_dir(&out).unwrap();
    let old = out.join("report-en.html");
    std::fs::write(&old, "an older report").unwrap();
    std::fs::set_permissions(&old, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    tagwatch()
        .args(["report", "-o"])
        .arg(&out)
        .env("TAGWATCH_DB", &db)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The two pages and their appendix (every sighting), nothing else.
    assert_eq!(
        names,
        ["report-en.html", "report-ja.html", "report-sightings.csv"]
    );
    for name in &names {
        assert_eq!(mode(&out.join(name)), 0o600, "{name}");
    }
    assert!(
        std::fs::read_to_string(&old)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[cfg(unix)]
#[test]
fn a_recording_is_private_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("today.jsonl");
    tagwatch()
        .args(["scan", "--headless", "--no-store", "--speed", "0", "--replay"])
        .arg("captures/demo-synthetic.btsnoop")
        .arg("--record")
        .arg(&record)
        .assert()
        .success();
    assert_eq!(mode(&record), 0o600);
    let recorded = digest(&record);
    let run = tagwatch()
        .args(["scan", "--headless", "--no-store", "--speed", "0", "--replay"])
        .arg("captures/demo-synthetic.btsnoop")
        .arg("--record")
        .arg(&record)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(exit::OUTPUT.into()));
    assert!(String::from_utf8_lossy(&run.stderr).contains("never overwritten"));
    assert_eq!(digest(&record), recorded);
}

#[test]
fn place_names_that_would_reorder_or_steer_the_terminal_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let places = dir.path().join("places.txt");
    std::fs::write(&places, "\u{202e}emoh=35.68,139.76\n").unwrap();
    let run = tagwatch()
        .args(["analyze", "--no-store", "--places"])
        .arg(&places)
        .arg("captures/demo-synthetic.btsnoop")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(exit::BAD_INPUT.into()));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("bidirectional"), "{stderr}");
    assert!(
        !stderr.contains('\u{202e}'),
        "the character itself is never printed"
    );
}

#[test]
fn steering_characters_in_file_names_are_neutralised_in_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("trip\u{202e}gol.btsnoop");
    std::fs::copy("captures/demo-synthetic.btsnoop", &odd).unwrap();
    let out = tagwatch()
        .args(["analyze", "--no-store"])
        .arg(&odd)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("trip\u{fffd}gol.btsnoop"), "{stdout}");
    assert!(!stdout.contains('\u{202e}'));
    // JSON keeps the exact name for programs, written as an escape a terminal shows as such.
    let (_, json, _) = analyze_json(&[odd.as_os_str(), "--no-store".as_ref()]);
    assert_eq!(json["captures"][0]["path"], odd.display().to_string());
    let raw = tagwatch()
        .args(["analyze", "--no-store", "--format", "json"])
        .arg(&odd)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&raw.stdout);
    assert!(
        text.contains("trip\\u202egol.btsnoop") && !text.contains('\u{202e}'),
        "{text}"
    );
}
