//! Find My clones built to escape detection: they send every advertisement under a new
//! key (and address), so each key is seen once and no single entry ever follows anyone.
//! Real Find My accessories keep a separated key for a day and repeat it every ~2 s, so a
//! steady stream of strong, never-repeated separated keys is one device, reported as one
//! entry whose sightings are those keys.

use std::collections::VecDeque;

use crate::classify::OwnerState;

use super::Tracker;

/// How long a new key is watched for a repeat before it counts as used once.
pub const ONE_SHOT_WINDOW_US: i64 = 60 * 1_000_000;

/// Only keys heard this strongly count: within a few metres, as a tag in your bag is.
/// A stranger's tag passing at the edge of range is heard once too, but weakly.
pub const MIN_RSSI: i8 = -72;

/// A gap in the stream longer than this breaks the time the clone counts as with you; a
/// clone sends a key every few seconds, passing strangers' one-off keys come far apart.
pub const MAX_SILENCE_US: i64 = 60 * 1_000_000;

/// One-off keys needed before they are taken for one clone rather than passers-by.
pub const MIN_KEYS: u32 = 30;

/// New separated Find My keys waiting for their window to pass, oldest first.
#[derive(Default)]
pub struct Watch {
    pending: VecDeque<(i64, usize)>,
}

impl Watch {
    /// Starts watching the entry `index` that a new separated Find My key just created.
    pub fn watch(&mut self, first_seen_us: i64, index: usize) {
        self.pending.push_back((first_seen_us, index));
    }

    /// The next entry whose window ended before `now_us` (every one for `i64::MAX`).
    pub fn next_due(&mut self, now_us: i64) -> Option<usize> {
        let &(first, index) = self.pending.front()?;
        (first.saturating_add(ONE_SHOT_WINDOW_US) < now_us).then(|| {
            self.pending.pop_front();
            index
        })
    }
}

/// Whether a new key should be watched: a separated Find My advertisement.
pub fn watched(family: &str, state: OwnerState) -> bool {
    family == "apple_find_my" && state == OwnerState::Separated
}

/// Whether a watched key, its window over, was a strong key never heard again.
pub fn one_shot(t: &Tracker) -> bool {
    t.sightings == 1 && t.rssi_max.is_some_and(|r| r >= MIN_RSSI)
}
