//! The library's errors worded in both languages, each keeping the file and where in it.

use std::path::{Path, PathBuf};

use super::{Lang, Localised};
use crate::capture;
use crate::correlate::Allowlist;
use crate::files::{self, FileError};
use crate::location::{self, TrackError};
use crate::store::{Mode, Store, StoreError};

/// The error's text in Japanese and in English, which is also its `Display`.
fn both(e: &dyn Localised) -> (String, String) {
    let en = e.text(Lang::En);
    assert_eq!(en, e.to_string(), "Display is the English");
    (e.text(Lang::Ja), en)
}

/// Asserts that the error's Japanese and English texts begin with `ja` and `en`.
fn begins(e: &dyn Localised, ja: &str, en: &str) -> (String, String) {
    let (ja_text, en_text) = both(e);
    assert!(en_text.starts_with(en), "{en_text}");
    assert!(ja_text.starts_with(ja), "{ja_text}");
    (ja_text, en_text)
}

fn capture_error(bytes: &[u8]) -> capture::CaptureError {
    let mut cap = match capture::from_reader(
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        Path::new("cut.btsnoop"),
    ) {
        Ok(cap) => cap,
        Err(e) => return e,
    };
    loop {
        match cap.source.next_record(&mut |_| {}) {
            Ok(true) => {}
            Ok(false) => panic!("read to the end"),
            Err(e) => return e,
        }
    }
}

#[test]
fn a_truncated_capture_names_file_format_offset_and_record() {
    let mut bytes = b"btsnoop\0\0\0\0\x01\0\0\x03\xe9".to_vec();
    bytes.extend([0u8; 10]);
    let (ja, en) = both(&capture_error(&bytes));
    assert_eq!(
        en,
        "cut.btsnoop: btsnoop capture: truncated record header at byte offset 16"
    );
    assert_eq!(
        ja,
        "cut.btsnoop：btsnoop キャプチャ（16 バイト目）：レコードヘッダーが途中で切れています"
    );
}

#[test]
fn a_capture_of_the_wrong_kind_says_what_it_looks_like() {
    let (ja, en) = both(&capture_error(b"this is not a capture\n"));
    assert!(
        en.starts_with("cut.btsnoop: unknown format: not a btsnoop"),
        "{en}"
    );
    assert!(ja.starts_with("cut.btsnoop：形式が不明です。"), "{ja}");
    let gpx = b"<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><trkseg></trkseg></trk></gpx>\n";
    let (ja, en) = both(&capture_error(gpx));
    assert!(
        en.ends_with("this looks like a GPX track, not a capture: give it with --track"),
        "{en}"
    );
    assert!(
        ja.ends_with("キャプチャではなく GPX の軌跡のようです。--track で指定してください"),
        "{ja}"
    );
    let (ja, en) = both(&capture_error(b""));
    assert_eq!(
        (ja.as_str(), en.as_str()),
        (
            "cut.btsnoop：空のファイルで、キャプチャではありません",
            "cut.btsnoop: empty file, not a capture"
        )
    );
}

#[test]
fn a_missing_capture_does_not_exist_in_either_language() {
    let Err(e) = capture::open(Path::new("/no/such.btsnoop")) else {
        panic!("opened");
    };
    let (ja, en) = both(&e);
    assert_eq!(en, "/no/such.btsnoop: cannot open: the file does not exist");
    assert_eq!(ja, "/no/such.btsnoop：開けません（ファイルが存在しません）");
}

#[test]
fn files_read_whole_say_what_they_are_and_their_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (ja, en) = both(&files::read_regular(dir.path(), files::TRACK).unwrap_err());
    assert!(en.ends_with(": not a regular file (a folder)"), "{en}");
    assert!(ja.ends_with("：通常のファイルではありません（フォルダ）"), "{ja}");
    // One byte over a cap: in bytes, as each language writes them.
    for (name, len, cap, en_end, ja_end) in [
        (
            "big.gpx",
            300 << 20,
            files::TRACK,
            "big.gpx: 300 MiB is larger than the 256 MiB a track may be",
            "big.gpx：軌跡の上限 256 MiB を超えています（300 MiB）",
        ),
        (
            "mine.txt",
            (1 << 20) + 1,
            files::LIST,
            "mine.txt: 1,048,577 bytes is larger than the 1 MiB a list may be",
            "mine.txt：一覧の上限 1 MiB を超えています（1,048,577 バイト）",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::File::create(&file).unwrap().set_len(len).unwrap();
        let (ja, en) = both(&files::read_regular(&file, cap).unwrap_err());
        assert!(en.ends_with(en_end), "{en}");
        assert!(ja.ends_with(ja_end), "{ja}");
    }
    let e = files::read_regular(&dir.path().join("gone.txt"), files::LIST).unwrap_err();
    assert!(matches!(e, FileError::Io { .. }));
    let (ja, en) = both(&e);
    assert!(
        en.ends_with("gone.txt: cannot read: the file does not exist"),
        "{en}"
    );
    assert!(
        ja.ends_with("gone.txt：読み取れません（ファイルが存在しません）"),
        "{ja}"
    );
}

#[test]
fn a_broken_track_names_file_format_and_byte_or_line() {
    let dir = tempfile::tempdir().unwrap();
    let gpx = dir.path().join("walk.gpx");
    std::fs::write(&gpx, "<gpx><trk><trkpt lat=\"1\" lon=\"2\"></trk></gpx>").unwrap();
    let e = location::read_track(&gpx).unwrap_err();
    assert!(matches!(e, TrackError::Parse { .. }), "{e}");
    let (ja, en) = both(&e);
    assert!(
        en.contains("walk.gpx: GPX: byte ") && en.contains(": broken XML: "),
        "{en}"
    );
    assert!(
        ja.contains("walk.gpx：GPX：") && ja.contains(" バイト目：XML が壊れています（"),
        "{ja}"
    );
    let txt = dir.path().join("walk.txt");
    std::fs::write(&txt, "hello\n").unwrap();
    let (ja, en) = both(&location::read_track(&txt).unwrap_err());
    assert!(en.contains("walk.txt: not a recognised track"), "{en}");
    assert!(ja.contains("walk.txt：軌跡として認識できません"), "{ja}");
    let nmea = dir.path().join("walk.nmea");
    std::fs::write(&nmea, "$GPRMC,120000,V,,,,,,,010120,,,N*00\n").unwrap();
    let (ja, en) = both(&location::read_track(&nmea).unwrap_err());
    assert!(
        en.contains("walk.nmea: NMEA 0183: no usable fix: 0 fixes, 1 record skipped (first at line 1: "),
        "{en}"
    );
    assert!(
        ja.contains(
            "walk.nmea：NMEA 0183：使える測位がありません（測位 0 件、読み飛ばした記録 1 件（最初は 1 行目："
        ),
        "{ja}"
    );
    // The record's own problem is worded too, with its values.
    assert!(
        en.ends_with("line 1: checksum 00 does not match computed 52)"),
        "{en}"
    );
    assert!(
        ja.ends_with("1 行目：チェックサム 00 が計算値 52 と一致しません））"),
        "{ja}"
    );
}

#[test]
fn a_bad_field_of_a_track_record_is_named_with_its_value() {
    let (_, report) = location::parse_nmea("$GPRMC,250000,A,3540.0,N,13945.0,E,0,0,010120,,*00\n");
    let first = report.first_problem.expect("a skipped record");
    assert_eq!(first.at, location::At::Line(1));
    let (ja, en) = both(&first);
    assert!(en.starts_with("line 1: "), "{en}");
    assert!(ja.starts_with("1 行目："), "{ja}");
    let line = "$GPRMC,250000,A,3540.0,N,13945.0,E,0,0,010120,,";
    let sum = line[1..].bytes().fold(0u8, |a, b| a ^ b);
    let (_, report) = location::parse_nmea(&format!("{line}*{sum:02X}\n"));
    let (ja, en) = both(&report.first_problem.expect("a skipped record"));
    assert_eq!(en, "line 1: RMC: bad time \"250000\"");
    assert_eq!(ja, "1 行目：RMC：時刻 \"250000\" が不正です");
}

#[test]
fn database_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    std::fs::write(
        &db,
        b"not sqlite at all, and long enough to be looked at as a header\n",
    )
    .unwrap();
    let Err(e) = Store::open(&db, Mode::Create) else {
        panic!("opened");
    };
    let (ja, en) = both(&e);
    assert!(
        en.ends_with("evidence.sqlite: not a tagwatch evidence database (left untouched)"),
        "{en}"
    );
    assert!(
        ja.ends_with("evidence.sqlite：tagwatch の証拠データベースではありません（変更していません）"),
        "{ja}"
    );
    let Err(e) = Store::open(&dir.path().join("none.sqlite"), Mode::Existing) else {
        panic!("opened");
    };
    assert!(matches!(e, StoreError::Missing { .. }));
    let (ja, _) = both(&e);
    assert!(
        ja.contains("none.sqlite：ここに証拠データベースはありません"),
        "{ja}"
    );
    let Err(e) = Store::open(dir.path(), Mode::Create) else {
        panic!("opened");
    };
    let (ja, en) = both(&e);
    assert!(en.ends_with(": cannot open: it is a folder"), "{en}");
    assert!(ja.ends_with("：開けません（フォルダです）"), "{ja}");
}

#[test]
fn allow_lists_and_places_files_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let list: PathBuf = dir.path().join("mine.txt");
    std::fs::write(&list, "C4:12:34:56:78:9A\nmy keys\n").unwrap();
    let (ja, en) = both(&Allowlist::read(&list).unwrap_err());
    assert!(
        en.ends_with("mine.txt: line 2: \"my keys\" is not an address, a tagwatch id or identity:HEX"),
        "{en}"
    );
    assert!(ja.ends_with("mine.txt：2 行目：\"my keys\" は、アドレス、tagwatch の ID、identity:16進数 のいずれでもありません"), "{ja}");
    std::fs::write(&list, "home=35.68,139.76\nwork=35.0\n").unwrap();
    let (ja, en) = both(&crate::correlate::NamedPlace::read_file(&list).unwrap_err());
    assert!(
        en.ends_with("mine.txt: line 2: \"work=35.0\" is not NAME=LAT,LON[,RADIUS_M]"),
        "{en}"
    );
    assert!(ja.ends_with("mine.txt：2 行目：\"work=35.0\" は NAME=LAT,LON[,RADIUS_M]（名前=緯度,経度[,半径 m]）の形ではありません"), "{ja}");
}

#[test]
fn verify_words_each_damaged_range_and_unclosed_session_in_both_languages() {
    use crate::store::{Problem, ProblemKind, UnclosedSession};
    for (kind, first, last, en_start, ja_start) in [
        (
            ProblemKind::Missing,
            400,
            411,
            "after record 399: 12 records missing",
            "記録 399 の後：12 件の記録が欠落しています",
        ),
        (
            ProblemKind::ContentChanged,
            7,
            9,
            "records 7-9: content changed",
            "記録 7〜9：内容が変更されています",
        ),
    ] {
        let detail = String::new();
        begins(
            &Problem {
                kind,
                first,
                last,
                detail,
            },
            ja_start,
            en_start,
        );
    }
    let session = UnclosedSession {
        session: 3,
        kind: "scan".into(),
        started_us: 1_764_000_000_000_000,
        last: true,
    };
    let (ja, _) = begins(
        &session,
        "セッション 3（scan、2025-11-24 16:00 UTC 開始）が終了していません",
        "session 3 (scan, began 2025-11-24 16:00 UTC) never closed: ",
    );
    assert!(ja.contains("アンカー") && !ja.contains("あなた"), "{ja}");
}

#[test]
fn anchors_refused_and_broken_chains_are_worded_for_the_police() {
    use crate::i18n::Message;
    use crate::store::anchor::AnchorError;
    let (ja, en) = both(&AnchorError::Empty);
    assert_eq!(en, "the database holds no records yet: nothing to anchor");
    assert_eq!(ja, "データベースにまだ記録がないため、アンカーは作成できません");
    let gap = Message::new("chain-gap").with("seq", 9).with("before", 5);
    let (ja, en) = both(&AnchorError::Broken(gap));
    assert_eq!(
        en,
        "the chain does not verify (record 9 follows record 5: records are missing or were \
         inserted); no anchor kept, run `tagwatch verify`"
    );
    assert!(
        ja.starts_with("チェーンの検証に失敗しました（記録 9 が記録 5 の次にあります："),
        "{ja}"
    );
    assert!(ja.ends_with("`tagwatch verify` を実行してください"), "{ja}");
    for m in [&ja, &en] {
        assert!(!m.contains("あなた"), "{m}");
    }
}

#[test]
fn timestamp_authority_errors_keep_its_own_words_inside_ours() {
    use crate::anchor::tsa::TsaError;
    let refused = TsaError::Refused {
        status: 2,
        text: ": bad alg".into(),
    };
    let (ja, en) = both(&refused);
    assert_eq!(en, "it refused: status 2: bad alg");
    assert_eq!(ja, "要求が拒否されました：ステータス 2: bad alg");
    let (ja, en) = both(&TsaError::Status(503));
    assert_eq!(
        (ja.as_str(), en.as_str()),
        ("HTTP 503 が返されました", "it answered HTTP 503")
    );
    let (ja, _) = both(&TsaError::Imprint);
    assert!(ja.contains("メッセージインプリント"), "{ja}");
}

#[test]
fn gpsd_errors_name_the_address_in_both_languages() {
    use crate::location::gpsd::GpsdError;
    use crate::scan::LinkState;
    let timeout = GpsdError::Timeout {
        addr: "localhost:2947".into(),
        timeout: std::time::Duration::from_millis(2500),
    };
    let (ja, en) = both(&timeout);
    assert_eq!(en, "no fix from gpsd at localhost:2947 within 2.5 s");
    assert_eq!(ja, "localhost:2947 の gpsd から 2.5 秒以内に測位が届きません");
    let refused = GpsdError::Unreachable {
        addr: "127.0.0.1:9".into(),
        source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
    };
    let (ja, en) = both(&refused);
    assert!(en.starts_with("cannot reach gpsd at 127.0.0.1:9: "), "{en}");
    assert!(ja.starts_with("127.0.0.1:9 の gpsd に接続できません："), "{ja}");
    // A live view keeps the message, worded when drawn.
    let down = LinkState::Down(timeout.message());
    assert_eq!(
        down.text(Lang::Ja),
        format!("停止：{ja_timeout}", ja_timeout = timeout.text(Lang::Ja))
    );
    assert_eq!(down.to_string(), format!("down: {}", timeout));
}

#[test]
fn records_not_understood_say_why_in_both_languages() {
    use crate::capture::Unreadable;
    let reason = |why: Unreadable| {
        let (en, ja) = (why.message().text(Lang::En), why.message().text(Lang::Ja));
        assert_eq!(en, why.to_string(), "Display is the English");
        (ja, en)
    };
    let (ja, en) = reason(Unreadable::LinkType(1));
    assert_eq!(en, "link type 1: tagwatch reads 187, 201, 251, 256 and 272");
    assert_eq!(
        ja,
        "リンク種別 1：tagwatch が読めるのは 187、201、251、256、272 です"
    );
    let (ja, en) = reason(Unreadable::NordicPacketId { version: 3, id: 0x0E });
    assert_eq!(
        en,
        "nRF Sniffer message 0x0e: not a received packet in header version 3"
    );
    assert_eq!(
        ja,
        "nRF Sniffer のメッセージ 0x0e：ヘッダーバージョン 3 の受信パケットではありません"
    );
}
