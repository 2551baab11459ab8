//! One whole interaction as a person asks for it: hear the tracker, connect, ring it or read
//! its identity, and say what happened in words fit for the evidence.

use std::time::Duration;

use super::{
    Capability, GattLink, IdentifyRecord, InteractError, RingOutcome, SoundProtocol, identify, ring, stop,
    support,
};
use crate::classify::Classifier;
use crate::evidence::{ReportData, SightingRecord};
use crate::i18n::Lang;
use crate::model::{BdAddr, OwnedAdvertisement};
use crate::scan::BluezLink;

/// How long to listen for the tracker before calling it out of range: trackers separated from
/// their owner advertise every 2 s at most (Find My; DULT "Advertising"), so 15 s hears one
/// in reach several times.
pub const LISTEN: Duration = Duration::from_secs(15);
/// Pebblebee tags do not stop by themselves; AirGuard stops them after this.
const PEBBLEBEE_SOUND: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Ring,
    Identify,
}

impl Action {
    /// The command's name: ring, identify.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Ring => "ring",
            Action::Identify => "identify",
        }
    }
}

/// Which tracker, as far as it is known before hearing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub address: BdAddr,
    /// Its family key, when the evidence or the live view knows it.
    pub family: Option<String>,
    /// Its tagwatch id, when it has one.
    pub tracker_id: Option<String>,
}

impl Target {
    /// The address, and the tracker's id when known.
    pub fn who(&self) -> String {
        match &self.tracker_id {
            Some(id) => format!("{} (tracker {id})", self.address),
            None => self.address.to_string(),
        }
    }
}

/// The evidence note for an attempt the tracker itself turned down: one that refuses because
/// it is with its owner says the owner was near at that time. Other failures (out of range,
/// Bluetooth) tell nothing about the tracker and are not kept.
pub fn refusal_note(action: Action, target: &Target, error: &InteractError) -> Option<String> {
    matches!(error, InteractError::Refused { .. })
        .then(|| format!("{} {}: {error}", action.verb(), target.who()))
}

/// What was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    Rang(RingOutcome),
    Identified(Box<IdentifyRecord>),
}

/// A finished interaction, for the terminal and the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub target: Target,
    pub family: String,
    /// The advertisement heard just before connecting.
    pub heard: OwnedAdvertisement,
    pub done: Done,
}

impl Report {
    /// One line for the person, in `lang`.
    pub fn summary(&self, lang: Lang) -> String {
        let address = self.target.address.to_string();
        match &self.done {
            Done::Rang(o) => {
                let key = match (o.confirmed, o.completed) {
                    (true, true) => "interact-rang",
                    (true, false) => "interact-ringing",
                    _ => "interact-asked",
                };
                lang.fill(
                    key,
                    &[("address", &address), ("how", &protocol_name(o.protocol, lang))],
                )
            }
            Done::Identified(r) => match (&r.identifier, r.identifier_missing_why) {
                (Some(id), _) => lang.fill("interact-identified", &[("address", &address), ("id", id)]),
                (None, why) => {
                    let why = why.map_or_else(
                        || r.identifier_missing.clone().unwrap_or_default(),
                        |w| w.text(lang),
                    );
                    lang.fill(
                        "interact-identified-without",
                        &[("address", &address), ("why", &why)],
                    )
                }
            },
        }
    }

    /// The evidence note, taken at `time_us`: its text, the tracker it is about and, for
    /// `identify`, what was read, structured.
    pub fn note(&self, time_us: i64) -> crate::evidence::NoteRecord {
        let mut note = match &self.done {
            Done::Identified(r) => r.to_note(&self.target.who(), time_us),
            Done::Rang(_) => crate::evidence::NoteRecord {
                time_us,
                ..Default::default()
            },
        };
        note.text = self.note_text();
        note.tracker_id = self.target.tracker_id.clone();
        note
    }

    /// The text of the evidence note.
    pub fn note_text(&self) -> String {
        let heard = format!(
            "heard at {} dBm just before, advertisement {}",
            self.heard.rssi.map_or("?".to_string(), |r| r.to_string()),
            hex::encode(&self.heard.data)
        );
        let body = match &self.done {
            Done::Rang(_) => format!(
                "ring {} ({}): {}",
                self.target.who(),
                self.family,
                self.summary(Lang::En)
            ),
            Done::Identified(r) => r.note_text(&self.target.who()),
        };
        format!("{body}\n{heard}")
    }
}

fn protocol_name(p: SoundProtocol, lang: Lang) -> &'static str {
    lang.t(match p {
        SoundProtocol::Dult => "sound-dult",
        SoundProtocol::FindMyNonOwner => "sound-find-my",
        SoundProtocol::AirTagLegacy => "sound-airtag-legacy",
        SoundProtocol::Pebblebee => "sound-pebblebee",
    })
}

/// Refuses at once, before any radio, what no non-owner can do to a tracker of the family the
/// evidence knows (a Tile, a SmartTag, a Chipolo cannot be rung), with the reason. A target
/// known only by its address is heard first: its advertisement tells its family.
pub fn refused(action: Action, target: &Target) -> Result<(), InteractError> {
    let Some(family) = target.family.as_deref() else {
        return Ok(());
    };
    let s = support(family);
    match (action, s.ring, s.identify) {
        (Action::Ring, Capability::Unsupported { reason }, _)
        | (Action::Identify, _, Capability::Unsupported { reason }) => Err(InteractError::NotSupported {
            family: family.to_string(),
            reason,
        }),
        _ => Ok(()),
    }
}

/// Hears `target` on `adapter` within `listen` (usually [`LISTEN`]), connects and does
/// `action`; what its family cannot do is refused first (see [`refused`]).
pub fn act(
    action: Action,
    target: &Target,
    adapter: Option<&str>,
    listen: Duration,
) -> Result<Report, InteractError> {
    refused(action, target)?;
    let opened = BluezLink::open(adapter, target.address, listen)?;
    let mut link = opened.link;
    perform(action, target, opened.heard, &mut link)
}

/// Does `action` on a connected tracker heard as `heard`. The family comes from the target,
/// else from the advertisement; a device tagwatch does not know can still offer DULT.
pub fn perform<L: GattLink>(
    action: Action,
    target: &Target,
    heard: OwnedAdvertisement,
    link: &mut L,
) -> Result<Report, InteractError> {
    let family = target
        .family
        .clone()
        .or_else(|| {
            Classifier::builtin()
                .classify(&heard.data)
                .map(|c| c.family.to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    let done = match action {
        Action::Ring => {
            let outcome = ring(link, &family)?;
            if outcome.protocol == SoundProtocol::Pebblebee {
                std::thread::sleep(PEBBLEBEE_SOUND);
                stop(link, &family)?;
            }
            Done::Rang(outcome)
        }
        Action::Identify => Done::Identified(Box::new(identify(link, &family)?)),
    };
    Ok(Report {
        target: target.clone(),
        family,
        heard,
        done,
    })
}

/// Why a target names no tracker to listen for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// Not an address, and no tracker of the evidence has that id.
    NotInEvidence,
    /// Not an address, and there is no evidence to look the id up in.
    NoEvidence,
    /// The evidence holds no address that can be used for the tracker.
    NoAddress,
}

impl Unresolved {
    /// It said of `what` (as given) in `lang`.
    pub fn text(self, what: &str, lang: Lang) -> String {
        let key = match self {
            Unresolved::NotInEvidence => "interact-not-in-evidence",
            Unresolved::NoEvidence => "interact-no-evidence",
            Unresolved::NoAddress => "interact-no-address",
        };
        lang.fill(key, &[("what", &what)])
    }
}

/// The target `what` names: an address, or a tracker id from `evidence`, whose latest
/// sighting gives the address to listen for. The evidence also gives the family of a known
/// address.
pub fn resolve(what: &str, evidence: Option<&ReportData>) -> Result<Target, Unresolved> {
    let known = |pick: &dyn Fn(&SightingRecord) -> bool| {
        evidence.and_then(|e| e.sightings.iter().rev().find(|s| pick(s)))
    };
    let family_of = |id: &str| {
        evidence
            .and_then(|e| e.trackers.iter().find(|t| t.id == id))
            .map(|t| t.family.clone())
    };
    if let Some(address) = BdAddr::parse(what) {
        let id = known(&|s| s.address == address.to_string()).map(|s| s.tracker_id.clone());
        return Ok(Target {
            address,
            family: id.as_deref().and_then(family_of),
            tracker_id: id,
        });
    }
    let Some(last) = known(&|s| s.tracker_id == what) else {
        return Err(match evidence {
            Some(_) => Unresolved::NotInEvidence,
            None => Unresolved::NoEvidence,
        });
    };
    let address = BdAddr::parse(&last.address).ok_or(Unresolved::NoAddress)?;
    Ok(Target {
        address,
        family: family_of(what),
        tracker_id: Some(what.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::TrackerRecord;
    use crate::model::{AddrType, PduKind};

    fn evidence() -> ReportData {
        let sighting = |time_us, address: &str| SightingRecord {
            tracker_id: "tw-1".into(),
            time_us,
            address: address.into(),
            address_type: AddrType::Random,
            rssi: None,
            pdu: PduKind::Unknown,
            raw_hex: String::new(),
            position: None,
            source: "hci0".into(),
        };
        ReportData {
            trackers: vec![TrackerRecord {
                id: "tw-1".into(),
                family: "samsung_smarttag".into(),
                ..Default::default()
            }],
            sightings: vec![sighting(1, "C4:00:00:00:00:01"), sighting(2, "C4:00:00:00:00:02")],
            ..Default::default()
        }
    }

    #[test]
    fn targets_by_id_take_the_latest_address_and_addresses_their_tracker() {
        let e = evidence();
        let by_id = resolve("tw-1", Some(&e)).unwrap();
        assert_eq!(by_id.address.to_string(), "C4:00:00:00:00:02");
        assert_eq!(by_id.family.as_deref(), Some("samsung_smarttag"));
        let by_old_address = resolve("c4:00:00:00:00:01", Some(&e)).unwrap();
        assert_eq!(by_old_address.tracker_id.as_deref(), Some("tw-1"));
        let stranger = resolve("C4:00:00:00:00:09", Some(&e)).unwrap();
        assert_eq!((stranger.family, stranger.tracker_id), (None, None));
        assert_eq!(resolve("tw-2", Some(&e)), Err(Unresolved::NotInEvidence));
        assert_eq!(resolve("tw-1", None), Err(Unresolved::NoEvidence));
    }

    #[test]
    fn what_a_known_family_cannot_do_is_refused_before_the_radio() {
        let e = evidence();
        let smarttag = resolve("tw-1", Some(&e)).unwrap();
        // No adapter is named that exists: reaching the radio would be another error.
        for action in [Action::Ring, Action::Identify] {
            match act(action, &smarttag, Some("no-such-adapter"), Duration::ZERO) {
                Err(InteractError::NotSupported { family, reason }) => {
                    assert_eq!(family, "samsung_smarttag");
                    assert!(
                        reason.text(Lang::En).contains("Samsung publishes no"),
                        "{reason:?}"
                    );
                }
                other => panic!("{action:?}: {other:?}"),
            }
        }
        let mut tile = smarttag.clone();
        tile.family = Some("tile".into());
        assert!(refused(Action::Ring, &tile).is_err());
        // What can be done, or a tracker whose family is not known yet, goes to the radio.
        for family in [Some("dult"), Some("apple_find_my"), None] {
            let target = Target {
                family: family.map(String::from),
                ..smarttag.clone()
            };
            assert!(refused(Action::Ring, &target).is_ok(), "{family:?}");
        }
        let airtag = Target {
            family: Some("apple_find_my".into()),
            ..smarttag
        };
        assert!(refused(Action::Identify, &airtag).is_err(), "read by NFC only");
    }
}
