//! `scan --headless` listening through the HCI monitor, fed the monitor frames of a capture
//! through a Unix socket (where the kernel's channel would give them live): it must find
//! exactly what `analyze` finds in the same capture (trackers, verdicts, every sighting with
//! its raw bytes), label its evidence "exact bytes", and `--record` a btsnoop 2001 capture
//! that `analyze` reads the same.
//!
//! The frames come from real btsnoop captures (any datalink 2001 one in the external data as
//! it is, the H4 ones converted to monitor frames as btmon would have read them) and from a
//! synthetic commute with a following AirTag (for the alert and the "following" verdict).

mod common;
use common::*;

use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tagwatch::capture::MonitorWriter;
use tagwatch::capture::monitor::to_monitor;

/// The capture's frames as a btsnoop 2001 stream (a monitor capture as it is).
fn monitor_frames(capture: &Path) -> Vec<u8> {
    let mut out = MonitorWriter::new(Vec::new()).unwrap();
    let file = std::fs::File::open(capture).unwrap();
    to_monitor(Box::new(file), capture, 0, &mut out).unwrap();
    out.into_inner().unwrap()
}

/// Runs `scan --headless` reading `frames` from a socket in `dir`, storing into `db` and
/// recording into `record`.
fn live_scan(dir: &Path, frames: Vec<u8>, db: &Path, record: &Path, extra: &[&Path]) -> Output {
    let socket = dir.join("monitor.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || {
        use std::io::Write;
        let (mut conn, _) = listener.accept().unwrap();
        // The scan may stop reading early when it fails; that is its exit code's business.
        let _ = conn.write_all(&frames);
    });
    let out = tagwatch()
        .args(["scan", "--headless", "--monitor-socket"])
        .arg(&socket)
        .arg("--db")
        .arg(db)
        .arg("--record")
        .arg(record)
        .args(extra)
        // No BlueZ here: scanning cannot be switched on, the frames come all the same.
        .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent")
        .output()
        .unwrap();
    server.join().unwrap();
    out
}

/// The evidence records of `kind` in `db`, as JSON, in order (what a session's record holds,
/// without the session's number).
fn records(db: &Path, kind: &str) -> Vec<Value> {
    payloads(db, kind)
        .into_iter()
        .map(|mut v| match v.get_mut("record") {
            Some(r) => r.take(),
            None => v,
        })
        .collect()
}

/// A sighting without where it came from (the capture's path, or the adapter).
fn without_source(mut s: Value) -> (Value, String) {
    let source = s["source"].as_str().unwrap().to_string();
    s.as_object_mut().unwrap().remove("source");
    (s, source)
}

fn analyze(capture: &Path, db: &Path, extra: &[&Path]) -> Value {
    let out = tagwatch()
        .args(["analyze", "--format", "json", "--db"])
        .arg(db)
        .args(extra)
        .arg(capture)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Live through the monitor == analyze, for one capture.
fn same_as_analyze(capture: &Path, extra: &[&Path]) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = capture.file_name().unwrap().to_string_lossy().into_owned();
    let (live_db, analyze_db) = (dir.path().join("live.sqlite"), dir.path().join("analyze.sqlite"));
    let record = dir.path().join("recorded.btsnoop");
    let out = live_scan(dir.path(), monitor_frames(capture), &live_db, &record, extra);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let analysed = analyze(capture, &analyze_db, extra);
    let heard = analysed["coverage"]["advertisements"].as_u64().unwrap();
    let code = out.status.code().unwrap();
    assert_eq!(code, if heard == 0 { 4 } else { 0 }, "{name}: {stderr}");

    let (live, analysed_sightings) = (records(&live_db, "sighting"), records(&analyze_db, "sighting"));
    assert_eq!(live.len(), analysed_sightings.len(), "{name}: sightings");
    for (l, a) in live.into_iter().zip(analysed_sightings) {
        let ((l, source), (a, _)) = (without_source(l), without_source(a));
        assert_eq!(l, a, "{name}: the same sighting, the same raw bytes");
        assert!(source.ends_with("(exact bytes)"), "{name}: {source}");
    }
    let verdicts = |db: &Path| -> Vec<Value> {
        records(db, "tracker")
            .into_iter()
            .map(|mut t| {
                // When the verdict was kept is the session's end, not the capture's.
                t.as_object_mut()
                    .unwrap()
                    .retain(|k, _| !k.ends_with("_at_us") || k == "alert_at_us");
                t
            })
            .collect()
    };
    assert_eq!(verdicts(&live_db), verdicts(&analyze_db), "{name}: verdicts");
    let session = &records(&live_db, "session_start")[0];
    let stored = session["sources"][0]["path"].as_str().unwrap();
    assert!(
        stored.starts_with("bluetooth adapter, monitor frames from") && stored.ends_with("(exact bytes)"),
        "{name}: {session}"
    );

    // The recording is the frames of the adapter: analyze reads it as it read the capture.
    let recorded = analyze(&record, &dir.path().join("recorded.sqlite"), extra);
    assert_eq!(
        recorded["trackers"], analysed["trackers"],
        "{name}: recorded capture"
    );
    assert_eq!(
        recorded["coverage"]["advertisements"], analysed["coverage"]["advertisements"],
        "{name}"
    );
    (analysed, stderr)
}

/// The real btsnoop captures: monitor captures as they are, the H4 ones to be converted.
fn real_btsnoop_captures(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if std::fs::read(&path).is_ok_and(|b| b.starts_with(b"btsnoop\0")) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn live_from_real_captures_through_the_monitor_equals_analyze() {
    let Some(external) = external() else {
        return;
    };
    let captures = real_btsnoop_captures(&external);
    let monitor = captures
        .iter()
        .filter(|c| std::fs::read(c).unwrap()[12..16] == 2001u32.to_be_bytes())
        .count();
    if monitor == 0 {
        eprintln!("note: no real btsnoop 2001 capture in the external data; the H4 ones are converted");
    }
    assert!(captures.len() >= 4, "the SmartTag research logs: {captures:?}");
    let mut trackers = 0;
    for capture in &captures {
        let (analysed, _) = same_as_analyze(capture, &[]);
        trackers += analysed["trackers"].as_array().unwrap().len();
    }
    assert!(trackers > 0, "the real captures hold SmartTags");
}

#[test]
fn live_through_the_monitor_alerts_as_analyze_judges_a_following_airtag() {
    let dir = tempfile::tempdir().unwrap();
    commute(dir.path());
    let capture = dir.path().join("commute_airtag-synthetic.btsnoop");
    let track = dir.path().join("commute_airtag-synthetic.gpx");
    let (analysed, stderr) = same_as_analyze(&capture, &[Path::new("--track"), &track]);
    assert_eq!(analysed["trackers"][0]["following"], true, "{analysed}");
    let alerts: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ALERT ")).collect();
    assert_eq!(alerts.len(), 1, "{stderr}");
    assert!(alerts[0].contains("AirTag"), "{stderr}");
    // The adapter the converted frames announce, as the kernel does.
    assert!(
        stderr.contains("adapter hci0: hci0 (00:00:00:00:00:00) present"),
        "{stderr}"
    );
    assert!(stderr.contains("adapter hci0: opened"), "{stderr}");
}

/// Runs `tagwatch COMMAND --headless --no-store ARGS` where no BlueZ answers: (exit code,
/// stderr).
fn without_bluez(command: &str, args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = tagwatch()
        .args([command, "--headless", "--no-store"])
        .args(args)
        .env("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os(args: &[&'static str]) -> Vec<&'static std::ffi::OsStr> {
    args.iter().map(|a| std::ffi::OsStr::new(*a)).collect()
}

#[test]
fn without_the_monitor_a_scan_says_how_to_get_it_and_listens_through_bluez() {
    if tagwatch::scan::Monitor::kernel().is_ok() {
        eprintln!("skipping: this process may open the HCI monitor (CAP_NET_RAW and Bluetooth)");
        return;
    }
    // Asked for, its absence is an error naming the way to the capability.
    let (code, stderr) = without_bluez("scan", &os(&["--source", "monitor", "--lang", "en"]));
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains("error: cannot open the HCI monitor: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("sudo setcap cap_net_raw+ep $(command -v tagwatch)"),
        "{stderr}"
    );
    // In Japanese too.
    let (_, stderr) = without_bluez("scan", &os(&["--source", "monitor", "--lang", "ja"]));
    assert!(stderr.contains("エラー：HCI モニターを開けません（"), "{stderr}");
    assert!(stderr.contains("受信したままのデータを得るには"), "{stderr}");

    // By default it says so and listens through BlueZ (here not running: nothing heard).
    let (code, stderr) = without_bluez("sweep", &os(&["--duration", "1s", "--lang", "en"]));
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("note: cannot open the HCI monitor (")
            && stderr.contains("listening through BlueZ over D-Bus, whose advertisements are reconstructed")
            && stderr.contains("setcap cap_net_raw+ep"),
        "{stderr}"
    );
    // The cause in words, then BlueZ's own.
    assert!(
        stderr.contains("adapter: down: ") && stderr.contains(" (cannot reach BlueZ"),
        "{stderr}"
    );
}

#[test]
fn a_monitor_socket_that_is_not_there_is_bad_input_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("none.sock");
    let (code, stderr) = without_bluez(
        "scan",
        &[std::ffi::OsStr::new("--monitor-socket"), socket.as_os_str()],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("none.sock: the file does not exist"), "{stderr}");
}
