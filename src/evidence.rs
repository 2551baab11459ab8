//! What the evidence store keeps and what reports and exports are made from: owned, plain
//! records, independent of how they were captured or stored.

use serde::{Deserialize, Serialize};

use crate::classify::OwnerState;
use crate::correlate::{Reason, Tracker};
use crate::location::Fix;
use crate::model::{AddrType, BdAddr, PduKind};
pub use crate::store::VerifyReport;

/// One advertisement of a tracker, as heard, with where the person was.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SightingRecord {
    /// The tracker entry it belongs to (`Tracker::id`).
    pub tracker_id: String,
    /// Microseconds since the Unix epoch, UTC.
    pub time_us: i64,
    pub address: String,
    pub address_type: AddrType,
    pub rssi: Option<i8>,
    pub pdu: PduKind,
    /// The advertising data exactly as received, hex.
    pub raw_hex: String,
    /// The person's position at that time (interpolated from the track), if known.
    pub position: Option<Position>,
    /// Where it came from: a capture file's path, or the adapter of a live scan.
    pub source: String,
}

/// A sighting already kept, as a later analysis of the same capture places it: the tracker
/// entry it now belongs to and the person's position then (when a track now gives one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The `seq` of the `sighting` record.
    pub sighting: u64,
    pub tracker_id: String,
    pub position: Option<Position>,
}

/// What a session read: a capture file (with the SHA-256 and size of its bytes, which is how a
/// capture analysed again is recognised) or a live adapter (no digest). Records written before
/// digests were kept hold the path alone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "SourceForm")]
pub struct Source {
    pub path: String,
    pub sha256: Option<String>,
    pub size: Option<u64>,
}

impl Source {
    /// A capture file, identified by the SHA-256 of its bytes. A file that cannot be read has
    /// no digest here; reading it as a capture says why.
    pub fn capture(path: &std::path::Path) -> Source {
        Source::member(&crate::capture::Member::file(path))
    }

    /// A capture, or a snoop log inside a bug report zip identified by its inflated bytes.
    pub fn member(member: &crate::capture::Member) -> Source {
        let digest = member.digest().ok();
        Source {
            path: member.name().display().to_string(),
            sha256: digest.as_ref().map(|(sha, _)| sha.clone()),
            size: digest.map(|(_, size)| size),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SourceForm {
    Path(String),
    Full {
        path: String,
        #[serde(default)]
        sha256: Option<String>,
        #[serde(default)]
        size: Option<u64>,
    },
}

impl From<SourceForm> for Source {
    fn from(f: SourceForm) -> Self {
        match f {
            SourceForm::Path(path) => path.into(),
            SourceForm::Full { path, sha256, size } => Source { path, sha256, size },
        }
    }
}

impl From<String> for Source {
    fn from(path: String) -> Self {
        Source {
            path,
            ..Source::default()
        }
    }
}

impl From<&str> for Source {
    fn from(path: &str) -> Self {
        path.to_string().into()
    }
}

/// How a live scan's sightings were heard, at the end of their `source`: the advertising data
/// exactly as the controller reported it (the HCI monitor), or rebuilt by BlueZ from the
/// properties it parsed (D-Bus).
pub const HEARD_EXACT: &str = "(exact bytes)";
pub const HEARD_RECONSTRUCTED: &str = "(reconstructed)";

/// A position with its accuracy, as kept in evidence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
}

impl From<&Fix> for Position {
    fn from(f: &Fix) -> Self {
        Position {
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
        }
    }
}

/// Where the person was at a time (a fix of the track).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub time_us: i64,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
}

impl From<&Fix> for TrackPoint {
    fn from(f: &Fix) -> Self {
        TrackPoint {
            time_us: f.time_us,
            lat: f.lat,
            lon: f.lon,
            accuracy_m: f.accuracy_m,
        }
    }
}

/// A tracker entry and its verdict at the end of an analysis or scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrackerRecord {
    pub id: String,
    pub family: String,
    pub model: Option<String>,
    pub owner_state: OwnerState,
    pub addresses: Vec<String>,
    pub identities: u32,
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    pub sightings: u64,
    pub rssi_max: Option<i8>,
    pub places: usize,
    /// Places it was heard at for 5 minutes or more ([`crate::correlate::STAY_US`]).
    #[serde(default)]
    pub stays: usize,
    pub max_distance_m: f64,
    pub following: bool,
    pub alert_at_us: Option<i64>,
    pub risk: String,
    /// The reasons as English sentences, as every record has them.
    pub reasons: Vec<String>,
    /// The same reasons as codes with their values, so each language can word them
    /// (records written before codes existed have none).
    #[serde(default)]
    pub reason_codes: Vec<Reason>,
    pub mode: Option<String>,
    pub battery: Option<String>,
    pub network: Option<String>,
    /// For a clone gathered from one-off keys: the entry ids its sightings were stored under.
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// The user marked it as their own (an `annotation` record says when and how): the
    /// verdict above stands, but tagwatch does not alert on it.
    #[serde(default)]
    pub own: bool,
    #[serde(default)]
    pub marked_own_at_us: Option<i64>,
    /// What stays as the tag rotates, for recognising it on a later day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuity: Option<Box<crate::correlate::Lineage>>,
    /// Earlier entries (other days, other sessions) of the same physical tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked_ids: Vec<String>,
    /// Each day the tag was heard over the last 14 days, oldest first: this entry's days and
    /// those of the linked entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<crate::correlate::history::Day>,
}

impl From<&Tracker> for TrackerRecord {
    fn from(t: &Tracker) -> Self {
        let own = |s: Option<&str>| s.map(str::to_string);
        TrackerRecord {
            id: t.id.clone(),
            family: t.family.to_string(),
            model: own(t.model),
            owner_state: t.owner_state,
            addresses: t.addresses.iter().map(BdAddr::to_string).collect(),
            identities: t.identities,
            first_seen_us: t.first_seen_us,
            last_seen_us: t.last_seen_us,
            sightings: t.sightings,
            rssi_max: t.rssi_max,
            places: t.places.len(),
            stays: t.places.stays(),
            max_distance_m: t.places.max_distance_m(),
            following: t.following(),
            alert_at_us: t.alert_at_us,
            risk: t.risk.as_str().to_string(),
            reasons: t.reasons.iter().map(Reason::to_string).collect(),
            reason_codes: t.reasons.clone(),
            mode: own(t.mode),
            battery: own(t.battery),
            network: own(t.network),
            member_ids: t.member_ids.clone(),
            own: t.own.is_some(),
            marked_own_at_us: None,
            continuity: t.lineage.clone(),
            linked_ids: t
                .history
                .as_ref()
                .map(|h| h.linked_ids.clone())
                .unwrap_or_default(),
            days: t.history.as_ref().map(|h| h.days.clone()).unwrap_or_default(),
        }
    }
}

/// A note the user added (`tagwatch note`), with an optional attached file. The fields after
/// the attachment came later: they are left out of the record when empty, so older notes and
/// notes without them read and hash as they always did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    /// When the note was recorded (microseconds UTC).
    pub time_us: i64,
    pub text: String,
    /// The attachment's file name (not its path) and SHA-256 (hex) if a file was attached.
    pub attachment_name: Option<String>,
    pub attachment_sha256: Option<String>,
    /// When what the note tells happened (`note --at`), if not when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_us: Option<i64>,
    /// Where it happened, in the person's words (`note --place`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// What kind of event it is (`note --category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<NoteCategory>,
    /// The tracker it is about (`note --tracker`, or the tracker `identify` read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_size: Option<u64>,
    /// What the person read off the device or an alert screen (`note --serial`, `--phone`).
    #[serde(default, skip_serializing_if = "Identification::is_empty")]
    pub identification: Identification,
    /// What `tagwatch identify` read from the tracker, structured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identify: Option<crate::interact::IdentifyRecord>,
    /// The record's `seq`: set when read from the store (whatever a payload says), never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl NoteRecord {
    /// When it happened: the event time if given, else when it was recorded.
    pub fn happened_us(&self) -> i64 {
        self.event_us.unwrap_or(self.time_us)
    }
}

/// The kinds of event a note records (`note --category`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(clap::ValueEnum)]
pub enum NoteCategory {
    /// The person found the tracker (on the car, in a bag).
    FoundTag,
    /// The person saw someone (following, waiting).
    SawPerson,
    /// A message, call or post received.
    Message,
    /// An alert on the phone (Apple's or Google's unknown-tracker alert).
    PhoneAlert,
    /// A consultation with the police.
    Police,
    Other,
}

/// What identifies a tracker, as read by the person: off the device, from Apple's NFC page
/// (the serial number and the owner's phone number with most digits masked) or from a phone's
/// alert screen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// The masked phone number as shown, e.g. "•••• ••• 1234".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_phone: Option<String>,
    /// Where it was read: "Apple NFC page", "on the device", "iPhone alert".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_from: Option<String>,
}

impl Identification {
    pub fn is_empty(&self) -> bool {
        self.serial.is_none() && self.owner_phone.is_none() && self.read_from.is_none()
    }
}

/// Something the user said about a tracker, appended to the evidence (nothing is rewritten):
/// today only `own`, "this tracker is mine".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnotationRecord {
    pub time_us: i64,
    pub tracker_id: String,
    /// `own`.
    pub what: String,
    /// How the user said it: `live view m`, `allow list FILE line N`.
    pub how: String,
    /// The allow list and line that matched, when it was the allow list.
    pub file: Option<String>,
    pub line: Option<usize>,
    /// What does not change as the tracker rotates, that the mark matched on: its address
    /// then and the identity (key, privacy id) it advertised, hex.
    pub address: Option<String>,
    pub identity: Option<String>,
}

/// What one live session could do over its time, from its `coverage` records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionListening {
    /// The seq of its start record.
    pub session: i64,
    /// `scan` or `sweep`.
    pub kind: String,
    pub started_us: i64,
    /// None: it never closed (stopped by a power cut): known up to its last record.
    pub ended_us: Option<i64>,
    pub changes: Vec<crate::listening::Change>,
}

impl SessionListening {
    /// Its changes over its time; a session that never closed is known up to its last change.
    pub fn listening(&self) -> crate::listening::Listening {
        let last = self.changes.last().map_or(self.started_us, |c| c.time_us);
        crate::listening::Listening {
            changes: self.changes.clone(),
            from_us: self.started_us,
            to_us: self.ended_us.unwrap_or(last),
        }
    }
}

/// A session as a report shows it: what it read and what recorded it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The `seq` of its start record.
    pub id: i64,
    /// `analyze`, `scan` or `sweep`.
    pub kind: String,
    pub started_us: i64,
    /// `None`: it never closed.
    pub ended_us: Option<i64>,
    pub sources: Vec<Source>,
    /// The tagwatch and system that recorded it ("tagwatch 0.1.0 (linux x86_64)"); sessions
    /// of tagwatch before 0.1 do not say.
    pub tool: Option<String>,
    /// The settings it judged with (empty for sessions of older versions).
    #[serde(default)]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// Everything a report or an export shows, read from the store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// The trackers reported on (one, or all that were stored), latest verdict of each.
    pub trackers: Vec<TrackerRecord>,
    /// Their sightings, in time order.
    pub sightings: Vec<SightingRecord>,
    /// The person's positions over the same time, in time order.
    pub track: Vec<TrackPoint>,
    pub notes: Vec<NoteRecord>,
    /// What the user said about these trackers ("it is my own"), oldest first.
    #[serde(default)]
    pub annotations: Vec<AnnotationRecord>,
    /// Every anchor kept in the database (the chain head as it was given away), oldest first.
    #[serde(default)]
    pub anchors: Vec<crate::store::anchor::AnchorRecord>,
    /// What the live sessions could do (radio listening, positions known), for those that
    /// kept any change: the report's "what was listened to, when".
    #[serde(default)]
    pub listening: Vec<SessionListening>,
    /// What verify found, on the same snapshot: the chain head and record count are these.
    pub verification: VerifyReport,
    /// When the data was read, microseconds UTC.
    pub generated_us: i64,
    /// Every session, in the order they began.
    #[serde(default)]
    pub sessions: Vec<SessionRecord>,
    /// The evidence database's path as it was opened.
    #[serde(default)]
    pub database: Option<String>,
    /// The attached pictures the report shows, by their note's `seq` (checked against the
    /// note's SHA-256; not part of the exports).
    #[serde(skip)]
    pub images: std::collections::BTreeMap<u64, Vec<u8>>,
}
