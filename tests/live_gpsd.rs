//! `LivePosition` against a real gpsd fed by gpsfake: positions while it runs, Down when
//! it stops, Up again when it comes back.

mod common;
use common::gpsfake_available;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tagwatch::location::PositionSource;
use tagwatch::scan::{Backoff, LinkState, LinkWatch, LivePosition};

/// 2026-01-15T08:00:00Z, the first fix of the log.
const T0_US: i64 = 1_768_464_000_000_000;

/// An NMEA log of `seconds` fixes, 1 s apart, walking north from 35°40.8736'N.
fn nmea_log(seconds: u32) -> String {
    let sentence = |body: String| {
        let sum = body.bytes().fold(0u8, |a, b| a ^ b);
        format!("${body}*{sum:02X}\r\n")
    };
    (0..seconds)
        .flat_map(|s| {
            let (time, lat) = (
                format!("0800{s:02}.00"),
                format!("35{:07.4}", 40.8736 + f64::from(s) * 0.01),
            );
            [
                sentence(format!("GPRMC,{time},A,{lat},N,13945.6260,E,0.5,0.0,150126,,,A")),
                sentence(format!(
                    "GPGGA,{time},{lat},N,13945.6260,E,1,08,0.9,40.0,M,39.0,M,,"
                )),
            ]
        })
        .collect()
}

/// Stops gpsfake (and its gpsd) when dropped.
struct Gpsfake(Child);

impl Gpsfake {
    fn start(log: &Path, port: u16) -> Self {
        let child = Command::new("gpsfake")
            .args(["-q", "-c", "0.05", "-P", &port.to_string()])
            .arg(log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Gpsfake(child)
    }
}

impl Drop for Gpsfake {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
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

fn wait_for(link: &LinkWatch, what: &str, want: impl Fn(&LinkState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = link.get();
        if want(&state) {
            return;
        }
        assert!(Instant::now() < deadline, "waiting for {what}: gpsd {state}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn live_position_follows_gpsd_through_an_outage() {
    if !gpsfake_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("walk.nmea");
    std::fs::write(&log, nmea_log(10)).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gpsfake = Gpsfake::start(&log, port);
    let backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
    let mut live = LivePosition::with_backoff(&format!("127.0.0.1:{port}"), 2_000_000, backoff).unwrap();
    let link = live.link();
    wait_for(&link, "gpsd up", |s| *s == LinkState::Up);
    // gpsfake plays the log in a loop: every second of it comes round.
    let deadline = Instant::now() + Duration::from_secs(20);
    let fix = loop {
        if let Some(f) = live.position_at(T0_US + 5_500_000) {
            break f;
        }
        assert!(Instant::now() < deadline, "no fix near 08:00:05.5");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        (T0_US + 3_500_000..=T0_US + 7_500_000).contains(&fix.time_us),
        "{fix:?}"
    );
    assert!(
        (fix.lat - 35.68).abs() < 0.01 && (fix.lon - 139.76).abs() < 0.01,
        "{fix:?}"
    );
    assert_eq!(
        live.position_at(T0_US - 60_000_000),
        None,
        "a minute before the log"
    );

    drop(gpsfake);
    wait_for(&link, "gpsd down", |s| matches!(s, LinkState::Down(_)));
    let _gpsfake = Gpsfake::start(&log, port);
    wait_for(&link, "gpsd up again", |s| *s == LinkState::Up);
}
