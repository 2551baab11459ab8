//! Captures already in the evidence: a capture analysed again (recognised by the SHA-256 of
//! its bytes, whatever its name) refers to the sightings kept the first time instead of
//! storing them twice, and places them again only where that says something new.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::chain::{self, Item};
use super::{Store, StoreError};
use crate::evidence::{Placement, Position, SightingRecord};

/// What tells one stored sighting from another: 16 bytes of a SHA-256 over the fields the
/// capture gave it (time, address, signal, raw bytes), so equal sightings match whatever
/// tracker or position an analysis gave them.
pub(crate) type SightingKey = [u8; 16];

pub(crate) fn key_of(time_us: i64, address: &str, rssi: Option<i8>, raw_hex: &str) -> SightingKey {
    let mut h = Sha256::new();
    h.update(time_us.to_be_bytes());
    h.update(address.as_bytes());
    h.update([0, rssi.is_some() as u8, rssi.unwrap_or(0) as u8]);
    h.update(raw_hex.as_bytes());
    let digest = h.finalize();
    digest[..16].try_into().expect("16 of 32 bytes")
}

pub(crate) fn key(s: &SightingRecord) -> SightingKey {
    key_of(s.time_us, &s.address, s.rssi, &s.raw_hex)
}

/// Where the evidence places a kept sighting: the tracker entry (8 bytes of the SHA-256 of its
/// id) and the person's position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Placed {
    tracker: [u8; 8],
    position: Option<Position>,
}

/// Positions this close are one: a float read back from JSON may differ from the one written
/// in its last bit (1e-9 degrees is a tenth of a millimetre).
const SAME_DEGREES: f64 = 1e-9;
const SAME_METRES: f64 = 1e-6;

fn same_position(a: &Position, b: &Position) -> bool {
    let near = |x: f64, y: f64, tolerance: f64| (x - y).abs() <= tolerance;
    near(a.lat, b.lat, SAME_DEGREES)
        && near(a.lon, b.lon, SAME_DEGREES)
        && match (a.accuracy_m, b.accuracy_m) {
            (Some(x), Some(y)) => near(x, y, SAME_METRES),
            (x, y) => x.is_none() && y.is_none(),
        }
}

impl Placed {
    pub(crate) fn of(tracker_id: &str, position: Option<&Position>) -> Self {
        let digest = Sha256::digest(tracker_id.as_bytes());
        Placed {
            tracker: digest[..8].try_into().expect("8 of 32 bytes"),
            position: position.copied(),
        }
    }

    /// Whether `self` says nothing the evidence does not hold already in `kept`: the same
    /// entry at the same position, or with no position (which keeps the position kept).
    fn recorded_in(&self, kept: &[Placed]) -> bool {
        kept.iter().any(|k| {
            k.tracker == self.tracker
                && match (&self.position, &k.position) {
                    (None, _) => true,
                    (Some(a), Some(b)) => same_position(a, b),
                    (Some(_), None) => false,
                }
        })
    }
}

/// The kept sightings of one capture, by key; each is handed out once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Known {
    first: HashMap<SightingKey, u64>,
    /// A capture can hold the same advertisement twice (rarely): the seq after each, in order.
    next: HashMap<u64, u64>,
    /// Where each kept sighting was placed: by its own record, then by every placement of it.
    placed: HashMap<u64, Vec<Placed>>,
}

impl Known {
    /// Keeps the sighting `seq` with its `key`, placed as its record says.
    pub(crate) fn insert(&mut self, key: SightingKey, seq: u64, placed: Placed) {
        self.placed.entry(seq).or_default().push(placed);
        let Some(&first) = self.first.get(&key) else {
            self.first.insert(key, seq);
            return;
        };
        let mut last = first;
        while let Some(&after) = self.next.get(&last) {
            last = after;
        }
        self.next.insert(last, seq);
    }

    /// Adds where a placement record put a kept sighting (one of another capture is not ours).
    fn placed_again(&mut self, p: &Placement) {
        if let Some(kept) = self.placed.get_mut(&p.sighting) {
            kept.push(Placed::of(&p.tracker_id, p.position.as_ref()));
        }
    }

    /// Whether the evidence already places sighting `seq` as `placement` does: the same
    /// analysis again (the same track) appends nothing.
    pub(crate) fn recorded(&self, placement: &Placement) -> bool {
        let new = Placed::of(&placement.tracker_id, placement.position.as_ref());
        self.placed
            .get(&placement.sighting)
            .is_some_and(|kept| new.recorded_in(kept))
    }

    /// The seq of the kept sighting with this key not yet handed out.
    pub(crate) fn take(&mut self, key: &SightingKey) -> Option<u64> {
        let seq = self.first.remove(key)?;
        if let Some(after) = self.next.remove(&seq) {
            self.first.insert(*key, after);
        }
        Some(seq)
    }
}

/// A sighting payload read only for its key, borrowing from the row.
#[derive(Deserialize)]
struct Stored<'a> {
    session: i64,
    #[serde(borrow)]
    record: StoredSighting<'a>,
}

#[derive(Deserialize)]
struct StoredSighting<'a> {
    #[serde(borrow)]
    tracker_id: Cow<'a, str>,
    position: Option<Position>,
    time_us: i64,
    #[serde(borrow)]
    address: Cow<'a, str>,
    rssi: Option<i8>,
    #[serde(borrow)]
    raw_hex: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
}

impl Store {
    /// The sightings already kept of each capture digest in `sha256s`, whichever session and
    /// name they were read under. Digests never seen are left out.
    pub(crate) fn known_captures(
        &self,
        sha256s: &HashSet<&str>,
    ) -> Result<HashMap<String, Known>, StoreError> {
        if sha256s.is_empty() {
            return Ok(HashMap::new());
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        // Sessions that read one of the captures (the name it had there) or wrote it (a scan's
        // `--record`: all its sightings), and where the session's records lie.
        let mut sessions: Vec<(i64, i64, Option<String>, String)> = Vec::new();
        let mut ended: HashMap<i64, i64> = HashMap::new();
        {
            let mut stmt = tx
                .prepare("SELECT seq, kind, payload FROM records WHERE kind IN (?1, ?2, ?3) ORDER BY seq")
                .map_err(|e| self.err(e))?;
            let mut rows = stmt
                .query(params![chain::SESSION_START, chain::SESSION_END, chain::RECORDED])
                .map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
                let kind: String = row.get(1).map_err(|e| self.err(e))?;
                let payload: Vec<u8> = row.get(2).map_err(|e| self.err(e))?;
                match Item::parse(&kind, &payload) {
                    Ok(Item::SessionStart(start)) => {
                        for source in start.sources {
                            if let Some(sha) = source.sha256.filter(|s| sha256s.contains(s.as_str())) {
                                sessions.push((seq, i64::MAX, Some(source.path), sha));
                            }
                        }
                    }
                    Ok(Item::Recorded(r)) => {
                        if let Some(sha) = r.record.sha256.filter(|s| sha256s.contains(s.as_str())) {
                            sessions.push((r.session, i64::MAX, None, sha));
                        }
                    }
                    Ok(Item::SessionEnd(end)) => {
                        ended.insert(end.session, seq);
                    }
                    // A damaged record is verify's to report; its capture is stored again
                    // rather than the new evidence refused.
                    _ => {}
                }
            }
        }
        for s in &mut sessions {
            s.1 = ended.get(&s.0).copied().unwrap_or(i64::MAX);
        }
        let mut known: HashMap<String, Known> = HashMap::new();
        let mut stmt = tx
            .prepare(
                "SELECT seq, payload FROM records WHERE kind = ?1 AND seq > ?2 AND seq < ?3 ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        for (start, end, path, sha) in &sessions {
            let mut rows = stmt
                .query(params![chain::SIGHTING, start, end])
                .map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
                let payload = row
                    .get_ref(1)
                    .and_then(|v| v.as_blob().map_err(Into::into))
                    .map_err(|e| self.err(e))?;
                let Ok(s) = serde_json::from_slice::<Stored<'_>>(payload) else {
                    continue;
                };
                if s.session == *start && path.as_ref().is_none_or(|p| s.record.source == p.as_str()) {
                    let r = &s.record;
                    let k = key_of(r.time_us, &r.address, r.rssi, &r.raw_hex);
                    let placed = Placed::of(&r.tracker_id, r.position.as_ref());
                    known
                        .entry(sha.clone())
                        .or_default()
                        .insert(k, seq as u64, placed);
                }
            }
        }
        if !known.is_empty() {
            self.placements_of(&tx, &mut known)?;
        }
        Ok(known)
    }

    /// Adds to `known` where every placement record put its sightings.
    fn placements_of(
        &self,
        tx: &rusqlite::Transaction<'_>,
        known: &mut HashMap<String, Known>,
    ) -> Result<(), StoreError> {
        let mut stmt = tx
            .prepare("SELECT payload FROM records WHERE kind = ?1 ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([chain::PLACEMENT]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let payload: Vec<u8> = row.get(0).map_err(|e| self.err(e))?;
            // A damaged record is verify's to report: its placements are made again.
            let Ok(Item::Placement(p)) = Item::parse(chain::PLACEMENT, &payload) else {
                continue;
            };
            for placement in &p.record {
                for k in known.values_mut() {
                    k.placed_again(placement);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_stored_before_digests_still_parse() {
        let old = br#"{"kind":"analyze","sources":["a.btsnoop"],"started_us":1}"#;
        let Ok(Item::SessionStart(start)) = Item::parse(chain::SESSION_START, old) else {
            panic!("an old session start does not parse")
        };
        assert_eq!(start.sources, vec![crate::evidence::Source::from("a.btsnoop")]);
        let new = br#"{"kind":"scan","sources":[{"path":"x","sha256":"ab","size":2}],"started_us":1}"#;
        let Ok(Item::SessionStart(start)) = Item::parse(chain::SESSION_START, new) else {
            panic!("a session start with digests does not parse")
        };
        assert_eq!(
            (start.sources[0].sha256.as_deref(), start.sources[0].size),
            (Some("ab"), Some(2))
        );
    }

    #[test]
    fn equal_sightings_are_handed_out_in_order_once_each() {
        let (a, b) = (key_of(1, "A", Some(-50), "00"), key_of(1, "A", Some(-51), "00"));
        let mut k = Known::default();
        let placed = Placed::of("t", None);
        k.insert(a, 1, placed);
        k.insert(b, 2, placed);
        k.insert(a, 3, placed);
        k.insert(a, 7, placed);
        assert_eq!(k.take(&a), Some(1));
        assert_eq!(k.take(&a), Some(3));
        assert_eq!(k.take(&b), Some(2));
        assert_eq!(k.take(&b), None);
        assert_eq!(k.take(&a), Some(7));
        assert_eq!(k.take(&a), None);
        assert!(k.first.is_empty() && k.next.is_empty());
    }
}
