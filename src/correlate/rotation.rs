//! Linking a tracker's successive identities into one entry when it rotates its address
//! and key. A family whose advertisements give evidence of a rotation has one rule in
//! [`RULES`]; any other family is never linked, so a new identity there is a new entry.
//!
//! Linking assumes sightings arrive in time order, as they do within one capture. Captures
//! given together may come in any order: a new identity that appears earlier than an
//! entry's last sighting (beyond a short overlap) is not linked to it, so input out of
//! order gives more entries, never a wrong merge.

use crate::model::BdAddr;

/// The longest silence between an identity's last sighting and its successor's first that
/// still counts as one rotation: rotations come every 15-17 minutes, plus missed packets.
const MAX_GAP_US: i64 = 20 * 60 * 1_000_000;

/// How long before an entry's last sighting its successor may already appear: a tag can
/// send both identities briefly, and two adapters' clocks can disagree a little.
const OVERLAP_US: i64 = 60 * 1_000_000;

/// What the rules compare: an entry's latest state, or a new identity's first sighting.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sighting {
    pub time_us: i64,
    pub address: BdAddr,
    /// The rotation counter (SmartTag aging counter) if the family sends one; for an entry,
    /// the highest seen.
    pub counter: Option<u32>,
}

/// Whether `new` is evidence that the tracker last seen as `old` rotated into it.
type Rule = fn(old: &Sighting, new: &Sighting) -> bool;

const RULES: &[(&str, Rule)] = &[("samsung_smarttag", smarttag), ("google_fmdn", fmdn)];

/// A SmartTag steps its aging counter at each rotation of address and privacy id: by one,
/// and now and then by two at the usual time (real scan 1: 72074 -> 72076 after the usual
/// 15.5 minutes). The counters of two tags lie thousands apart, so a step of one or two within
/// one rotation period is evidence; a bigger step is not.
fn smarttag(old: &Sighting, new: &Sighting) -> bool {
    let steps =
        matches!((old.counter, new.counter), (Some(o), Some(n)) if (1..=2).contains(&n.wrapping_sub(o)));
    steps && follows(old, new)
}

/// An FMDN tag changes its ephemeral id every 1024 s but may keep its address.
fn fmdn(old: &Sighting, new: &Sighting) -> bool {
    old.address == new.address && follows(old, new)
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

/// The one entry among `candidates` (index, latest state) that `new` continues. When more
/// than one fits, nothing tells which tracker rotated, so none is linked.
pub(super) fn continues(
    rule: Rule,
    candidates: impl IntoIterator<Item = (usize, Sighting)>,
    new: &Sighting,
) -> Option<usize> {
    let mut fits = candidates
        .into_iter()
        .filter(|(_, old)| rule(old, new))
        .map(|(i, _)| i);
    let first = fits.next()?;
    fits.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use crate::classify::{Classification, OwnerState};
    use crate::correlate::{Tracker, Trackers};
    use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

    const MIN: i64 = 60;

    /// One sighting: family, seconds, address byte, identity, counter.
    type Seen<'a> = (&'static str, i64, u8, &'a [u8], Option<u32>);

    /// Feeds the sightings in order and returns the entries.
    fn run(sightings: &[Seen<'_>]) -> Vec<Tracker> {
        let mut t = Trackers::new();
        for &(family, secs, addr, identity, counter) in sightings {
            let adv = Advertisement {
                time_us: secs * 1_000_000,
                address: BdAddr([addr; 6]),
                addr_type: AddrType::Random,
                rssi: Some(-60),
                pdu: PduKind::AdvNonconnInd,
                data: &[],
            };
            let class = Classification {
                family,
                model: None,
                owner_state: OwnerState::Separated,
                mode: None,
                battery: None,
                identity: Some(identity),
                counter,
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
            (TAG, 30 * MIN, 3, b"id-c", Some(12)),
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
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 21 * MIN, 2, b"id-b", Some(11)),
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
        // Two tags both at counter 10: nothing says which one became id-c.
        let v = run(&[
            (TAG, 0, 1, b"id-a", Some(10)),
            (TAG, 5, 2, b"id-b", Some(10)),
            (TAG, 15 * MIN, 3, b"id-c", Some(11)),
        ]);
        assert_eq!(shape(&v), [(1, 1), (1, 1), (1, 1)]);
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
        // A Tile or Apple key changing under the same address, at once, is still a new entry.
        for family in ["tile", "apple_find_my", "chipolo", "pebblebee", "dult"] {
            let v = run(&[
                (family, 0, 1, b"key-a", Some(1)),
                (family, 1, 1, b"key-b", Some(2)),
            ]);
            assert_eq!(v.len(), 2, "{family}");
        }
    }
}
