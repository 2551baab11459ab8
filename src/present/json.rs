//! The stable JSON output of `tagwatch analyze --format json` (documented in README.md).

use serde::Serialize;

use crate::analyze::{Analysis, Outcome};
use crate::classify::OwnerState;
use crate::correlate::history::Day;
use crate::correlate::{Reason, Tracker};
use crate::coverage::Coverage;
use crate::i18n::Lang;

use super::{rfc3339, utc_span};

#[derive(Serialize)]
pub struct Output<'a> {
    pub outcome: Outcome,
    pub trackers: TrackerList<'a>,
    pub captures: Vec<CaptureJson>,
    pub other_advertisements: u64,
    pub coverage: CoverageJson,
    /// Devices near their owner with you at places for an hour: not an alert (README).
    pub advisory: Option<AdvisoryJson>,
}

#[derive(Serialize)]
pub struct AdvisoryJson {
    pub trackers: Vec<String>,
    pub places: usize,
    pub with_you_min: i64,
    pub text: String,
}

/// What the result covers (README: "Output").
#[derive(Serialize)]
pub struct CoverageJson {
    /// False when reading stopped early somewhere: the result covers only what was read.
    pub complete: bool,
    /// Records read but not understood: what they held was not checked.
    pub unreadable_records: u64,
    pub advertisements: u64,
    pub first_heard: Option<String>,
    pub last_heard: Option<String>,
    /// From the first advertisement to the last, in seconds.
    pub heard_s: Option<f64>,
    /// How long a live session ran, in seconds, the radio up or not (null for captures).
    pub ran_s: Option<f64>,
    pub tracker_sightings: u64,
    pub placed_sightings: u64,
    pub track: Option<TrackJson>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
pub struct TrackJson {
    pub first_fix: String,
    pub last_fix: String,
    pub fixes: usize,
    pub files: Vec<TrackFileJson>,
}

#[derive(Serialize)]
pub struct TrackFileJson {
    pub path: String,
    pub format: String,
    pub fixes: usize,
    pub skipped: usize,
    pub first_problem: Option<String>,
}

impl From<&Coverage> for CoverageJson {
    fn from(c: &Coverage) -> Self {
        let seconds = |us: i64| us as f64 / 1e6;
        CoverageJson {
            complete: !c.incomplete,
            unreadable_records: c.unreadable_records,
            advertisements: c.advertisements,
            first_heard: c.heard.map(|s| rfc3339(s.first_us)),
            last_heard: c.heard.map(|s| rfc3339(s.last_us)),
            heard_s: c.heard.map(|s| seconds(s.length_us())),
            ran_s: c.ran_us.map(seconds),
            tracker_sightings: c.tracker_sightings,
            placed_sightings: c.placed_sightings,
            track: c.track.map(|span| TrackJson {
                first_fix: rfc3339(span.first_us),
                last_fix: rfc3339(span.last_us),
                fixes: c.track_fixes,
                files: c
                    .track_files
                    .iter()
                    .map(|t| TrackFileJson {
                        path: t.path.display().to_string(),
                        format: t.format.to_string(),
                        fixes: t.fixes,
                        skipped: t.skipped,
                        first_problem: t.first_problem.as_ref().map(ToString::to_string),
                    })
                    .collect(),
            }),
            warnings: c.warnings.iter().map(|w| w.text(Lang::En, &utc_span)).collect(),
        }
    }
}

#[derive(Serialize)]
pub struct TrackerJson<'a> {
    pub id: &'a str,
    pub family: &'a str,
    pub model: Option<&'a str>,
    pub owner_state: OwnerState,
    pub addresses: Vec<String>,
    pub identities: u32,
    pub first_seen: String,
    pub last_seen: String,
    pub sightings: u64,
    pub rssi_max: Option<i8>,
    pub located_sightings: u64,
    pub places: usize,
    pub stays: usize,
    pub max_distance_m: f64,
    pub named_places: &'a [String],
    pub following: bool,
    pub alert_at: Option<String>,
    /// Marked as the user's own: never alerted, whatever `following` says; `marked_own`
    /// says how ("allow list FILE line N", "live view m").
    pub own: bool,
    pub marked_own: Option<String>,
    pub risk: &'a str,
    /// The reasons in English sentences; `reason_codes` has them as stable codes with values.
    pub reasons: Vec<String>,
    pub reason_codes: &'a [Reason],
    pub mode: Option<&'a str>,
    pub battery: Option<&'a str>,
    pub network: Option<&'a str>,
    /// Earlier entries of the same tag in the evidence database (other days).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub linked_ids: &'a [String],
    /// Each day it was heard over the last 14 days, when it was linked to earlier days.
    #[serde(skip_serializing_if = "<[Day]>::is_empty")]
    pub days: &'a [Day],
}

#[derive(Serialize)]
pub struct CaptureJson {
    pub path: String,
    pub format: Option<String>,
    pub records: u64,
    pub advertisements: u64,
    pub bad_records: u64,
    /// Read to its end without a single advertisement.
    pub heard_nothing: bool,
    /// Records that could not be interpreted, and why (the first reason), or null.
    pub unreadable: Option<UnreadableJson>,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct UnreadableJson {
    pub records: u64,
    pub reason: String,
}

impl<'a> From<&'a Tracker> for TrackerJson<'a> {
    fn from(t: &'a Tracker) -> Self {
        TrackerJson {
            id: &t.id,
            family: t.family,
            model: t.model,
            owner_state: t.owner_state,
            addresses: t.addresses.iter().map(|a| a.to_string()).collect(),
            identities: t.identities,
            first_seen: rfc3339(t.first_seen_us),
            last_seen: rfc3339(t.last_seen_us),
            sightings: t.sightings,
            rssi_max: t.rssi_max,
            located_sightings: t.located_sightings,
            places: t.places.len(),
            stays: t.places.stays(),
            // Decimetres: finer would only show GPS noise.
            max_distance_m: (t.places.max_distance_m() * 10.0).round() / 10.0,
            named_places: &t.named_places,
            following: t.following(),
            alert_at: t.alert_at_us.map(rfc3339),
            own: t.own.is_some(),
            marked_own: t.own.as_ref().map(|o| o.how()),
            risk: t.risk.as_str(),
            reasons: t.reasons.iter().map(Reason::to_string).collect(),
            reason_codes: &t.reasons,
            mode: t.mode,
            battery: t.battery,
            network: t.network,
            linked_ids: t.history.as_ref().map_or(&[], |h| &h.linked_ids),
            days: t.history.as_ref().map_or(&[], |h| &h.days),
        }
    }
}

/// The trackers, each turned into its JSON shape only as it is written, so a crowd of
/// trackers costs no second copy in memory.
pub struct TrackerList<'a>(&'a [Tracker]);

impl Serialize for TrackerList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(TrackerJson::from))
    }
}

/// Writes the JSON output (pretty, with a final newline) to `w` as it goes.
pub fn write(analysis: &Analysis, mut w: impl std::io::Write) -> std::io::Result<()> {
    let out = Output {
        outcome: analysis.outcome(),
        trackers: TrackerList(&analysis.trackers),
        captures: analysis
            .captures
            .iter()
            .map(|c| CaptureJson {
                path: c.path.display().to_string(),
                format: c.format.map(|f| f.to_string()),
                records: c.stats.records,
                advertisements: c.stats.advertisements,
                bad_records: c.stats.bad_records,
                heard_nothing: c.heard_nothing(),
                unreadable: c.stats.unreadable_reason.map(|why| UnreadableJson {
                    records: c.stats.unreadable,
                    reason: why.to_string(),
                }),
                error: c.error.as_ref().map(|e| e.to_string()),
            })
            .collect(),
        other_advertisements: analysis.other_advertisements,
        coverage: CoverageJson::from(&analysis.coverage),
        advisory: analysis.advisory.as_ref().map(|a| AdvisoryJson {
            trackers: a.trackers.clone(),
            places: a.places,
            with_you_min: a.with_you_us / 60_000_000,
            text: a.describe(Lang::En),
        }),
    };
    super::safe_json::to_writer(&mut w, &out)?;
    writeln!(w)
}
