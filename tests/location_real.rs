//! The location readers against real recordings in ../shared/captures/external
//! (see SOURCES.md there): gpsd's regression logs with gpsd's own JSON output, and
//! an iPhone SensorLog walk through Frankfurt.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tagwatch::correlate::Places;
use tagwatch::location::gpsd::{GpsdClient, GpsdError};
use tagwatch::location::{DEFAULT_MAX_GAP_US, Fix, Track, TrackFormat, distance_m, read_track_file};

const GPSD_LOGS: [&str; 3] = ["bu353s4.log", "haicom-305N.log", "bundg_zeus_9.log"];

/// gpsd prints 9 decimals; our DDMM.mmmm conversion must agree to well within that.
const SAME_POSITION_DEG: f64 = 1e-6;

/// What may differ from gpsd, per log.
struct Expect {
    /// Fixes we report and gpsd does not.
    extra: Vec<i64>,
    /// Largest difference allowed between our fix and gpsd's last TPV of the epoch.
    max_deg: f64,
    /// Epochs that must match gpsd's last TPV to SAME_POSITION_DEG.
    min_exact: usize,
}

fn expect(name: &str, epochs: usize) -> Expect {
    match name {
        // The first valid RMC (09:53:04.802, after a run of status V) gets our fix;
        // gpsd reports that position without a time until the next epoch.
        "haicom-305N.log" => Expect {
            extra: vec![1_176_025_984_802_000],
            max_deg: SAME_POSITION_DEG,
            min_exact: epochs,
        },
        // The B&G plotter stamps its sentences inconsistently: RMC carries the
        // position of the previous second's GLL, and GLL sometimes the next second.
        // gpsd and we both let the latest sentence of a second win, but gpsd's
        // ZDA/cycle handling assigns a few sentences to other seconds. At 5.5 kn a
        // one-second shift is about 3 m, i.e. up to 4e-5 degrees.
        "bundg_zeus_9.log" => Expect {
            extra: vec![1_534_758_496_000_000], // 2018-08-20T09:48:16Z
            max_deg: 5e-5,
            // Observed: 109 of 147 epochs exact.
            min_exact: epochs * 7 / 10,
        },
        _ => Expect {
            extra: vec![],
            max_deg: SAME_POSITION_DEG,
            min_exact: epochs,
        },
    }
}

/// Every TPV in a `.chk` that has a time and a position, grouped by time in
/// output order. gpsd emits a TPV per sentence, so one epoch can have several.
fn chk_tpvs(path: &Path) -> BTreeMap<i64, Vec<(f64, f64)>> {
    let mut out: BTreeMap<i64, Vec<(f64, f64)>> = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        if !line.starts_with("{\"class\":\"TPV\"") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (Some(t), Some(lat), Some(lon)) = (v["time"].as_str(), v["lat"].as_f64(), v["lon"].as_f64())
        else {
            continue;
        };
        let t = chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_micros();
        out.entry(t).or_default().push((lat, lon));
    }
    out
}

fn at(track: &Track, time_us: i64) -> Option<Fix> {
    track.fixes().iter().find(|f| f.time_us == time_us).copied()
}

fn diff(f: &Fix, (lat, lon): (f64, f64)) -> f64 {
    (f.lat - lat).abs().max((f.lon - lon).abs())
}

/// Our NMEA fixes against gpsd's TPVs for the same input: every timed TPV epoch
/// must have our fix at the same time. Within an epoch gpsd updates the position
/// with each sentence; we do the same (GGA, GLL, RMC), so we compare with the
/// epoch's last TPV.
#[test]
fn nmea_logs_match_gpsd_output() {
    let Some(ext) = external() else { return };
    for name in GPSD_LOGS {
        let log = ext.join("gps").join(name);
        let read = read_track_file(&log).unwrap();
        assert_eq!(read.format, TrackFormat::Nmea, "{name}");
        let track = &read.track;
        let tpvs = chk_tpvs(&log.with_extension("log.chk"));
        let want = expect(name, tpvs.len());
        let (mut max, mut exact) = (0.0f64, 0);
        for (t, positions) in &tpvs {
            let f = at(track, *t).unwrap_or_else(|| panic!("{name}: no fix at {t} µs, gpsd has one"));
            let d = diff(&f, *positions.last().unwrap());
            max = max.max(d);
            exact += usize::from(d <= SAME_POSITION_DEG);
        }
        let extra: Vec<i64> = track
            .fixes()
            .iter()
            .map(|f| f.time_us)
            .filter(|t| !tpvs.contains_key(t))
            .collect();
        eprintln!(
            "{name}: {} fixes, gpsd {} timed epochs, {exact} within 1e-6°, max diff {max:.1e}°, extra {extra:?}, {}",
            track.len(),
            tpvs.len(),
            read.report
        );
        assert!(max <= want.max_deg, "{name}: {max}");
        assert!(exact >= want.min_exact, "{name}: {exact}");
        assert_eq!(extra, want.extra, "{name}: fixes gpsd does not report");
        assert_eq!(read.report.skipped.bad_checksum, 0, "{name}");
    }
}

/// gpsd's JSON output for the same logs, read as a gpsd-JSON file (one fix per
/// epoch, its last TPV), agrees with our NMEA reading in the same way.
#[test]
fn gpsd_json_of_logs_matches_nmea() {
    let Some(ext) = external() else { return };
    for name in GPSD_LOGS {
        let log = ext.join("gps").join(name);
        let nmea = read_track_file(&log).unwrap().track;
        let json = read_track_file(&log.with_extension("log.chk")).unwrap();
        assert_eq!(json.format, TrackFormat::GpsdJson, "{name}");
        let want = expect(name, json.track.len());
        assert_eq!(
            json.track.len() + want.extra.len(),
            nmea.len(),
            "{name}: {}",
            json.report
        );
        let mut exact = 0;
        for j in json.track.fixes() {
            let n = at(&nmea, j.time_us).unwrap_or_else(|| panic!("{name}: {j:?}"));
            let d = diff(&n, (j.lat, j.lon));
            assert!(d <= want.max_deg, "{name}: {j:?} vs {n:?}");
            exact += usize::from(d <= SAME_POSITION_DEG);
        }
        assert!(exact >= want.min_exact, "{name}: {exact}");
    }
}

#[test]
fn sensorlog_walk() {
    let Some(ext) = external() else { return };
    let path = ext.join("offline-finding-evaluation/data/gps/Walking-2020-07-29_11_16_05_iPhone-8.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
    // Column 5 is locationTimestamp_since1970(s), the time of the fix.
    let fix_times: BTreeSet<&str> = rows.iter().map(|r| r.split(',').nth(4).unwrap()).collect();
    let rows = rows.len();
    let read = read_track_file(&path).unwrap();
    assert_eq!(read.format, TrackFormat::Csv);
    let t = &read.track;
    let f = t.fixes();
    // 2020-07-29 09:16:00 UTC (11:16 CEST), the start of the recording.
    let start = 1_596_014_160_000_000;
    let length = t.length_m();
    let minutes = (f[f.len() - 1].time_us - f[0].time_us) as f64 / 60e6;
    eprintln!(
        "walk: {rows} rows, {}, {minutes:.1} min, {length:.0} m",
        read.report
    );
    // SensorLog logs a row every 2 s and repeats the last fix until a new one
    // arrives (up to 21 times during outages); repeats merge into one fix.
    assert_eq!(t.len(), fix_times.len(), "{rows} rows");
    assert!(t.len() * 10 >= rows * 6, "{} fixes of {rows} rows", t.len());
    assert_eq!(read.report.skipped.total(), 0, "{}", read.report);
    assert!(
        (start..start + 60_000_000).contains(&f[0].time_us),
        "{}",
        f[0].time_us
    );
    assert!((50.0..60.0).contains(&minutes), "{minutes}");
    assert!(
        f.iter()
            .all(|x| (50.09..50.13).contains(&x.lat) && (8.65..8.72).contains(&x.lon))
    );
    // About 55 minutes on foot at a slow sightseeing pace.
    assert!((2_500.0..4_500.0).contains(&length), "{length}");
    assert!(f.iter().all(|x| x.accuracy_m.is_some()));
}

/// Stops gpsfake (which stops its gpsd) when the test ends, however it ends.
struct Stop(Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// gpsd before 3.25 moves dates older than its build's GPS week rollover guard
/// forward by 1024 weeks (Debian 12's 3.22 reports 2014-12-31 as 2034-08-16).
const GPS_WEEK_ROLLOVER_US: i64 = 1024 * 7 * 86_400_000_000;

/// Replays bu353s4.log through a real gpsd (gpsfake, loopback, looping over the
/// log) and reads it with our client until every epoch has been seen: each fix
/// must be one gpsd also wrote to the `.chk` file, up to the rollover shift. When
/// gpsfake stops, the client must say the connection is gone.
#[test]
fn gpsfake_replay_through_client() {
    let Some(ext) = external() else { return };
    if !gpsfake_available() {
        return;
    }
    let log = ext.join("gps/bu353s4.log");
    let tpvs = chk_tpvs(&log.with_extension("log.chk"));
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("gpsfake")
        .args(["-q", "-c", "0.02", "-P", &port.to_string()])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stop = Stop(child);
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut client = loop {
        match GpsdClient::connect(&addr, Duration::from_secs(5)) {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let mut got: BTreeMap<i64, Fix> = BTreeMap::new();
    let mut shifted = 0;
    while got.len() < tpvs.len() {
        assert!(
            Instant::now() < deadline,
            "only {} of {} epochs in 60 s",
            got.len(),
            tpvs.len()
        );
        let mut f = client.next_fix().unwrap();
        if !tpvs.contains_key(&f.time_us) && tpvs.contains_key(&(f.time_us - GPS_WEEK_ROLLOVER_US)) {
            f.time_us -= GPS_WEEK_ROLLOVER_US;
            shifted += 1;
        }
        let positions = tpvs
            .get(&f.time_us)
            .unwrap_or_else(|| panic!("fix at {} µs not in gpsd's .chk", f.time_us));
        assert!(
            positions.iter().any(|p| diff(&f, *p) <= SAME_POSITION_DEG),
            "{f:?} vs {positions:?}"
        );
        got.insert(f.time_us, f);
    }
    drop(stop);
    // Reports already buffered come first; the error must follow them.
    let end = loop {
        assert!(
            Instant::now() < deadline + Duration::from_secs(10),
            "no end after gpsfake stopped"
        );
        if let Err(e) = client.next_fix() {
            break e;
        }
    };
    eprintln!(
        "gpsfake: {} epochs ({shifted} reports shifted 1024 weeks), then {end:?}",
        got.len()
    );
    assert!(
        matches!(end, GpsdError::Closed { .. } | GpsdError::Io { .. }),
        "{end:?}"
    );
}

/// A real phone's walk (Frankfurt, an iPhone 8 logging about once a second with its accuracy)
/// with a tag along, heard every 2 s: a place every few hundred metres, none from noise, and
/// no fix taken for a jump.
#[test]
fn sensorlog_walk_makes_places_from_real_noise() {
    let Some(ext) = external() else { return };
    let path = ext.join("offline-finding-evaluation/data/gps/Walking-2020-07-29_11_16_05_iPhone-8.csv");
    let read = read_track_file(&path).unwrap();
    assert_eq!(read.report.skipped.impossible_jumps, 0, "{}", read.report);
    let t = &read.track;
    let f = t.fixes();
    let mut places = Places::default();
    for time in (f[0].time_us..=f[f.len() - 1].time_us).step_by(2_000_000) {
        places.add(time, t.position_at(time, DEFAULT_MAX_GAP_US).as_ref());
    }
    let per_place = t.length_m() / places.len() as f64;
    eprintln!(
        "walk: {} places, {:.0} m of walk per place, {} stays, {:.0} m apart at most, {:.0} min at places",
        places.len(),
        per_place,
        places.stays(),
        places.max_distance_m(),
        places.at_places_us() as f64 / 60e6
    );
    // A 200 m place is crossed in 200-400 m of walking (and lingered in at sights).
    assert!((150.0..600.0).contains(&per_place), "{per_place}");
    // Every centre lies on the walk: within a GPS error of some fix.
    for c in places.centres() {
        let near = f.iter().map(|x| distance_m(x, c)).fold(f64::MAX, f64::min);
        assert!(near < 50.0, "{c:?} is {near:.0} m from the walk");
    }
    assert!(places.max_distance_m() > 1000.0);
}
