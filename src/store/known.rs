//! Captures already in the evidence: a capture analysed again (recognised by the SHA-256 of
//! its bytes, whatever its name) refers to the sightings kept the first time instead of
//! storing them twice.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::chain::{self, Item};
use super::{Store, StoreError};
use crate::evidence::SightingRecord;

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

/// The kept sightings of one capture, by key; each is handed out once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Known {
    first: HashMap<SightingKey, u64>,
    /// A capture can hold the same advertisement twice (rarely): the seq after each, in order.
    next: HashMap<u64, u64>,
}

impl Known {
    pub(crate) fn insert(&mut self, key: SightingKey, seq: u64) {
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
                    known.entry(sha.clone()).or_default().insert(k, seq as u64);
                }
            }
        }
        Ok(known)
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
        k.insert(a, 1);
        k.insert(b, 2);
        k.insert(a, 3);
        k.insert(a, 7);
        assert_eq!(k.take(&a), Some(1));
        assert_eq!(k.take(&a), Some(3));
        assert_eq!(k.take(&b), Some(2));
        assert_eq!(k.take(&b), None);
        assert_eq!(k.take(&a), Some(7));
        assert_eq!(k.take(&a), None);
        assert!(k.first.is_empty() && k.next.is_empty());
    }
}
