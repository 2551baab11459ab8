//! Linking a tracker's successive identities into one entry when it rotates its address
//! and key. A family whose advertisements give evidence of a rotation has one rule in
//! [`RULES`]; any other family is never linked, so a new identity there is a new entry.
//!
//! Linking assumes sightings arrive in time order, as they do within one capture. Captures
//! given together may come in any order: a new identity that appears earlier than an
//! entry's last sighting (beyond a short overlap) is not linked to it, so input out of
//! order gives more entries, never a wrong merge.

use chrono::{Local, Offset, TimeZone, Timelike};

use super::reason::{Identity, LinkedBy};
use crate::classify::OwnerState;
use crate::location::{Fix, distance_m};
use crate::model::BdAddr;

/// The longest silence between an identity's last sighting and its successor's first that
/// still counts as one rotation: rotations come every 15-17 minutes, plus missed packets.
const MAX_GAP_US: i64 = 20 * 60 * 1_000_000;

/// How long before an entry's last sighting its successor may already appear: a tag can
/// send both identities briefly, and two adapters' clocks can disagree a little.
pub(super) const OVERLAP_US: i64 = 60 * 1_000_000;

/// A SmartTag's aging counter steps every 15 minutes, heard or not: the real scans show it
/// over 75 minutes (5 steps), 46 hours (183) and 35 days (3376 steps in 50,644 minutes).
/// The address rotates a little slower (15.5 min), so a step of two comes now and then.
const SMARTTAG_STEP_US: i64 = 15 * 60 * 1_000_000;

/// After a longer silence (a car parked for hours), the counter must have moved by the
/// elapsed time in steps, give or take this many.
const SMARTTAG_STEP_SLACK: f64 = 2.0;

/// A separated Find My accessory changes its key once a day, at 04:00 local time: the old
/// key's last sighting and the new one's first must both lie this close to it.
const DAILY_KEY_WINDOW_MIN: i32 = 60;
const DAILY_KEY_MINUTE: i32 = 4 * 60;

/// The daily key's successor must appear this soon after the old key was last heard.
const DAILY_KEY_GAP_US: i64 = 5 * 60 * 1_000_000;

/// A near-owner Find My device's new address appears this soon after the old one vanished.
const NEAR_OWNER_GAP_US: i64 = 30 * 1_000_000;

/// Where two sightings count as one place: a tag heard within range of the same spot.
const SAME_PLACE_M: f64 = 100.0;

/// Without positions, the same tag on both sides of a rotation is heard about as strongly.
const SIMILAR_RSSI_DB: i16 = 10;

/// Which clock "04:00" is on: the computer's time zone, or a fixed offset (tests).
#[derive(Clone, Copy, Debug, Default)]
pub enum Zone {
    #[default]
    Local,
    /// Seconds east of UTC.
    Fixed(i32),
}

impl Zone {
    /// Minutes since local midnight at `time_us`.
    fn minute_of_day(self, time_us: i64) -> i32 {
        let utc = chrono::DateTime::from_timestamp_micros(time_us).unwrap_or_default();
        let offset = match self {
            Zone::Local => Local
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
            Zone::Fixed(s) => s,
        };
        let local = utc + chrono::Duration::seconds(i64::from(offset));
        (local.hour() * 60 + local.minute()) as i32
    }
}

/// What the rules compare: an entry's latest state, or a new identity's first sighting.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sighting {
    pub time_us: i64,
    pub address: BdAddr,
    /// The rotation counter (SmartTag aging counter) if the family sends one; for an entry,
    /// the highest seen.
    pub counter: Option<u32>,
    /// The raw status bytes (see [`crate::classify::Classification::status`]).
    pub status: Option<u32>,
    pub owner_state: OwnerState,
    /// Whether the payload carries an identity (a key); near-owner Find My frames do not.
    pub keyed: bool,
    pub rssi: Option<i8>,
    pub position: Option<Fix>,
    pub zone: Zone,
}

/// How well `new` continues an entry: the better of two fits wins (see [`continues`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Fit {
    /// 0 when the state and flags are the same on both sides.
    status_differs: bool,
    /// The silence between them.
    gap_us: i64,
}

/// Whether `new` is evidence that the tracker last seen as `old` rotated into it, and how well.
type RuleFn = fn(old: &Sighting, new: &Sighting) -> Option<Fit>;

/// A family's linking rule.
#[derive(Clone, Copy)]
pub(super) struct Rule {
    /// Whether a new identity may continue any entry at all: checked before the entries are.
    applies: fn(new: &Sighting) -> bool,
    test: RuleFn,
    /// Of several fits, take the best (same status, then the shortest gap); otherwise
    /// several fits link none.
    prefer: bool,
    /// The old identity must never be heard again after its successor appeared: when it
    /// is, the link was wrong (see [`super::Trackers`]).
    never_again: bool,
}

impl Rule {
    pub(super) fn applies(&self, new: &Sighting) -> bool {
        (self.applies)(new)
    }

    pub(super) fn never_again(&self) -> bool {
        self.never_again
    }
}

const RULES: &[(&str, Rule)] = &[
    (
        "samsung_smarttag",
        Rule {
            applies: always,
            test: smarttag,
            prefer: true,
            never_again: false,
        },
    ),
    (
        "google_fmdn",
        Rule {
            applies: always,
            test: fmdn,
            prefer: false,
            never_again: false,
        },
    ),
    (
        "tile",
        Rule {
            applies: always,
            test: tile,
            prefer: false,
            never_again: false,
        },
    ),
    (
        "apple_find_my",
        Rule {
            applies: find_my_rotates,
            test: find_my,
            // Two tags that fit alike (a neighbour's AirTag changes its key at 04:00 too) are
            // not told apart by a few seconds: neither is linked.
            prefer: false,
            never_again: true,
        },
    ),
];

fn always(_: &Sighting) -> bool {
    true
}

fn fit(old: &Sighting, new: &Sighting) -> Fit {
    Fit {
        status_differs: old.status != new.status,
        gap_us: new.time_us - old.time_us,
    }
}

/// A SmartTag steps its aging counter at each rotation of address and privacy id: by one,
/// and now and then by two at the usual time (real scan 1: 72074 -> 72076 after the usual
/// 15.5 minutes). The counters of two tags lie thousands apart, so a step of one or two within
/// one rotation period is evidence; a bigger step is not. A change of state (offline to
/// connected ...) brings a new privacy id without a step: same counter, other state. After
/// a longer silence the counter must have gone on by the time elapsed.
fn smarttag(old: &Sighting, new: &Sighting) -> Option<Fit> {
    let (Some(o), Some(n)) = (old.counter, new.counter) else {
        return None;
    };
    let step = n.wrapping_sub(o) & 0xFF_FFFF;
    let gap = new.time_us - old.time_us;
    let state = |s: Option<u32>| s.map(|s| s >> 8);
    let linked = if follows(old, new) {
        (1..=2).contains(&step) || (step == 0 && state(old.status) != state(new.status))
    } else if gap > MAX_GAP_US {
        counter_went_on((old.time_us, o), (new.time_us, n))
    } else {
        false
    };
    linked.then(|| fit(old, new))
}

/// Whether a SmartTag counter heard at `old` (time, value) went on to `new` by one step
/// every 15 minutes in between, give or take [`SMARTTAG_STEP_SLACK`].
pub(super) fn counter_went_on((t0, c0): (i64, u32), (t1, c1): (i64, u32)) -> bool {
    let step = c1.wrapping_sub(c0) & 0xFF_FFFF;
    let expected = (t1 - t0) as f64 / SMARTTAG_STEP_US as f64;
    step > 0 && (f64::from(step) - expected).abs() <= SMARTTAG_STEP_SLACK
}

/// An FMDN tag changes its ephemeral id every 1024 s but may keep its address.
fn fmdn(old: &Sighting, new: &Sighting) -> Option<Fit> {
    (old.address == new.address && follows(old, new)).then(|| fit(old, new))
}

/// A Tile keeps its address while the identifier in its 0xFEED service data changes (a real
/// capture: one address for 1 h 40 min, three identifiers): the address is the tag.
fn tile(old: &Sighting, new: &Sighting) -> Option<Fit> {
    (old.address == new.address && new.time_us - old.time_us >= -OVERLAP_US).then(|| fit(old, new))
}

/// Whether a separated key sighting lies near 04:00 local.
fn near_four(s: &Sighting) -> bool {
    (s.zone.minute_of_day(s.time_us) - DAILY_KEY_MINUTE).abs() <= DAILY_KEY_WINDOW_MIN
}

/// How long after its last sighting a near-owner Find My entry may still be followed by
/// its next address: entries silent for longer need not be looked at.
pub(super) const NEAR_OWNER_HORIZON_US: i64 = NEAR_OWNER_GAP_US;

/// Whether a sighting is a near-owner Find My frame, whose entries are looked up among the
/// recently heard only (see [`super::Trackers`]).
pub(super) fn near_owner_frame(family: &str, keyed: bool, state: OwnerState) -> bool {
    family == "apple_find_my" && !keyed && state == OwnerState::NearOwner
}

/// Find My identities change at 04:00 (separated keys) or every 15 minutes (a near-owner
/// address); a new key at any other time is a new tag, and nothing else need be looked at.
fn find_my_rotates(new: &Sighting) -> bool {
    match (new.keyed, new.owner_state) {
        (true, OwnerState::Separated) => near_four(new),
        (false, OwnerState::NearOwner) => true,
        _ => false,
    }
}

/// Find My: a separated accessory's daily key, or a near-owner device's next address.
fn find_my(old: &Sighting, new: &Sighting) -> Option<Fit> {
    let same_kind = old.keyed == new.keyed && old.owner_state == new.owner_state;
    if !same_kind || old.status.is_none() || old.status != new.status {
        return None;
    }
    let gap = new.time_us - old.time_us;
    let linked = match (new.keyed, new.owner_state) {
        // The key changes at 04:00 local, where the tag lies, with the same status byte.
        (true, OwnerState::Separated) => {
            (-OVERLAP_US..=DAILY_KEY_GAP_US).contains(&gap)
                && near_four(old)
                && near_four(new)
                && same_place(old, new)
        }
        // A near-owner frame has no key: the next address comes within seconds of the last,
        // heard as strongly.
        (false, OwnerState::NearOwner) => (0..=NEAR_OWNER_GAP_US).contains(&gap) && similar_rssi(old, new),
        _ => false,
    };
    linked.then(|| fit(old, new))
}

/// Both heard at one spot, as strongly: within [`SAME_PLACE_M`] when both have positions,
/// and about as loud (the tag did not move away from the scanner, and is not another tag
/// behind a wall).
fn same_place(old: &Sighting, new: &Sighting) -> bool {
    let near = match (&old.position, &new.position) {
        (Some(a), Some(b)) => distance_m(a, b) <= SAME_PLACE_M,
        _ => true,
    };
    near && similar_rssi(old, new)
}

fn similar_rssi(old: &Sighting, new: &Sighting) -> bool {
    matches!((old.rssi, new.rssi), (Some(a), Some(b)) if (i16::from(a) - i16::from(b)).abs() <= SIMILAR_RSSI_DB)
}

/// Whether `new` first appears after `old` (or within the short overlap before it) and
/// soon enough to be the next rotation.
fn follows(old: &Sighting, new: &Sighting) -> bool {
    let gap = new.time_us.saturating_sub(old.time_us);
    (-OVERLAP_US..=MAX_GAP_US).contains(&gap)
}

/// The linking rule of a family, if it has one.
pub(super) fn rule(family: &str) -> Option<Rule> {
    RULES.iter().find(|(f, _)| *f == family).map(|&(_, r)| r)
}

/// What linked an entry's identities into one tag, for its reasons.
pub(super) fn linked(t: &super::Tracker) -> Option<Identity> {
    let how = match t.family {
        "samsung_smarttag" => LinkedBy::AgingCounter,
        "google_fmdn" => LinkedBy::AddressEphemeralId,
        "tile" => LinkedBy::AddressServiceData,
        "apple_find_my" if t.owner_state == OwnerState::NearOwner => LinkedBy::WithinSeconds,
        "apple_find_my" => LinkedBy::DailyChange,
        _ => return None,
    };
    (t.identities > 1 && !t.rotating_keys).then_some(Identity::Linked {
        identities: t.identities,
        how,
    })
}

/// Why a new identity was not linked to an earlier entry although some fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Apart {
    /// Several entries fit equally well: nothing tells which tag rotated.
    Ambiguous(usize),
}

/// The one entry among `candidates` (index, latest state) that `new` continues. When more
/// than one fits, a rule that prefers takes the best fit if it is better than all others;
/// otherwise none is linked, and the number of fits is returned.
pub(super) fn continues(
    rule: Rule,
    candidates: impl IntoIterator<Item = (usize, Sighting)>,
    new: &Sighting,
) -> Result<Option<usize>, Apart> {
    let mut fits: Vec<(Fit, usize)> = candidates
        .into_iter()
        .filter_map(|(i, old)| (rule.test)(&old, new).map(|f| (rank(f), i)))
        .collect();
    match fits.len() {
        0 => Ok(None),
        1 => Ok(Some(fits[0].1)),
        n => {
            fits.sort_unstable();
            match rule.prefer && fits[0].0 < fits[1].0 {
                true => Ok(Some(fits[0].1)),
                false => Err(Apart::Ambiguous(n)),
            }
        }
    }
}

/// A fit as compared: an identity heard again a little after its successor appeared has a
/// negative gap that is as short as its size.
fn rank(f: Fit) -> Fit {
    Fit {
        gap_us: f.gap_us.abs(),
        ..f
    }
}

#[cfg(test)]
mod tests {
    use super::Zone;
    use crate::classify::{Classification, OwnerState};
    use crate::correlate::{Tracker, Trackers};
    use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

    const MIN: i64 = 60;
    const HOUR: i64 = 3600;

    /// One sighting: family, seconds, address byte, identity, counter.
    type Seen<'a> = (&'static str, i64, u8, &'a [u8], Option<u32>);

    /// Feeds the sightings in order and returns the entries.
    fn run(sightings: &[Seen<'_>]) -> Vec<Tracker> {
        let full: Vec<Heard<'_>> = sightings
            .iter()
            .map(|&(family, secs, addr, identity, counter)| Heard {
                counter,
                ..Heard::new(family, secs, addr, Some(identity))
            })
            .collect();
        run_heard(&full)
    }

    /// One sighting with everything a rule may look at.
    #[derive(Clone, Copy)]
    struct Heard<'a> {
        family: &'static str,
        secs: i64,
        addr: u8,
        identity: Option<&'a [u8]>,
        counter: Option<u32>,
        status: Option<u32>,
        state: OwnerState,
        rssi: i8,
    }

    impl<'a> Heard<'a> {
        fn new(family: &'static str, secs: i64, addr: u8, identity: Option<&'a [u8]>) -> Self {
            Heard {
                family,
                secs,
                addr,
                identity,
                counter: None,
                status: None,
                state: OwnerState::Separated,
                rssi: -60,
            }
        }
    }

    /// Feeds the sightings in order, 04:00 being UTC's, and returns the entries.
    fn run_heard(sightings: &[Heard<'_>]) -> Vec<Tracker> {
        let mut t = Trackers::new().with_zone(Zone::Fixed(0));
        for h in sightings {
            let adv = Advertisement {
                time_us: h.secs * 1_000_000,
                address: BdAddr([h.addr; 6]),
                addr_type: AddrType::Random,
                rssi: Some(h.rssi),
                pdu: PduKind::AdvNonconnInd,
                data: &[],
            };
            let class = Classification {
                family: h.family,
                model: Some("AirTag"),
                owner_state: h.state,
                mode: None,
                battery: None,
                identity: h.identity,
                counter: h.counter,
                status: h.status,
                network: None,
            };
            t.add(&adv, Some(&class));
        }
        t.into_sorted()
    }

    const TAG: &str = "samsung_smarttag";
    const FMDN: &str = "google_fmdn";

    /// (addresses, identities) of each entry.
    fn shape(v: &[Tracker]) -> Vec<(usize, u32)> {
        v.iter().map(|t| (t.addresses.len(), t.identities)).collect()
    }

    #[test]
    fn smarttag_counter_plus_one_links() {
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN + 30, 2, b"id-b", Some(11)),
            (TAG, 31 * MIN, 3, b"id-c", Some(12)),
        ]);
        assert_eq!(shape(&v), [(3, 3)]);
        assert_eq!((v[0].sightings, v[0].last_seen_us), (4, 31 * MIN * 1_000_000));
    }

    #[test]
    fn smarttag_counter_plus_three_or_back_does_not_link() {
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN, 2, b"id-b", Some(13)),
            (TAG, 30 * MIN, 3, b"id-c", Some(9)),
        ]);
        assert_eq!(shape(&v), [(1, 1), (1, 1), (1, 1)]);
    }

    #[test]
    fn smarttag_counter_plus_two_links() {
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN, 2, b"id-b", Some(12)),
        ]);
        assert_eq!(shape(&v), [(2, 2)]);
    }

    #[test]
    fn smarttag_without_counters_does_not_link() {
        let v = run(&[(TAG, 0, 1, b"setup-1", None), (TAG, 60, 2, b"setup-2", None)]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn too_long_a_gap_does_not_link() {
        // Three hours make 12 steps of the counter, not one.
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 3 * HOUR, 2, b"id-b", Some(11)),
        ]);
        assert_eq!(v.len(), 2);
        let v = run(&[(FMDN, 0, 1, b"eid-a", None), (FMDN, 21 * MIN, 1, b"eid-b", None)]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn the_counter_stays_at_its_highest_when_the_old_identity_is_heard_again() {
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN, 2, b"id-b", Some(11)),
            // The old identity, a last time, after its successor appeared.
            (TAG, 15 * MIN + 20, 1, b"id-a", Some(10)),
            (TAG, 30 * MIN, 3, b"id-c", Some(12)),
        ]);
        assert_eq!(shape(&v), [(3, 3)]);
    }

    #[test]
    fn the_counter_can_step_under_one_identity() {
        // Real SmartTags keep their privacy id across several counter steps while separated.
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 15 * MIN, 2, b"id-a", Some(11)),
            (TAG, 30 * MIN, 3, b"id-b", Some(12)),
        ]);
        assert_eq!(shape(&v), [(3, 2)]);
    }

    #[test]
    fn ambiguous_candidates_do_not_link() {
        // Two tags both at counter 10, last heard at once in the same state: nothing says which
        // one became id-c, and the reasons say so.
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 0, 2, b"id-b", Some(10)),
            (TAG, 15 * MIN, 3, b"id-c", Some(11)),
        ]);
        assert_eq!(shape(&v), [(1, 1), (1, 1), (1, 1)]);
        let apart = v.iter().find(|t| t.addresses == [BdAddr([3; 6])]).unwrap();
        assert!(
            apart
                .reasons
                .iter()
                .any(|r| r.to_string().contains("2 earlier tags")),
            "{:?}",
            apart.reasons
        );
        // Two FMDN tags, the second one last heard from the first one's address.
        let v = run(&[
            (FMDN, 0, 1, b"eid-a", None),
            (FMDN, 5, 2, b"eid-b", None),
            (FMDN, 10, 1, b"eid-b", None),
            (FMDN, 17 * MIN, 1, b"eid-c", None),
        ]);
        assert_eq!(shape(&v), [(1, 1), (2, 1), (1, 1)]);
    }

    #[test]
    fn fmdn_links_a_new_eid_from_the_same_address_only() {
        let v = run(&[
            (FMDN, 0, 1, b"eid-a", None),
            (FMDN, 17 * MIN, 1, b"eid-b", None),
            (FMDN, 34 * MIN, 1, b"eid-c", None),
        ]);
        assert_eq!(shape(&v), [(1, 3)]);
        let v = run(&[(FMDN, 0, 1, b"eid-a", None), (FMDN, 17 * MIN, 2, b"eid-b", None)]);
        assert_eq!(shape(&v), [(1, 1), (1, 1)]);
    }

    #[test]
    fn times_going_backwards_do_not_link() {
        let v = run(&[
            (TAG, 60 * MIN, 1, b"id-a", Some(10)),
            (TAG, 50 * MIN, 2, b"id-b", Some(11)),
        ]);
        assert_eq!(v.len(), 2);
        let v = run(&[
            (FMDN, 60 * MIN, 1, b"eid-a", None),
            (FMDN, 50 * MIN, 1, b"eid-b", None),
        ]);
        assert_eq!(v.len(), 2);
        // Within the short overlap, both identities may be heard side by side.
        let v = run(&[
            (TAG, 60 * MIN, 1, b"id-a", Some(10)),
            (TAG, 60 * MIN - 30, 2, b"id-b", Some(11)),
        ]);
        assert_eq!(shape(&v), [(2, 2)]);
    }

    #[test]
    fn families_without_a_rule_never_link() {
        // A key changing under the same address, at once, is still a new entry.
        for family in ["chipolo", "pebblebee", "dult"] {
            let v = run(&[
                (family, 0, 1, b"key-a", Some(1)),
                (family, 1, 1, b"key-b", Some(2)),
            ]);
            assert_eq!(v.len(), 2, "{family}");
        }
    }

    fn smarttag(secs: i64, addr: u8, id: &'static [u8], counter: u32, status: u32) -> Heard<'static> {
        Heard {
            counter: Some(counter),
            status: Some(status),
            ..Heard::new(TAG, secs, addr, Some(id))
        }
    }

    #[test]
    fn smarttag_prefers_the_same_state_and_flags_then_the_shorter_gap() {
        // Two tags at counters 10 and 9: one offline (0x12), one overmature offline (0x13);
        // id-c at 11 fits both (a step of one or two).
        let v = run_heard(&[
            smarttag(0, 1, b"id-a", 10, 0x12c3),
            smarttag(0, 2, b"id-b", 9, 0x13c3),
            smarttag(15 * MIN, 3, b"id-c", 11, 0x13c3),
        ]);
        let b = v.iter().find(|t| t.addresses.contains(&BdAddr([2; 6]))).unwrap();
        assert_eq!((b.addresses.len(), b.identities), (2, 2));
        // Both in the same state: the one heard last continues.
        let v = run_heard(&[
            smarttag(0, 1, b"id-a", 10, 0x12c3),
            smarttag(40, 2, b"id-b", 9, 0x12c3),
            smarttag(15 * MIN, 3, b"id-c", 11, 0x12c3),
        ]);
        let b = v.iter().find(|t| t.addresses.contains(&BdAddr([2; 6]))).unwrap();
        assert_eq!((b.addresses.len(), b.identities), (2, 2));
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn smarttag_state_change_with_a_new_privacy_id_and_the_same_counter_links() {
        // Real scan 4 starts with a tag going from connected (0x15) to premature offline (0x11)
        // at one counter value; a new privacy id then is one tag.
        let v = run_heard(&[
            smarttag(0, 1, b"id-a", 75_700, 0x15c3),
            smarttag(2, 2, b"id-b", 75_700, 0x11c3),
        ]);
        assert_eq!(shape(&v), [(2, 2)]);
        // The same state, a new id and no step: no evidence.
        let v = run_heard(&[
            smarttag(0, 1, b"id-a", 75_700, 0x12c3),
            smarttag(2, 2, b"id-b", 75_700, 0x12c3),
        ]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn smarttag_parked_for_hours_links_when_the_counter_went_on_with_the_time() {
        // 20 h parked: 80 steps of 15 minutes, give or take 2.
        for (steps, linked) in [
            (80, true),
            (78, true),
            (82, true),
            (77, false),
            (83, false),
            (62, false),
        ] {
            let v = run_heard(&[
                smarttag(0, 1, b"id-a", 1000, 0x12c3),
                smarttag(20 * HOUR, 2, b"id-b", 1000 + steps, 0x13c3),
            ]);
            assert_eq!(v.len() == 1, linked, "{steps} steps");
        }
    }

    #[test]
    fn tile_links_a_changing_identifier_under_one_address() {
        // A real Tile kept one address for 1 h 40 min and sent three identifiers.
        let v = run(&[
            ("tile", 0, 1, b"tile-a", None),
            ("tile", 40 * MIN, 1, b"tile-b", None),
            ("tile", 100 * MIN, 1, b"tile-c", None),
            ("tile", 100 * MIN, 2, b"tile-d", None),
        ]);
        assert_eq!(shape(&v), [(1, 3), (1, 1)]);
        assert!(
            v[0].reasons
                .iter()
                .any(|r| r.to_string().contains("one tag through 3 identities"))
        );
    }

    fn key(secs: i64, addr: u8, id: &'static [u8], status: u32, rssi: i8) -> Heard<'static> {
        Heard {
            status: Some(status),
            rssi,
            ..Heard::new("apple_find_my", secs, addr, Some(id))
        }
    }

    const FOUR: i64 = 4 * HOUR;

    #[test]
    fn find_my_daily_key_links_at_four_with_the_same_status_where_it_lay() {
        let v = run_heard(&[
            key(FOUR - 30 * MIN, 1, b"key-a", 0x10, -60),
            key(FOUR - 2, 1, b"key-a", 0x10, -61),
            key(FOUR + 1, 2, b"key-b", 0x10, -59),
            key(FOUR + 2 * HOUR, 2, b"key-b", 0x10, -60),
        ]);
        assert_eq!(shape(&v), [(2, 2)]);
        // At noon, with another status byte, or far weaker (the scanner moved): two tags.
        let noon = 12 * HOUR;
        for (old, new) in [
            (
                key(noon - 2, 1, b"key-a", 0x10, -60),
                key(noon + 1, 2, b"key-b", 0x10, -60),
            ),
            (
                key(FOUR - 2, 1, b"key-a", 0x10, -60),
                key(FOUR + 1, 2, b"key-b", 0x50, -60),
            ),
            (
                key(FOUR - 2, 1, b"key-a", 0x10, -60),
                key(FOUR + 1, 2, b"key-b", 0x10, -85),
            ),
            (
                key(FOUR - 20 * MIN, 1, b"key-a", 0x10, -60),
                key(FOUR + 1, 2, b"key-b", 0x10, -60),
            ),
        ] {
            assert_eq!(run_heard(&[old, new]).len(), 2);
        }
    }

    #[test]
    fn find_my_old_key_heard_again_undoes_the_link_from_then_on() {
        let v = run_heard(&[
            key(FOUR - 2, 1, b"key-a", 0x10, -60),
            key(FOUR + 1, 2, b"key-b", 0x10, -60),
            key(FOUR + 10 * MIN, 1, b"key-a", 0x10, -60),
            key(FOUR + 11 * MIN, 1, b"key-a", 0x10, -60),
        ]);
        assert_eq!(shape(&v), [(2, 2), (1, 1)]);
        assert!(
            v[0].reasons
                .iter()
                .any(|r| r.to_string().contains("may be of two tags"))
        );
        assert_eq!(v[1].sightings, 2);
        assert!(
            v[1].reasons
                .iter()
                .any(|r| r.to_string().contains("kept apart from then on"))
        );
    }

    fn near(secs: i64, addr: u8, status: u32, rssi: i8) -> Heard<'static> {
        Heard {
            status: Some(status),
            state: OwnerState::NearOwner,
            rssi,
            ..Heard::new("apple_find_my", secs, addr, None)
        }
    }

    #[test]
    fn near_owner_addresses_fold_when_the_next_comes_within_seconds_alike() {
        // One AirTag near its owner: a new address every 15 minutes, 16 in 4 hours.
        let mut heard = Vec::new();
        for n in 0..16u8 {
            let from = i64::from(n) * 15 * MIN;
            heard.extend((0..450).map(|k| near(from + 2 * k, n + 1, 0x10, -55 - (k % 5) as i8)));
        }
        let v = run_heard(&heard);
        assert_eq!(shape(&v), [(16, 16)]);
        assert!(
            v[0].reasons
                .iter()
                .any(|r| r.to_string().contains("within seconds"))
        );
        // Another status byte, a minute's silence or a far weaker signal: apart.
        for new in [
            near(62, 2, 0x30, -55),
            near(120, 2, 0x10, -55),
            near(62, 2, 0x10, -80),
        ] {
            assert_eq!(
                run_heard(&[near(0, 1, 0x10, -55), near(60, 1, 0x10, -55), new]).len(),
                2
            );
        }
    }
}
