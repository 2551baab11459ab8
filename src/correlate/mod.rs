//! Correlation: gather the sightings of each physical tracker into one entry.
//!
//! An entry is keyed by the tracker's family and the identity its payload carries (a
//! Find My key, a SmartTag privacy id ...), or by its address when the payload has none.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::classify::{Classification, OwnerState};
use crate::model::{Advertisement, BdAddr};

/// Identity bytes beyond this length add nothing to telling trackers apart.
const KEY_BYTES: usize = 32;

/// A fixed-size key so looking up a known tracker allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct TrackerKey {
    family: &'static str,
    len: u8,
    bytes: [u8; KEY_BYTES],
}

impl TrackerKey {
    fn new(family: &'static str, identity: Option<&[u8]>, address: BdAddr) -> Self {
        let id = identity.unwrap_or(&address.0);
        let len = id.len().min(KEY_BYTES);
        let mut bytes = [0; KEY_BYTES];
        bytes[..len].copy_from_slice(&id[..len]);
        TrackerKey {
            family,
            len: len as u8,
            bytes,
        }
    }

    /// A short id that stays the same for the same tracker identity across runs.
    fn stable_id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.family.as_bytes());
        h.update(&self.bytes[..self.len as usize]);
        let digest = h.finalize();
        format!("{}-{}", self.family, hex::encode(&digest[..4]))
    }
}

/// Everything known about one tracker from the sightings so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracker {
    pub id: String,
    pub family: &'static str,
    pub model: Option<&'static str>,
    /// The last owner state the tracker reported that was not unknown.
    pub owner_state: OwnerState,
    pub mode: Option<&'static str>,
    pub battery: Option<&'static str>,
    pub network: Option<&'static str>,
    /// Addresses in the order they were first seen.
    pub addresses: Vec<BdAddr>,
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    pub sightings: u64,
    pub rssi_max: Option<i8>,
}

/// Collects tracker sightings; everything else is only counted (bystanders are not evidence).
#[derive(Default)]
pub struct Trackers {
    index: HashMap<TrackerKey, usize>,
    entries: Vec<Tracker>,
    /// Advertisements that were not from a tracker.
    pub other_advertisements: u64,
}

impl Trackers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one advertisement with its classification (None: not a tracker).
    pub fn add(&mut self, adv: &Advertisement<'_>, class: Option<&Classification<'static, '_>>) {
        let Some(c) = class else {
            self.other_advertisements += 1;
            return;
        };
        let key = TrackerKey::new(c.family, c.identity, adv.address);
        let i = *self.index.entry(key).or_insert_with(|| {
            self.entries.push(Tracker {
                id: key.stable_id(),
                family: c.family,
                model: c.model,
                owner_state: OwnerState::Unknown,
                mode: None,
                battery: None,
                network: None,
                addresses: Vec::new(),
                first_seen_us: adv.time_us,
                last_seen_us: adv.time_us,
                sightings: 0,
                rssi_max: None,
            });
            self.entries.len() - 1
        });
        let t = &mut self.entries[i];
        t.sightings += 1;
        t.first_seen_us = t.first_seen_us.min(adv.time_us);
        // Captures are read in order, so the latest sighting carries the current state.
        if adv.time_us >= t.last_seen_us {
            t.last_seen_us = adv.time_us;
            if c.owner_state != OwnerState::Unknown {
                t.owner_state = c.owner_state;
            }
            t.model = c.model.or(t.model);
            t.mode = c.mode;
            t.battery = c.battery.or(t.battery);
            t.network = c.network.or(t.network);
        }
        t.rssi_max = t.rssi_max.max(adv.rssi);
        if !t.addresses.contains(&adv.address) {
            t.addresses.push(adv.address);
        }
    }

    /// The trackers, in the order they were first seen.
    pub fn into_sorted(self) -> Vec<Tracker> {
        let mut v = self.entries;
        v.sort_by(|a, b| {
            a.first_seen_us
                .cmp(&b.first_seen_us)
                .then_with(|| a.id.cmp(&b.id))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AddrType, PduKind};

    fn adv(time_us: i64, addr: u8, rssi: i8) -> Advertisement<'static> {
        Advertisement {
            time_us,
            address: BdAddr([addr; 6]),
            addr_type: AddrType::Random,
            rssi: Some(rssi),
            pdu: PduKind::AdvNonconnInd,
            data: &[],
        }
    }

    fn class(identity: &[u8], state: OwnerState) -> Classification<'static, '_> {
        Classification {
            family: "samsung_smarttag",
            model: Some("SmartTag"),
            owner_state: state,
            mode: None,
            battery: None,
            identity: Some(identity),
            counter: None,
            network: None,
        }
    }

    #[test]
    fn same_identity_is_one_entry_with_all_addresses() {
        let mut t = Trackers::new();
        t.add(&adv(10, 1, -70), Some(&class(b"abc", OwnerState::Separated)));
        t.add(&adv(20, 2, -50), Some(&class(b"abc", OwnerState::Unknown)));
        t.add(&adv(15, 3, -90), Some(&class(b"xyz", OwnerState::NearOwner)));
        t.add(&adv(30, 4, -40), None);
        assert_eq!(t.other_advertisements, 1);
        let v = t.into_sorted();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].addresses, vec![BdAddr([1; 6]), BdAddr([2; 6])]);
        assert_eq!(
            (v[0].first_seen_us, v[0].last_seen_us, v[0].sightings),
            (10, 20, 2)
        );
        assert_eq!(v[0].rssi_max, Some(-50));
        // An unknown state does not hide the separated state seen before it.
        assert_eq!(v[0].owner_state, OwnerState::Separated);
        assert_eq!(v[1].owner_state, OwnerState::NearOwner);
        assert_ne!(v[0].id, v[1].id);
        assert!(v[0].id.starts_with("samsung_smarttag-"));
    }

    #[test]
    fn ids_are_stable_across_runs() {
        let k = TrackerKey::new("tile", Some(b"\x01\x02"), BdAddr::default());
        assert_eq!(
            k.stable_id(),
            TrackerKey::new("tile", Some(b"\x01\x02"), BdAddr([9; 6])).stable_id()
        );
    }
}
