//! The verdict: is a tracker following the person, since when, how sure, and why.
//!
//! A tracker follows you when it is not near its owner and one kind of evidence holds (see
//! [`Evidence`]): it was at two of your stays, or still with you well after a ride, or with
//! you at several places while you stopped or walked, or it left your stays with you and
//! arrived with you at the next on journeys in a row (a tag in your car), or, on one
//! continuous ride only, for much longer. A shared train or platform is not evidence: a crowd
//! shares it. Each rule is
//! checked at every sighting in time order, so `alert_at` is the first moment one held.

use serde::{Deserialize, Serialize};

use super::{Places, Reason, Tracker};
use crate::classify::OwnerState;
use crate::i18n::{Lang, distance};

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
    /// Distinct places (see [`super::PLACE_RADIUS_M`]) the tracker was with you at.
    pub min_places: usize,
    /// Time with you: at places (stopped or walking) for [`Evidence::Places`], in all
    /// (silences over [`MAX_SILENCE_US`] not counted) for [`Evidence::Stays`].
    pub min_with_you_us: i64,
    /// The greatest distance between two of those places: you really moved.
    pub min_distance_m: f64,
    /// Still with you this long after a ride of `min_distance_m` ([`Evidence::AfterRide`]).
    pub after_ride_us: i64,
    /// Journeys in a row from one of your stays to the next, each from where the last ended
    /// ([`Evidence::Journeys`]), each of at least `min_distance_m`.
    pub min_journeys: usize,
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
                min_journeys: 3,
                after_ride_us: 15 * MIN,
                no_location_with_you_us: 3 * 60 * MIN,
                apple_devices: false,
            },
            // Half AirGuard's 60 minutes; rides do not count towards it, so a train full of
            // strangers' tags never reaches it.
            Sensitivity::Medium => Rules {
                min_places: 3,
                min_with_you_us: 30 * MIN,
                min_distance_m: 500.0,
                min_journeys: 2,
                after_ride_us: 10 * MIN,
                no_location_with_you_us: 2 * 60 * MIN,
                apple_devices: false,
            },
            // For someone who knows she is at risk: alerts after a short ride, and on phones.
            Sensitivity::High => Rules {
                min_places: 3,
                min_with_you_us: 15 * MIN,
                min_distance_m: 300.0,
                min_journeys: 2,
                after_ride_us: 5 * MIN,
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
    /// The part of it since the last silence over the limit: one continuous time together
    /// (a stranger's tag on her train every morning adds its rides up in `with_you_us` only).
    pub continuous_us: i64,
    last_us: Option<i64>,
}

impl Presence {
    pub fn add(&mut self, time_us: i64, max_silence_us: i64) {
        if let Some(last) = self.last_us {
            let gap = time_us - last;
            if (0..=max_silence_us).contains(&gap) {
                self.with_you_us += gap;
                self.continuous_us += gap;
            } else if gap > max_silence_us {
                self.continuous_us = 0;
            }
        }
        self.last_us = Some(self.last_us.map_or(time_us, |l| l.max(time_us)));
    }
}

/// Why a tracker may not alert at all, whatever its places and time.
fn exempt(rules: &Rules, t: &Tracker) -> Option<Reason> {
    if t.owner_state == OwnerState::NearOwner {
        Some(Reason::NotFlaggedNearOwner)
    } else if t.model == Some("Apple device") && !rules.apple_devices {
        Some(Reason::AppleDeviceHighSensitivityOnly)
    } else {
        None
    }
}

/// What decided that a tracker follows: the first kind of evidence that held.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// With you at this many of your stays (home, work, shops), `min_distance_m` apart.
    Stays { stays: usize },
    /// Still with you this long at a place this far from where it was before, heard without a
    /// silence between (across a ride with no GPS too).
    AfterRide { after_us: i64, distance_m: f64 },
    /// With you at this many places for this long, stopped or walking (rides not counted).
    Places { places: usize, at_places_us: i64 },
    /// On this many journeys in a row, it left one of your stays with you and arrived with you
    /// at the next, each setting off from where the one before ended (a tag in your car).
    Journeys { journeys: usize },
    /// Heard on one continuous ride only, for this long: a stranger's tag shares as much.
    LongRide { with_you_us: i64 },
    /// No position at all: time together alone.
    TimeOnly { with_you_us: i64 },
}

impl Evidence {
    /// The evidence in plain words in `lang`, for the reasons.
    pub fn text(&self, lang: Lang) -> String {
        match *self {
            Evidence::Stays { stays } => lang.fill("evidence-stays", &[("stays", &stays)]),
            Evidence::AfterRide { after_us, distance_m } => lang.fill(
                "evidence-after_ride",
                &[
                    ("after", &lang.duration(after_us)),
                    ("distance", &distance(distance_m)),
                ],
            ),
            Evidence::Places { places, at_places_us } => lang.fill(
                "evidence-places",
                &[("places", &places), ("stopped", &lang.duration(at_places_us))],
            ),
            Evidence::Journeys { journeys } => lang.fill("evidence-journeys", &[("journeys", &journeys)]),
            Evidence::LongRide { with_you_us } => {
                lang.fill("evidence-long_ride", &[("with_you", &lang.duration(with_you_us))])
            }
            Evidence::TimeOnly { with_you_us } => {
                lang.fill("evidence-time_only", &[("with_you", &lang.duration(with_you_us))])
            }
        }
    }
}

/// Which evidence holds for `t` now, if any. Called at each sighting to find `alert_at`.
pub fn evidence(rules: &Rules, t: &Tracker) -> Option<Evidence> {
    if exempt(rules, t).is_some() {
        return None;
    }
    let with_you_us = t.presence.with_you_us;
    if t.located_sightings == 0 {
        return (with_you_us >= rules.no_location_with_you_us).then_some(Evidence::TimeOnly { with_you_us });
    }
    moved(rules, &t.places, &t.presence).or_else(|| {
        let journeys = t.journeys.with_her();
        (journeys >= rules.min_journeys).then_some(Evidence::Journeys { journeys })
    })
}

/// The evidence from where the tracker was with you.
fn moved(rules: &Rules, p: &Places, presence: &Presence) -> Option<Evidence> {
    let with_you_us = presence.with_you_us;
    let far = p.max_distance_m() >= rules.min_distance_m;
    if !far {
        // Every kind below needs two places that far apart.
        return None;
    }
    if let Some((after_us, distance_m)) = p.since_arrival()
        && after_us >= rules.after_ride_us
        && distance_m >= rules.min_distance_m
    {
        return Some(Evidence::AfterRide { after_us, distance_m });
    }
    if with_you_us >= rules.min_with_you_us {
        let stays = p.stays_apart(rules.min_distance_m);
        if stays >= 2 {
            return Some(Evidence::Stays { stays });
        }
    }
    let at_places_us = p.at_places_us();
    if p.len() >= rules.min_places && at_places_us >= rules.min_with_you_us {
        return Some(Evidence::Places {
            places: p.len(),
            at_places_us,
        });
    }
    // One ride: time together without a break, not rides added up over days.
    let with_you_us = presence.continuous_us;
    (with_you_us >= rules.no_location_with_you_us).then_some(Evidence::LongRide { with_you_us })
}

/// The risk and the reasons for a tracker's final state.
pub fn judge(rules: &Rules, t: &Tracker) -> (Risk, Vec<Reason>) {
    let mut reasons = Vec::new();
    let with_you_us = t.presence.with_you_us;
    reasons.push(match t.located_sightings {
        0 => Reason::SeenWithoutLocation { with_you_us },
        _ => Reason::SeenAtPlaces {
            places: t.places.len(),
            stays: t.places.stays(),
            named_places: t.named_places.clone(),
            with_you_us,
            distance_m: t.places.max_distance_m(),
        },
    });
    match t.owner_state {
        OwnerState::Separated => reasons.push(Reason::SeparatedFromOwner),
        // Said once, by the exemption: near its owner, so not flagged.
        OwnerState::NearOwner => {}
        OwnerState::Unknown => reasons.push(Reason::OwnerUnknown),
    }
    reasons.extend(exempt(rules, t));
    if t.rotating_keys {
        reasons.push(Reason::NewKeyEveryAdvertisement { keys: t.identities });
    }
    let notes = super::rotation::linked(t)
        .into_iter()
        .chain(t.identity_notes.iter().cloned());
    reasons.extend(notes.map(|note| Reason::Identity { note: note.into() }));
    if let Some(at) = t.alert_at_us {
        reasons.push(Reason::Following {
            after_us: at - t.first_seen_us,
        });
    }
    if let Some(e) = &t.decided_by {
        reasons.push(Reason::DecidedBy { evidence: *e });
    }
    if let Some(own) = &t.own {
        reasons.push(Reason::MarkedOwn {
            file: own.file.clone(),
            line: own.line,
            earlier: own.earlier.clone(),
        });
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
