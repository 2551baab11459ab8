//! Where a tracker was heard: its sighting positions clustered online into places,
//! so a tracker keeps a few centres instead of every sighting.

use crate::location::{Fix, distance_m};

/// A sighting this close to a place belongs to it. GPS in a city is off by tens of
/// metres and a BLE tracker is heard up to about 100 m away, so positions closer than
/// this do not show that the tracker went anywhere; a street block or two apart does.
pub const PLACE_RADIUS_M: f64 = 200.0;

/// Places kept per tracker. A day's walk in 200 m steps fits (256 places span 50 km);
/// beyond that new places are not kept, so memory per tracker stays bounded.
pub const MAX_PLACES: usize = 256;

/// A place where the tracker was heard over at least this long is a stay (home, a shop, an
/// office), not a passage: a train ride makes dozens of places but no stay.
pub const STAY_US: i64 = 5 * 60 * 1_000_000;

/// The places of one tracker, each centred on the sighting that started it (leader
/// clustering: a centre never drifts, so a slow walk cannot drag one place along).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Places {
    centres: Vec<Fix>,
    /// When the tracker was first and last heard at each place.
    visits: Vec<(i64, i64)>,
    /// Kept up to date as places are added, so the verdict can check it at every sighting.
    max_distance_m: f64,
    /// Which centre the last sighting joined: a tracker is mostly heard where it just was.
    last: usize,
}

impl Places {
    /// Adds one sighting position: it joins a place within [`PLACE_RADIUS_M`] or starts one.
    pub fn add(&mut self, pos: &Fix) {
        let near = |c: &Fix| distance_m(c, pos) <= PLACE_RADIUS_M;
        if !self.centres.get(self.last).is_some_and(near) {
            if let Some(i) = self.centres.iter().position(near) {
                self.last = i;
            } else if self.centres.len() < MAX_PLACES {
                let farthest = self
                    .centres
                    .iter()
                    .map(|c| distance_m(c, pos))
                    .fold(0.0, f64::max);
                self.max_distance_m = self.max_distance_m.max(farthest);
                self.centres.push(*pos);
                self.visits.push((pos.time_us, pos.time_us));
                self.last = self.centres.len() - 1;
                return;
            } else {
                return;
            }
        }
        let visit = &mut self.visits[self.last];
        visit.0 = visit.0.min(pos.time_us);
        visit.1 = visit.1.max(pos.time_us);
    }

    /// How many places were stays ([`STAY_US`] or longer between first and last sighting).
    pub fn stays(&self) -> usize {
        self.visits
            .iter()
            .filter(|(first, last)| last - first >= STAY_US)
            .count()
    }

    pub fn len(&self) -> usize {
        self.centres.len()
    }

    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }

    /// The greatest distance between any two places, in metres (0 for fewer than two).
    pub fn max_distance_m(&self) -> f64 {
        self.max_distance_m
    }

    /// When the tracker was first and last heard at each place, in the order of `centres`.
    pub fn visits(&self) -> &[(i64, i64)] {
        &self.visits
    }

    /// The centre of each place, in the order the places were first visited.
    pub fn centres(&self) -> &[Fix] {
        &self.centres
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// About 111.2 m per 0.001° of latitude.
    fn at(lat: f64) -> Fix {
        Fix {
            time_us: 0,
            lat,
            lon: 8.0,
            accuracy_m: None,
        }
    }

    #[test]
    fn no_position_no_place() {
        let p = Places::default();
        assert!(p.is_empty());
        assert_eq!(p.max_distance_m(), 0.0);
    }

    #[test]
    fn points_within_the_radius_are_one_place() {
        let mut p = Places::default();
        for lat in [50.0, 50.001, 49.999, 50.0015] {
            p.add(&at(lat));
        }
        assert_eq!(p.len(), 1);
        assert_eq!(p.max_distance_m(), 0.0);
    }

    #[test]
    fn two_far_points_are_two_places_and_their_distance() {
        let mut p = Places::default();
        p.add(&at(50.0));
        p.add(&at(50.01));
        p.add(&at(50.0005)); // back near the first place
        assert_eq!(p.len(), 2);
        let d = p.max_distance_m();
        assert!((d - distance_m(&at(50.0), &at(50.01))).abs() < 1e-9, "{d}");
        assert!((1110.0..1114.0).contains(&d), "{d}");
    }

    #[test]
    fn a_long_visit_is_a_stay_a_passage_is_not() {
        let at_time = |lat, min: i64| Fix {
            time_us: min * 60_000_000,
            ..at(lat)
        };
        let mut p = Places::default();
        for min in 0..10 {
            p.add(&at_time(50.0, min)); // ten minutes at home
        }
        p.add(&at_time(50.01, 11)); // passing through
        p.add(&at_time(50.02, 12));
        p.add(&at_time(50.02, 18)); // six minutes at the shop
        assert_eq!((p.len(), p.stays()), (3, 2));
    }

    #[test]
    fn places_are_capped() {
        let mut p = Places::default();
        for i in 0..MAX_PLACES + 10 {
            p.add(&at(i as f64 * 0.01));
        }
        assert_eq!(p.len(), MAX_PLACES);
        // A sighting at a kept place still joins it.
        p.add(&at(0.0));
        assert_eq!(p.len(), MAX_PLACES);
    }
}
