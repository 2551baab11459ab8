//! One tracker's sightings over the session for the map and the timeline, in time buckets that
//! widen as the session grows, so a tracker heard all day keeps at most [`MAX_BUCKETS`].

use std::collections::VecDeque;

use crate::location::Fix;

/// Buckets kept per tracker: more than a wide terminal has columns for the timeline.
pub const MAX_BUCKETS: usize = 128;
/// The first bucket width; it doubles whenever the buckets would be more than [`MAX_BUCKETS`].
const FIRST_WIDTH_US: i64 = 1_000_000;

/// The sightings of one bucket of time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    /// Bucket number: it covers `index * width` to `(index + 1) * width`.
    index: i64,
    rssi_sum: i32,
    rssi_count: u32,
    /// The latest position in the bucket.
    pub position: Option<(f64, f64)>,
    /// When, in the bucket, it was last heard.
    pub last_us: i64,
}

impl Bucket {
    /// The mean RSSI of the bucket, if any sighting had one.
    pub fn rssi(&self) -> Option<f64> {
        (self.rssi_count > 0).then(|| f64::from(self.rssi_sum) / f64::from(self.rssi_count))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct History {
    width_us: i64,
    buckets: VecDeque<Bucket>,
}

impl Default for History {
    fn default() -> Self {
        History {
            width_us: FIRST_WIDTH_US,
            buckets: VecDeque::new(),
        }
    }
}

impl History {
    /// One sighting at `time_us`, with its RSSI and the person's position then.
    pub fn add(&mut self, time_us: i64, rssi: Option<i8>, position: Option<&Fix>) {
        let index = time_us.div_euclid(self.width_us);
        // A record out of order joins the latest bucket: close enough for a view.
        if self.buckets.back().is_none_or(|b| b.index < index) {
            self.buckets.push_back(Bucket {
                index,
                rssi_sum: 0,
                rssi_count: 0,
                position: None,
                last_us: time_us,
            });
            if self.buckets.len() > MAX_BUCKETS {
                self.widen();
            }
        }
        let b = self.buckets.back_mut().expect("a bucket was just ensured");
        if let Some(r) = rssi {
            b.rssi_sum += i32::from(r);
            b.rssi_count += 1;
        }
        b.position = position.map(|f| (f.lat, f.lon)).or(b.position);
        b.last_us = b.last_us.max(time_us);
    }

    /// Doubles the width, joining buckets pairwise.
    fn widen(&mut self) {
        self.width_us *= 2;
        let mut joined: VecDeque<Bucket> = VecDeque::with_capacity(MAX_BUCKETS);
        for mut b in self.buckets.drain(..) {
            b.index = b.index.div_euclid(2);
            match joined.back_mut() {
                Some(j) if j.index == b.index => {
                    j.rssi_sum += b.rssi_sum;
                    j.rssi_count += b.rssi_count;
                    j.position = b.position.or(j.position);
                    j.last_us = j.last_us.max(b.last_us);
                }
                _ => joined.push_back(b),
            }
        }
        self.buckets = joined;
    }

    /// Each bucket with the time it starts, oldest first.
    pub fn buckets(&self) -> impl Iterator<Item = (i64, &Bucket)> {
        self.buckets.iter().map(|b| (b.index * self.width_us, b))
    }

    /// Whether it was heard between `from_us` and `to_us` (at the buckets' resolution).
    pub fn heard_in(&self, from_us: i64, to_us: i64) -> bool {
        let first = self
            .buckets
            .partition_point(|b| (b.index + 1) * self.width_us <= from_us);
        self.buckets
            .get(first)
            .is_some_and(|b| b.index * self.width_us < to_us)
    }

    /// The bucket holding `time_us`, if it was heard then.
    pub fn at(&self, time_us: i64) -> Option<&Bucket> {
        let index = time_us.div_euclid(self.width_us);
        let i = self.buckets.partition_point(|b| b.index < index);
        self.buckets.get(i).filter(|b| b.index == index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    #[test]
    fn a_long_session_widens_the_buckets_and_keeps_gaps_and_the_signal() {
        let mut h = History::default();
        let fix = Fix {
            time_us: 0,
            lat: 35.0,
            lon: 139.0,
            accuracy_m: None,
        };
        // An hour heard every second at -60, then silent 20 min, then 10 min at -80.
        for t in 0..3600 {
            h.add(t * S, Some(-60), Some(&fix));
        }
        for t in 4800..5400 {
            h.add(t * S, Some(-80), Some(&fix));
        }
        assert!(h.buckets().count() <= MAX_BUCKETS);
        let starts: Vec<i64> = h.buckets().map(|(start, _)| start).take(2).collect();
        assert_eq!(starts, [0, 64 * S], "buckets of 64 s");
        assert!(h.heard_in(100 * S, 200 * S));
        assert!(!h.heard_in(3700 * S, 4700 * S), "the silence stays a gap");
        assert!(h.at(4000 * S).is_none() && h.at(5000 * S).is_some_and(|b| b.rssi() == Some(-80.0)));
        let (_, last) = h.buckets().last().unwrap();
        assert_eq!(last.rssi(), Some(-80.0));
        assert_eq!((last.position, last.last_us), (Some((35.0, 139.0)), 5399 * S));
        let (_, first) = h.buckets().next().unwrap();
        assert_eq!(first.rssi(), Some(-60.0));
    }
}
