//! Journeys with her: what a tag in her car has that a stranger's tag on her train lacks.
//!
//! A tag in a car parked out of range while she is at home or at work is heard only while she
//! drives: too fast to make a place, and a ride alone is what strangers share. But it leaves
//! one of her stays with her and arrives with her at the next, and the next time she sets off
//! from there it is there again: the car waited where she left it. A stranger's tag joins her
//! on a platform she walked to, not at her stay, gets off with the stranger, and is not waiting
//! where she set off next.
//!
//! Her stays where the tag was not heard come from her own positions (the track, or the live
//! receiver's fixes so far), looked at only when a stretch of the tag's presence begins: at its
//! first position (she was there for a stay before it) and for the stretch before (she stayed
//! where it was last heard). A stay with the tag heard is one of its places' stays.

use super::places::{CONTINUOUS_US, HER_STAY_US, MAX_ACCURACY_M, PLACE_DWELL_US, PLACE_RADIUS_M};
use crate::location::{Fix, distance_m};

/// Her positions are looked at this often over a stay.
const SAMPLE_US: i64 = 30 * 1_000_000;

/// The share of those positions that must be within [`PLACE_RADIUS_M`]: a multipath jump or
/// a fix missing for a minute does not undo a stay.
const STAYED_SHARE: f64 = 0.8;

/// The journeys of one tracker with her. Nothing is allocated before a sighting has a position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Journeys(Option<Box<Inner>>);

#[derive(Clone, Debug, Default, PartialEq)]
struct Inner {
    last_heard_us: Option<i64>,
    /// A stretch of presence began: its first position decides whether it left a stay of hers.
    starting: bool,
    /// The journey under way, if the tag left a stay of hers with her.
    ongoing: Option<Journey>,
    /// Where the last journey ended, and how many journeys in a row each set off from where
    /// the one before ended.
    chain: Option<(Fix, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Journey {
    /// Where she set off, and whether that is where the last journey ended.
    from: Fix,
    chained: bool,
    /// Since when every position has been far from `from` (None: not far now); held for
    /// [`PLACE_DWELL_US`], she has gone (a multipath jump lasts a fix or two).
    far_since: Option<i64>,
    gone: bool,
    /// The latest position the tag was heard at.
    last: Fix,
}

impl Journey {
    fn heard(&mut self, pos: &Fix, min_distance_m: f64) {
        self.last = *pos;
        if distance_m(&self.from, pos) < min_distance_m {
            self.far_since = None;
        } else if pos.time_us - *self.far_since.get_or_insert(pos.time_us) >= PLACE_DWELL_US {
            self.gone = true;
        }
    }
}

/// Her position at a time, from the track or the live receiver.
pub type Her<'a> = dyn FnMut(i64) -> Option<Fix> + 'a;

/// Whether she stayed within [`PLACE_RADIUS_M`] of `at` from `from_us` to `to_us`.
fn stayed(her: &mut Her<'_>, at: &Fix, from_us: i64, to_us: i64) -> bool {
    let (mut near, mut all) = (0, 0);
    for t in (from_us..=to_us).step_by(SAMPLE_US as usize) {
        all += 1;
        near += usize::from(her(t).is_some_and(|p| distance_m(&p, at) <= PLACE_RADIUS_M));
    }
    near as f64 >= STAYED_SHARE * all as f64
}

/// Whether she stayed somewhere (within [`PLACE_RADIUS_M`] for [`HER_STAY_US`]) between
/// `from_us` and `to_us`: her positions a minute apart, one position off allowed (a jump).
pub fn stayed_between(her: &mut Her<'_>, from_us: i64, to_us: i64) -> bool {
    let mut leader: Option<(Fix, i64)> = None;
    let mut off = false;
    for t in (from_us..=to_us).step_by(60 * 1_000_000) {
        let Some(p) = her(t) else { continue };
        match leader {
            Some((l, since)) if distance_m(&l, &p) <= PLACE_RADIUS_M => {
                off = false;
                if t - since >= HER_STAY_US {
                    return true;
                }
            }
            Some(_) if !off => off = true,
            _ => {
                leader = Some((p, t));
                off = false;
            }
        }
    }
    false
}

/// One sighting of the tag: when, her position then if known, and where she is staying with
/// the tag now (see [`super::Places::current_stay`]).
#[derive(Clone, Copy, Debug)]
pub struct Heard {
    pub time_us: i64,
    pub pos: Option<Fix>,
    pub stay: Option<Fix>,
}

impl Journeys {
    /// Adds one sighting; journeys are at least `min_distance_m` long. Sightings come in
    /// time order.
    pub fn add(&mut self, s: Heard, min_distance_m: f64, her: &mut Her<'_>) {
        match (&mut self.0, s.pos) {
            (Some(inner), _) => inner.add(s, min_distance_m, her),
            (None, Some(_)) => self
                .0
                .insert(Box::new(Inner {
                    starting: true,
                    ..Inner::default()
                }))
                .add(s, min_distance_m, her),
            (None, None) => {}
        }
    }

    /// How many journeys in a row the tag made with her, each from one of her stays to the
    /// next and each setting off from where the one before ended; the one under way counts
    /// once she has gone the distance.
    pub fn with_her(&self) -> usize {
        self.0.as_deref().map_or(0, |p| {
            let done = p.chain.map_or(0, |(_, n)| n);
            match p.ongoing {
                Some(j) if j.gone && j.chained => done + 1,
                Some(j) if j.gone => done.max(1),
                _ => done,
            }
        })
    }
}

impl Inner {
    fn add(&mut self, s: Heard, min_distance_m: f64, her: &mut Her<'_>) {
        let Heard { time_us, pos, stay } = s;
        if self
            .last_heard_us
            .is_some_and(|last| time_us - last > CONTINUOUS_US)
        {
            self.end_stretch(time_us, min_distance_m, her);
        }
        self.last_heard_us = Some(self.last_heard_us.map_or(time_us, |l| l.max(time_us)));
        let Some(pos) = pos.filter(|p| p.accuracy_m.is_none_or(|a| a <= MAX_ACCURACY_M)) else {
            return;
        };
        let pos = &pos;
        if let Some(stay) = stay {
            // Staying with her: a journey under way ends here and the next sets off from here.
            if let Some(j) = self.ongoing.take()
                && j.gone
                && distance_m(&j.from, &stay) >= min_distance_m
            {
                self.arrived(j, stay);
            }
            self.starting = false;
            self.set_off(stay);
            return;
        }
        if std::mem::take(&mut self.starting) && stayed(her, pos, pos.time_us - HER_STAY_US, pos.time_us) {
            self.set_off(*pos);
        }
        if let Some(j) = &mut self.ongoing {
            j.heard(pos, min_distance_m);
        }
    }

    /// The tag fell silent: the journey under way ended where it was last heard if she
    /// stayed there (known by `now_us`, when it is heard again).
    fn end_stretch(&mut self, now_us: i64, min_distance_m: f64, her: &mut Her<'_>) {
        self.starting = true;
        let Some(j) = self.ongoing.take() else { return };
        let (at, until) = (j.last, j.last.time_us + HER_STAY_US);
        if j.gone
            && distance_m(&j.from, &at) >= min_distance_m
            && until <= now_us
            && stayed(her, &at, at.time_us, until)
        {
            self.arrived(j, at);
        }
    }

    fn arrived(&mut self, j: Journey, at: Fix) {
        let before = self.chain.map_or(0, |(_, n)| n);
        self.chain = Some((at, if j.chained { before + 1 } else { 1 }));
    }

    fn set_off(&mut self, from: Fix) {
        self.ongoing = Some(Journey {
            from,
            chained: self
                .chain
                .is_some_and(|(end, _)| distance_m(&end, &from) <= PLACE_RADIUS_M),
            far_since: None,
            gone: false,
            last: from,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;
    const MIN: i64 = 60 * S;
    /// About 111.2 m per 0.001° of latitude.
    const KM: f64 = 0.009;

    fn at(time_us: i64, lat: f64) -> Fix {
        Fix {
            time_us,
            lat,
            lon: 139.0,
            accuracy_m: None,
        }
    }

    /// Her day: home (lat 0) until 08:30, 25 min driving 10 km north, work until 17:00, 25 min
    /// back, home.
    fn her_day(t: i64) -> Fix {
        let (leave, arrive) = (30 * MIN, 55 * MIN);
        let (back, home) = (510 * MIN, 535 * MIN);
        let lat = match t {
            t if t < leave => 0.0,
            t if t < arrive => 10.0 * KM * (t - leave) as f64 / (arrive - leave) as f64,
            t if t < back => 10.0 * KM,
            t if t < home => 10.0 * KM * (home - t) as f64 / (home - back) as f64,
            _ => 0.0,
        };
        at(t, lat)
    }

    /// A sighting at `t` at her position then.
    fn heard_at(t: i64, stay: Option<Fix>) -> Heard {
        Heard {
            time_us: t,
            pos: Some(her_day(t)),
            stay,
        }
    }

    /// The tag heard every 10 s from `from` to `to`, at her positions.
    fn heard(j: &mut Journeys, from: i64, to: i64) {
        for t in (from..=to).step_by(10 * S as usize) {
            j.add(heard_at(t, None), 500.0, &mut |t| Some(her_day(t)));
        }
    }

    #[test]
    fn a_car_tag_heard_only_on_both_drives_is_with_her_on_two_journeys() {
        let mut j = Journeys::default();
        heard(&mut j, 30 * MIN, 55 * MIN);
        // Gone with her, but not yet known to have arrived at a stay.
        assert_eq!(j.with_her(), 1);
        heard(&mut j, 510 * MIN, 512 * MIN);
        // Two minutes in: not 500 m from work yet for a minute.
        assert_eq!(j.with_her(), 1);
        heard(&mut j, 512 * MIN, 535 * MIN);
        assert_eq!(j.with_her(), 2);
    }

    #[test]
    fn a_tag_that_joins_her_on_the_way_or_leaves_before_her_stay_is_no_journey() {
        // Joins her 5 min into the drive: she was not staying where it was first heard.
        let mut j = Journeys::default();
        heard(&mut j, 35 * MIN, 55 * MIN);
        heard(&mut j, 510 * MIN, 535 * MIN);
        assert_eq!(j.with_her(), 1);
        // Leaves 5 min before she arrives: the first drive never ended at a stay of hers.
        let mut j = Journeys::default();
        heard(&mut j, 30 * MIN, 50 * MIN);
        heard(&mut j, 510 * MIN, 535 * MIN);
        assert_eq!(j.with_her(), 1);
    }

    #[test]
    fn a_stay_between_is_found_a_drive_is_none() {
        let mut her = |t| Some(her_day(t));
        assert!(stayed_between(&mut her, 55 * MIN, 510 * MIN));
        assert!(!stayed_between(&mut her, 31 * MIN, 54 * MIN));
        // One position 5 km off in a stay does not break it.
        let mut jumpy = |t| {
            Some(if t == 60 * MIN {
                at(t, 5.0 * KM)
            } else {
                her_day(t)
            })
        };
        assert!(stayed_between(&mut jumpy, 55 * MIN, 66 * MIN));
    }

    #[test]
    fn the_next_journey_must_set_off_where_the_last_ended() {
        // Both mornings' drives, never the evening's: the second morning does not set off
        // from work, where the first ended.
        let day = 24 * 60 * MIN;
        let mut j = Journeys::default();
        let drive = |from: i64| (from..=from + 25 * MIN).step_by(10 * S as usize);
        for t in drive(30 * MIN).chain(drive(day + 30 * MIN)) {
            let s = Heard {
                time_us: t,
                pos: Some(her_day(t % day)),
                stay: None,
            };
            j.add(s, 500.0, &mut |t| Some(her_day(t % day)));
        }
        assert_eq!(j.with_her(), 1);
    }

    #[test]
    fn a_stay_with_the_tag_heard_ends_a_journey_and_starts_the_next() {
        let mut j = Journeys::default();
        let mut her = |t| Some(her_day(t));
        // Heard all along: a stay at home before the drive, and at work 10 min after it.
        for t in (0..=66 * MIN).step_by(10 * S as usize) {
            let stay = match t {
                t if (10 * MIN..30 * MIN).contains(&t) => Some(at(0, 0.0)),
                t if t >= 65 * MIN => Some(at(0, 10.0 * KM)),
                _ => None,
            };
            j.add(heard_at(t, stay), 500.0, &mut her);
        }
        assert_eq!(j.with_her(), 1);
    }
}
