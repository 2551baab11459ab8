//! The in-person advisory: devices near their owner (a phone, his own tag) that have been with
//! you at several places for an hour. Someone walking behind you carries exactly these, and
//! no tracker alert can see him: his tag is with its owner. Not an alert, because a companion,
//! a colleague or your own devices look the same.

use serde::Serialize;

use crate::i18n::Lang;

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
    /// The advisory in one sentence, in `lang` (the live view's status line).
    pub fn summary(&self, lang: Lang) -> String {
        let places = self.places as u64;
        let minutes = (self.with_you_us / 60_000_000) as u64;
        lang.fill("advisory", &[("places", &places), ("minutes", &minutes)])
    }

    /// The summary and the trackers it is about (the table and the JSON).
    pub fn describe(&self, lang: Lang) -> String {
        format!("{}: {}", self.summary(lang), self.trackers.join(", "))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classification;
    use crate::correlate::Trackers;
    use crate::location::{Fix, Track};
    use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

    const MIN: i64 = 60_000_000;

    #[test]
    fn devices_near_their_owner_with_you_at_places_for_an_hour_are_advised_not_flagged() {
        // Walking north at 50 m a minute for 90 minutes.
        let track = Track::from_fixes(
            (0..=90)
                .map(|m| Fix {
                    time_us: m * MIN,
                    lat: 35.0 + m as f64 * 50.0 / 111_195.0,
                    lon: 139.0,
                    accuracy_m: None,
                })
                .collect(),
        );
        let mut t = Trackers::with_track(&track, 2 * MIN);
        let near = |id: &'static [u8]| Classification {
            family: "samsung_smarttag",
            model: Some("SmartTag"),
            owner_state: OwnerState::NearOwner,
            mode: None,
            battery: None,
            identity: Some(id),
            counter: None,
            status: None,
            network: None,
        };
        // His tag all the way; another for 50 minutes only.
        for (id, addr, minutes) in [(b"his" as &[u8], 1, 90), (b"hers", 2, 50)] {
            for s in (0..=minutes * 6).map(|n| n * 10_000_000) {
                let adv = Advertisement {
                    time_us: s,
                    address: BdAddr([addr; 6]),
                    addr_type: AddrType::Random,
                    rssi: Some(-80),
                    pdu: PduKind::AdvNonconnInd,
                    data: &[],
                };
                t.add(&adv, Some(&near(id)));
            }
        }
        let a = t.advisory().expect("an advisory");
        let v = t.into_sorted();
        assert!(v.iter().all(|t| !t.following()));
        let his = v.iter().find(|t| t.addresses[0] == BdAddr([1; 6])).unwrap();
        assert_eq!(a.trackers, std::slice::from_ref(&his.id));
        assert_eq!((a.places, a.with_you_us), (his.places.len(), 90 * MIN));
        assert!(
            a.describe(Lang::En)
                .contains(&format!("with you at {} places for 90 min", a.places))
        );
        assert_eq!(
            in_person(&Rules::default(), v.iter().filter(|t| t.id != his.id)),
            None
        );
    }
}
