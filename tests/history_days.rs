//! History across days: `analyze` with the evidence database recognises the same physical
//! tag in earlier sessions (a SmartTag in the car, one capture a day, its privacy id and
//! address new every day), says on which days it was there, raises the risk, and keeps a tag
//! marked as one's own allowed after it rotated. The days come from the labelled scenario
//! `car_smarttag_days` (synthetic).

mod common;
use common::*;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tagwatch::synth::labelled;

const CAR: &str = "SmartTag hidden in the car";

struct Days {
    dir: tempfile::TempDir,
    labels: Value,
}

impl Days {
    fn write() -> Days {
        let dir = tempfile::tempdir().unwrap();
        labelled::write("car_smarttag_days", dir.path()).unwrap();
        let labels = std::fs::read(dir.path().join("car_smarttag_days-labels.json")).unwrap();
        Days {
            labels: serde_json::from_slice(&labels).unwrap(),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn day(&self, n: usize) -> PathBuf {
        self.path(&format!("car_smarttag_days-day{n}-synthetic.btsnoop"))
    }

    /// `analyze` of day `n` with the track, into `db` (None: `--no-store`), with `extra` args.
    fn analyze(&self, n: usize, db: Option<&Path>, extra: &[&str]) -> Value {
        let mut cmd = tagwatch();
        cmd.env("TZ", self.labels["time_zone"].as_str().unwrap())
            .args(["analyze", "--format", "json", "--track"])
            .arg(self.path("car_smarttag_days-synthetic.gpx"))
            .args(extra);
        match db {
            Some(db) => cmd.arg("--db").arg(db),
            None => cmd.arg("--no-store"),
        };
        let out = cmd.arg(self.day(n)).output().unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }

    /// The car tag's entry in an analysis: the one using any of its addresses.
    fn car<'a>(&self, json: &'a Value) -> &'a Value {
        let device = self.labels["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["label"] == CAR)
            .unwrap();
        let entries = entries_of(device, trackers(json));
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries[0]
    }
}

fn reasons(t: &Value) -> Vec<&str> {
    t["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect()
}

// The car tag is heard only on drives; each day it leaves her stay with her and arrives with
// her at the next twice in a row (see `car_smarttag_days` in tests/scenarios.rs).
#[test]
fn a_tag_following_on_three_days_is_one_tag_with_each_day_and_high_risk() {
    let days = Days::write();
    let db = days.path("evidence.sqlite");
    let first = days.analyze(1, Some(&db), &[]);
    let car1 = days.car(&first);
    assert_eq!(car1["following"], true);
    assert_eq!(car1["days"].as_array().unwrap().len(), 1, "one day only: {car1}");
    assert!(!reasons(car1).iter().any(|r| r.contains("days")), "{car1}");
    days.analyze(2, Some(&db), &[]);
    let third = days.analyze(3, Some(&db), &[]);
    let car3 = days.car(&third);
    // A new privacy id and address on day 3: another entry id, linked to the earlier two by
    // the counter that went on by the hours between.
    assert_ne!(car3["id"], car1["id"]);
    assert_eq!(car3["linked_ids"].as_array().unwrap().len(), 2, "{car3}");
    assert!(car3["linked_ids"].as_array().unwrap().contains(&car1["id"]));
    let dates: Vec<&str> = car3["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-01-15", "2026-01-16", "2026-01-17"]);
    assert!(
        car3["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["following"] == true),
        "{car3}"
    );
    assert!(
        reasons(car3).contains(
            &"heard with you on 3 days (2026-01-15, 2026-01-16, 2026-01-17), following you on 3 of them"
        ),
        "{car3}"
    );
    assert_eq!(car3["risk"], "high");
    // The report's data has the same days, for the per-day list.
    let store = tagwatch::store::Store::open_read_only(&db).unwrap();
    let data = store.report_data(None, 0).unwrap();
    let kept = data
        .trackers
        .iter()
        .find(|t| t.id == car3["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(kept.days.len(), 3);
    assert_eq!(kept.linked_ids.len(), 2);
    // The neighbour's and the colleague's tags are heard on every day too, each at one car
    // park: listed with their days, never following.
    for t in third["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] != car3["id"])
    {
        assert_eq!(t["following"], false, "{t}");
    }
    // Without the database, day 3 alone knows no other day.
    let alone = days.analyze(3, None, &[]);
    assert!(days.car(&alone).get("days").is_none());
    assert!(days.car(&alone).get("linked_ids").is_none());
}

#[test]
fn the_familys_own_smarttag_in_the_shared_car_stays_allowed_the_next_days() {
    let days = Days::write();
    let db = days.path("evidence.sqlite");
    // Day 1: the family marks the tag as theirs by its id (as the live view's m does).
    let id = days.car(&days.analyze(1, None, &[]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let allow = days.path("allow.txt");
    std::fs::write(&allow, format!("{id}\n")).unwrap();
    let allow = allow.to_str().unwrap();
    let first = days.analyze(1, Some(&db), &["--allow", allow]);
    assert_eq!(days.car(&first)["own"], true);
    for n in [2, 3] {
        // The tag has rotated: the allow list's id is not today's; the evidence links them.
        let json = days.analyze(n, Some(&db), &["--allow", allow]);
        let car = days.car(&json);
        assert_ne!(car["id"].as_str().unwrap(), id);
        assert_eq!(car["own"], true, "day {n}: {car}");
        assert!(
            car["marked_own"]
                .as_str()
                .unwrap()
                .contains("marked yours on an earlier day"),
            "{car}"
        );
        assert_ne!(json["outcome"], "following", "day {n}");
        // Without the evidence of the days before, the allow list's id names nothing today:
        // it alarms.
        let alone = days.analyze(n, None, &["--allow", allow]);
        assert_eq!(days.car(&alone)["own"], false);
        assert_eq!(days.car(&alone)["following"], true);
    }
}
