//! What the evidence store keeps and what reports and exports are made from: owned, plain
//! records, independent of how they were captured or stored.

use serde::{Deserialize, Serialize};

use crate::classify::OwnerState;
use crate::correlate::Tracker;
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
    pub reasons: Vec<String>,
    pub mode: Option<String>,
    pub battery: Option<String>,
    pub network: Option<String>,
    /// For a clone gathered from one-off keys: the entry ids its sightings were stored under.
    #[serde(default)]
    pub member_ids: Vec<String>,
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
            reasons: t.reasons.clone(),
            mode: own(t.mode),
            battery: own(t.battery),
            network: own(t.network),
            member_ids: t.member_ids.clone(),
        }
    }
}

/// A note the user added (`tagwatch note`), with an optional attached file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub time_us: i64,
    pub text: String,
    /// The attachment's file name (not its path) and SHA-256 (hex) if a file was attached.
    pub attachment_name: Option<String>,
    pub attachment_sha256: Option<String>,
}

/// Everything a report or an export shows, read from the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    /// The trackers reported on (one, or all that were stored), latest verdict of each.
    pub trackers: Vec<TrackerRecord>,
    /// Their sightings, in time order.
    pub sightings: Vec<SightingRecord>,
    /// The person's positions over the same time, in time order.
    pub track: Vec<TrackPoint>,
    pub notes: Vec<NoteRecord>,
    /// What verify found, on the same snapshot: the chain head and record count are these.
    pub verification: VerifyReport,
    /// When the data was read, microseconds UTC.
    pub generated_us: i64,
}
