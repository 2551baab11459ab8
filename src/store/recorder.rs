//! Writes an analysis or a scan into the store as it goes: the session, every tracker
//! sighting (in batches, so a crash loses at most the last batch not yet acknowledged), the
//! person's track, the user's own trackers, and the verdicts at the end.
//!
//! A capture already in the store (the same SHA-256) is not stored again: its sightings are
//! matched to the kept ones and only where this session places them anew is written; a track
//! already in the store is referred to.

use std::collections::{BTreeMap, HashMap};

use chrono::{Local, NaiveDate, TimeZone};

use crate::classify::{Classification, personal_device_near_owner};
use crate::correlate::history::{self, Day, Earlier};
use crate::correlate::verdict::Rules;
use crate::correlate::{NamedPlace, Sighted, Tracker};
use crate::evidence::{
    AnnotationRecord, Placement, Position, SightingRecord, Source, TrackPoint, TrackerRecord,
};
use crate::location::Track;
use crate::model::Advertisement;

use super::chain::TrackRef;
use super::known::{Known, Placed, SightingKey, key};
use super::tracks;
use super::{OWN, Store, StoreError};

/// Sightings written per transaction: large enough to keep up with a busy capture, small
/// enough that a crash loses little.
const BATCH: usize = 1000;

pub struct Recorder<'s> {
    store: &'s mut Store,
    session: i64,
    sources: Vec<Source>,
    batch: Vec<SightingRecord>,
    /// The sightings already kept of captures this session reads, by SHA-256.
    known: HashMap<String, Known>,
    /// The capture being read (its index in `sources`, its SHA-256), and its kept sightings
    /// not yet referred to.
    index: usize,
    reading: Option<String>,
    current: Option<Known>,
    /// This session reads the capture again later (under another name): the keys of the
    /// sightings newly kept now go into `known` for that reading.
    collect: bool,
    batch_keys: Vec<SightingKey>,
    placements: Vec<Placement>,
    /// Trackers marked as the user's own in this session, and when.
    marked: HashMap<String, i64>,
    /// Each entry's days: when first and last heard on each local date, and how often.
    days: HashMap<String, Vec<(NaiveDate, Day)>>,
    /// The trackers the store held when the session began: the same tags on earlier days.
    earlier: Earlier,
    /// What each entry's days were last recalled with during a live session: its identities,
    /// whether it was following, its days this session.
    recalled: HashMap<String, (u32, bool, usize)>,
    /// The first write that failed; nothing more is written after it.
    error: Option<StoreError>,
}

impl<'s> Recorder<'s> {
    /// Begins a session reading `sources` (the first is being read until [`Recorder::reading`]
    /// says otherwise); looks up which captures the store holds already.
    pub fn begin(
        store: &'s mut Store,
        kind: &str,
        sources: &[Source],
        started_us: i64,
    ) -> Result<Self, StoreError> {
        Recorder::begin_with(store, kind, sources, started_us, &BTreeMap::new())
    }

    /// [`Recorder::begin`], keeping the `settings` the session judges with.
    pub fn begin_with(
        store: &'s mut Store,
        kind: &str,
        sources: &[Source],
        started_us: i64,
        settings: &BTreeMap<String, String>,
    ) -> Result<Self, StoreError> {
        let digests = sources.iter().filter_map(|s| s.sha256.as_deref()).collect();
        let known = store.known_captures(&digests)?;
        let earlier = Earlier::new(store.tracker_records()?);
        let session = store.begin_session_with(kind, sources, started_us, settings)?;
        let mut recorder = Recorder {
            store,
            session,
            sources: sources.to_vec(),
            batch: Vec::with_capacity(BATCH),
            known,
            index: usize::MAX,
            reading: None,
            current: None,
            collect: false,
            batch_keys: Vec::new(),
            placements: Vec::new(),
            marked: HashMap::new(),
            days: HashMap::new(),
            earlier,
            recalled: HashMap::new(),
            error: None,
        };
        recorder.reading(0);
        Ok(recorder)
    }

    /// The session's `index`th source is read from now on.
    pub fn reading(&mut self, index: usize) {
        if index == self.index {
            return;
        }
        self.index = index;
        // The sightings of the capture before have their seqs: a copy of it can refer to them.
        self.flush();
        self.reading = self.sources.get(index).and_then(|s| s.sha256.clone());
        self.collect = self.reading.as_ref().is_some_and(|sha| {
            self.sources[index + 1..]
                .iter()
                .any(|s| s.sha256.as_ref() == Some(sha))
        });
        // Each reading refers to every kept sighting once; the last one may use them up.
        self.current = match &self.reading {
            Some(sha) if self.collect => self.known.get(sha).cloned(),
            Some(sha) => self.known.remove(sha),
            None => None,
        };
    }

    /// Keeps one tracker sighting heard from `source`.
    pub fn sighting(
        &mut self,
        adv: &Advertisement<'_>,
        class: &Classification<'_, '_>,
        sighted: &Sighted<'_>,
        source: &str,
    ) {
        if self.error.is_some() || class.bystander() {
            return;
        }
        self.count_day(&sighted.tracker.id, adv.time_us);
        let record = SightingRecord {
            tracker_id: sighted.tracker.id.clone(),
            time_us: adv.time_us,
            address: adv.address.to_string(),
            address_type: adv.addr_type,
            rssi: adv.rssi,
            pdu: adv.pdu,
            raw_hex: hex::encode(adv.data),
            position: sighted.position.as_ref().map(Position::from),
            source: source.to_string(),
        };
        // Only a capture read before pays for its keys.
        if self.current.is_some() || self.collect {
            let key = key(&record);
            if let Some(current) = self.current.as_mut()
                && let Some(seq) = current.take(&key)
            {
                let placement = Placement {
                    sighting: seq,
                    tracker_id: record.tracker_id,
                    position: record.position,
                };
                // Placed so already (the same track again): nothing new to keep.
                if !current.recorded(&placement) {
                    self.placements.push(placement);
                }
                if self.placements.len() >= BATCH {
                    self.flush();
                }
                return;
            }
            if self.collect {
                self.batch_keys.push(key);
            }
        }
        self.batch.push(record);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    /// Counts a sighting of entry `id` on its local date.
    fn count_day(&mut self, id: &str, time_us: i64) {
        let date = Local
            .timestamp_micros(time_us)
            .single()
            .map_or_else(NaiveDate::default, |t| t.date_naive());
        let days = match self.days.get_mut(id) {
            Some(days) => days,
            None => self.days.entry(id.to_string()).or_default(),
        };
        // Sightings come in time order: the day is nearly always the last one.
        let day = match days.iter().rposition(|(d, _)| *d == date) {
            Some(i) => &mut days[i].1,
            None => {
                let day = Day {
                    date: date.to_string(),
                    tracker_id: id.to_string(),
                    first_us: time_us,
                    last_us: time_us,
                    sightings: 0,
                    following: false,
                };
                days.push((date, day));
                &mut days.last_mut().expect("just pushed").1
            }
        };
        day.first_us = day.first_us.min(time_us);
        day.last_us = day.last_us.max(time_us);
        day.sightings += 1;
    }

    /// This session's days of entry `id`.
    fn today(&self, id: &str) -> Vec<Day> {
        self.days
            .get(id)
            .map(|d| d.iter().map(|(_, day)| day.clone()).collect())
            .unwrap_or_default()
    }

    /// Recognises each tracker's earlier entries in the store (the same tag on other days, as
    /// the store held them when the session began) and judges it again with them (see
    /// [`history::apply`]).
    pub fn recall_history(&mut self, trackers: &mut [Tracker], rules: &Rules, named: &[NamedPlace]) {
        history::apply(trackers, &self.earlier, |id| self.today(id), rules, named);
    }

    /// During a live session: recalls `t`'s earlier days and whether it was marked as the
    /// user's own (see [`history::Earlier::recall`]) from its first sighting, and again when
    /// what decides that changes (a rotation linked into it, its alert, a new day). Returns
    /// whether `t` changed.
    pub fn recall_live(&mut self, t: &mut Tracker) -> bool {
        let now = (
            t.identities,
            t.alert_at_us.is_some(),
            self.days.get(&t.id).map_or(0, Vec::len),
        );
        if self.recalled.get(&t.id) == Some(&now) {
            return false;
        }
        self.recalled.insert(t.id.clone(), now);
        self.earlier.recall(t, self.today(&t.id))
    }

    /// Keeps the digest of the capture this session wrote of what it heard (`--record`).
    pub fn recorded(&mut self, capture: &Source) -> Result<(), StoreError> {
        self.flush();
        // After a failed write nothing more is written; `finish` says what failed.
        if self.error.is_some() {
            return Ok(());
        }
        self.store.add_recorded(self.session, capture).map(drop)
    }

    /// Keeps a change of what the session could do (see [`crate::listening`]), after the
    /// sightings before it.
    pub fn coverage(&mut self, change: &crate::listening::Change) {
        self.flush();
        if self.error.is_none()
            && let Err(e) = self.store.add_coverage(self.session, change)
        {
            self.error = Some(e);
        }
    }

    /// Keeps in the evidence that tracker `t` is the user's own (how it was marked, and the
    /// address and identity that matched), at `time_us`; once per tracker and session.
    pub fn mark_own(&mut self, t: &Tracker, time_us: i64) -> Result<(), StoreError> {
        let Some(own) = &t.own else {
            return Ok(());
        };
        if self.marked.contains_key(&t.id) {
            return Ok(());
        }
        let annotation = AnnotationRecord {
            time_us,
            tracker_id: t.id.clone(),
            what: OWN.to_string(),
            how: own.how(),
            file: own.file.clone(),
            line: own.line,
            address: Some(own.address.to_string()),
            identity: own.identity.as_ref().map(hex::encode),
        };
        self.store().add_annotation(&annotation)?;
        self.marked.insert(t.id.clone(), time_us);
        Ok(())
    }

    /// Marks the own trackers not marked yet, then gives the records to keep.
    fn records(&mut self, trackers: &[Tracker], time_us: i64) -> Result<Vec<TrackerRecord>, StoreError> {
        let kept = trackers
            .iter()
            .filter(|t| !personal_device_near_owner(t.owner_state, t.model));
        let mut records = Vec::new();
        for t in kept {
            self.mark_own(t, time_us)?;
            let mut r = TrackerRecord::from(t);
            r.marked_own_at_us = self.marked.get(&t.id).copied();
            records.push(r);
        }
        Ok(records)
    }

    /// Keeps the verdicts as they stand now (a report during a live session needs them);
    /// a later verdict of the same tracker supersedes it.
    pub fn save_verdicts(&mut self, trackers: &[Tracker], now_us: i64) -> Result<(), StoreError> {
        self.flush();
        if let Some(e) = &self.error {
            return Err(StoreError::Unstorable {
                kind: "tracker",
                detail: format!("an earlier write failed: {e}"),
            });
        }
        let records = self.records(trackers, now_us)?;
        self.store.save_trackers(self.session, &records).map(drop)
    }

    /// The store, with every sighting so far written, for notes and reports.
    pub fn store(&mut self) -> &mut Store {
        self.flush();
        self.store
    }

    /// Writes the sightings and placements batched so far (a live scan does it now and then,
    /// so that a power cut loses only the last seconds).
    pub fn flush(&mut self) {
        if self.error.is_none() && !self.batch.is_empty() {
            match self.store.add_sightings(self.session, &self.batch) {
                Ok(last) => {
                    let first = last + 1 - self.batch.len() as u64;
                    if let (Some(sha), true) = (&self.reading, self.collect) {
                        let kept = self.known.entry(sha.clone()).or_default();
                        for ((seq, key), r) in (first..).zip(self.batch_keys.drain(..)).zip(&self.batch) {
                            kept.insert(key, seq, Placed::of(&r.tracker_id, r.position.as_ref()));
                        }
                    }
                }
                Err(e) => self.error = Some(e),
            }
        }
        if self.error.is_none()
            && !self.placements.is_empty()
            && let Err(e) = self.store.add_placements(self.session, &self.placements)
        {
            self.error = Some(e);
        }
        self.batch.clear();
        self.batch_keys.clear();
        self.placements.clear();
    }

    /// Keeps the session's track, or refers to it where an earlier session kept it already.
    fn keep_track(&mut self, track: &Track) -> Result<(), StoreError> {
        let points: Vec<TrackPoint> = track.fixes().iter().map(TrackPoint::from).collect();
        let sha256 = tracks::digest(&points);
        if let Some(stored_in) = self.store.stored_track(&sha256)? {
            let kept = TrackRef {
                sha256,
                stored_in,
                points: points.len() as u64,
            };
            return self.store.add_track_ref(self.session, &kept).map(drop);
        }
        for chunk in points.chunks(BATCH) {
            self.store.add_track(self.session, chunk)?;
        }
        Ok(())
    }

    /// Writes what is left, the track and the verdicts, and closes the session. Returns the
    /// first error of the whole session: what was written before it stays.
    pub fn finish(
        mut self,
        track: Option<&Track>,
        trackers: &[Tracker],
        other_advertisements: u64,
        ended_us: i64,
    ) -> Result<(), StoreError> {
        self.flush();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(track) = track {
            self.keep_track(track)?;
        }
        let records = self.records(trackers, ended_us)?;
        self.store.save_trackers(self.session, &records)?;
        self.store
            .end_session(self.session, ended_us, other_advertisements)
    }
}
