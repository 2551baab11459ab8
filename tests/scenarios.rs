//! `tagwatch synth scenario`: each labelled scenario's capture, GPS track and labels agree
//! with one another and with what `tagwatch analyze` finds.

mod common;
use common::*;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use tagwatch::location::{DEFAULT_MAX_GAP_US, Fix, Track, distance_m, read_track};
use tagwatch::synth::labelled;

const MIN: i64 = 60_000_000;

fn time(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("RFC 3339")
        .timestamp_micros()
}

/// One scenario written by the CLI, with its parsed labels.
struct Scenario {
    dir: tempfile::TempDir,
    name: &'static str,
    labels: Value,
}

impl Scenario {
    fn write(name: &'static str) -> Self {
        Scenario::write_seeded(name, 0)
    }

    /// The scenario drawn with another seed (other keys, addresses, counters and noise).
    fn write_seeded(name: &'static str, seed: u64) -> Self {
        let dir = tempfile::tempdir().unwrap();
        labelled::write_seeded(name, dir.path(), seed).unwrap();
        Self::read(dir, name)
    }

    fn read(dir: tempfile::TempDir, name: &'static str) -> Self {
        let labels = std::fs::read(dir.path().join(format!("{name}-labels.json"))).unwrap();
        let labels = serde_json::from_slice(&labels).unwrap();
        Scenario { dir, name, labels }
    }

    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.path().join(format!("{}{suffix}", self.name))
    }

    fn device(&self, label: &str) -> &Value {
        self.devices()
            .iter()
            .find(|d| d["label"] == label)
            .unwrap_or_else(|| panic!("no {label}"))
    }

    fn devices(&self) -> &Vec<Value> {
        self.labels["devices"].as_array().unwrap()
    }

    fn place(&self, name: &str) -> &Value {
        self.labels["places"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no place {name}"))
    }

    fn place_fix(&self, name: &str) -> Fix {
        let p = self.place(name);
        Fix {
            time_us: 0,
            lat: p["lat"].as_f64().unwrap(),
            lon: p["lon"].as_f64().unwrap(),
            accuracy_m: None,
        }
    }

    /// Every advertisement as (time, address), checking that no record is damaged.
    fn advertisements(&self) -> Vec<(i64, String)> {
        let mut capture = tagwatch::capture::open(&self.file("-synthetic.btsnoop")).unwrap();
        let mut out = Vec::new();
        while capture
            .source
            .next_record(&mut |a| out.push((a.time_us, a.address.to_string())))
            .unwrap()
        {}
        assert_eq!(capture.source.stats().bad_records, 0);
        out
    }

    /// The times a labelled device was heard, matched by any of its addresses.
    fn heard(&self, label: &str, ads: &[(i64, String)]) -> Vec<i64> {
        let addresses: HashSet<&str> = self.device(label)["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        ads.iter()
            .filter(|(_, a)| addresses.contains(a.as_str()))
            .map(|(t, _)| *t)
            .collect()
    }

    fn track(&self) -> Track {
        read_track(&self.file("-synthetic.gpx")).unwrap()
    }

    /// `analyze` with the scenario's GPS track, as a victim would run it.
    fn analyze(&self) -> Value {
        let out = tagwatch()
            // The scenario's clock: a Find My key changes at 04:00 on it.
            .env("TZ", self.labels["time_zone"].as_str().unwrap())
            .args(["analyze", "--no-store", "--format", "json", "--track"])
            .arg(self.file("-synthetic.gpx"))
            .arg(self.file("-synthetic.btsnoop"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Checks that hold for every scenario, returning it for the scenario's own checks.
fn check(name: &'static str) -> Scenario {
    let s = Scenario::write(name);
    let l = &s.labels;
    assert_eq!(l["scenario"], name);
    assert_eq!(l["synthetic"], true);
    let (start, end) = (time(&l["start"]), time(&l["end"]));
    // 2026-01-15T08:00:00Z, or 08:00 in Tokyo for a scenario over several days.
    let days = l.get("days").is_some();
    assert_eq!(
        start,
        1_768_464_000_000_000 - i64::from(days) * 9 * 3600 * 1_000_000
    );

    // The track: a fix every 5 s from start to end.
    let track = s.track();
    let fixes = track.fixes();
    assert_eq!((fixes[0].time_us, fixes.last().unwrap().time_us), (start, end));
    assert_eq!(fixes.len() as i64, (end - start) / 5_000_000 + 1);

    let ads = s.advertisements();
    assert!(ads.iter().all(|(t, _)| (start..end).contains(t)));
    let addresses: HashSet<&str> = ads.iter().map(|(_, a)| a.as_str()).collect();
    let json = s.analyze();
    let trackers = json["trackers"].as_array().unwrap();
    assert!(!s.devices().is_empty());
    for d in s.devices() {
        let first = d["first_address"].as_str().unwrap();
        assert!(addresses.contains(first), "{d}");
        // A following tracker must be flagged between its first sighting and the deadline.
        match d["following"].as_bool().unwrap() {
            true => assert!(
                (time(&d["first_seen"]) + 30 * MIN..=end).contains(&time(&d["alert_by"])),
                "{d}"
            ),
            false => assert!(d["alert_by"].is_null(), "{d}"),
        }
        let family = d["family"].as_str().unwrap();
        judged_right(d, trackers);
        if d["rotating_keys"] == true {
            // One key per advertisement: analyze gathers the never-repeated keys into one entry.
            let clones: Vec<&Value> = trackers.iter().filter(|t| t["family"] == family).collect();
            assert_eq!(clones.len(), 1, "{clones:?}");
            assert!(clones[0]["identities"].as_u64().unwrap() > 100, "{}", clones[0]);
            assert!(
                clones[0]["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == first)
            );
        } else {
            let listed = trackers.iter().any(|t| {
                t["family"] == family && t["addresses"].as_array().unwrap().iter().any(|a| a == first)
            });
            assert!(listed, "analyze does not list {d}");
        }
    }
    // Nothing but the labelled following devices is flagged.
    let expected = s.devices().iter().filter(|d| d["following"] == true).count();
    let flagged = trackers.iter().filter(|t| t["following"] == true).count();
    assert_eq!(flagged, expected, "{}", s.name);
    // One entry per physical tag, however often it changed its address or key.
    for d in s.devices() {
        let entries = entries_of(d, trackers);
        assert_eq!(
            entries.len(),
            1,
            "{}: {} is {} entries: {entries:?}",
            s.name,
            d["label"],
            entries.len()
        );
    }
    s
}

/// The verdict on a labelled device: a following one is flagged by its deadline, in one entry
/// (rotations linked); any other is never flagged.
fn judged_right(d: &Value, trackers: &[Value]) {
    let entries = entries_of(d, trackers);
    assert!(!entries.is_empty(), "{d}");
    if d["following"] == true {
        let flagged: Vec<&&Value> = entries.iter().filter(|t| t["following"] == true).collect();
        assert_eq!(flagged.len(), 1, "{} not flagged once: {entries:?}", d["label"]);
        let alert = time(&flagged[0]["alert_at"]);
        assert!(
            alert <= time(&d["alert_by"]),
            "{} flagged too late: {}",
            d["label"],
            flagged[0]
        );
        assert!(alert >= time(&d["first_seen"]) + 15 * MIN, "{}", flagged[0]);
        assert_eq!(
            flagged[0]["risk"],
            if d["family"] == "tile" { "medium" } else { "high" }
        );
    } else {
        for t in entries {
            assert_eq!(t["following"], false, "{} flagged: {t}", d["label"]);
        }
    }
}

/// Distance from `place` of the person, per the GPX track, at each time.
fn distances(track: &Track, place: &Fix, times: &[i64]) -> Vec<f64> {
    times
        .iter()
        .map(|&t| distance_m(&track.position_at(t, DEFAULT_MAX_GAP_US).unwrap(), place))
        .collect()
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MIN, f64::max)
}

#[test]
fn commute_airtag() {
    let s = check("commute_airtag");
    let ads = s.advertisements();
    let tag = s.heard("planted AirTag", &ads);
    // Heard all along: at home and at the office, 21 km apart.
    let home = distances(&s.track(), &s.place_fix("home"), &tag);
    assert!(home[0] < 10.0 && max(&home) > 20_000.0, "{}", max(&home));
    assert_eq!(s.device("planted AirTag")["following"], true);
    assert_eq!(s.device("own iPhone")["following"], false);
    // The train ride: 35 min, about 20 km.
    let ride = time(&s.place("work station")["arrive"]) - time(&s.place("home station")["leave"]);
    assert!((34 * MIN..=36 * MIN).contains(&ride), "{ride}");
}

#[test]
fn car_smarttag() {
    let s = check("car_smarttag");
    let tag = s.device("SmartTag hidden in the car");
    // 113 min with a new address every 15 min: 8 addresses, which analyze links into one.
    assert_eq!(tag["addresses"].as_array().unwrap().len(), 8);
    let json = s.analyze();
    let tags: Vec<&Value> = json["trackers"].as_array().unwrap().iter().collect();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0]["addresses"].as_array().unwrap().len(), 8);
    let ads = s.advertisements();
    let heard = s.heard("SmartTag hidden in the car", &ads);
    let track = s.track();
    for stop in [
        "car park, Koto",
        "shop, Edogawa",
        "warehouse, Urayasu",
        "restaurant, Shinkiba",
    ] {
        let d = distances(&track, &s.place_fix(stop), &heard);
        assert!(d.iter().any(|d| *d < 1.0), "not heard at {stop}");
    }
}

#[test]
fn errands_tile_fmdn() {
    let s = check("errands_tile_fmdn");
    let json = s.analyze();
    let fmdn = json["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["family"] == "google_fmdn")
        .unwrap();
    // One address all along, a new EID every 1024 s: 147 min make 9 EIDs.
    assert_eq!(fmdn["addresses"].as_array().unwrap().len(), 1);
    assert_eq!(fmdn["identities"], 9);
    assert_eq!(fmdn["owner_state"], "separated");
    assert!(s.devices().iter().all(|d| d["following"] == true));
}

#[test]
fn dult_chipolo() {
    let s = check("dult_chipolo");
    let json = s.analyze();
    let states: BTreeSet<(String, String)> = json["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["family"].to_string(), t["owner_state"].to_string()))
        .collect();
    let expected: BTreeSet<(String, String)> =
        [("\"chipolo\"", "\"separated\""), ("\"dult\"", "\"separated\"")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    assert_eq!(states, expected);
}

#[test]
fn home_neighbour() {
    let s = check("home_neighbour");
    let ads = s.advertisements();
    let track = s.track();
    let home = s.place_fix("home");
    let (left, back) = (time(&s.place("home")["leave"]), time(&s.place("shop")["leave"]));
    for label in ["neighbour's SmartTag", "neighbour's AirTag"] {
        let heard = s.heard(label, &ads);
        // Never heard away from home, though heard over the whole day.
        assert!(max(&distances(&track, &home, &heard)) < 100.0, "{label}");
        assert!(
            heard[0] < left && *heard.last().unwrap() > back + 4 * 60 * MIN,
            "{label}"
        );
    }
    let tile = s.heard("shop's Tile", &ads);
    assert!(max(&distances(&track, &s.place_fix("shop"), &tile)) < 100.0);
    assert!(s.devices().iter().all(|d| d["following"] == false));
    // The shop is 1 km from home and the walk there, the stay and the walk back take 40 min.
    assert!((distance_m(&home, &s.place_fix("shop")) - 1000.0).abs() < 10.0);
    assert_eq!(back + 12 * MIN - left, 40 * MIN);
}

#[test]
fn own_devices() {
    let s = check("own_devices");
    let json = s.analyze();
    let trackers = json["trackers"].as_array().unwrap();
    assert!(trackers.iter().all(|t| t["owner_state"] == "near_owner"));
    let models: BTreeSet<&str> = trackers.iter().map(|t| t["model"].as_str().unwrap()).collect();
    assert_eq!(models, BTreeSet::from(["AirPods", "AirTag", "Apple device"]));
    assert!(s.devices().iter().all(|d| d["following"] == false));
}

#[test]
fn train_passengers() {
    let s = check("train_passengers");
    let ads = s.advertisements();
    let (board, alight) = (
        time(&s.place("Shinjuku station")["leave"]),
        time(&s.place("Kichijoji station")["arrive"]),
    );
    assert_eq!(alight - board, 20 * MIN);
    for d in s.devices() {
        let heard = s.heard(d["label"].as_str().unwrap(), &ads);
        // On the train for the whole ride and never after.
        assert!(heard.iter().all(|t| (board..alight).contains(t)), "{d}");
        assert!(
            heard[0] < board + MIN && *heard.last().unwrap() > alight - MIN,
            "{d}"
        );
        assert_eq!(d["following"], false);
    }
    // Then 30 min on foot, alone.
    let walk = time(&s.place("home, Kichijoji")["arrive"]) - time(&s.place("Kichijoji station")["leave"]);
    assert_eq!(walk, 30 * MIN);
}

#[test]
fn rotating_clone() {
    let s = check("rotating_clone");
    let clone = &s.devices()[0];
    assert_eq!(clone["rotating_keys"], true);
    assert!(clone.get("addresses").is_none());
    // Every advertisement is under a new key and address, yet analyze reports one entry
    // holding all of them.
    let json = s.analyze();
    let entry = json["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["family"] == "apple_find_my")
        .unwrap();
    let sent = clone["advertisements"].as_u64().unwrap();
    assert!(sent > 2000, "{sent}");
    assert_eq!(entry["sightings"].as_u64().unwrap(), sent);
    assert_eq!(entry["identities"].as_u64().unwrap(), sent);
    assert_eq!(entry["addresses"].as_array().unwrap().len() as u64, sent);
    assert!(
        entry["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("new key for every advertisement")),
        "{entry}"
    );
}

#[test]
fn scenarios_are_byte_reproducible() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for name in labelled::NAMES {
        labelled::write(name, a.path()).unwrap();
        labelled::write(name, b.path()).unwrap();
    }
    let files = |dir: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    // Three files each, and car_smarttag_days's capture of each of its three days.
    assert_eq!(files(a.path()).len(), 3 * labelled::NAMES.len() + 3);
    assert_eq!(files(a.path()), files(b.path()));
    for f in files(a.path()) {
        assert!(
            std::fs::read(a.path().join(&f)).unwrap() == std::fs::read(b.path().join(&f)).unwrap(),
            "{f:?} differs"
        );
    }
}

#[test]
fn unknown_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    tagwatch()
        .args(["synth", "scenario", "nope", "-o"])
        .arg(dir.path())
        .assert()
        .failure();
    assert!(labelled::write("nope", dir.path()).is_err());
}

#[test]
fn tile_changing_id() {
    let s = check("tile_changing_id");
    let tile = s.device("Tile in the bag, identifier changing under one address");
    // One address all along.
    assert_eq!(tile["addresses"].as_array().unwrap().len(), 1);
    let json = s.analyze();
    let entry = entries_of(tile, json["trackers"].as_array().unwrap())[0];
    // 2 h 26 min with a new identifier every 40 minutes: four identifiers, one entry.
    assert_eq!(entry["identities"], 4, "{entry}");
    assert!(
        entry["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().contains("one tag through 4 identities")),
        "{entry}"
    );
}

// Heard only while driving, the car tag makes no place, and a ride alone is no evidence
// (strangers share rides): it is flagged because it left her stay with her and arrived with
// her at the next, twice in a row, the second drive setting off where the first ended.
#[test]
fn car_smarttag_days() {
    let s = check("car_smarttag_days");
    let car = s.device("SmartTag hidden in the car");
    let ads = s.advertisements();
    let heard = s.heard("SmartTag hidden in the car", &ads);
    // Heard on drives only: never for longer than 31 minutes at a stretch, over three days.
    let stretches = heard.windows(2).filter(|w| w[1] - w[0] > 10 * MIN).count() + 1;
    assert_eq!(stretches, 7, "six commutes and the supermarket stop");
    assert!(heard.last().unwrap() - heard[0] > 2 * 24 * 60 * MIN);
    // Each day's capture holds that day.
    let days = s.labels["days"].as_array().unwrap();
    assert_eq!(days.len(), 3);
    for day in days {
        let file = s.dir.path().join(day["capture"].as_str().unwrap());
        assert!(file.metadata().unwrap().len() > 0);
    }
    assert_eq!(car["following"], true);
    let json = s.analyze();
    let entry = entries_of(car, json["trackers"].as_array().unwrap())[0];
    let decided = &entry["reason_codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "decided_by")
        .unwrap()["evidence"];
    assert_eq!(decided["kind"], "journeys", "{entry}");
    assert_eq!(decided["journeys"], 2, "{entry}");
    // Flagged on the first evening's drive home, once it had gone 500 m from work.
    let at_work: Vec<&Value> = s.labels["places"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "car park at work")
        .collect();
    // Parked in the morning, left in the evening.
    let back = time(&at_work[1]["leave"]);
    let alert = time(&entry["alert_at"]);
    assert!((back..back + 5 * MIN).contains(&alert), "{entry}");
    assert!(
        entry["reasons"].as_array().unwrap().iter().any(|r| r
            == "decided by: left one of your stays with you and arrived with you at the next on 2 journeys in a row, each from where the last ended"),
        "{entry}"
    );
}

/// Fellow commuters' tags on her platform and train every morning (and evening), two days
/// running: two journeys a day with her, yet never from her home or office.
#[test]
fn commute_stranger_days() {
    // A phone's GPS: the track reader drops its multipath jumps, so not `check`'s fix count.
    let s = Scenario::write("commute_stranger_days");
    assert!(s.devices().iter().all(|d| d["following"] == false));
    let ads = s.advertisements();
    let tile = s.heard("stranger's Tile, on her trains every morning and evening", &ads);
    let stretches = tile.windows(2).filter(|w| w[1] - w[0] > 10 * MIN).count() + 1;
    assert_eq!(stretches, 4, "two evenings and two mornings");
    let smarttag = s.heard("stranger's SmartTag, on her train every morning", &ads);
    let stretches = smarttag.windows(2).filter(|w| w[1] - w[0] > 10 * MIN).count() + 1;
    assert_eq!(stretches, 2, "two mornings");
    // Never heard at home or at the office: she walks over 500 m to each station.
    let track = s.track();
    for place in ["home, Nakano", "office, Iidabashi"] {
        let near = distances(&track, &s.place_fix(place), &tile);
        assert!(near.iter().all(|d| *d > 300.0), "{place}");
    }
    let score = Score::over("commute_stranger_days", 0..=0);
    assert_eq!((score.not_following, score.tags, score.entries), (2, 2, 2));
    score.assert_perfect("commute_stranger_days");
}

#[test]
fn airtag_overnight() {
    let s = check("airtag_overnight");
    let json = s.analyze();
    let trackers = json["trackers"].as_array().unwrap();
    for label in [
        "planted AirTag, key changed at 04:00",
        "neighbour's AirTag, key changed at 04:00",
    ] {
        let d = s.device(label);
        // Two keys, so two addresses: one entry with both.
        assert_eq!(d["addresses"].as_array().unwrap().len(), 2, "{d}");
        let entry = entries_of(d, trackers)[0];
        assert_eq!(entry["identities"], 2, "{entry}");
        assert_eq!(entry["addresses"].as_array().unwrap().len(), 2, "{entry}");
    }
}

#[test]
fn identity_scenarios_over_20_seeds() {
    for name in ["tile_changing_id", "airtag_overnight", "own_devices"] {
        let score = Score::over(name, 1..=20);
        println!("{}", score.row(name));
        score.assert_perfect(name);
    }
}

/// The car tag of `car_smarttag_days` is one entry, never split, and flagged in time on every
/// draw; no other tag is flagged.
#[test]
fn car_smarttag_days_over_20_seeds() {
    let score = Score::over("car_smarttag_days", 1..=20);
    println!("{}", score.row("car_smarttag_days"));
    score.assert_perfect("car_smarttag_days");
}

/// How one scenario fared over its seeds.
#[derive(Debug, Default, PartialEq)]
struct Score {
    seeds: usize,
    /// Following devices, and those flagged in time (after she moved, by the deadline).
    following: usize,
    flagged_in_time: usize,
    /// Devices not following, and those flagged all the same.
    not_following: usize,
    false_alarms: usize,
    /// Flagged entries of no labelled device at all (a bystander's phone, say).
    stray_alarms: usize,
    /// Labelled devices, the entries they were listed as, and those listed in more than one.
    tags: usize,
    entries: usize,
    split: usize,
    /// Devices the in-person advisory should name, and those it named; others it named.
    advisory: usize,
    advised: usize,
    wrongly_advised: usize,
    /// Minutes from when the person moved (or the device was first heard) to the alert.
    latency_min: Vec<f64>,
}

impl Score {
    /// Scenario `name` drawn with each of `seeds`, scored.
    fn over(name: &'static str, seeds: std::ops::RangeInclusive<u64>) -> Score {
        let mut score = Score::default();
        for seed in seeds {
            score.add(&Scenario::write_seeded(name, seed));
        }
        score
    }

    fn add(&mut self, s: &Scenario) {
        let json = s.analyze();
        let trackers = json["trackers"].as_array().unwrap();
        let advised: HashSet<&str> = json["advisory"]["trackers"]
            .as_array()
            .map(|a| a.iter().map(|id| id.as_str().unwrap()).collect())
            .unwrap_or_default();
        let mut labelled = HashSet::new();
        self.seeds += 1;
        for d in s.devices() {
            let entries = entries_of(d, trackers);
            labelled.extend(entries.iter().map(|t| t["id"].as_str().unwrap()));
            self.tags += 1;
            self.entries += entries.len();
            self.split += usize::from(entries.len() > 1);
            let flagged: Vec<&&Value> = entries.iter().filter(|t| t["following"] == true).collect();
            if d["following"] == true {
                self.following += 1;
                let from = d.get("alert_not_before").map_or(time(&d["first_seen"]), time);
                if let [t] = flagged.as_slice() {
                    let at = time(&t["alert_at"]);
                    if (from..=time(&d["alert_by"])).contains(&at) {
                        self.flagged_in_time += 1;
                        self.latency_min.push((at - from) as f64 / MIN as f64);
                    }
                }
            } else {
                self.not_following += 1;
                self.false_alarms += usize::from(!flagged.is_empty());
            }
            let named = entries
                .iter()
                .any(|t| advised.contains(t["id"].as_str().unwrap()));
            if d["advisory"] == true {
                self.advisory += 1;
                self.advised += usize::from(named);
            } else {
                self.wrongly_advised += usize::from(named);
            }
        }
        self.stray_alarms += trackers
            .iter()
            .filter(|t| t["following"] == true && !labelled.contains(t["id"].as_str().unwrap()))
            .count();
    }

    /// Recall 100 %, no false alarm of any kind, one entry per tag, the advisory exact.
    fn assert_perfect(&self, name: &str) {
        assert_eq!(self.flagged_in_time, self.following, "{name}: {self:?}");
        assert_eq!(
            (self.false_alarms, self.stray_alarms, self.split),
            (0, 0, 0),
            "{name}: {self:?}"
        );
        assert_eq!(
            (self.advised, self.wrongly_advised),
            (self.advisory, 0),
            "{name}: {self:?}"
        );
    }

    /// This scenario's row of bench/results.md.
    fn row(&self, name: &str) -> String {
        let max = self.latency_min.iter().copied().fold(0.0, f64::max);
        format!(
            "| {name} | {} | {}/{} | {}/{} (+{}) | {:.2} ({} split) | {}/{} (+{}) | {max:.1} min |",
            self.seeds,
            self.flagged_in_time,
            self.following,
            self.false_alarms,
            self.not_following,
            self.stray_alarms,
            self.entries as f64 / self.tags as f64,
            self.split,
            self.advised,
            self.advisory,
            self.wrongly_advised
        )
    }
}

/// The scenarios of issue 13 over 20 draws each (GPS noise and jumps, stays, strangers
/// boarding and alighting, keys): every following tag flagged in time, nothing else flagged,
/// one entry per tag, the advisory naming exactly the labelled devices. Prints the scores.
#[test]
fn noisy_scenarios_score_perfectly_over_twenty_seeds() {
    println!(
        "| scenario | seeds | flagged in time | false alarms (+ unlabelled) | entries per tag | advisory named (+ wrongly) | slowest alert after she moved |"
    );
    for name in [
        "cafe_noisy_gps",
        "subway_commute",
        "train_strangers",
        "walked_behind",
        "commute_stranger_days",
    ] {
        let score = Score::over(name, 0..=19);
        println!("{}", score.row(name));
        score.assert_perfect(name);
        assert!(score.not_following > 0, "{name} has strangers to tell apart");
    }
}

/// The older scenarios over 5 draws each: flagged in time and no false alarm whatever the
/// draw (one entry per tag is for the rotation rules: near-owner Apple devices are not linked).
#[test]
fn scenarios_hold_over_other_seeds() {
    for name in labelled::NAMES.into_iter().take(8) {
        let score = Score::over(name, 1..=5);
        println!("{}", score.row(name));
        assert_eq!(score.flagged_in_time, score.following, "{name}: {score:?}");
        assert_eq!(score.false_alarms, 0, "{name}: {score:?}");
    }
}

#[test]
fn reasons_say_which_evidence_decided() {
    let s = Scenario::write("subway_commute");
    let json = s.analyze();
    let tile = json["trackers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["following"] == true)
        .unwrap();
    assert_eq!(tile["family"], "tile");
    let reasons: Vec<&str> = tile["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    // Home and the office (the station exit may be a place of its own) joined by the Tile
    // heard all through the subway without a fix.
    assert!(
        reasons[0].starts_with("seen at 2 places") || reasons[0].starts_with("seen at 3 places"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(
            |r| r.starts_with("decided by: still with you 10 min after a ride of ")
                && r.ends_with("heard without a break")
        ),
        "{reasons:?}"
    );
    let s = Scenario::write("walked_behind");
    let json = s.analyze();
    assert!(
        json["trackers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["following"] == false)
    );
    let text = json["advisory"]["text"].as_str().unwrap();
    assert!(
        text.contains("the same nearby devices (near their owner) have been with you at"),
        "{text}"
    );
    assert!(json["advisory"]["with_you_min"].as_i64().unwrap() >= 60);
}
