//! Correlation: gather the sightings of each physical tracker into one entry.
//!
//! An entry is found by the tracker's family and the identity its payload carries (a
//! Find My key, a SmartTag privacy id ...), or by its address when the payload has none.
//! A new identity joins an earlier entry only when its family's rotation rule has evidence
//! that the same tracker rotated into it (see [`rotation`]).

pub mod advisory;
mod allow;
mod clone;
pub mod history;
mod journeys;
mod named;
mod places;
mod reason;
mod rotation;
pub mod verdict;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::classify::{Classification, OwnerState};
use crate::i18n::Lang;
use crate::location::{Fix, OnTrack, PositionSource, Track};
use crate::model::{Advertisement, BdAddr};
pub use allow::{AllowError, Allowlist, Own, append_id};
pub use history::{History, Lineage};
pub use journeys::Journeys;
pub use named::NamedPlace;
pub use places::{
    CONTINUOUS_US, MAX_ACCURACY_M, MAX_PLACES, PLACE_DWELL_US, PLACE_RADIUS_M, Places, STAY_US,
};
pub use reason::{Identity, IdentityNote, LinkedBy, Reason};
pub use rotation::Zone;
use rotation::{Apart, Sighting};
use verdict::{Evidence, Presence, Risk, Rules};

/// Identity bytes beyond this length add nothing to telling trackers apart.
const KEY_BYTES: usize = 32;

/// A fixed-size key so looking up a known tracker allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
struct TrackerKey {
    family: &'static str,
    len: u8,
    bytes: [u8; KEY_BYTES],
}

/// Only the identity bytes in use, and the family by its length (families differ in their
/// identities anyway, and equality still compares them): every tracker advertisement is
/// looked up, so hashing 32 bytes and a string each time showed in the tracker-dense profile.
impl std::hash::Hash for TrackerKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_usize(self.family.len());
        h.write(&self.bytes[..usize::from(self.len)]);
    }
}

/// The tracker index's hasher: fast, and fixed (no per-run seed), since the keys come from
/// the advertisements one reads, not from an adversary that can see the table.
type IndexHasher = foldhash::fast::FixedState;

impl TrackerKey {
    fn new(family: &'static str, identity: Option<&[u8]>, address: BdAddr) -> Self {
        let id = identity.unwrap_or(&address.0);
        let len = id.len().min(KEY_BYTES);
        let mut bytes = [0; KEY_BYTES];
        bytes[..len].copy_from_slice(&id[..len]);
        TrackerKey {
            family,
            len: len as u8,
            bytes,
        }
    }

    /// A 64-bit digest, to remember a key in 8 bytes (collisions: one in 2^64).
    fn digest(&self) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(self)
    }

    /// A short id that stays the same for the same tracker identity across runs.
    fn stable_id(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.family.as_bytes());
        h.update(&self.bytes[..self.len as usize]);
        let digest = h.finalize();
        format!("{}-{}", self.family, hex::encode(&digest[..4]))
    }
}

/// Everything known about one tracker from the sightings so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tracker {
    pub id: String,
    pub family: &'static str,
    pub model: Option<&'static str>,
    /// The last owner state the tracker reported that was not unknown.
    pub owner_state: OwnerState,
    pub mode: Option<&'static str>,
    pub battery: Option<&'static str>,
    pub network: Option<&'static str>,
    /// Addresses in the order they were first seen.
    pub addresses: Vec<BdAddr>,
    /// How many identities (keys, privacy ids, EIDs ...) were linked into this entry.
    pub identities: u32,
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    pub sightings: u64,
    pub rssi_max: Option<i8>,
    /// Sightings the track gave a position (0 without a track).
    pub located_sightings: u64,
    /// Where the tracker was heard (empty without a track).
    pub places: Places,
    /// Its journeys with her from one of her stays to the next (none without a track).
    pub journeys: Journeys,
    /// How long it has been heard with you.
    pub presence: Presence,
    /// When, replaying in time order, the verdict first said it follows you.
    pub alert_at_us: Option<i64>,
    /// The evidence that held at `alert_at_us`.
    pub decided_by: Option<Evidence>,
    /// Marked as the user's own (allow list, or `m` in the live view): judged like any other,
    /// listed, never alerted. Boxed: few trackers are own, and a crowd holds many entries.
    pub own: Option<Box<Own>>,
    /// One entry gathered from a clone's never-repeated keys (see [`clone`]).
    pub rotating_keys: bool,
    /// The ids of the one-off key entries a clone entry was gathered from.
    pub member_ids: Vec<String>,
    /// Why this entry may be one tag with another, or two tags in one, when that could not be
    /// proven (said among the reasons).
    pub identity_notes: Vec<Identity>,
    /// What stays as the tag rotates, kept with the evidence so that a later day's entry of the
    /// same tag is recognised (see [`history`]); only for tags that rotate or count.
    pub lineage: Option<Box<Lineage>>,
    /// The same tag on earlier days, from the evidence (set when a store is read, see [`history`]).
    pub history: Option<Box<History>>,
    /// The user's named places among `places` (set when the analysis ends).
    pub named_places: Vec<String>,
    /// Set when the analysis ends (see [`verdict::judge`]).
    pub risk: Risk,
    pub reasons: Vec<Reason>,
}

impl Tracker {
    /// The reasons in `lang`, one clause after another.
    pub fn reasons_text(&self, lang: Lang) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(|r| r.text(lang)).collect();
        reasons.join(lang.t("separator-clauses"))
    }

    /// The verdict: it follows the person (also when it is the user's own).
    pub fn following(&self) -> bool {
        self.alert_at_us.is_some()
    }

    /// Whether the person must be warned: it follows and is not marked as theirs.
    pub fn alarms(&self) -> bool {
        self.following() && self.own.is_none()
    }
}

/// Which entry a tracker sighting joined (as it stands after it), and where the person was.
pub struct Sighted<'a> {
    pub tracker: &'a Tracker,
    pub position: Option<Fix>,
    /// Where the entry is held, for [`Trackers::amend`].
    pub(crate) entry: usize,
}

/// One entry and what linking needs to know about its latest sighting.
struct Entry {
    tracker: Tracker,
    /// The address of the latest sighting.
    address: BdAddr,
    /// The highest rotation counter seen.
    counter: Option<u32>,
    /// The latest sighting's status bytes, signal, owner state and position (the last one known).
    status: Option<u32>,
    rssi: Option<i8>,
    state: OwnerState,
    keyed: bool,
    position: Option<Fix>,
    /// The identity linked last, since when, and the one it replaced: that one must not be
    /// heard again where the family's rule says so (see [`rotation::Rule::never_again`]).
    /// (By their [`TrackerKey::digest`]: an entry is kept per tracker, and a crowd has many.)
    current: u64,
    current_since_us: i64,
    replaced: Option<u64>,
    /// Listed in [`Trackers::recent_near_owner`].
    recent: bool,
    /// Taken into the clone entry: not reported on its own.
    merged: bool,
}

impl Entry {
    fn latest(&self, zone: Zone) -> Sighting {
        Sighting {
            time_us: self.tracker.last_seen_us,
            address: self.address,
            counter: self.counter,
            status: self.status,
            owner_state: self.state,
            keyed: self.keyed,
            rssi: self.rssi,
            position: self.position,
            zone,
        }
    }

    fn record(&mut self, adv: &Advertisement<'_>, c: &Classification<'static, '_>, pos: Option<Fix>) {
        let t = &mut self.tracker;
        t.sightings += 1;
        t.presence.add(adv.time_us, verdict::MAX_SILENCE_US);
        t.located_sightings += u64::from(pos.is_some());
        t.places.add(adv.time_us, pos.as_ref());
        t.first_seen_us = t.first_seen_us.min(adv.time_us);
        // Captures are read in order, so the latest sighting carries the current state.
        if adv.time_us >= t.last_seen_us {
            t.last_seen_us = adv.time_us;
            self.address = adv.address;
            self.status = c.status;
            self.rssi = adv.rssi;
            self.state = c.owner_state;
            self.keyed = c.identity.is_some();
            self.position = pos.or(self.position);
            if c.owner_state != OwnerState::Unknown {
                t.owner_state = c.owner_state;
            }
            t.model = c.model.or(t.model);
            t.mode = c.mode;
            t.battery = c.battery.or(t.battery);
            t.network = c.network.or(t.network);
        }
        // The old identity may still be heard after its successor: the counter never goes back.
        self.counter = self.counter.max(c.counter);
        if let Some(counter) = c.counter {
            let l = t.lineage.get_or_insert_with(Box::default);
            l.counter_first.get_or_insert((adv.time_us, counter));
            if l.counter_last.is_none_or(|(_, last)| counter >= last) {
                l.counter_last = Some((adv.time_us, counter));
            }
        }
        t.rssi_max = t.rssi_max.max(adv.rssi);
        if !t.addresses.contains(&adv.address) {
            t.addresses.push(adv.address);
        }
    }
}

/// Collects tracker sightings; everything else is only counted (bystanders are not evidence).
#[derive(Default)]
pub struct Trackers<'t> {
    index: HashMap<TrackerKey, usize, IndexHasher>,
    entries: Vec<Entry>,
    /// Advertisements that were not from a tracker.
    pub other_advertisements: u64,
    /// Forget phones, computers and headphones near their owner instead of keeping an entry
    /// per address they rotate through: a live scan in a crowd must stay bounded.
    forget_bystanders: bool,
    /// Where the person was (a track, or a live receiver).
    positions: Option<Box<dyn PositionSource + 't>>,
    rules: Rules,
    allow: Allowlist,
    named: Vec<NamedPlace>,
    /// New separated Find My keys waiting to show whether they are used once.
    watch: clone::Watch,
    /// The entry gathering one-off keys, and the entries taken into it that stay listed
    /// on their own until there are enough of them to be one clone.
    clone: Option<usize>,
    clone_members: Vec<usize>,
    /// Entries that started following since [`Trackers::take_following`] last asked.
    following: Vec<usize>,
    /// The clock the daily key rotation is on.
    zone: Zone,
    /// Near-owner Find My entries heard lately: a crowd's phones change their addresses every
    /// 15 minutes, and each new one is compared with these only.
    recent_near_owner: Vec<usize>,
}

impl<'t> Trackers<'t> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives each tracker sighting the person's position from `track` (see
    /// [`Track::position_at`]), so the trackers get places.
    pub fn with_track(track: &'t Track, max_gap_us: i64) -> Self {
        Self::with_positions(Box::new(OnTrack { track, max_gap_us }))
    }

    /// Gives each tracker sighting the person's position from `positions`.
    pub fn with_positions(positions: Box<dyn PositionSource + 't>) -> Self {
        Trackers {
            positions: Some(positions),
            ..Self::default()
        }
    }

    /// The fixes the position source has, to keep with the evidence.
    pub fn track(&self) -> Option<&Track> {
        self.positions.as_ref().and_then(|p| p.track())
    }

    /// The person's position at `time_us` from the position source, if any (the live view's
    /// GPS state; a live receiver's new fixes join its track).
    pub fn position_at(&mut self, time_us: i64) -> Option<Fix> {
        self.positions.as_mut()?.position_at(time_us)
    }

    /// Judges with these thresholds instead of the default (medium) ones.
    pub fn with_rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Takes 04:00, when separated Find My keys change, on this clock (default: this
    /// computer's time zone).
    pub fn with_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Names the trackers' places that are near these.
    pub fn with_named_places(mut self, named: Vec<NamedPlace>) -> Self {
        self.named = named;
        self
    }

    /// Keeps no entry for phones, computers and headphones near their owner (see
    /// [`Classification::bystander`]): `add` returns None for them, so the caller counts them
    /// as it counts other bystanders; `into_sorted` then lists only what may be evidence.
    pub fn forgetting_bystanders(mut self) -> Self {
        self.forget_bystanders = true;
        self
    }

    /// How many entries are held (listed or merged), for memory checks.
    pub fn held(&self) -> usize {
        self.entries.len()
    }

    /// Never alerts on the trackers in `allow`.
    pub fn with_allowlist(mut self, allow: Allowlist) -> Self {
        self.allow = allow;
        self
    }

    /// Records one advertisement with its classification (None: not a tracker). Sightings
    /// should come in time order for rotations to be linked (see [`rotation`]). For a tracker,
    /// returns the entry it joined and the person's position then, for the evidence store.
    pub fn add(
        &mut self,
        adv: &Advertisement<'_>,
        class: Option<&Classification<'static, '_>>,
    ) -> Option<Sighted<'_>> {
        let Some(c) = class else {
            self.other_advertisements += 1;
            return None;
        };
        if self.forget_bystanders && c.bystander() {
            return None;
        }
        self.retire_one_shots(adv.time_us);
        let key = TrackerKey::new(c.family, c.identity, adv.address);
        // Only trackers are located: a binary search in the track, never paid for bystanders.
        let pos = self.positions.as_mut().and_then(|p| p.position_at(adv.time_us));
        // A known identity costs one lookup; only a new one is matched against the entries.
        let i = match self.index.get(&key) {
            Some(&i) => self.heard_again(i, key, c, adv),
            None => {
                let i = match self.link(c, adv, pos, key) {
                    Ok(Some(i)) => i,
                    Ok(None) => self.push(key, c, adv),
                    // The people around (phones) are not listed: no word about them.
                    Err(Apart::Ambiguous(_)) if c.bystander() => self.push(key, c, adv),
                    Err(Apart::Ambiguous(n)) => {
                        let i = self.push(key, c, adv);
                        let note = Identity::Ambiguous { candidates: n };
                        self.entries[i].tracker.identity_notes.push(note);
                        i
                    }
                };
                self.index.insert(key, i);
                i
            }
        };
        let e = &mut self.entries[i];
        // Her positions between the tag's sightings: where she stayed without it, and its
        // journeys with her.
        let positions = &mut self.positions;
        let mut her = |t| positions.as_mut().and_then(|p| p.position_at(t));
        let t = &e.tracker;
        let tracked = !c.bystander();
        if tracked
            && pos.is_some()
            && t.located_sightings > 0
            && adv.time_us - t.last_seen_us > CONTINUOUS_US
            && journeys::stayed_between(&mut her, t.last_seen_us, adv.time_us)
        {
            e.tracker.places.apart();
        }
        e.record(adv, c, pos);
        if tracked {
            let t = &mut e.tracker;
            let heard = journeys::Heard {
                time_us: adv.time_us,
                pos,
                stay: t.places.current_stay(),
            };
            t.journeys.add(heard, self.rules.min_distance_m, &mut her);
        }
        if !e.recent && rotation::near_owner_frame(e.tracker.family, e.keyed, e.state) {
            e.recent = true;
            self.recent_near_owner.push(i);
        }
        let t = &mut e.tracker;
        if t.own.is_none() && !self.allow.is_empty() {
            t.own = self.allow.allows(&t.id, adv.address, c.identity).map(Box::new);
        }
        if t.alert_at_us.is_none()
            && let Some(e) = verdict::evidence(&self.rules, t)
        {
            t.alert_at_us = Some(adv.time_us);
            t.decided_by = Some(e);
            // The verdict is kept for the evidence; the user's own tracker raises no alarm.
            if t.own.is_none() {
                self.following.push(i);
            }
        }
        Some(Sighted {
            tracker: &self.entries[i].tracker,
            position: pos,
            entry: i,
        })
    }

    /// Takes the watched keys whose window ended before `now_us` and that were used once
    /// into the clone entry.
    fn retire_one_shots(&mut self, now_us: i64) {
        while let Some(i) = self.watch.next_due(now_us) {
            if clone::one_shot(&self.entries[i].tracker) {
                self.absorb(i);
            }
        }
    }

    /// Adds the one-off key entry `i` to the clone entry as one sighting.
    fn absorb(&mut self, i: usize) {
        let one = self.entries[i].tracker.clone();
        let c = *self.clone.get_or_insert_with(|| {
            let mut t = one.clone();
            t.sightings = 0;
            t.identities = 0;
            t.located_sightings = 0;
            t.places = Places::default();
            t.presence = Presence::default();
            t.addresses.clear();
            t.rotating_keys = true;
            let key = TrackerKey::new(t.family, None, one.addresses[0]);
            self.entries.push(Entry {
                tracker: t,
                address: one.addresses[0],
                counter: None,
                status: None,
                rssi: None,
                state: OwnerState::Separated,
                keyed: true,
                position: None,
                current: key.digest(),
                current_since_us: one.first_seen_us,
                replaced: None,
                recent: false,
                merged: false,
            });
            self.entries.len() - 1
        });
        let t = &mut self.entries[c].tracker;
        t.identities += 1;
        t.sightings += 1;
        t.addresses.extend(&one.addresses);
        t.member_ids.push(one.id);
        t.last_seen_us = t.last_seen_us.max(one.last_seen_us);
        t.rssi_max = t.rssi_max.max(one.rssi_max);
        t.battery = one.battery.or(t.battery);
        let pos = one.places.first_position();
        t.located_sightings += u64::from(pos.is_some());
        t.places.add(one.first_seen_us, pos);
        t.presence.add(one.first_seen_us, clone::MAX_SILENCE_US);
        let enough = t.identities >= clone::MIN_KEYS;
        if enough
            && t.alert_at_us.is_none()
            && let Some(e) = verdict::evidence(&self.rules, t)
        {
            t.alert_at_us = Some(one.first_seen_us);
            t.decided_by = Some(e);
            if t.own.is_none() {
                self.following.push(c);
            }
        }
        self.clone_members.push(i);
        if enough {
            for m in self.clone_members.drain(..) {
                self.entries[m].merged = true;
            }
        }
    }

    /// The entry that a new identity continues by its family's rotation rule, if any; the
    /// number of entries it could continue when that is more than one and none fits best.
    fn link(
        &mut self,
        c: &Classification<'static, '_>,
        adv: &Advertisement<'_>,
        position: Option<Fix>,
        key: TrackerKey,
    ) -> Result<Option<usize>, Apart> {
        let Some(rule) = rotation::rule(c.family) else {
            return Ok(None);
        };
        let new = Sighting {
            time_us: adv.time_us,
            address: adv.address,
            counter: c.counter,
            status: c.status,
            owner_state: c.owner_state,
            keyed: c.identity.is_some(),
            rssi: adv.rssi,
            position,
            zone: self.zone,
        };
        // Most new Find My keys are not at a rotation time, and need no look at the entries.
        if !rule.applies(&new) {
            return Ok(None);
        }
        let found = if rotation::near_owner_frame(c.family, new.keyed, new.owner_state) {
            let entries = &mut self.entries;
            self.recent_near_owner.retain(|&i| {
                let e = &mut entries[i];
                e.recent = e.tracker.last_seen_us >= adv.time_us - rotation::NEAR_OWNER_HORIZON_US;
                e.recent
            });
            let candidates = self
                .recent_near_owner
                .iter()
                .map(|&i| (i, self.entries[i].latest(self.zone)));
            rotation::continues(rule, candidates, &new)?
        } else {
            let candidates = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.tracker.family == c.family && !e.merged && !e.tracker.rotating_keys)
                .map(|(i, e)| (i, e.latest(self.zone)));
            rotation::continues(rule, candidates, &new)?
        };
        let Some(i) = found else {
            return Ok(None);
        };
        let e = &mut self.entries[i];
        e.tracker.identities += 1;
        let lineage = e.tracker.lineage.get_or_insert_with(Box::default);
        lineage.identity_ids.push(key.stable_id());
        if rule.never_again() {
            e.replaced = Some(e.current);
        }
        e.current = key.digest();
        e.current_since_us = adv.time_us;
        Ok(Some(i))
    }

    /// The entry a known identity's sighting goes to: its own, unless it is the identity a
    /// successor replaced and must never have been heard again. Then the two were not one
    /// tag: from now on it is an entry of its own, and both entries say so.
    fn heard_again(
        &mut self,
        i: usize,
        key: TrackerKey,
        c: &Classification<'static, '_>,
        adv: &Advertisement<'_>,
    ) -> usize {
        let e = &self.entries[i];
        // The digest is computed only where it can matter: it showed in the dense profile.
        if adv.time_us <= e.current_since_us + rotation::OVERLAP_US
            || e.replaced.is_none_or(|r| r != key.digest())
        {
            return i;
        }
        self.entries[i].replaced = None;
        self.entries[i].tracker.identity_notes.push(Identity::HeardAgain);
        let note = Identity::SplitFrom {
            entry: self.entries[i].tracker.id.clone(),
        };
        let j = self.push(key, c, adv);
        self.entries[j].tracker.identity_notes.push(note);
        self.index.insert(key, j);
        j
    }

    fn push(&mut self, key: TrackerKey, c: &Classification<'static, '_>, adv: &Advertisement<'_>) -> usize {
        if clone::watched(c.family, c.owner_state) {
            self.watch.watch(adv.time_us, self.entries.len());
        }
        self.entries.push(Entry {
            tracker: Tracker {
                id: key.stable_id(),
                family: c.family,
                model: c.model,
                owner_state: OwnerState::Unknown,
                mode: None,
                battery: None,
                network: None,
                addresses: Vec::new(),
                identities: 1,
                first_seen_us: adv.time_us,
                last_seen_us: adv.time_us,
                sightings: 0,
                rssi_max: None,
                located_sightings: 0,
                places: Places::default(),
                journeys: Journeys::default(),
                presence: Presence::default(),
                alert_at_us: None,
                decided_by: None,
                own: None,
                rotating_keys: false,
                member_ids: Vec::new(),
                identity_notes: Vec::new(),
                lineage: None,
                history: None,
                named_places: Vec::new(),
                risk: Risk::None,
                reasons: Vec::new(),
            },
            address: adv.address,
            counter: None,
            status: c.status,
            rssi: adv.rssi,
            state: c.owner_state,
            keyed: c.identity.is_some(),
            position: None,
            current: key.digest(),
            current_since_us: adv.time_us,
            replaced: None,
            recent: false,
            merged: false,
        });
        self.entries.len() - 1
    }

    /// The trackers with their verdicts, most worrying first, then in the order first seen.
    pub fn into_sorted(mut self) -> Vec<Tracker> {
        // The capture has ended: keys still watched will not be heard again.
        self.retire_one_shots(i64::MAX);
        if let Some(c) = self.incomplete_clone() {
            self.entries[c].merged = true;
        }
        // The end of a long live session is its peak of memory: the index goes first, and
        // the sort needs no scratch copy (an unstable sort, made stable by the entry's place).
        self.index = HashMap::default();
        let (rules, named) = (self.rules, self.named);
        let mut v: Vec<(usize, Tracker)> = self
            .entries
            .into_iter()
            .filter(|e| !e.merged)
            .map(|e| {
                let mut t = judged(e.tracker, &rules, &named);
                // Kept to the end: room for two more reasons each was 6 MB of 50,000 trackers
                // (a live view's snapshots are dropped at once, so only here).
                t.reasons.shrink_to_fit();
                t
            })
            .enumerate()
            .collect();
        v.sort_unstable_by(|(i, a), (j, b)| worrying_first(a, b).then(i.cmp(j)));
        v.into_iter().map(|(_, t)| t).collect()
    }

    /// The listed trackers that `keep` accepts, with their verdicts as they stand now, for
    /// a live view; sorted as [`Trackers::into_sorted`]. Costs a copy of each kept entry.
    pub fn snapshot(&self, keep: impl Fn(&Tracker) -> bool) -> Vec<Tracker> {
        let hidden = self.incomplete_clone();
        let mut v: Vec<Tracker> = self
            .entries
            .iter()
            .enumerate()
            .filter(|&(i, e)| !e.merged && Some(i) != hidden && keep(&e.tracker))
            .map(|(_, e)| judged(e.tracker.clone(), &self.rules, &self.named))
            .collect();
        v.sort_by(worrying_first);
        v
    }

    /// The in-person advisory as things stand (see [`advisory::in_person`]).
    pub fn advisory(&self) -> Option<advisory::Advisory> {
        advisory::in_person(
            &self.rules,
            self.entries.iter().filter(|e| !e.merged).map(|e| &e.tracker),
        )
    }

    /// Lets `amend` add to the entry a sighting joined ([`Sighted`]) what the evidence knows of
    /// it: its earlier days, a mark as the user's own.
    pub(crate) fn amend(&mut self, entry: usize, amend: impl FnOnce(&mut Tracker) -> bool) {
        if let Some(e) = self.entries.get_mut(entry) {
            amend(&mut e.tracker);
        }
    }

    /// The trackers that started following since the last call, with their verdicts; the
    /// user's own (marked since, or recalled as such from the evidence) raise no alarm.
    pub fn take_following(&mut self) -> Vec<Tracker> {
        std::mem::take(&mut self.following)
            .into_iter()
            .filter(|&i| self.entries[i].tracker.own.is_none())
            .map(|i| judged(self.entries[i].tracker.clone(), &self.rules, &self.named))
            .collect()
    }

    /// Marks the tracker `id` as the user's own from now on ("this one is mine"): it no
    /// longer alarms; its verdict, an alert already raised included, stays. Returns the mark
    /// (None: no such tracker, or it was marked already).
    pub fn mark_own(&mut self, id: &str) -> Option<Own> {
        self.allow.insert_id(id);
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.tracker.id == id && e.tracker.own.is_none())?;
        let own = self.allow.allows(id, e.address, None);
        e.tracker.own = own.clone().map(Box::new);
        own
    }

    /// Takes back a mark [`Trackers::mark_own`] made, when it could not be kept in the evidence:
    /// a mark that is not in the record must not silence the alarm.
    pub fn unmark_own(&mut self, id: &str) {
        self.allow.remove_id(id);
        for e in self.entries.iter_mut().filter(|e| e.tracker.id == id) {
            e.tracker.own = None;
        }
    }

    /// Too few one-off keys to be one clone: they stay separate entries and the clone
    /// entry is not listed.
    fn incomplete_clone(&self) -> Option<usize> {
        self.clone.filter(|_| !self.clone_members.is_empty())
    }
}

/// `t` with the verdict on what is known of it.
fn judged(mut t: Tracker, rules: &Rules, named: &[NamedPlace]) -> Tracker {
    t.named_places = named::names(&t.places, named);
    (t.risk, t.reasons) = verdict::judge(rules, &t);
    t
}

/// Most worrying first (the user's own after all others), then in the order first seen.
fn worrying_first(a: &Tracker, b: &Tracker) -> std::cmp::Ordering {
    (a.own.is_some(), b.risk)
        .cmp(&(b.own.is_some(), a.risk))
        .then(a.first_seen_us.cmp(&b.first_seen_us))
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AddrType, PduKind};

    fn adv(time_us: i64, addr: u8, rssi: i8) -> Advertisement<'static> {
        Advertisement {
            time_us,
            address: BdAddr([addr; 6]),
            addr_type: AddrType::Random,
            rssi: Some(rssi),
            pdu: PduKind::AdvNonconnInd,
            data: &[],
        }
    }

    fn class(identity: &[u8], state: OwnerState) -> Classification<'static, '_> {
        Classification {
            family: "samsung_smarttag",
            model: Some("SmartTag"),
            owner_state: state,
            mode: None,
            battery: None,
            identity: Some(identity),
            counter: None,
            status: None,
            network: None,
        }
    }

    #[test]
    fn same_identity_is_one_entry_with_all_addresses() {
        let mut t = Trackers::new();
        t.add(&adv(10, 1, -70), Some(&class(b"abc", OwnerState::Separated)));
        t.add(&adv(20, 2, -50), Some(&class(b"abc", OwnerState::Unknown)));
        t.add(&adv(15, 3, -90), Some(&class(b"xyz", OwnerState::NearOwner)));
        t.add(&adv(30, 4, -40), None);
        assert_eq!(t.other_advertisements, 1);
        let v = t.into_sorted();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].addresses, vec![BdAddr([1; 6]), BdAddr([2; 6])]);
        assert_eq!(
            (v[0].first_seen_us, v[0].last_seen_us, v[0].sightings),
            (10, 20, 2)
        );
        assert_eq!(v[0].rssi_max, Some(-50));
        // An unknown state does not hide the separated state seen before it.
        assert_eq!(v[0].owner_state, OwnerState::Separated);
        assert_eq!(v[1].owner_state, OwnerState::NearOwner);
        assert_ne!(v[0].id, v[1].id);
        assert!(v[0].id.starts_with("samsung_smarttag-"));
    }

    #[test]
    fn with_a_track_only_located_sightings_make_places() {
        let fix = |t, lat| Fix {
            time_us: t,
            lat,
            lon: 8.0,
            accuracy_m: None,
        };
        // Two minutes at home, 1 km north within 100 s, two minutes there; the track ends then.
        let track = Track::from_fixes(vec![
            fix(0, 50.0),
            fix(120_000_000, 50.0),
            fix(220_000_000, 50.009),
            fix(340_000_000, 50.009),
        ]);
        let mut t = Trackers::with_track(&track, 120_000_000);
        let c = class(b"abc", OwnerState::Separated);
        for s in (0..=340).step_by(10).chain([500]) {
            t.add(&adv(s * 1_000_000, 1, -60), Some(&c));
        }
        let v = t.into_sorted();
        // The sighting at 500 s is 160 s past the track's end: no position. The ride between
        // the two ends is too quick to make a place; its first 200 m count to the first.
        assert_eq!((v[0].sightings, v[0].located_sightings), (36, 35));
        assert_eq!(v[0].places.len(), 2);
        let d = v[0].places.max_distance_m();
        assert!((985.0..1005.0).contains(&d), "{d}");
    }

    #[test]
    fn ids_are_stable_across_runs() {
        let k = TrackerKey::new("tile", Some(b"\x01\x02"), BdAddr::default());
        assert_eq!(
            k.stable_id(),
            TrackerKey::new("tile", Some(b"\x01\x02"), BdAddr([9; 6])).stable_id()
        );
    }
}

#[cfg(test)]
mod tests_verdict;
