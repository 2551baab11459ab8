//! A scan without a view, for a Raspberry Pi in a bag or a car: plain lines on stderr (the
//! journal adds the time), tracker sightings into the evidence store, every advertisement
//! into an optional JSON Lines capture, and a command run for each alert.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::analyze;
use crate::capture::JsonlWriter;
use crate::classify::Classifier;
use crate::correlate::{Tracker, Trackers};
use crate::model::Advertisement;
use crate::present::{self, json::TrackerJson};
use crate::store::{Recorder, StoreError};

use super::{LinkState, LinkWatch, ScanEvent};

/// How long a crash may lose sightings at most: the store is written this often.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
/// A line saying what was heard, so a quiet log still shows the scanner is alive.
const STATUS_EVERY: Duration = Duration::from_secs(600);

/// A headless scan: what it feeds and where it writes.
pub struct Headless<'a> {
    pub trackers: Trackers<'a>,
    pub recorder: Option<Recorder<'a>>,
    /// `--record`: every advertisement, bystanders too.
    pub capture: Option<JsonlWriter<Box<dyn Write + 'a>>>,
    /// `--on-alert`: run with `sh -c`, the tracker as JSON on stdin.
    pub on_alert: Option<String>,
    /// Names the input in stored sightings.
    pub source: String,
}

/// How a headless scan ended.
#[derive(Debug)]
pub struct Outcome {
    pub trackers: Vec<Tracker>,
    pub advertisements: u64,
    pub other_advertisements: u64,
    pub store_error: Option<StoreError>,
    pub capture_error: Option<std::io::Error>,
}

impl Headless<'_> {
    /// Runs until `stop` is set or the scanner goes away; `gps` is logged when it changes.
    pub fn run(
        mut self,
        events: &Receiver<ScanEvent>,
        gps: Option<&LinkWatch>,
        stop: &AtomicBool,
    ) -> Outcome {
        let classifier = Classifier::builtin();
        let mut capture_error = None;
        let mut gps_state = None;
        let mut advertisements = 0u64;
        let (mut flushed, mut status) = (Instant::now(), Instant::now());
        while !stop.load(Ordering::Relaxed) {
            match events.recv_timeout(Duration::from_millis(250)) {
                Ok(ScanEvent::Advertisement(adv)) => {
                    advertisements += 1;
                    let adv = adv.as_advertisement();
                    if let Some(w) = self.capture.as_mut()
                        && let Err(e) = w.write(&adv)
                    {
                        // A full disk must not stop the alerts.
                        eprintln!("error: --record: {e}; recording stopped, scanning goes on");
                        self.capture = None;
                        capture_error = Some(e);
                    }
                    self.add(classifier, &adv);
                }
                Ok(ScanEvent::Adapter(state)) => {
                    eprintln!("adapter: {}", present::neutralise(&state.to_string()));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if let Some(state) = gps.map(LinkWatch::get).filter(|s| gps_state.as_ref() != Some(s)) {
                eprintln!("gpsd: {}", present::neutralise(&state.to_string()));
                gps_state = Some(state);
            }
            if flushed.elapsed() >= FLUSH_EVERY {
                flushed = Instant::now();
                if let Some(r) = self.recorder.as_mut() {
                    r.flush();
                }
            }
            if status.elapsed() >= STATUS_EVERY {
                status = Instant::now();
                let gps = gps_state.as_ref().map_or("none".into(), LinkState::to_string);
                eprintln!(
                    "heard {advertisements} advertisements, {} from no tracker; gpsd {gps}",
                    self.trackers.other_advertisements
                );
            }
        }
        if let Some(w) = self.capture
            && let Err(e) = w.into_inner().and_then(|mut w| w.flush())
        {
            capture_error = Some(e);
        }
        let other_advertisements = self.trackers.other_advertisements;
        let track = self.trackers.track().cloned();
        let trackers = self.trackers.into_sorted();
        let ended_us = chrono::Utc::now().timestamp_micros();
        let store_error = self.recorder.and_then(|r| {
            r.finish(track.as_ref(), &trackers, other_advertisements, ended_us)
                .err()
        });
        Outcome {
            trackers,
            advertisements,
            other_advertisements,
            store_error,
            capture_error,
        }
    }

    fn add(&mut self, classifier: &'static Classifier, adv: &Advertisement<'_>) {
        let (recorder, source) = (&mut self.recorder, &self.source);
        analyze::add_one(adv, classifier, &mut self.trackers, |adv, class, sighted| {
            if let Some(r) = recorder.as_mut() {
                r.sighting(adv, class, &sighted, source);
            }
        });
        for t in self.trackers.take_following() {
            eprintln!(
                "ALERT {} {} ({}) is following you: {}",
                present::rfc3339(t.alert_at_us.unwrap_or(t.last_seen_us)),
                present::neutralise(t.model.unwrap_or(t.family)),
                t.id,
                present::neutralise(&t.reasons.join("; "))
            );
            if let Some(cmd) = &self.on_alert {
                run_on_alert(cmd, &t);
            }
        }
    }
}

/// Starts `cmd` with the tracker as one JSON object on stdin, without waiting for it.
fn run_on_alert(cmd: &str, t: &Tracker) {
    let json = serde_json::to_string(&TrackerJson::from(t)).expect("a tracker serialises") + "\n";
    let child = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return eprintln!("error: --on-alert: cannot start sh: {e}"),
    };
    // Far below a pipe's buffer: the write does not wait for the command to read.
    if let Some(mut stdin) = child.stdin.take()
        && let Err(e) = stdin.write_all(json.as_bytes())
    {
        eprintln!("error: --on-alert: {e}");
    }
    // Reaped on a thread of its own so a slow command does not hold up the scan.
    std::thread::spawn(move || match child.wait() {
        Ok(s) if !s.success() => eprintln!("error: --on-alert command failed: {s}"),
        Err(e) => eprintln!("error: --on-alert: {e}"),
        Ok(_) => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AddrType, BdAddr, OwnedAdvertisement, PduKind};
    use crate::store::Store;
    use std::sync::mpsc::sync_channel;

    const MIN_US: i64 = 60_000_000;

    fn adv(time_us: i64, address: u8, data: &str) -> ScanEvent {
        ScanEvent::Advertisement(OwnedAdvertisement {
            time_us,
            address: BdAddr([0xc4, 0, 0, 0, 0, address]),
            addr_type: AddrType::Random,
            rssi: Some(-60),
            pdu: PduKind::Unknown,
            data: hex::decode(data).unwrap(),
        })
    }

    #[test]
    fn alerts_once_records_everything_and_stores_only_trackers() {
        let dir = tempfile::tempdir().unwrap();
        let alert_file = dir.path().join("alert.json");
        let record_file = dir.path().join("scan.jsonl");
        let mut store = Store::open(&dir.path().join("evidence.sqlite")).unwrap();
        let recorder = Recorder::begin(&mut store, "scan", &["test".into()], 0).unwrap();
        let (tx, rx) = sync_channel(1000);
        // A separated AirTag every minute for 2.5 hours (no GPS: it alerts on time alone),
        // and a phone near its owner, a bystander.
        let airtag = "1eff4c0012191096431f9ca2496a6825b31915412b6436d2f30933a0930386";
        let phone = "07ff4c0012020002";
        let start = 1_768_464_000_000_000;
        for m in 0..150 {
            tx.send(adv(start + m * MIN_US, 1, airtag)).unwrap();
            tx.send(adv(start + m * MIN_US + 1, 2, phone)).unwrap();
        }
        drop(tx);
        let capture =
            JsonlWriter::new(Box::new(std::fs::File::create(&record_file).unwrap()) as Box<dyn Write>);
        let headless = Headless {
            trackers: Trackers::new(),
            recorder: Some(recorder),
            capture: Some(capture.unwrap()),
            on_alert: Some(format!("cat > {}", alert_file.display())),
            source: "hci0".into(),
        };
        let out = headless.run(&rx, None, &AtomicBool::new(false));
        assert_eq!(out.advertisements, 300);
        assert!(out.store_error.is_none() && out.capture_error.is_none());
        let airtag = out.trackers.iter().find(|t| t.model == Some("AirTag")).unwrap();
        assert_eq!(airtag.alert_at_us, Some(start + 120 * MIN_US));

        let deadline = Instant::now() + Duration::from_secs(5);
        let json = loop {
            match std::fs::read_to_string(&alert_file) {
                Ok(s) if s.ends_with('\n') => break s,
                _ if Instant::now() > deadline => panic!("no alert from --on-alert"),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (v["model"].as_str(), v["following"].as_bool()),
            (Some("AirTag"), Some(true))
        );

        let recorded = std::fs::read_to_string(&record_file).unwrap();
        assert_eq!(
            recorded.lines().count(),
            1 + 300,
            "a header, then every advertisement"
        );
        let data = store.report_data(None, start + 200 * MIN_US).unwrap();
        assert_eq!(
            data.sightings.len(),
            150,
            "the phone near its owner is only counted"
        );
    }
}
