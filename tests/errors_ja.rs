//! What a person reads when an input is bad, in Japanese (LANG=ja_JP.UTF-8): the file, where
//! in it, and what is wrong, with the same exit codes as in English.

mod common;

use std::path::Path;

use common::tagwatch;
use tagwatch::exit;

const CAPTURE: &str = "captures/demo-synthetic.btsnoop";

/// Runs tagwatch in Japanese: (exit code, stderr).
fn ja(args: &[&str]) -> (i32, String) {
    let out = tagwatch().env("LANG", "ja_JP.UTF-8").args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_missing_capture_is_said_not_to_exist() {
    let (code, err) = ja(&["analyze", "no-such-capture.btsnoop"]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    assert!(
        err.contains("エラー：no-such-capture.btsnoop：開けません（ファイルが存在しません）"),
        "{err}"
    );
    assert!(!err.contains("unknown format"), "{err}");
}

#[test]
fn a_truncated_capture_names_the_file_the_offset_and_the_cut_record() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.btsnoop");
    let bytes = std::fs::read(CAPTURE).unwrap();
    std::fs::write(&cut, &bytes[..1000]).unwrap();
    let (code, err) = ja(&["analyze", "--no-store", path(&cut)]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    // The record that 1,000 bytes cut starts at byte 992 (24-byte headers, 16-byte file header).
    assert!(
        err.contains("cut.btsnoop：btsnoop キャプチャ（992 バイト目）：レコードヘッダーが途中で切れています"),
        "{err}"
    );
}

#[test]
fn a_broken_gpx_and_an_nmea_without_fixes_are_worded_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("walk.gpx");
    std::fs::write(&gpx, "<gpx><trk><trkpt lat=\"1\" lon=\"2\"></trk></gpx>").unwrap();
    let (code, err) = ja(&["analyze", "--no-store", CAPTURE, "--track", path(&gpx)]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    assert!(err.contains("walk.gpx：GPX："), "{err}");
    assert!(err.contains(" バイト目：XML が壊れています（"), "{err}");

    let nmea = dir.path().join("walk.nmea");
    std::fs::write(&nmea, "$GPRMC,120000,V,,,,,,,010120,,,N*00\n").unwrap();
    let (code, err) = ja(&["analyze", "--no-store", CAPTURE, "--track", path(&nmea)]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    assert!(
        err.contains(
            "walk.nmea：NMEA 0183：使える測位がありません（測位 0 件、読み飛ばした記録 1 件（最初は 1 行目：チェックサム 00 が計算値 52 と一致しません））"
        ),
        "{err}"
    );
    assert!(!err.contains("does not match"), "{err}");

    let (code, err) = ja(&["analyze", "--no-store", CAPTURE, "--track", "no-such.gpx"]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    assert!(
        err.contains("no-such.gpx：読み取れません（ファイルが存在しません）"),
        "{err}"
    );
}

#[test]
fn a_damaged_database_is_left_untouched_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    std::fs::write(&db, b"this was a database once\n").unwrap();
    let (code, err) = ja(&["analyze", CAPTURE, "--db", path(&db)]);
    assert_eq!(code, i32::from(exit::DATABASE));
    assert!(
        err.contains("evidence.sqlite：tagwatch の証拠データベースではありません（変更していません）"),
        "{err}"
    );
    assert!(err.contains("--no-store を指定してください"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), b"this was a database once\n");
}

#[test]
fn a_bad_allow_list_line_is_named_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let allow = dir.path().join("mine.txt");
    std::fs::write(&allow, "C4:12:34:56:78:9A\nmy keys\n").unwrap();
    let (code, err) = ja(&["analyze", "--no-store", CAPTURE, "--allow", path(&allow)]);
    assert_eq!(code, i32::from(exit::BAD_INPUT));
    assert!(
        err.contains("mine.txt：2 行目：\"my keys\" は、アドレス、tagwatch の ID、identity:16進数 のいずれでもありません"),
        "{err}"
    );
}

#[test]
fn anchor_refusals_and_a_cut_chain_are_worded_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    tagwatch::store::Store::open(&db, tagwatch::store::Mode::Create).unwrap();
    let (code, err) = ja(&["anchor", "--db", path(&db)]);
    assert_eq!(code, i32::from(exit::DATABASE));
    assert!(
        err.contains("データベースにまだ記録がないため、アンカーは作成できません"),
        "{err}"
    );

    let (code, err) = ja(&["analyze", CAPTURE, "--db", path(&db)]);
    assert_eq!(code, i32::from(exit::OK), "{err}");
    // An anchor vouching for more records than the chain holds: its tail was cut.
    let anchor = tagwatch::anchor::Code::new(100_000, &[0; 32]).short().to_string();
    let out = tagwatch()
        .env("LANG", "ja_JP.UTF-8")
        .args(["verify", "--db", path(&db), "--anchor", &anchor])
        .output()
        .unwrap();
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BROKEN)), "{said}");
    assert!(
        said.contains("アンカーは 100,000 件の記録を保証しています"),
        "{said}"
    );
    assert!(said.contains("件が削除されています"), "{said}");
    assert!(!said.contains("cut off"), "{said}");
}
