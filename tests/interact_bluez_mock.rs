//! `tagwatch ring` and `tagwatch identify` as a user runs them, against trackers played by a
//! mock BlueZ (python3-dbusmock's bluez5 template with GATT objects added by
//! tests/fixtures/bluez_mock.py) on a private bus: the real btleplug path from hearing the
//! tracker to the last GATT write, the evidence note, and the errors people see. The mock
//! accessories answer as the DULT draft and Apple's ADK say; the log of what tagwatch wrote
//! is compared with the bytes those specifications give.

mod common;

use std::path::Path;

use common::bluez::{AIRTAG, MockBluez};
use common::tmux::{Tmux, wait_for_file};
use tagwatch::store::{Mode, Store};

const ADDR: &str = "C4:11:22:33:44:55";
const DULT_CP: &str = "8e0c0001-1d68-fb92-bf61-48377421680e";
/// DULT service data: network 2 (Google), separated, a 20-byte identifier.
const DULT_AD: [&str; 4] = ["-", "00", "fcb2", "02001111111111111111111111111111111111111111"];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    log: Vec<String>,
    notes: Vec<String>,
}

/// Runs `tagwatch COMMAND TARGET` with a mock tracker of `kind` at ADDR advertising `ad`
/// (None: silent), and an evidence database prepared by `prepare`.
fn run(kind: &str, ad: Option<&[&str]>, args: &[&str], prepare: impl FnOnce(&Path)) -> Option<Run> {
    let bluez = MockBluez::start()?;
    assert!(bluez.drive(&["add-accessory", "hci0", ADDR, kind]));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    prepare(&db);
    let _advertising = ad.map(|ad| bluez.keep_advertising(ADDR, ad));
    let out = common::tagwatch()
        .args(args)
        .arg("--db")
        .arg(&db)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bluez.bus)
        .output()
        .unwrap();
    let notes = match db.exists() {
        true => Store::open(&db, Mode::Create)
            .unwrap()
            .report_data(None, 0)
            .unwrap()
            .notes
            .into_iter()
            .map(|n| n.text)
            .collect(),
        false => Vec::new(),
    };
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        log: bluez.log(ADDR),
        notes,
    })
}

fn writes(uuid: &str, values: &[&str]) -> Vec<String> {
    values.iter().map(|v| format!("write {uuid} {v}")).collect()
}

#[test]
fn ring_a_dult_tracker_and_keep_it_as_evidence() {
    let Some(r) = run("dult", Some(&DULT_AD), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Indications on first, then Sound_Start 0x0300, little endian ("Play sound").
    let mut want = vec![format!("notify {DULT_CP}")];
    want.extend(writes(DULT_CP, &["0003"]));
    assert_eq!(r.log, want);
    assert!(
        r.stdout
            .contains("played its sound (DULT non-owner sound) and finished"),
        "{}",
        r.stdout
    );
    let [note] = r.notes.as_slice() else {
        panic!("one note expected: {:?}", r.notes);
    };
    assert!(note.starts_with(&format!("ring {ADDR} (dult): ")), "{note}");
    assert!(
        note.contains("heard at -60 dBm just before, advertisement 1916b2fc0200"),
        "{note}"
    );
}

#[test]
fn identify_a_dult_tracker_reads_everything_the_draft_lists() {
    let Some(r) = run("dult", Some(&DULT_AD), &["identify", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("physical action"),
        "the person is told first: {}",
        r.stderr
    );
    // GAP name, indications, the ten accessory information requests 0x003..0x00C, then
    // Get_Identifier 0x0404.
    let mut want = vec![
        "read 00002a00-0000-1000-8000-00805f9b34fb".to_string(),
        format!("notify {DULT_CP}"),
    ];
    want.extend(writes(
        DULT_CP,
        &[
            "0300", "0400", "0500", "0600", "0700", "0800", "0900", "0a00", "0b00", "0c00", "0404",
        ],
    ));
    assert_eq!(r.log, want);
    let [note] = r.notes.as_slice() else {
        panic!("one note expected: {:?}", r.notes);
    };
    for line in [
        "identify C4:11:22:33:44:55 (dult) over DULT",
        "device name: Tag One",
        "manufacturer: Example Trackers",
        "model: Tag One",
        "product data: 4a31b2c3d4e5f607",
        "category: 1 (Location Tracker)",
        "firmware: 1.2.3",
        "identifier: 9f1c2b7a44e0d35186aa02c4b7e1f0d2",
    ] {
        assert!(note.lines().any(|l| l == line), "{line:?} not in {note}");
        assert!(r.stdout.contains(line), "{line:?} not printed: {}", r.stdout);
    }
}

#[test]
fn ring_an_airtag_by_its_id_from_the_evidence_over_find_my() {
    // The AirTag was stored by an earlier scan; `ring ID` listens at its latest address.
    let prepare = |db: &Path| {
        let mut store = Store::open(db, Mode::Create).unwrap();
        let s = store.begin_session("scan", &["hci0".into()], 0).unwrap();
        let mut sighting = common::sighting("tw-airtag", 1, "hci0");
        sighting.address = ADDR.to_string();
        store.add_sightings(s, &[sighting]).unwrap();
        store
            .save_trackers(s, &[common::tracker("tw-airtag", "high")])
            .unwrap();
    };
    let Some(r) = run("findmy", Some(&["004c", AIRTAG]), &["ring", "tw-airtag"], prepare) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Fragment header 0x01 (final), then Sound_Start 0x0300 little endian: AirGuard's 01 00 03.
    let cp = "4f860003-943b-49ef-bed4-2f730304427a";
    let mut want = vec![format!("notify {cp}")];
    want.extend(writes(cp, &["010003"]));
    assert_eq!(r.log, want);
    let [note] = r.notes.as_slice() else {
        panic!("one note expected: {:?}", r.notes);
    };
    assert!(
        note.starts_with(&format!("ring {ADDR} (tracker tw-airtag) (apple_find_my): ")),
        "{note}"
    );
    assert!(note.contains("Find My non-owner sound"), "{note}");
}

#[test]
fn a_first_generation_airtag_gets_its_one_byte_and_no_confirmation() {
    let Some(r) = run("airtag-legacy", Some(&["004c", AIRTAG]), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.log, writes("7dfc9001-7d1c-4951-86aa-8d9728f8d66c", &["af"]));
    assert!(r.stdout.contains("does not confirm"), "{}", r.stdout);
}

#[test]
fn a_pebblebee_is_started_then_stopped() {
    let ad = ["-", "00", "fa25", "01aabbccddeeff"];
    let Some(r) = run("pebblebee", Some(&ad), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.log,
        writes("00002c02-0000-1000-8000-00805f9b34fb", &["01", "02"])
    );
}

#[test]
fn a_tracker_with_its_owner_refuses_and_the_refusal_is_kept() {
    let Some(r) = run("near-owner", Some(&DULT_AD), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 6);
    assert!(
        r.stderr.contains("Invalid_command") && r.stderr.contains("with its owner"),
        "{}",
        r.stderr
    );
    // Refused because its owner is near: worth keeping with the time.
    let [note] = r.notes.as_slice() else {
        panic!("one note expected: {:?}", r.notes);
    };
    assert!(
        note.starts_with(&format!("ring {ADDR}: the tracker answered Invalid_command")),
        "{note}"
    );
    assert!(
        r.stderr.contains("the refusal is kept in the evidence"),
        "{}",
        r.stderr
    );
}

#[test]
fn ring_and_its_refusal_are_said_in_japanese_and_kept_in_english() {
    let Some(r) = run("dult", Some(&DULT_AD), &["--lang", "ja", "ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{ADDR} の電波を最大 15 秒待っています")),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains(&format!(
            "{ADDR} が音を鳴らし、鳴り終わりました（DULT の所有者以外向けの音）"
        )) && r.stdout.contains("証拠に残しました（"),
        "{}",
        r.stdout
    );
    // The evidence keeps its one language, whatever the person reads.
    assert!(
        r.notes[0].contains("played its sound (DULT non-owner sound)"),
        "{:?}",
        r.notes
    );

    let Some(r) = run(
        "near-owner",
        Some(&DULT_AD),
        &["--lang", "ja", "ring", ADDR],
        |_| {},
    ) else {
        return;
    };
    assert_eq!(r.code, 6);
    assert!(
        r.stderr.contains(
            "エラー：トラッカーはコマンド 0x0300 に Invalid_command と答えました：拒否されました：トラッカーが所有者の近くにあるか"
        ) && r.stderr.contains("拒否されたことを証拠に残しました"),
        "{}",
        r.stderr
    );
    assert!(r.notes[0].contains("with its owner"), "{:?}", r.notes);
}

#[test]
fn a_tile_cannot_be_rung_and_the_person_is_told_why() {
    let ad = ["-", "00", "feed", "02000102030405060708"];
    let Some(r) = run("gap-only", Some(&ad), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("tile: not supported"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Tile's ring command belongs to the owner"),
        "{}",
        r.stderr
    );
    assert!(r.log.is_empty(), "nothing written: {:?}", r.log);
}

#[test]
fn a_tracker_the_evidence_knows_as_a_tile_or_smarttag_is_refused_before_the_radio() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let mut store = Store::open(&db, Mode::Create).unwrap();
    let session = store.begin_session("analyze", &[], 0).unwrap();
    for (id, family) in [("tw-tile", "tile"), ("tw-tag", "samsung_smarttag")] {
        store
            .add_sightings(session, &[common::sighting(id, 1, "test.btsnoop")])
            .unwrap();
        let mut t = common::tracker(id, "high");
        t.family = family.into();
        store.save_trackers(session, &[t]).unwrap();
    }
    store.end_session(session, 1, 0).unwrap();
    drop(store);
    // No system bus at all: a command that reached for the radio would fail with exit 5.
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    for (action, id, reason) in [
        ("ring", "tw-tile", "Tile's ring command belongs to the owner"),
        ("ring", "tw-tag", "Samsung publishes no non-owner ring command"),
        (
            "identify",
            "tw-tag",
            "Samsung publishes no non-owner identifier read",
        ),
    ] {
        let out = common::tagwatch()
            .args([action, id, "--db"])
            .arg(&db)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &nowhere)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{action} {id}: {stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("listening for"), "{stderr}");
    }
}

#[test]
fn bluetooth_errors_are_said_in_words() {
    // The characteristic wants an encrypted link: BlueZ answers NotPermitted.
    let Some(r) = run("locked", Some(&DULT_AD), &["ring", ADDR], |_| {}) else {
        return;
    };
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("lack of permission"), "{}", r.stderr);
    // The LE connection could not be made.
    let r = run("unreachable", Some(&DULT_AD), &["ring", ADDR], |_| {}).unwrap();
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("out of range"), "{}", r.stderr);
    // The tracker turned the connection down.
    let r = run("refusing", Some(&DULT_AD), &["ring", ADDR], |_| {}).unwrap();
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("refused the connection"), "{}", r.stderr);
    // Never heard.
    let r = run("dult", None, &["ring", ADDR, "--listen", "2s"], |_| {}).unwrap();
    assert_eq!(r.code, 6);
    assert!(r.stderr.contains("out of range"), "{}", r.stderr);
    assert!(r.log.is_empty());
    // An id the evidence does not know.
    let r = run("dult", None, &["identify", "tw-nobody"], |_| {}).unwrap();
    assert_eq!(r.code, 7);
    assert!(r.stderr.contains("nor a tracker in the evidence"), "{}", r.stderr);
}

#[test]
fn ring_from_the_live_view_while_it_scans() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    let Some(tmux) = Tmux::start() else {
        return;
    };
    assert!(bluez.drive(&["add-accessory", "hci0", ADDR, "dult"]));
    let _advertising = bluez.keep_advertising(ADDR, &DULT_AD);
    let dir = tempfile::tempdir().unwrap();
    let (db, exit) = (dir.path().join("evidence.sqlite"), dir.path().join("exit"));
    let command = format!(
        "DBUS_SYSTEM_BUS_ADDRESS='{}' '{}' scan --adapter hci0 --gpsd 127.0.0.1:9 --db '{}' \
         > /dev/null; echo $? > '{}'",
        bluez.bus,
        env!("CARGO_BIN_EXE_tagwatch"),
        db.display(),
        exit.display()
    );
    let started = tmux.run(&["new-session", "-d", "-s", "tw", "-x", "110", "-y", "32", &command]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for(&["DULT"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["s: play its sound"]);
    tmux.keys(&["s"]);
    tmux.wait_for(&["played its sound (DULT non-owner sound) and finished (kept in the evidence)"]);
    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&exit), "0\n");
    assert_eq!(
        bluez.log(ADDR),
        [format!("notify {DULT_CP}"), format!("write {DULT_CP} 0003")]
    );
    let data = Store::open(&db, Mode::Create)
        .unwrap()
        .report_data(None, 0)
        .unwrap();
    let [note] = data.notes.as_slice() else {
        panic!("one note expected: {:?}", data.notes);
    };
    let id = &data.trackers[0].id;
    assert!(
        note.text
            .starts_with(&format!("ring {ADDR} (tracker {id}) (dult): ")),
        "{}",
        note.text
    );
}
