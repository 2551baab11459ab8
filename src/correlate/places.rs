//! Where a tracker was with the person: its located sightings gathered online into places,
//! and how those places were joined by the tracker's continuous presence.
//!
//! A phone's GPS wanders tens of metres indoors and now and then jumps hundreds of metres
//! for a fix or two (multipath), so one position makes no place: a place is made only when
//! sightings stay within [`PLACE_RADIUS_M`] of it for [`PLACE_DWELL_US`], and fixes too
//! inaccurate to tell places apart ([`MAX_ACCURACY_M`]) make none. A fast ride passes
//! through places too quickly to make any; a walk makes one every few minutes.
//!
//! Online leader clustering rather than `geo`'s DBSCAN: a live view judges at every
//! sighting and must keep a bounded state per tracker; distances come from `geo`.

use crate::location::{Fix, distance_m};

/// A sighting this close to a place's first position belongs to it. GPS in a city is off by
/// tens of metres and a BLE tracker is heard up to about 100 m away, so positions closer than
/// this do not show that the tracker went anywhere; a street block or two apart does.
pub const PLACE_RADIUS_M: f64 = 200.0;

/// Places kept per tracker. A day's walk in 200 m steps fits (256 places span 50 km);
/// beyond that new places are not kept, so memory per tracker stays bounded.
pub const MAX_PLACES: usize = 256;

/// Sightings must stay near a new position this long, never a longer silence between, before
/// it is a place: a multipath jump lasts a fix or two (seconds), a train passes a place in
/// under a minute, while a walk spends minutes in each.
pub const PLACE_DWELL_US: i64 = 60 * 1_000_000;

/// Positions waiting to be held long enough: the one being walked through and a jump that
/// interrupts it, which must not restart its minute.
const PENDING: usize = 2;

/// A fix whose error estimate is larger than this cannot tell two places apart (half of
/// [`PLACE_RADIUS_M`]); a phone indoors reports 20-65 m.
pub const MAX_ACCURACY_M: f64 = 100.0;

/// Heard at one place this long is shown as a stay (the report's rows, the live map).
pub const STAY_US: i64 = 5 * 60 * 1_000_000;

/// Heard at one place for this long at once: one of her stays for the verdict (home, an
/// office, a shop), not a passage nor a wait for a train or bus, which in Tokyo comes within
/// 10 minutes: a crowd waits with her.
pub const HER_STAY_US: i64 = 10 * 60 * 1_000_000;

/// A silence longer than this ends a tracker's continuous presence: a tag in her bag is heard
/// every few seconds, underground too, while GPS may be gone for half an hour.
pub const CONTINUOUS_US: i64 = 5 * 60 * 1_000_000;

/// One time at one place, from the first to the last sighting there.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    place: usize,
    from_us: i64,
    to_us: i64,
}

impl Run {
    fn len_us(&self) -> i64 {
        self.to_us - self.from_us
    }
}

/// A position seen but not yet held long enough to be a place.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pending {
    leader: Fix,
    centre: Centre,
    from_us: i64,
    to_us: i64,
}

/// An accuracy-weighted mean position: precise fixes count more than poor ones.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Centre {
    lat: f64,
    lon: f64,
    weight: f64,
}

impl Centre {
    /// Accuracy unknown: weighted as a typical outdoor phone fix.
    const UNKNOWN_ACCURACY_M: f64 = 20.0;

    fn add(&mut self, f: &Fix) {
        let w = 1.0 / f.accuracy_m.unwrap_or(Self::UNKNOWN_ACCURACY_M).max(1.0).powi(2);
        self.lat += w * f.lat;
        self.lon += w * f.lon;
        self.weight += w;
    }

    fn fix(&self, time_us: i64) -> Fix {
        Fix {
            time_us,
            lat: self.lat / self.weight,
            lon: self.lon / self.weight,
            accuracy_m: None,
        }
    }
}

/// The places of one tracker and how its presence joined them. Nothing is allocated until
/// a sighting has a position: a crowd of passers-by (or any analysis without a track) keeps
/// one pointer per tracker.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Places(Option<Box<Inner>>);

#[derive(Clone, Debug, Default, PartialEq)]
struct Inner {
    /// Each place's first position: membership is decided against it, so a centre never
    /// drifts and a slow walk cannot drag one place along.
    leaders: Vec<Fix>,
    /// The accuracy-weighted mean of each place's positions, what distances are measured on.
    centres: Vec<Fix>,
    sums: Vec<Centre>,
    /// When the tracker was first and last heard at each place.
    visits: Vec<(i64, i64)>,
    /// The places where it was with her for a stay ([`HER_STAY_US`] at once), first stay first.
    stays: Vec<usize>,
    pending: Vec<Pending>,
    /// The run at a place going on (its place is where the tracker is mostly heard next).
    run: Option<Run>,
    /// Time at places since she last stayed somewhere without the tracker (see
    /// [`Places::apart`]), runs ended and the current one: time together while stopped or
    /// walking.
    ended_runs_us: i64,
    /// The greatest distance between two places' centres when each was made.
    max_distance_m: f64,
    /// Continuous presence: when the tracker was last heard (located or not), and the places
    /// visited since its last silence longer than [`CONTINUOUS_US`].
    last_heard_us: Option<i64>,
    chain: Vec<usize>,
    /// How far the current run's place is from the farthest place before it in the chain.
    chain_far_m: f64,
    /// The first usable position, even if it never made a place (a clone's one-off keys).
    first: Option<Fix>,
}

impl Places {
    /// Adds one sighting at `time_us`, with the person's position then if known. Sightings
    /// come in time order; one without a usable position still keeps the presence continuous
    /// (before the first position there is nothing to keep continuous).
    pub fn add(&mut self, time_us: i64, pos: Option<&Fix>) {
        match (&mut self.0, pos) {
            (Some(inner), _) => inner.add(time_us, pos),
            (None, Some(_)) => self.0.insert(Box::default()).add(time_us, pos),
            (None, None) => {}
        }
    }

    fn get<T: Default>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        self.0.as_deref().map(f).unwrap_or_default()
    }

    /// How many places were her stays ([`HER_STAY_US`] or longer at once).
    pub fn stays(&self) -> usize {
        self.get(|p| p.stays.len())
    }

    /// How many of its stays lie at least `apart_m` from one another (counted greedily in
    /// the order first stayed at): noise around one stay never makes a second.
    pub fn stays_apart(&self, apart_m: f64) -> usize {
        self.get(|p| p.stays_apart(apart_m))
    }

    /// She stayed somewhere without the tracker since it was last heard: the time at places
    /// starts again, so a stranger's tag on her platform every morning does not add its waits
    /// up over the days (the places stay).
    pub fn apart(&mut self) {
        if let Some(p) = self.0.as_deref_mut() {
            p.end_run();
            p.ended_runs_us = 0;
        }
    }

    /// The time spent at places (stopped or walking) since she last stayed somewhere without
    /// the tracker, rides between them not counted.
    pub fn at_places_us(&self) -> i64 {
        self.get(|p| p.ended_runs_us + p.run.map_or(0, |r| r.len_us()))
    }

    /// Still with her since the current place's run began, and how far that place is from the
    /// farthest place before it, without a silence between: (time here, distance).
    pub fn since_arrival(&self) -> Option<(i64, f64)> {
        self.get(|p| p.run.map(|r| (r.len_us(), p.chain_far_m)))
    }

    /// Where she is staying with the tracker now: the current place's centre, once the
    /// tracker has been heard there for [`HER_STAY_US`] at once.
    pub fn current_stay(&self) -> Option<Fix> {
        self.get(|p| {
            p.run
                .filter(|r| r.len_us() >= HER_STAY_US)
                .map(|r| p.centres[r.place])
        })
    }

    pub fn len(&self) -> usize {
        self.centres().len()
    }

    pub fn is_empty(&self) -> bool {
        self.centres().is_empty()
    }

    /// The greatest distance between any two places, in metres (0 for fewer than two).
    pub fn max_distance_m(&self) -> f64 {
        self.get(|p| p.max_distance_m)
    }

    /// When the tracker was first and last heard at each place, in the order of `centres`.
    pub fn visits(&self) -> &[(i64, i64)] {
        self.0.as_deref().map_or(&[], |p| &p.visits)
    }

    /// The centre of each place, in the order the places were made.
    pub fn centres(&self) -> &[Fix] {
        self.0.as_deref().map_or(&[], |p| &p.centres)
    }

    /// The first usable position the tracker was heard at, place or not.
    pub fn first_position(&self) -> Option<&Fix> {
        self.0.as_deref().and_then(|p| p.first.as_ref())
    }
}

impl Inner {
    fn add(&mut self, time_us: i64, pos: Option<&Fix>) {
        if self
            .last_heard_us
            .is_some_and(|last| time_us - last > CONTINUOUS_US)
        {
            self.end_run();
            self.chain.clear();
            self.pending.clear();
        }
        self.last_heard_us = Some(self.last_heard_us.map_or(time_us, |l| l.max(time_us)));
        let Some(pos) = pos.filter(|p| p.accuracy_m.is_none_or(|a| a <= MAX_ACCURACY_M)) else {
            return;
        };
        self.first.get_or_insert(*pos);
        let near = |leader: &Fix| distance_m(leader, pos) <= PLACE_RADIUS_M;
        let here = match self.run {
            Some(r) if near(&self.leaders[r.place]) => Some(r.place),
            _ => self.leaders.iter().position(near),
        };
        if let Some(i) = here {
            self.at_place(i, time_us, pos);
            return;
        }
        let fresh = Pending {
            leader: *pos,
            centre: Centre::default(),
            from_us: time_us,
            to_us: time_us,
        };
        let k = match self.pending.iter().position(|p| near(&p.leader)) {
            // Not seen for a minute: it starts again, so two jumps to one spot make no place.
            Some(k) if time_us - self.pending[k].to_us > PLACE_DWELL_US => {
                self.pending[k] = fresh;
                k
            }
            Some(k) => k,
            None if self.pending.len() < PENDING => {
                self.pending.push(fresh);
                self.pending.len() - 1
            }
            None => {
                let oldest = (0..PENDING)
                    .min_by_key(|&k| self.pending[k].to_us)
                    .expect("PENDING > 0");
                self.pending[oldest] = fresh;
                oldest
            }
        };
        let p = &mut self.pending[k];
        p.to_us = time_us;
        p.centre.add(pos);
        if p.to_us - p.from_us >= PLACE_DWELL_US {
            let p = self.pending.swap_remove(k);
            self.confirm(p);
        }
    }

    /// A held position becomes a place, and the run there starts when it was first seen.
    fn confirm(&mut self, p: Pending) {
        if self.leaders.len() >= MAX_PLACES {
            return;
        }
        let centre = p.centre.fix(p.from_us);
        let farthest = self
            .centres
            .iter()
            .map(|c| distance_m(c, &centre))
            .fold(0.0, f64::max);
        self.max_distance_m = self.max_distance_m.max(farthest);
        self.leaders.push(p.leader);
        self.centres.push(centre);
        self.sums.push(p.centre);
        self.visits.push((p.from_us, p.to_us));
        self.start_run(self.leaders.len() - 1, p.from_us, p.to_us);
    }

    fn at_place(&mut self, i: usize, time_us: i64, pos: &Fix) {
        self.sums[i].add(pos);
        self.centres[i] = self.sums[i].fix(self.centres[i].time_us);
        let visit = &mut self.visits[i];
        visit.0 = visit.0.min(time_us);
        visit.1 = visit.1.max(time_us);
        match &mut self.run {
            Some(r) if r.place == i => r.to_us = time_us,
            _ => self.start_run(i, time_us, time_us),
        }
        self.note_stay();
    }

    fn start_run(&mut self, place: usize, from_us: i64, to_us: i64) {
        self.end_run();
        let here = self.centres[place];
        self.chain_far_m = self
            .chain
            .iter()
            .map(|&c| distance_m(&self.centres[c], &here))
            .fold(0.0, f64::max);
        if self.chain.last() != Some(&place) && self.chain.len() < MAX_PLACES {
            self.chain.push(place);
        }
        self.run = Some(Run {
            place,
            from_us,
            to_us,
        });
        self.note_stay();
    }

    fn end_run(&mut self) {
        if let Some(r) = self.run.take() {
            self.ended_runs_us += r.len_us();
        }
    }

    fn note_stay(&mut self) {
        if let Some(r) = self.run
            && r.len_us() >= HER_STAY_US
            && !self.stays.contains(&r.place)
        {
            self.stays.push(r.place);
        }
    }

    fn stays_apart(&self, apart_m: f64) -> usize {
        let mut kept: Vec<&Fix> = Vec::new();
        for &s in &self.stays {
            let c = &self.centres[s];
            if kept.iter().all(|k| distance_m(k, c) >= apart_m) {
                kept.push(c);
            }
        }
        kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;
    const MIN: i64 = 60 * S;

    /// About 111.2 m per 0.001° of latitude.
    fn at(lat: f64) -> Fix {
        Fix {
            time_us: 0,
            lat,
            lon: 8.0,
            accuracy_m: None,
        }
    }

    /// Sightings every 10 s at `lat` from `from` to `to` (µs).
    fn heard(p: &mut Places, lat: f64, from: i64, to: i64) {
        for t in (from..=to).step_by(10 * S as usize) {
            p.add(t, Some(&at(lat)));
        }
    }

    #[test]
    fn no_position_no_place() {
        let mut p = Places::default();
        p.add(0, None);
        assert!(p.is_empty());
        assert_eq!(p.max_distance_m(), 0.0);
        assert_eq!(p.first_position(), None);
    }

    #[test]
    fn one_fix_makes_no_place_a_minute_does() {
        let mut p = Places::default();
        p.add(0, Some(&at(50.0)));
        assert!(p.is_empty());
        assert_eq!(p.first_position(), Some(&at(50.0)));
        heard(&mut p, 50.0, 10 * S, MIN);
        assert_eq!((p.len(), p.at_places_us()), (1, MIN));
    }

    #[test]
    fn points_within_the_radius_are_one_place() {
        let mut p = Places::default();
        for (i, lat) in [50.0, 50.001, 49.999, 50.0015]
            .into_iter()
            .cycle()
            .take(20)
            .enumerate()
        {
            p.add(i as i64 * 10 * S, Some(&at(lat)));
        }
        assert_eq!(p.len(), 1);
        assert_eq!(p.max_distance_m(), 0.0);
    }

    #[test]
    fn a_jump_of_a_few_fixes_makes_no_place_and_does_not_break_the_stay() {
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 20 * MIN);
        // 800 m off for 20 s, then back.
        heard(&mut p, 50.0072, 20 * MIN + 10 * S, 20 * MIN + 30 * S);
        heard(&mut p, 50.0, 20 * MIN + 40 * S, 40 * MIN);
        assert_eq!((p.len(), p.max_distance_m(), p.stays()), (1, 0.0, 1));
        assert_eq!(p.at_places_us(), 40 * MIN);
    }

    #[test]
    fn a_jump_while_walking_does_not_restart_the_minute_two_jumps_to_one_spot_make_no_place() {
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 10 * MIN);
        // Walking on, 5 km off for one sighting 30 s later, then on: the place is made at 60 s.
        p.add(11 * MIN, Some(&at(50.003)));
        p.add(11 * MIN + 30 * S, Some(&at(50.05)));
        p.add(12 * MIN, Some(&at(50.003)));
        assert_eq!(p.len(), 2);
        // Two jumps to one spot 5 min apart: not held, no place.
        p.add(14 * MIN, Some(&at(50.1)));
        heard(&mut p, 50.003, 14 * MIN + 10 * S, 19 * MIN);
        p.add(19 * MIN + 5 * S, Some(&at(50.1)));
        heard(&mut p, 50.003, 19 * MIN + 10 * S, 20 * MIN);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn inaccurate_fixes_make_no_place() {
        let mut p = Places::default();
        for t in (0..10 * MIN).step_by(10 * S as usize) {
            let poor = Fix {
                accuracy_m: Some(500.0),
                ..at(50.0 + (t / MIN) as f64 * 0.01)
            };
            p.add(t, Some(&poor));
        }
        assert!(p.is_empty());
    }

    #[test]
    fn centres_weigh_fixes_by_accuracy() {
        let mut p = Places::default();
        for i in 0..12 {
            let (lat, acc) = if i % 2 == 0 { (50.0, 5.0) } else { (50.001, 50.0) };
            let f = Fix {
                accuracy_m: Some(acc),
                ..at(lat)
            };
            p.add(i * 10 * S, Some(&f));
        }
        // 100 times the weight: the centre is within a metre or two of the precise fixes.
        let d = distance_m(&p.centres()[0], &at(50.0));
        assert!(d < 2.0, "{d}");
    }

    #[test]
    fn two_far_places_their_distance_and_stays() {
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 12 * MIN); // twelve minutes at home
        heard(&mut p, 50.01, 13 * MIN, 14 * MIN); // a minute on the way
        heard(&mut p, 50.02, 15 * MIN, 30 * MIN); // a quarter of an hour at the shop
        assert_eq!((p.len(), p.stays(), p.stays_apart(2000.0)), (3, 2, 2));
        assert_eq!(p.stays_apart(3000.0), 1);
        let d = p.max_distance_m();
        assert!((2222.0..2226.0).contains(&d), "{d}");
        let (here, far) = p.since_arrival().unwrap();
        assert_eq!(here, 15 * MIN);
        assert!((2222.0..2226.0).contains(&far), "{far}");
    }

    #[test]
    fn a_ride_makes_no_places_but_presence_joins_both_ends() {
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 10 * MIN);
        // 20 minutes underground: heard, no position.
        for t in (10 * MIN..30 * MIN).step_by(10 * S as usize) {
            p.add(t, None);
        }
        heard(&mut p, 50.07, 30 * MIN, 40 * MIN);
        let (here, far) = p.since_arrival().unwrap();
        assert_eq!(here, 10 * MIN);
        assert!(far > 7000.0, "{far}");

        // A silence longer than CONTINUOUS_US breaks the chain: the far place is not joined.
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 10 * MIN);
        heard(&mut p, 50.07, 30 * MIN, 40 * MIN);
        assert_eq!(p.since_arrival().unwrap().1, 0.0);
        assert_eq!(p.stays_apart(5000.0), 2);
    }

    #[test]
    fn time_at_places_starts_again_after_she_stayed_apart() {
        let mut p = Places::default();
        heard(&mut p, 50.0, 0, 8 * MIN);
        heard(&mut p, 50.01, 10 * MIN, 18 * MIN);
        assert_eq!(p.at_places_us(), 16 * MIN);
        // The same two waits the next day: the places stay, the time does not add up.
        p.apart();
        heard(&mut p, 50.0, 24 * 60 * MIN, 24 * 60 * MIN + 8 * MIN);
        assert_eq!((p.len(), p.at_places_us()), (2, 8 * MIN));
    }

    #[test]
    fn places_are_capped() {
        let mut p = Places::default();
        for i in 0..MAX_PLACES as i64 + 10 {
            heard(&mut p, i as f64 * 0.01, i * 2 * MIN, i * 2 * MIN + MIN);
        }
        assert_eq!(p.len(), MAX_PLACES);
        // A sighting at a kept place still joins it.
        heard(&mut p, 0.0, 10_000 * MIN, 10_001 * MIN);
        assert_eq!(p.len(), MAX_PLACES);
    }
}
