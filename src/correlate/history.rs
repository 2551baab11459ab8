//! The same tag on earlier days. The evidence database keeps each entry with what stays as
//! the tag rotates ([`Lineage`]: its SmartTag counter, the ids of the keys linked into it, its
//! addresses). A later analysis finds the earlier entries of the same physical tag from the
//! last [`LOOKBACK_US`] (AirGuard's 14 days, in the evidence's own time), so that a tag marked
//! as one's own stays so after it rotated, and a tag with the person on several days says so.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::verdict::Risk;
use super::{NamedPlace, Own, Reason, Rules, Tracker, judged, rotation, worrying_first};
use crate::classify::OwnerState;
use crate::evidence::TrackerRecord;

/// How far back earlier entries count, from the entry's first sighting (AirGuard's
/// RiskLevelEvaluator.RELEVANT_DAYS).
pub const LOOKBACK_US: i64 = 14 * 24 * 3600 * 1_000_000;

/// What stays as a tag rotates, kept with its entry in the evidence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lineage {
    /// The ids the identities linked into the entry would have had on their own (the entry's
    /// own id is its first identity's): a key seen again another day is the same tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity_ids: Vec<String>,
    /// A SmartTag's aging counter as first and last heard: (time in µs, value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_first: Option<(i64, u32)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_last: Option<(i64, u32)>,
}

/// One day the tag was heard (local date), from one entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// `YYYY-MM-DD` on this computer's clock.
    pub date: String,
    /// The entry it was heard as that day.
    pub tracker_id: String,
    pub first_us: i64,
    pub last_us: i64,
    pub sightings: u64,
    /// Whether that entry was found following the person.
    pub following: bool,
}

/// The same tag's earlier entries, and every day it was heard over the lookback.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub linked_ids: Vec<String>,
    /// Oldest first, one per date and entry.
    pub days: Vec<Day>,
}

impl History {
    /// The distinct dates it was heard, and those it was following on.
    fn dates(&self) -> (Vec<&str>, usize) {
        let mut dates: Vec<&str> = self.days.iter().map(|d| d.date.as_str()).collect();
        dates.dedup();
        let mut following: Vec<&str> = self
            .days
            .iter()
            .filter(|d| d.following)
            .map(|d| d.date.as_str())
            .collect();
        following.dedup();
        (dates, following.len())
    }
}

/// What an entry offers for recognising it: from an earlier record, or from today's tracker.
struct Side<'a> {
    family: &'a str,
    ids: Vec<&'a str>,
    addresses: Vec<String>,
    counter_first: Option<(i64, u32)>,
    counter_last: Option<(i64, u32)>,
    first_us: i64,
    last_us: i64,
}

impl<'a> Side<'a> {
    fn of_tracker(t: &'a Tracker) -> Self {
        let l = t.lineage.as_deref();
        Side {
            family: t.family,
            ids: std::iter::once(t.id.as_str())
                .chain(
                    l.into_iter()
                        .flat_map(|l| l.identity_ids.iter().map(String::as_str)),
                )
                .collect(),
            addresses: t.addresses.iter().map(ToString::to_string).collect(),
            counter_first: l.and_then(|l| l.counter_first),
            counter_last: l.and_then(|l| l.counter_last),
            first_us: t.first_seen_us,
            last_us: t.last_seen_us,
        }
    }

    fn of_record(r: &'a TrackerRecord) -> Self {
        let l = r.continuity.as_ref();
        Side {
            family: &r.family,
            ids: std::iter::once(r.id.as_str())
                .chain(
                    l.into_iter()
                        .flat_map(|l| l.identity_ids.iter().map(String::as_str)),
                )
                .collect(),
            addresses: r.addresses.clone(),
            counter_first: l.and_then(|l| l.counter_first),
            counter_last: l.and_then(|l| l.counter_last),
            first_us: r.first_seen_us,
            last_us: r.last_seen_us,
        }
    }
}

/// Whether `earlier` (heard before `later` began) is the same physical tag: a key or identity
/// in common, a Tile's address, or a SmartTag counter that went on by the time between.
fn same_tag(earlier: &Side<'_>, later: &Side<'_>) -> bool {
    if earlier.family != later.family || earlier.last_us > later.first_us + rotation::OVERLAP_US {
        return false;
    }
    let shares_id = earlier.ids.iter().any(|i| later.ids.contains(i));
    let tile_address =
        earlier.family == "tile" && earlier.addresses.iter().any(|a| later.addresses.contains(a));
    let counter = matches!((earlier.counter_last, later.counter_first),
        (Some(old), Some(new)) if rotation::counter_went_on(old, new));
    shares_id || tile_address || counter
}

/// The latest stored record of each earlier entry, found by what can make them the same tag
/// as another entry: read from the evidence once, when a session begins (a live session then
/// recalls each tag's days from its first sighting on).
#[derive(Default)]
pub struct Earlier {
    records: Vec<TrackerRecord>,
    by_id: HashMap<String, Vec<usize>>,
    by_tile_address: HashMap<String, Vec<usize>>,
    smarttags: Vec<usize>,
}

impl Earlier {
    pub fn new(records: Vec<TrackerRecord>) -> Self {
        let mut index = Earlier::default();
        for (i, r) in records.iter().enumerate() {
            for id in Side::of_record(r).ids {
                index.by_id.entry(id.to_string()).or_default().push(i);
            }
            match r.family.as_str() {
                "tile" => {
                    for a in &r.addresses {
                        index.by_tile_address.entry(a.clone()).or_default().push(i);
                    }
                }
                "samsung_smarttag" => index.smarttags.push(i),
                _ => {}
            }
        }
        index.records = records;
        index
    }

    /// The records that may be the same tag as `side`.
    fn candidates(&self, side: &Side<'_>) -> Vec<usize> {
        let mut found: Vec<usize> = side
            .ids
            .iter()
            .filter_map(|&id| self.by_id.get(id))
            .chain(
                side.addresses
                    .iter()
                    .filter_map(|a| self.by_tile_address.get(a.as_str())),
            )
            .flatten()
            .copied()
            .collect();
        if side.family == "samsung_smarttag" {
            found.extend(&self.smarttags);
        }
        found
    }

    /// Finds `t`'s earlier entries and its days (`today`: this session's days of it) and keeps
    /// them in `t.history`; marked as one's own before stays so. Judging is the caller's.
    /// Returns whether anything was found.
    pub fn recall(&self, t: &mut Tracker, mut days: Vec<Day>) -> bool {
        let earlier = &self.records;
        let relevant = |r: &TrackerRecord| {
            r.family == t.family
                && r.last_seen_us >= t.first_seen_us - LOOKBACK_US
                // The same capture analysed again is not an earlier day.
                && !(r.id == t.id && r.first_seen_us == t.first_seen_us)
        };
        // From today's entry back: each linked record may lead to older ones.
        let mut chain = vec![Side::of_tracker(t)];
        let mut linked: Vec<usize> = Vec::new();
        let mut next = 0;
        while next < chain.len() {
            let mut found = self.candidates(&chain[next]);
            found.sort_by_key(|&i| std::cmp::Reverse(earlier[i].last_seen_us));
            found.dedup();
            for i in found {
                let r = &earlier[i];
                if linked.contains(&i) || !relevant(r) {
                    continue;
                }
                let side = Side::of_record(r);
                if same_tag(&side, &chain[next]) {
                    chain.push(side);
                    linked.push(i);
                }
            }
            next += 1;
        }
        for d in &mut days {
            d.following = t.alert_at_us.is_some_and(|a| a <= d.last_us);
        }
        for &i in &linked {
            for d in &earlier[i].days {
                if !days.contains(d) {
                    days.push(d.clone());
                }
            }
        }
        if linked.is_empty() && days.is_empty() {
            return false;
        }
        days.sort_by(|a, b| (&a.date, a.first_us).cmp(&(&b.date, b.first_us)));
        days.dedup_by(|a, b| a.date == b.date && a.tracker_id == b.tracker_id);
        if t.own.is_none()
            && let Some(&mine) = linked.iter().find(|&&i| earlier[i].own)
        {
            t.own = Some(Box::new(Own {
                file: None,
                line: None,
                address: t.addresses[0],
                identity: None,
                earlier: Some(earlier[mine].id.clone()),
            }));
        }
        t.history = Some(Box::new(History {
            linked_ids: linked.iter().map(|&i| earlier[i].id.clone()).collect(),
            days,
        }));
        true
    }
}

/// Finds each tracker's earlier entries among `earlier` and its days (`today` gives this
/// analysis's days of each entry id), then judges it again: marked as one's own before stays
/// so; following on several days raises the risk.
pub fn apply(
    trackers: &mut [Tracker],
    earlier: &Earlier,
    today: impl Fn(&str) -> Vec<Day>,
    rules: &Rules,
    named: &[NamedPlace],
) {
    for t in trackers.iter_mut() {
        if earlier.recall(t, today(&t.id)) {
            *t = judged(std::mem::take(t), rules, named);
        }
    }
    trackers.sort_by(worrying_first);
}

/// The reason a tag heard on several days adds, and the risk it raises: following on two
/// days or more is high, as AirGuard's two notifications are; following today and heard on
/// other days too is one level more.
pub(super) fn judge(t: &Tracker, risk: &mut Risk, reasons: &mut Vec<Reason>) {
    let Some(h) = &t.history else { return };
    let (dates, following_days) = h.dates();
    if dates.len() < 2 {
        return;
    }
    reasons.push(Reason::HeardOnDays {
        dates: dates.iter().map(|d| d.to_string()).collect(),
        following_days,
    });
    if t.owner_state == OwnerState::NearOwner || !t.following() {
        return;
    }
    *risk = match following_days {
        2.. => Risk::High,
        _ => (*risk).max(Risk::Low).raise(),
    };
}
