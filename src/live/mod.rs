//! The live session: advertisements arrive one at a time (from the live scanner or a
//! replayed capture) and go through the same classify -> correlate -> store step as
//! `analyze`; the live view reads a [`Snapshot`] of it.
//!
//! A live scanner pushes each advertisement with [`Session::push`] (its `time_us` is the
//! arrival time), or implements [`Feed`] to be driven by the live view.

pub mod desktop;
mod history;
mod panes;
mod replay;
mod spans;
pub mod ui;

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::analyze::{self, AnalyzeOptions};
use crate::capture::monitor::Frame;
use crate::capture::{JsonlWriter, MonitorWriter};
use crate::classify::Classifier;
use crate::correlate::advisory::Advisory;
use crate::correlate::{Tracker, Trackers};
use crate::coverage::{Coverage, TrackRead};
use crate::evidence::Source;
use crate::i18n::Lang;
use crate::listening::{self, Channel, Listening};
use crate::location::{Fix, PositionSource};
use crate::model::{Advertisement, BdAddr};
use crate::report;
use crate::scan::LinkState;
use crate::store::{Recorder, StoreError};

pub use history::{Bucket, History};
pub(crate) use panes::age;
pub use replay::{Pace, Replay};
pub use spans::Spans;

/// RSSI values kept per tracker for the sparkline and the find mode.
pub const RSSI_HISTORY: usize = 60;
/// Trackers with live state (signal, raw data) at most: in a crowd of one-off keys the
/// least recently heard are forgotten (their verdicts stay in the correlator).
const MAX_LIVE: usize = 1024;
/// Alerts kept for the view.
const MAX_EVENTS: usize = 100;
/// Weight of a new RSSI value in the smoothed signal of the find mode.
const SMOOTHING: f64 = 0.3;
/// Advertisements per second are counted over this many seconds of session time.
const RATE_WINDOW_S: i64 = 10;
/// Whether there is a GPS fix is looked at once a second of session time.
const GPS_LOOK_US: i64 = 1_000_000;
/// The person's track in a snapshot is thinned to this many points (a map has fewer cells).
const MAX_TRACK_POINTS: usize = 1000;

/// What happened that the person must be told.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The tracker started following: its verdict at that moment.
    Following(Tracker),
}

impl Event {
    pub fn tracker(&self) -> &Tracker {
        match self {
            Event::Following(t) => t,
        }
    }

    /// One line in `lang` for a log or a headless run; text from the air is neutralised.
    pub fn line(&self, lang: Lang) -> String {
        let Event::Following(t) = self;
        lang.fill(
            "alert-line",
            &[
                (
                    "time",
                    &crate::present::rfc3339(t.alert_at_us.unwrap_or(t.last_seen_us)),
                ),
                ("model", &crate::present::neutralise(t.model.unwrap_or(t.family))),
                ("id", &t.id),
                ("reasons", &crate::present::neutralise(&t.reasons_text(lang))),
            ],
        )
    }
}

/// The alert as JSON for an `--on-alert` command: the tracker's evidence record (verdict,
/// reasons, addresses ...) and when it started following.
pub fn alert_json(event: &Event) -> String {
    let Event::Following(t) = event;
    serde_json::json!({
        "alert": "following",
        "alert_at": t.alert_at_us.map(crate::present::rfc3339),
        "tracker": crate::evidence::TrackerRecord::from(t),
    })
    .to_string()
}

/// Runs `command` with `sh -c`, the alert JSON on its standard input. It is not waited for:
/// a slow hook (sending a message, say) must not stop the scan; the handle tells when it is
/// done, so the scan can give it a moment before exiting.
pub fn run_alert_hook(command: &str, event: &Event) -> std::io::Result<std::thread::JoinHandle<()>> {
    let mut child = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    let json = alert_json(event);
    let mut stdin = child.stdin.take().expect("stdin is piped");
    Ok(std::thread::spawn(move || {
        // A hook that does not read its input is its own business.
        let _ = stdin.write_all(json.as_bytes());
        drop(stdin);
        let _ = child.wait();
    }))
}

/// What the view keeps per tracker beyond the correlator's entry.
#[derive(Clone, Debug, Default)]
struct Live {
    rssi: VecDeque<i8>,
    smoothed: Option<f64>,
    raw: Vec<u8>,
    address: BdAddr,
    last_us: i64,
    /// Shared with the snapshots, copied only when a sighting arrives while a view holds one.
    history: Arc<History>,
    alert_fix: Option<Fix>,
}

/// One tracker as the live view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackerView {
    /// The entry with its verdict as it stands now.
    pub tracker: Tracker,
    /// The latest RSSI values, oldest first (at most [`RSSI_HISTORY`]).
    pub rssi: Vec<i8>,
    /// Smoothed RSSI, steadier than single values for finding the tracker.
    pub smoothed: Option<f64>,
    /// The latest advertisement's AD structures and address.
    pub raw_hex: String,
    pub address: BdAddr,
    /// Its sightings over the session, for the map and the timeline.
    pub history: Arc<History>,
    /// Where the person was when it started following.
    pub alert_fix: Option<Fix>,
}

/// The evidence database a session keeps its records in, for the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub db: PathBuf,
    /// The short code of the latest anchor kept in it (None: never anchored).
    pub anchor: Option<String>,
}

/// The session as it stands, for one frame of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The session clock: the latest arrival time (or tick).
    pub now_us: i64,
    /// When the first advertisement or tick arrived.
    pub started_us: Option<i64>,
    /// Most worrying first (the user's own last), then strongest.
    pub trackers: Vec<TrackerView>,
    /// Alerts so far, oldest first.
    pub events: Vec<Event>,
    pub advertisements: u64,
    /// Advertisements of phones, headphones and other devices that are no trackers.
    pub bystanders: u64,
    /// Advertisements per second over the last few seconds of session time.
    pub rate: f64,
    /// When the radio listened, and when there was a GPS fix.
    pub radio: Spans,
    pub gps: Spans,
    /// The person's latest fix up to now, and the track so far (thinned).
    pub fix: Option<Fix>,
    pub track: Vec<Fix>,
    pub evidence: Option<Evidence>,
    /// Devices near their owner with you at places for an hour (not an alert).
    pub advisory: Option<Advisory>,
}

/// A live session: the correlator, the evidence recorder and the optional capture file.
pub struct Session<'a> {
    classifier: &'static Classifier,
    trackers: Trackers<'a>,
    recorder: Option<Recorder<'a>>,
    capture: Option<Box<dyn CaptureSink + 'a>>,
    /// Where the capture is written: its digest goes into the evidence at the end.
    capture_path: Option<PathBuf>,
    capture_error: Option<std::io::Error>,
    /// Names the input in stored sightings (a capture path, an adapter).
    source: String,
    live: HashMap<String, Live>,
    events: VecDeque<Event>,
    started_us: Option<i64>,
    now_us: i64,
    bystanders: u64,
    coverage: Coverage,
    track_files: &'a [TrackRead],
    max_gap_us: i64,
    /// What `analyze` judges with when it recalls each tracker's earlier days from the store.
    rules: crate::correlate::verdict::Rules,
    named_places: &'a [crate::correlate::NamedPlace],
    radio: Spans,
    gps: Spans,
    gps_looked_us: i64,
    /// Whether a position was known at the last look.
    fix_now: bool,
    /// What a live session could do, as it changed (None: a replay, which has no radio).
    changes: Option<Vec<listening::Change>>,
    radio_state: listening::State,
    position_state: listening::State,
    /// Advertisements per second of session time, the last [`RATE_WINDOW_S`] seconds.
    rate: VecDeque<(i64, u32)>,
    evidence: Option<Evidence>,
}

/// How a session ended.
#[derive(Debug)]
pub struct Outcome {
    /// The final verdicts, exactly as `analyze` gives them.
    pub trackers: Vec<Tracker>,
    pub other_advertisements: u64,
    pub store_error: Option<StoreError>,
    /// Why the `--record` capture is incomplete, if it is.
    pub capture_error: Option<std::io::Error>,
    /// What the session heard and for how long.
    pub coverage: Coverage,
    /// When a live session's radio listened and its positions were known (None: a replay).
    pub listening: Option<Listening>,
}

impl<'a> Session<'a> {
    /// A session judged by `options`; positions from `positions` (e.g. gpsd), else from
    /// the options' track. `source` names the input in the evidence.
    pub fn new(
        options: &AnalyzeOptions<'a>,
        positions: Option<Box<dyn PositionSource + 'a>>,
        source: &str,
    ) -> Self {
        Session {
            classifier: Classifier::builtin(),
            // Thousands of phones around must not grow the session: count them, keep none.
            trackers: options.trackers(positions).forgetting_bystanders(),
            recorder: None,
            capture: None,
            capture_path: None,
            capture_error: None,
            source: source.to_string(),
            live: HashMap::new(),
            events: VecDeque::new(),
            started_us: None,
            now_us: i64::MIN,
            bystanders: 0,
            coverage: Coverage::default(),
            track_files: options.track_files,
            max_gap_us: options.max_gap_us,
            rules: options.rules,
            named_places: options.named_places,
            radio: Spans::default(),
            gps: Spans::default(),
            gps_looked_us: i64::MIN,
            fix_now: false,
            changes: None,
            radio_state: listening::State::default(),
            position_state: listening::State::default(),
            rate: VecDeque::new(),
            evidence: None,
        }
    }

    /// Keeps every tracker sighting in the evidence store.
    pub fn with_recorder(mut self, mut recorder: Recorder<'a>) -> Self {
        let store = recorder.store();
        // An anchor that cannot be read is no reason to stop watching: the line says none.
        let anchor = store.last_anchor().ok().flatten().map(|a| a.code);
        self.evidence = Some(Evidence {
            db: store.path().to_path_buf(),
            anchor,
        });
        self.recorder = Some(recorder);
        self
    }

    /// Writes everything heard (bystanders too) to a capture (`--record`) at `path`; the
    /// evidence keeps its digest, so analysing it later stores nothing twice.
    pub fn with_capture(mut self, capture: Box<dyn CaptureSink + 'a>, path: &Path) -> Self {
        self.capture = Some(capture);
        self.capture_path = Some(path.to_path_buf());
        self
    }

    /// Takes one advertisement; returns the alerts it raised (usually none).
    pub fn push(&mut self, adv: &Advertisement<'_>) -> Vec<Event> {
        self.started_us.get_or_insert(adv.time_us);
        self.now_us = self.now_us.max(adv.time_us);
        self.record(|c| c.advertisement(adv));
        let (recorder, live, source) = (&mut self.recorder, &mut self.live, &self.source);
        let mut bystander = true;
        let mut entry = None;
        let (trackers, coverage) = (&mut self.trackers, &mut self.coverage);
        analyze::add_one(adv, self.classifier, trackers, coverage, |adv, class, sighted| {
            if let Some(r) = recorder.as_mut() {
                r.sighting(adv, class, &sighted, source);
            }
            bystander = class.bystander();
            if !bystander {
                remember(live, &sighted.tracker.id, adv, sighted.position.as_ref());
                entry = Some(sighted.entry);
            }
        });
        // The same tag on earlier days, from its first sighting on: a tag that followed
        // yesterday or was marked as hers is shown (and alerts) so from the start.
        if let (Some(entry), Some(r)) = (entry, recorder.as_mut()) {
            self.trackers.amend(entry, |t| r.recall_live(t));
        }
        if bystander {
            self.bystanders += 1;
        }
        // Something was heard: the radio listened then.
        self.radio.on(adv.time_us);
        self.count(adv.time_us);
        self.look_for_a_fix();
        let events: Vec<Event> = self
            .trackers
            .take_following()
            .into_iter()
            .map(Event::Following)
            .collect();
        for e in &events {
            let t = e.tracker();
            let at = t.alert_at_us.and_then(|at| self.trackers.position_at(at));
            if let Some(l) = self.live.get_mut(&t.id) {
                l.alert_fix = at;
            }
            if self.events.len() == MAX_EVENTS {
                self.events.pop_front();
            }
            self.events.push_back(e.clone());
        }
        events
    }

    /// Records a monitor frame of the adapter listened with (its advertisements come through
    /// [`Session::push`]).
    pub fn frame(&mut self, frame: &Frame<'_>) {
        self.record(|c| c.frame(frame));
    }

    fn record(&mut self, write: impl FnOnce(&mut dyn CaptureSink) -> std::io::Result<()>) {
        if let Some(c) = self.capture.as_mut()
            && let Err(e) = write(c.as_mut())
        {
            // A full disk must not stop the alerts: stop recording and say so at the end.
            self.capture = None;
            self.capture_error = Some(e);
        }
    }

    /// Moves the session clock on without an advertisement (for last-seen ages, and so a
    /// sweep of an empty room ends); the first tick or advertisement starts the session.
    pub fn tick(&mut self, now_us: i64) {
        self.started_us.get_or_insert(now_us);
        self.now_us = self.now_us.max(now_us);
        self.look_for_a_fix();
    }

    /// A live session's inputs at `now_us`: the adapter's state, and gpsd's (None: no gpsd).
    /// Each change of whether the radio listens or a position is known, and why not, is kept
    /// in the evidence as it happens.
    pub fn listening(&mut self, now_us: i64, radio: &LinkState, gps: Option<&LinkState>) {
        match radio {
            LinkState::Up => self.radio.on(now_us),
            _ => self.radio.off(),
        }
        let radio = listening::radio_state(radio)
            .and_then(|state| self.radio_state.set(Channel::Radio, now_us, state));
        let outage = (!self.fix_now).then(|| listening::no_position(gps, !self.track_files.is_empty()));
        let position = self.position_state.set(Channel::Position, now_us, outage);
        for change in radio.into_iter().chain(position) {
            if let Some(r) = self.recorder.as_mut() {
                r.coverage(&change);
            }
            self.changes.get_or_insert_with(Vec::new).push(change);
        }
    }

    fn count(&mut self, time_us: i64) {
        let second = time_us.div_euclid(1_000_000);
        match self.rate.back_mut() {
            Some((s, n)) if *s == second => *n += 1,
            _ => self.rate.push_back((second, 1)),
        }
        while self
            .rate
            .front()
            .is_some_and(|(s, _)| *s <= second - RATE_WINDOW_S)
        {
            self.rate.pop_front();
        }
    }

    /// Notes, once a second of session time, whether the person's position is known now.
    fn look_for_a_fix(&mut self) {
        let now = self.now_us;
        if now.saturating_sub(self.gps_looked_us) < GPS_LOOK_US {
            return;
        }
        self.gps_looked_us = now;
        self.fix_now = self.trackers.position_at(now).is_some();
        match self.fix_now {
            true => self.gps.on(now),
            false => self.gps.off(),
        }
    }

    pub fn now_us(&self) -> i64 {
        self.now_us
    }

    /// Writes the tracker sightings batched so far into the evidence store.
    pub fn flush(&mut self) {
        if let Some(r) = self.recorder.as_mut() {
            r.flush();
        }
    }

    /// When the first advertisement or tick arrived.
    pub fn started_us(&self) -> Option<i64> {
        self.started_us
    }

    /// The trackers as they stand now, with their signal history.
    pub fn snapshot(&self) -> Snapshot {
        let mut trackers: Vec<TrackerView> = self
            .trackers
            .snapshot(|t| self.live.contains_key(&t.id))
            .into_iter()
            .map(|tracker| {
                let live = &self.live[&tracker.id];
                TrackerView {
                    rssi: live.rssi.iter().copied().collect(),
                    smoothed: live.smoothed,
                    raw_hex: hex::encode(&live.raw),
                    address: live.address,
                    history: live.history.clone(),
                    alert_fix: live.alert_fix,
                    tracker,
                }
            })
            .collect();
        trackers.sort_by(|a, b| {
            (a.tracker.own.is_some(), b.tracker.risk)
                .cmp(&(b.tracker.own.is_some(), a.tracker.risk))
                .then(b.tracker.following().cmp(&a.tracker.following()))
                .then(signal(b).total_cmp(&signal(a)))
        });
        let fixes = self.trackers.track().map_or(&[][..], |t| t.fixes());
        let so_far = &fixes[..fixes.partition_point(|f| f.time_us <= self.now_us)];
        Snapshot {
            now_us: self.now_us,
            started_us: self.started_us,
            trackers,
            events: self.events.iter().cloned().collect(),
            advertisements: self.coverage.advertisements,
            bystanders: self.bystanders,
            rate: self.rate(),
            radio: self.radio.clone(),
            gps: self.gps.clone(),
            fix: so_far.last().copied(),
            track: thinned(so_far, MAX_TRACK_POINTS),
            evidence: self.evidence.clone(),
            advisory: self.trackers.advisory(),
        }
    }

    /// Advertisements per second over the last seconds of session time (fewer at the start).
    fn rate(&self) -> f64 {
        let now = self.now_us.div_euclid(1_000_000);
        let heard: u32 = self
            .rate
            .iter()
            .filter(|(s, _)| *s > now - RATE_WINDOW_S)
            .map(|(_, n)| n)
            .sum();
        let started = self.started_us.map_or(now, |t| t.div_euclid(1_000_000));
        let window = (now - started + 1).clamp(1, RATE_WINDOW_S);
        f64::from(heard) / window as f64
    }

    /// "This one is mine": tracker `id` raises no alarm from now on; its verdict, an alert
    /// already raised included, stays, and the mark is added to the evidence (an annotation at
    /// `time_us`). `Ok(false)`: it was marked already (or is not known).
    pub fn mark_own(&mut self, id: &str, time_us: i64) -> Result<bool, String> {
        if self.trackers.mark_own(id).is_none() {
            return Ok(false);
        }
        if let Some(r) = self.recorder.as_mut() {
            for t in self.trackers.snapshot(|t| t.id == id) {
                if let Err(e) = r.mark_own(&t, time_us) {
                    self.trackers.unmark_own(id);
                    return Err(e.to_string());
                }
            }
        }
        Ok(true)
    }

    /// Stores a note in the evidence (`n` in the view).
    pub fn note(&mut self, text: &str, time_us: i64) -> Result<(), String> {
        let store = self.recorder.as_mut().ok_or(NO_STORE)?.store();
        store
            .add_note(text, None, time_us)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Writes the evidence report of tracker `id` in every language into `dir`, with its
    /// verdict as it stands now. Returns the files written.
    pub fn export_report(&mut self, id: &str, dir: &Path, now_us: i64) -> Result<Vec<PathBuf>, String> {
        let recorder = self.recorder.as_mut().ok_or(NO_STORE)?;
        let now = self.trackers.snapshot(|t| t.id == id);
        recorder.save_verdicts(&now, now_us).map_err(|e| e.to_string())?;
        let data = recorder
            .store()
            .report_data(Some(id), now_us)
            .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Lang::ALL
            .iter()
            .map(|&lang| {
                let zone = report::Zone::choose(&data, None, report::Zone::machine_offset());
                report::write_report(dir, &data, lang, &zone).map_err(|e| format!("{}: {e}", dir.display()))
            })
            .collect()
    }

    /// Ends the session: the final verdicts (as `analyze` judges), stored with the track and
    /// the digest of the `--record` capture.
    pub fn finish(mut self, ended_us: i64) -> Outcome {
        let other_advertisements = self.trackers.other_advertisements;
        // The track is owned by the position source, which the correlator consumes.
        let track = self.trackers.track().cloned();
        let listening = self.changes.map(|changes| Listening {
            changes,
            from_us: self.started_us.unwrap_or(self.now_us),
            to_us: self.now_us,
        });
        let mut coverage = self.coverage;
        coverage.ran_us = self.started_us.map(|t| self.now_us.saturating_sub(t));
        coverage.finish(track.as_ref(), self.track_files, self.max_gap_us);
        let mut trackers = self.trackers.into_sorted();
        // The same tag on earlier days, as `analyze` recalls it: the verdicts are its verdicts.
        if let Some(r) = self.recorder.as_mut() {
            r.recall_history(&mut trackers, &self.rules, self.named_places);
        }
        let mut capture_error = self.capture_error;
        if let Some(c) = self.capture
            && let Err(e) = c.finish()
        {
            capture_error = Some(e);
        }
        // Written to the end (or as far as the disk let it): what it holds is this session's.
        let recorded = self
            .capture_path
            .map(|path| Source::capture(&path))
            .filter(|c| c.sha256.is_some());
        let store_error = self.recorder.and_then(|mut r| {
            recorded
                .map_or(Ok(()), |c| r.recorded(&c))
                .and_then(|()| r.finish(track.as_ref(), &trackers, other_advertisements, ended_us))
                .err()
        });
        Outcome {
            trackers,
            other_advertisements,
            store_error,
            capture_error,
            coverage,
            listening,
        }
    }
}

const NO_STORE: &str = "no evidence store in this session (--no-store)";

/// Smoothed RSSI for sorting; unheard signals last.
fn signal(v: &TrackerView) -> f64 {
    v.smoothed.unwrap_or(f64::NEG_INFINITY)
}

/// At most `max` of `fixes`, evenly picked, the last always kept (where the person is now).
fn thinned(fixes: &[Fix], max: usize) -> Vec<Fix> {
    let step = fixes.len().div_ceil(max.max(1)).max(1);
    let mut v: Vec<Fix> = fixes.iter().step_by(step).copied().collect();
    if let Some(last) = fixes.last()
        && v.last() != Some(last)
    {
        v.push(*last);
    }
    v
}

/// Keeps the signal, raw data and history of one tracker sighting, bounded in size and count.
fn remember(live: &mut HashMap<String, Live>, id: &str, adv: &Advertisement<'_>, position: Option<&Fix>) {
    if !live.contains_key(id) && live.len() >= MAX_LIVE {
        let oldest = live.iter().min_by_key(|(_, l)| l.last_us).map(|(k, _)| k.clone());
        if let Some(k) = oldest {
            live.remove(&k);
        }
    }
    let l = live.entry(id.to_string()).or_default();
    if let Some(rssi) = adv.rssi {
        if l.rssi.len() == RSSI_HISTORY {
            l.rssi.pop_front();
        }
        l.rssi.push_back(rssi);
        let r = f64::from(rssi);
        l.smoothed = Some(l.smoothed.map_or(r, |s| s + SMOOTHING * (r - s)));
    }
    Arc::make_mut(&mut l.history).add(adv.time_us, adv.rssi, position);
    l.raw.clear();
    l.raw.extend_from_slice(adv.data);
    l.address = adv.address;
    l.last_us = adv.time_us;
}

/// Where `--record` writes what a session heard: the advertisements (tagwatch JSON Lines), or
/// the monitor frames they came in (btsnoop 2001, which holds them and more).
pub trait CaptureSink {
    fn advertisement(&mut self, adv: &Advertisement<'_>) -> std::io::Result<()>;
    /// A monitor frame of the adapter listened with (only the monitor source has them).
    fn frame(&mut self, frame: &Frame<'_>) -> std::io::Result<()>;
    /// Writes out what is buffered.
    fn finish(self: Box<Self>) -> std::io::Result<()>;
}

impl<W: Write> CaptureSink for JsonlWriter<W> {
    fn advertisement(&mut self, adv: &Advertisement<'_>) -> std::io::Result<()> {
        self.write(adv)
    }

    fn frame(&mut self, _: &Frame<'_>) -> std::io::Result<()> {
        Ok(())
    }

    fn finish(self: Box<Self>) -> std::io::Result<()> {
        self.into_inner().map(drop)
    }
}

impl<W: Write> CaptureSink for MonitorWriter<W> {
    /// Its frames hold the advertisements already, as the controller reported them.
    fn advertisement(&mut self, _: &Advertisement<'_>) -> std::io::Result<()> {
        Ok(())
    }

    fn frame(&mut self, frame: &Frame<'_>) -> std::io::Result<()> {
        self.write(frame)
    }

    fn finish(self: Box<Self>) -> std::io::Result<()> {
        self.into_inner().map(drop)
    }
}

/// Where a live view's advertisements come from: a replayed capture, or the live scanner.
pub trait Feed {
    /// Pushes what has arrived into `session`, for at most about `budget`; returns the
    /// alerts raised.
    fn pump(&mut self, session: &mut Session<'_>, budget: Duration) -> Vec<Event>;
    /// How long until more may be there (the view sleeps at most this long).
    fn next_due(&self) -> Duration;
    /// Whether nothing more will come (a replay at its end).
    fn finished(&self) -> bool;
    /// What the view's title says about the input ("replay 10×", "hci0"), in `lang`.
    fn describe(&self, lang: Lang) -> String;
    /// What is listened with, for the status line.
    fn listener(&self) -> Listener;
}

/// What a session listens with.
#[derive(Clone, Debug, PartialEq)]
pub enum Listener {
    /// A Bluetooth adapter. `exact`: its advertisements are the bytes the controller reported
    /// (the HCI monitor); else BlueZ over D-Bus hands over advertisements it has
    /// reconstructed (merged, deduplicated), not the raw packets.
    Adapter {
        name: String,
        state: LinkState,
        exact: bool,
    },
    /// A recorded capture played back.
    Replay { file: String },
}

/// Runs `feed` into `session` without a view until it finishes or `stop` says so; each
/// alert goes to `on_event` as it is raised.
pub fn run_headless(
    session: &mut Session<'_>,
    feed: &mut dyn Feed,
    mut stop: impl FnMut(&Session<'_>) -> bool,
    mut on_event: impl FnMut(&Event),
) {
    while !feed.finished() && !stop(session) {
        for e in feed.pump(session, Duration::from_millis(100)) {
            on_event(&e);
        }
        std::thread::sleep(feed.next_due().min(Duration::from_millis(100)));
    }
}

#[cfg(test)]
mod tests;
