//! Helpers shared by the integration tests. Each test binary uses its own subset of them.
#![allow(dead_code)]

pub mod bluez;
pub mod tmux;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::Value;
use tagwatch::classify::OwnerState;
use tagwatch::evidence::{Position, SightingRecord, TrackPoint, TrackerRecord};
use tagwatch::model::{AddrType, PduKind};

/// The `tagwatch` binary, run from the project folder, without colour, in UTC, with an
/// evidence database of its own under the build folder (never the user's).
pub fn tagwatch() -> Command {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static CLEAN: Once = Once::new();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // What runs an hour ago left is no one's any more (test runners may run binaries side by
    // side, so younger files may still be in use).
    CLEAN.call_once(|| remove_old_databases(tmp));
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let db = tmp.join(format!("evidence-{}-{n}.sqlite", std::process::id()));
    let mut cmd = Command::cargo_bin("tagwatch").expect("binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("TAGWATCH_DB", db);
    // English unless a test asks for Japanese, whatever this machine's locale.
    for var in ["TAGWATCH_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        cmd.env_remove(var);
    }
    cmd
}

fn remove_old_databases(dir: &Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old && entry.file_name().to_string_lossy().starts_with("evidence-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Runs `tagwatch analyze --format json ARGS...`: (exit code, stdout as JSON or null, stderr).
pub fn analyze_json<S: AsRef<OsStr>>(args: &[S]) -> (i32, Value, String) {
    let out = tagwatch()
        .args(["analyze", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().expect("exited"),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `trackers` array of `analyze --format json` output.
pub fn trackers(json: &Value) -> &Vec<Value> {
    json["trackers"].as_array().expect("trackers array")
}

/// Whether gpsd and gpsfake are installed, for the tests that replay a log through a real
/// gpsd; says so when they are not.
pub fn gpsfake_available() -> bool {
    let installed = |p: &str| {
        std::process::Command::new(p)
            .arg("-h")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    };
    let available = installed("gpsfake") && installed("gpsd");
    if !available {
        eprintln!("skipping: gpsd/gpsfake not installed");
    }
    available
}

/// The real captures recorded by others (`../shared/captures/external`), or None with a note
/// in a clone that does not have them.
pub fn external() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/external");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/captures/external not found");
        None
    }
}

/// The payloads of the evidence records of `kind` in `db`, parsed, in order.
pub fn payloads(db: &Path, kind: &str) -> Vec<Value> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT payload FROM records WHERE kind = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([kind], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|p| serde_json::from_slice(&p.unwrap()).unwrap())
        .collect()
}

/// Writes the synthetic commute with a following AirTag into `dir`:
/// `commute_airtag-synthetic.btsnoop` and its track `commute_airtag-synthetic.gpx`.
pub fn commute(dir: &Path) {
    tagwatch()
        .args(["synth", "scenario", "commute_airtag", "-o"])
        .arg(dir)
        .assert()
        .success();
}

/// Makes a named pipe, for the tests that check one is refused.
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

// Records for the store tests.

/// The `i`th sighting of `tracker`, `i` seconds into the day; `raw_hex` is unique per `i`.
pub fn sighting(tracker: &str, i: i64, source: &str) -> SightingRecord {
    SightingRecord {
        tracker_id: tracker.to_string(),
        time_us: 1_768_464_000_000_000 + i * 1_000_000,
        address: "C4:12:34:56:78:9A".to_string(),
        address_type: AddrType::Random,
        rssi: Some(-60),
        pdu: PduKind::AdvNonconnInd,
        raw_hex: format!("1eff4c001219{i:016x}"),
        position: Some(Position {
            lat: 52.52 + i as f64 * 1e-5,
            lon: 13.405,
            accuracy_m: Some(5.0),
        }),
        source: source.to_string(),
    }
}

pub fn point(i: i64) -> TrackPoint {
    TrackPoint {
        time_us: 1_768_464_000_000_000 + i * 1_000_000,
        lat: 52.52 + i as f64 * 1e-5,
        lon: 13.405,
        accuracy_m: None,
    }
}

pub fn tracker(id: &str, risk: &str) -> TrackerRecord {
    TrackerRecord {
        id: id.to_string(),
        family: "apple_find_my".to_string(),
        model: Some("AirTag".to_string()),
        owner_state: OwnerState::Separated,
        addresses: vec!["C4:12:34:56:78:9A".to_string()],
        identities: 1,
        first_seen_us: 1_768_464_000_000_000,
        last_seen_us: 1_768_464_600_000_000,
        sightings: 3,
        rssi_max: Some(-58),
        places: 2,
        stays: 0,
        max_distance_m: 512.5,
        following: risk != "none",
        alert_at_us: None,
        risk: risk.to_string(),
        reasons: vec![],
        reason_codes: vec![],
        mode: None,
        battery: Some("full".to_string()),
        network: None,
        member_ids: vec![],
        own: false,
        marked_own_at_us: None,
        continuity: None,
        linked_ids: vec![],
        days: vec![],
    }
}

/// The entries of a labelled device: those that used any of its addresses (a rotating clone:
/// the one entry holding its first address).
pub fn entries_of<'a>(d: &Value, trackers: &'a [Value]) -> Vec<&'a Value> {
    let mine: std::collections::HashSet<&str> = match d["addresses"].as_array() {
        Some(all) => all.iter().map(|a| a.as_str().unwrap()).collect(),
        None => std::collections::HashSet::from([d["first_address"].as_str().unwrap()]),
    };
    trackers
        .iter()
        .filter(|t| {
            t["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| mine.contains(a.as_str().unwrap()))
        })
        .collect()
}
