//! Writes an analysis or a scan into the store as it goes: the session, every tracker
//! sighting (in batches, so a crash loses at most the last batch not yet acknowledged), the
//! person's track, and the verdicts at the end.

use crate::classify::{Classification, personal_device_near_owner};
use crate::correlate::{Sighted, Tracker};
use crate::evidence::{Position, SightingRecord, TrackPoint, TrackerRecord};
use crate::location::Track;
use crate::model::Advertisement;

use super::{Store, StoreError};

/// Sightings written per transaction: large enough to keep up with a busy capture, small
/// enough that a crash loses little.
const BATCH: usize = 1000;

pub struct Recorder<'s> {
    store: &'s mut Store,
    session: i64,
    batch: Vec<SightingRecord>,
    /// The first write that failed; nothing more is written after it.
    error: Option<StoreError>,
}

impl<'s> Recorder<'s> {
    pub fn begin(
        store: &'s mut Store,
        kind: &str,
        sources: &[String],
        started_us: i64,
    ) -> Result<Self, StoreError> {
        let session = store.begin_session(kind, sources, started_us)?;
        Ok(Recorder {
            store,
            session,
            batch: Vec::with_capacity(BATCH),
            error: None,
        })
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
        self.batch.push(SightingRecord {
            tracker_id: sighted.tracker.id.clone(),
            time_us: adv.time_us,
            address: adv.address.to_string(),
            address_type: adv.addr_type,
            rssi: adv.rssi,
            pdu: adv.pdu,
            raw_hex: hex::encode(adv.data),
            position: sighted.position.as_ref().map(Position::from),
            source: source.to_string(),
        });
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    /// Keeps the verdicts as they stand now (a report during a live session needs them);
    /// a later verdict of the same tracker supersedes it.
    pub fn save_verdicts(&mut self, trackers: &[Tracker]) -> Result<(), StoreError> {
        self.flush();
        if let Some(e) = &self.error {
            return Err(StoreError::Unstorable {
                kind: "tracker",
                detail: format!("an earlier write failed: {e}"),
            });
        }
        self.store
            .save_trackers(self.session, &records(trackers))
            .map(drop)
    }

    /// The store, with every sighting so far written, for notes and reports.
    pub fn store(&mut self) -> &mut Store {
        self.flush();
        self.store
    }

    /// Writes the sightings batched so far (a live scan calls it now and then, so a crash
    /// loses only the last seconds).
    pub fn flush(&mut self) {
        if self.error.is_none()
            && !self.batch.is_empty()
            && let Err(e) = self.store.add_sightings(self.session, &self.batch)
        {
            self.error = Some(e);
        }
        self.batch.clear();
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
        if let Some(e) = self.error {
            return Err(e);
        }
        if let Some(track) = track {
            let points: Vec<TrackPoint> = track.fixes().iter().map(TrackPoint::from).collect();
            for chunk in points.chunks(BATCH) {
                self.store.add_track(self.session, chunk)?;
            }
        }
        self.store.save_trackers(self.session, &records(trackers))?;
        self.store
            .end_session(self.session, ended_us, other_advertisements)
    }
}

/// The verdicts to keep: not those of phones, computers and headphones near their owner.
fn records(trackers: &[Tracker]) -> Vec<TrackerRecord> {
    trackers
        .iter()
        .filter(|t| !personal_device_near_owner(t.owner_state, t.model))
        .map(TrackerRecord::from)
        .collect()
}
