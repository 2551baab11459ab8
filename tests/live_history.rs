//! Issue 13: a live scan reads the evidence's 14-day history when it begins. Day 1 the
//! bundled commute (synthetic) is analysed into a database; day 2 the same walk, a day later,
//! is scanned live (`scan --headless --replay`) on that database: the tag that followed
//! yesterday alerts with both days, and a tag marked as hers yesterday never alerts.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use serde_json::Value;

const CAPTURE: &str = "captures/commute_airtag-synthetic.btsnoop";
const TRACK: &str = "captures/commute_airtag-synthetic.gpx";
/// The planted AirTag of the commute scenario.
const FOLLOWER: &str = "apple_find_my-0b04929b";
const DAY_US: i64 = 24 * 3600 * 1_000_000;

fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The commute's btsnoop with every record a day later (a record's time is the signed 64-bit
/// big-endian number at bytes 16..24 of its 24-byte header).
fn capture_a_day_later(to: &Path) {
    let mut bytes = std::fs::read(manifest(CAPTURE)).unwrap();
    assert_eq!(&bytes[..8], b"btsnoop\0");
    let mut at = 16;
    while at + 24 <= bytes.len() {
        let included = u32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let time = &mut bytes[at + 16..at + 24];
        let later = i64::from_be_bytes((&*time).try_into().unwrap()) + DAY_US;
        time.copy_from_slice(&later.to_be_bytes());
        at += 24 + included;
    }
    assert_eq!(at, bytes.len(), "whole records");
    std::fs::write(to, bytes).unwrap();
}

/// The commute's track a day later.
fn track_a_day_later(to: &Path) {
    let gpx = std::fs::read_to_string(manifest(TRACK)).unwrap();
    let later = gpx.replace("2026-01-15T", "2026-01-16T");
    assert_ne!(later, gpx);
    std::fs::write(to, later).unwrap();
}

struct Days {
    dir: tempfile::TempDir,
}

impl Days {
    fn new() -> Days {
        let days = Days {
            dir: tempfile::tempdir().unwrap(),
        };
        capture_a_day_later(&days.path("day2.btsnoop"));
        track_a_day_later(&days.path("day2.gpx"));
        days
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Day 1: `analyze` of the commute into the database, with `extra` args.
    fn day_one(&self, extra: &[&str]) {
        tagwatch()
            .args(["analyze", "--format", "json", "--track", TRACK, CAPTURE])
            .args(extra)
            .env("TAGWATCH_DB", self.path("evidence.sqlite"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .assert()
            .success();
    }

    /// Day 2: a headless scan replaying the walk a day later, each alert's JSON appended to
    /// `alerts.jsonl`; its exit code and standard error.
    fn day_two(&self) -> (Option<i32>, String) {
        let alerts = self.path("alerts.jsonl");
        let hook = format!("cat >> '{}'; echo >> '{}'", alerts.display(), alerts.display());
        let out = tagwatch()
            .args(["scan", "--headless", "--speed", "0", "--replay"])
            .arg(self.path("day2.btsnoop"))
            .arg("--track")
            .arg(self.path("day2.gpx"))
            .args(["--on-alert", &hook])
            .env("TAGWATCH_DB", self.path("evidence.sqlite"))
            .env("TAGWATCH_LANG", "en")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn alerts(&self) -> Vec<Value> {
        match std::fs::read_to_string(self.path("alerts.jsonl")) {
            Ok(text) => text
                .lines()
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

#[test]
fn a_tag_that_followed_yesterday_alerts_today_with_both_days() {
    let days = Days::new();
    days.day_one(&[]);
    let (code, stderr) = days.day_two();
    assert_eq!(code, Some(0), "{stderr}");
    let alerts = days.alerts();
    let [alert] = alerts.as_slice() else {
        panic!("one alert expected: {alerts:?}\n{stderr}")
    };
    // The alert itself, raised during the scan, knows yesterday: not only the final verdict.
    let tracker = &alert["tracker"];
    assert_eq!(tracker["id"], FOLLOWER);
    let dates: Vec<&str> = tracker["days"]
        .as_array()
        .unwrap_or_else(|| panic!("no days in the alert: {alert}"))
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-01-15", "2026-01-16"], "{alert}");
    assert!(
        tracker["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["following"] == true)
    );
    assert_eq!(tracker["risk"], "high");
    let line = stderr.lines().find(|l| l.contains(FOLLOWER)).unwrap();
    assert!(line.contains("2 days"), "{line}");
}

#[test]
fn a_tag_marked_as_hers_yesterday_never_alerts_today() {
    let days = Days::new();
    let allow = days.path("allow.txt");
    std::fs::write(&allow, format!("{FOLLOWER}\n")).unwrap();
    days.day_one(&["--allow", allow.to_str().unwrap()]);
    // No allow list today: the evidence says it is hers.
    let (code, stderr) = days.day_two();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(days.alerts().is_empty(), "{:?}", days.alerts());
    assert!(!stderr.contains(FOLLOWER), "{stderr}");
}
