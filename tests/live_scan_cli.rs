//! `tagwatch scan` as a service runs it: headless, against a mock BlueZ, until SIGTERM.
//! Needs dbus-daemon and python3-dbusmock.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::bluez::MockBluez;

#[test]
fn headless_scan_logs_states_records_and_ends_on_sigterm() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (record, log) = (dir.path().join("scan.jsonl"), dir.path().join("stderr.log"));
    let db = dir.path().join("evidence.sqlite");
    // Nothing listens on the discard port: gpsd is down from the start.
    let mut scan = Command::new(env!("CARGO_BIN_EXE_tagwatch"))
        // The mock's devices exist only on D-Bus: BlueZ's own (reconstructed) advertisements.
        .args([
            "scan",
            "--headless",
            "--source",
            "bluez",
            "--adapter",
            "hci0",
            "--gpsd",
            "127.0.0.1:9",
        ])
        .arg("--record")
        .arg(&record)
        .arg("--db")
        .arg(&db)
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bluez.bus)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let logged = |what: &str| std::fs::read_to_string(&log).unwrap().contains(what);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !logged("adapter: up") {
        assert!(
            Instant::now() < deadline,
            "{}",
            std::fs::read_to_string(&log).unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(bluez.drive(&["add-device", "hci0", "C4:11:22:33:44:55"]));
    bluez.airtag("C4:11:22:33:44:55", -61);
    bluez.airtag("C4:11:22:33:44:55", -57);
    // Stored while the scan runs (a power cut loses only the last seconds).
    let stored = || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("SELECT count(*) FROM records WHERE kind = 'sighting'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while stored() < 2 {
        assert!(Instant::now() < deadline, "sightings not stored while scanning");
        std::thread::sleep(Duration::from_millis(200));
    }
    Command::new("kill")
        .args(["-TERM", &scan.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = scan.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no end after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut scan.stdout.take().unwrap(), &mut out).unwrap();
    let err = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{status}: {err}");
    assert!(
        err.contains("gpsd: down: cannot reach gpsd at 127.0.0.1:9"),
        "{err}"
    );
    assert!(
        out.contains("AirTag") && out.contains("C4:11:22:33:44:55"),
        "{out}"
    );
    let recorded = std::fs::read_to_string(&record).unwrap();
    let airtags = recorded.lines().filter(|l| l.contains("1eff4c00121910")).count();
    assert_eq!(airtags, 2, "{recorded}");
    // The evidence says these bytes were rebuilt by BlueZ, not received as they are.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let sighting: String = conn
        .query_row(
            "SELECT CAST(payload AS TEXT) FROM records WHERE kind = 'sighting'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        sighting.contains(r#""source":"bluetooth hci0, BlueZ D-Bus (reconstructed)""#),
        "{sighting}"
    );
}
