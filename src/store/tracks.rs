//! Tracks already in the evidence: a session whose track (the person's positions) is already
//! kept, point for point, refers to it (a `track_ref` record) instead of storing it again, as a
//! capture analysed again refers to its kept sightings (see [`super::known`]).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::chain::{self, Item};
use super::{Store, StoreError};
use crate::evidence::TrackPoint;

/// What identifies a track: the SHA-256 of its points in order (each point's time, latitude,
/// longitude and accuracy as fixed-width big-endian bytes), whatever files it was read from.
pub fn digest(points: &[TrackPoint]) -> String {
    let mut h = Sha256::new();
    for p in points {
        h.update(p.time_us.to_be_bytes());
        h.update(p.lat.to_bits().to_be_bytes());
        h.update(p.lon.to_bits().to_be_bytes());
        match p.accuracy_m {
            Some(a) => {
                h.update([1]);
                h.update(a.to_bits().to_be_bytes());
            }
            None => h.update([0]),
        }
    }
    hex::encode(h.finalize())
}

impl Store {
    /// The first session whose `track` records hold exactly the track of digest `sha256`, if
    /// one does. Records that do not parse are verify's to report: a track among them is
    /// stored again rather than the new evidence refused.
    pub(crate) fn stored_track(&self, sha256: &str) -> Result<Option<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT payload FROM records WHERE kind = ?1 ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([chain::TRACK]).map_err(|e| self.err(e))?;
        // Sessions in the order their tracks began (a session id is its start's seq).
        let mut sessions: BTreeMap<i64, Vec<TrackPoint>> = BTreeMap::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let payload: Vec<u8> = row.get(0).map_err(|e| self.err(e))?;
            if let Ok(Item::Track(t)) = Item::parse(chain::TRACK, &payload) {
                sessions.entry(t.session).or_default().extend(t.record);
            }
        }
        Ok(sessions
            .into_iter()
            .find(|(_, points)| digest(points) == sha256)
            .map(|(session, _)| session))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(time_us: i64, accuracy_m: Option<f64>) -> TrackPoint {
        TrackPoint {
            time_us,
            lat: 35.68,
            lon: 139.76,
            accuracy_m,
        }
    }

    #[test]
    fn the_digest_covers_every_point_and_field_in_order() {
        let a = [point(1, None), point(2, Some(5.0))];
        assert_eq!(digest(&a), digest(&a.clone()));
        assert_ne!(digest(&a), digest(&[a[1], a[0]]));
        assert_ne!(digest(&a), digest(&[a[0]]));
        assert_ne!(digest(&a), digest(&[a[0], point(2, None)]));
        assert_ne!(digest(&a), digest(&[a[0], point(2, Some(5.5))]));
        let moved = TrackPoint { lat: 35.69, ..a[1] };
        assert_ne!(digest(&a), digest(&[a[0], moved]));
    }
}
