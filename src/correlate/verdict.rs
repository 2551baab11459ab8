//! The verdict: is a tracker following the person, since when, how sure, and why.
//!
//! A tracker follows you when it is not near its owner and it has been with you at enough
//! distinct places, for long enough, over enough distance. Each rule is checked at every
//! sighting in time order, so `alert_at` is the first moment all of them held.

use serde::Serialize;

use super::Tracker;
use crate::classify::OwnerState;

/// A silence longer than this breaks the time a tracker counts as with you: it was not
/// heard, so it may not have been there. Trackers advertise every 2 s; 10 minutes covers
/// a phone in a pocket missing many of them.
pub const MAX_SILENCE_US: i64 = 10 * 60 * 1_000_000;

/// How readily to alert. Medium is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sensitivity {
    Low,
    #[default]
    Medium,
    High,
}

/// The thresholds a sensitivity stands for (README: "How tagwatch decides").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    /// Distinct places (see [`super::PLACE_RADIUS_M`]) the tracker was heard at.
    pub min_places: usize,
    /// Time with you (silences over [`MAX_SILENCE_US`] not counted).
    pub min_with_you_us: i64,
    /// The greatest distance between two of those places: you really moved.
    pub min_distance_m: f64,
    /// Without any position: time with you before alerting on time alone.
    pub no_location_with_you_us: i64,
    /// Whether iPhones, iPads and Macs in Find My mode may alert: a family member's phone
    /// in the car looks exactly like one planted.
    pub apple_devices: bool,
}

const MIN: i64 = 60 * 1_000_000;

impl Sensitivity {
    pub fn rules(self) -> Rules {
        match self {
            // Fewer false alarms: a long trip across town.
            Sensitivity::Low => Rules {
                min_places: 4,
                min_with_you_us: 45 * MIN,
                min_distance_m: 1000.0,
                no_location_with_you_us: 3 * 60 * MIN,
                apple_devices: false,
            },
            // Half AirGuard's 60 minutes; a 20-minute train ride with strangers stays below.
            Sensitivity::Medium => Rules {
                min_places: 3,
                min_with_you_us: 30 * MIN,
                min_distance_m: 500.0,
                no_location_with_you_us: 2 * 60 * MIN,
                apple_devices: false,
            },
            // For someone who knows she is at risk: alerts after a short ride, and on phones.
            Sensitivity::High => Rules {
                min_places: 3,
                min_with_you_us: 15 * MIN,
                min_distance_m: 300.0,
                no_location_with_you_us: 60 * MIN,
                apple_devices: true,
            },
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Sensitivity::default().rules()
    }
}

/// How worrying an entry is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Risk {
    /// One level more worrying (high stays high).
    pub fn raise(self) -> Risk {
        match self {
            Risk::None => Risk::Low,
            Risk::Low => Risk::Medium,
            Risk::Medium | Risk::High => Risk::High,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// Time a tracker has been heard with you: the sum of the gaps between its sightings that
/// are no longer than a silence limit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Presence {
    pub with_you_us: i64,
    last_us: Option<i64>,
}

impl Presence {
    pub fn add(&mut self, time_us: i64, max_silence_us: i64) {
        if let Some(last) = self.last_us {
            let gap = time_us - last;
            if (0..=max_silence_us).contains(&gap) {
                self.with_you_us += gap;
            }
        }
        self.last_us = Some(self.last_us.map_or(time_us, |l| l.max(time_us)));
    }
}

/// Why a tracker may not alert at all, whatever its places and time.
fn exempt(rules: &Rules, t: &Tracker) -> Option<&'static str> {
    if t.owner_state == OwnerState::NearOwner {
        Some("near its owner (the owner's phone is close by), so not flagged")
    } else if t.model == Some("Apple device") && !rules.apple_devices {
        Some("an iPhone, iPad or Mac in Find My mode: flagged only at high sensitivity")
    } else {
        None
    }
}

/// Whether the rules hold for `t` now. Called at each sighting to find `alert_at`.
pub fn alerts(rules: &Rules, t: &Tracker) -> bool {
    if exempt(rules, t).is_some() {
        return false;
    }
    if t.located_sightings == 0 {
        return t.presence.with_you_us >= rules.no_location_with_you_us;
    }
    t.places.len() >= rules.min_places
        && t.presence.with_you_us >= rules.min_with_you_us
        && t.places.max_distance_m() >= rules.min_distance_m
}

/// The risk and the plain reasons for a tracker's final state.
pub fn judge(rules: &Rules, t: &Tracker) -> (Risk, Vec<String>) {
    let mut reasons = Vec::new();
    let with_you = duration(t.presence.with_you_us);
    if t.located_sightings > 0 {
        let places = t.places.len();
        let mut details = Vec::new();
        match t.places.stays() {
            0 => {}
            1 => details.push("1 stay of 5 min or more".to_string()),
            n => details.push(format!("{n} stays of 5 min or more")),
        }
        if !t.named_places.is_empty() {
            details.push(t.named_places.join(", "));
        }
        let names = match details.is_empty() {
            true => String::new(),
            false => format!(" ({})", details.join("; ")),
        };
        reasons.push(format!(
            "seen at {places} place{}{names} over {with_you}, {} apart",
            if places == 1 { "" } else { "s" },
            distance(t.places.max_distance_m())
        ));
    } else {
        reasons.push(format!(
            "seen with you for {with_you}; no location data, so tagwatch could not check that it moved with you"
        ));
    }
    reasons.push(
        match t.owner_state {
            OwnerState::Separated => "separated from its owner",
            OwnerState::NearOwner => "near its owner",
            OwnerState::Unknown => "it does not say whether its owner is near",
        }
        .to_string(),
    );
    if let Some(why) = exempt(rules, t) {
        reasons.push(why.to_string());
    }
    if t.rotating_keys {
        reasons.push(format!(
            "uses a new key for every advertisement ({} keys): built to hide from tracker detection",
            t.identities
        ));
    }
    reasons.extend(super::rotation::linked(t));
    reasons.extend(t.identity_notes.iter().cloned());
    if let Some(at) = t.alert_at_us {
        reasons.push(format!(
            "following you: flagged {} after it was first seen",
            duration(at - t.first_seen_us)
        ));
    }
    if let Some(own) = &t.own {
        reasons.push(format!("marked as yours ({}), so not alerted", own.how()));
    }
    let separated = t.owner_state == OwnerState::Separated;
    let mut risk = match (t.alert_at_us.is_some(), exempt(rules, t).is_some()) {
        (true, _) if separated && t.located_sightings > 0 => Risk::High,
        (true, _) if separated || t.located_sightings > 0 => Risk::Medium,
        (true, _) => Risk::Low,
        // Not following yet, but worth a look: separated and with you for a while.
        (false, false) if separated && 2 * t.presence.with_you_us >= rules.min_with_you_us => Risk::Low,
        _ => Risk::None,
    };
    super::history::judge(t, &mut risk, &mut reasons);
    (risk, reasons)
}

/// "1 h 42 min", "35 min", "40 s".
fn duration(us: i64) -> String {
    let s = us.max(0) / 1_000_000;
    match (s / 3600, s % 3600 / 60) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// "850 m", "6.3 km".
fn distance(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}
