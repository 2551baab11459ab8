//! The in-person advisory: devices near their owner (a phone, his own tag) that have been with
//! you at several places for an hour. Someone walking behind you carries exactly these, and
//! no tracker alert can see him: his tag is with its owner. Not an alert, because a companion,
//! a colleague or your own devices look the same.

use serde::Serialize;

use super::Tracker;
use super::verdict::Rules;
use crate::classify::OwnerState;

/// With you this long (silences over [`super::verdict::MAX_SILENCE_US`] not counted).
pub const MIN_WITH_YOU_US: i64 = 60 * 60 * 1_000_000;

/// At this many places (see [`super::Places`]), `min_distance_m` of the rules apart.
pub const MIN_PLACES: usize = 3;

/// The nearby devices near their owner that have been with you at places for an hour.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advisory {
    /// The entries' ids, the longest with you first.
    pub trackers: Vec<String>,
    /// The most places any of them was with you at.
    pub places: usize,
    /// The longest any of them was with you.
    pub with_you_us: i64,
}

impl Advisory {
    /// The advisory in one sentence (English; the live view has it in Japanese too).
    pub fn describe(&self) -> String {
        format!(
            "advisory: the same nearby devices (near their owner) have been with you at {} places for {} min or more: {}. Someone may be staying near you in person; a companion or your own devices look the same",
            self.places,
            self.with_you_us / 60_000_000,
            self.trackers.join(", ")
        )
    }
}

/// The advisory for these trackers, if any device near its owner (not marked as yours) was
/// with you at [`MIN_PLACES`] places over `min_distance_m` for [`MIN_WITH_YOU_US`].
pub fn in_person<'a>(rules: &Rules, trackers: impl IntoIterator<Item = &'a Tracker>) -> Option<Advisory> {
    let mut near: Vec<&Tracker> = trackers
        .into_iter()
        .filter(|t| {
            t.owner_state == OwnerState::NearOwner
                && t.own.is_none()
                && t.places.len() >= MIN_PLACES
                && t.places.max_distance_m() >= rules.min_distance_m
                && t.presence.with_you_us >= MIN_WITH_YOU_US
        })
        .collect();
    near.sort_by_key(|t| std::cmp::Reverse(t.presence.with_you_us));
    let first = near.first()?;
    Some(Advisory {
        places: near.iter().map(|t| t.places.len()).max().unwrap_or(0),
        with_you_us: first.presence.with_you_us,
        trackers: near.iter().map(|t| t.id.clone()).collect(),
    })
}
