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
        let dir = tempfile::tempdir().unwrap();
        tagwatch()
            .args(["synth", "scenario", name, "-o"])
            .arg(dir.path())
            .assert()
            .success();
        Self::read(dir, name)
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

/// How a scenario drawn with one seed was judged.
#[derive(Default)]
struct Score {
    following: usize,
    /// Following tags flagged once, in one entry, by their deadline.
    recalled: usize,
    /// Flagged entries that are no following tag's.
    false_alarms: usize,
    tags: usize,
    /// Entries the labelled tags were listed as, and the most any one tag was.
    entries: usize,
    most_entries: usize,
}

impl Score {
    fn of(s: &Scenario) -> Score {
        let json = s.analyze();
        let trackers = json["trackers"].as_array().unwrap();
        let mut score = Score::default();
        let mut theirs = HashSet::new();
        for d in s.devices() {
            let entries = entries_of(d, trackers);
            score.tags += 1;
            score.entries += entries.len();
            score.most_entries = score.most_entries.max(entries.len());
            if d["following"] == true {
                score.following += 1;
                let flagged: Vec<&&Value> = entries.iter().filter(|t| t["following"] == true).collect();
                if let [one] = flagged[..]
                    && entries.len() == 1
                    && time(&one["alert_at"]) <= time(&d["alert_by"])
                {
                    score.recalled += 1;
                }
                theirs.extend(entries.iter().map(|t| t["id"].as_str().unwrap()));
            }
        }
        score.false_alarms = trackers
            .iter()
            .filter(|t| t["following"] == true && !theirs.contains(t["id"].as_str().unwrap()))
            .count();
        score
    }

    fn add(&mut self, o: Score) {
        self.following += o.following;
        self.recalled += o.recalled;
        self.false_alarms += o.false_alarms;
        self.tags += o.tags;
        self.entries += o.entries;
        self.most_entries = self.most_entries.max(o.most_entries);
    }
}

/// Scores scenario `name` over seeds 1 to `seeds`, prints its row of bench/results.md and
/// insists on recall 100 %, no false alarm and one entry per tag.
fn over_seeds(name: &'static str, seeds: u64) {
    let mut total = Score::default();
    for seed in 1..=seeds {
        let score = Score::of(&Scenario::write_seeded(name, seed));
        assert_eq!(
            (score.recalled, score.false_alarms, score.most_entries),
            (score.following, 0, 1),
            "{name} seed {seed}: recalled {} of {}, {} false alarms, {} entries for {} tags",
            score.recalled,
            score.following,
            score.false_alarms,
            score.entries,
            score.tags
        );
        total.add(score);
    }
    let recall = match total.following {
        0 => "no following tag".to_string(),
        n => format!("{} %", 100 * total.recalled / n),
    };
    eprintln!(
        "| {name} | {seeds} | {recall} ({}/{}) | {} | {:.2} (at most {}) |",
        total.recalled,
        total.following,
        total.false_alarms,
        total.entries as f64 / total.tags as f64,
        total.most_entries
    );
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
    for name in [
        "tile_changing_id",
        "car_smarttag_days",
        "airtag_overnight",
        "own_devices",
    ] {
        over_seeds(name, 20);
    }
}
