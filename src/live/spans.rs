//! When the session could see: spans of time the radio listened and a GPS fix was there. A
//! day-long session keeps a few spans, not a sample per second.

use std::collections::VecDeque;

use crate::coverage::Span;

/// Spans kept at most; beyond, the two spans with the shortest gap between them are joined.
pub const MAX_SPANS: usize = 256;

/// Two moments with the same state at most this far apart are one span: nobody looked in
/// between, and a quiet minute is not an outage.
pub const SPAN_GAP_US: i64 = 60 * 1_000_000;

/// The moments something held, as spans in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spans {
    spans: VecDeque<Span>,
    /// Whether the last span may still grow (no `off` since).
    open: bool,
}

impl Spans {
    /// It held at `time_us`.
    pub fn on(&mut self, time_us: i64) {
        match self.spans.back_mut() {
            Some(s) if self.open && time_us >= s.last_us && time_us - s.last_us <= SPAN_GAP_US => {
                s.last_us = time_us;
            }
            // Out of order (a capture's late record): it is already covered or in the past.
            Some(s) if time_us < s.last_us => {}
            _ => {
                self.spans.push_back(Span {
                    first_us: time_us,
                    last_us: time_us,
                });
                if self.spans.len() > MAX_SPANS {
                    self.join_closest();
                }
            }
        }
        self.open = true;
    }

    /// It did not hold at `time_us`: the next `on` starts a new span.
    pub fn off(&mut self) {
        self.open = false;
    }

    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.spans.iter()
    }

    /// Whether any span touches `from..to` (each column of a strip is such a slice of time).
    pub fn any_in(&self, from_us: i64, to_us: i64) -> bool {
        self.spans
            .iter()
            .any(|s| s.first_us < to_us && s.last_us >= from_us)
    }

    fn join_closest(&mut self) {
        let gaps = self.spans.iter().zip(self.spans.iter().skip(1));
        let Some(i) = gaps
            .enumerate()
            .min_by_key(|(_, (a, b))| b.first_us - a.last_us)
            .map(|(i, _)| i)
        else {
            return;
        };
        let next = self.spans.remove(i + 1).expect("a span follows the gap");
        self.spans[i].last_us = next.last_us;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    fn list(s: &Spans) -> Vec<(i64, i64)> {
        s.spans().map(|s| (s.first_us / S, s.last_us / S)).collect()
    }

    #[test]
    fn moments_close_together_are_one_span_an_off_or_a_long_gap_starts_another() {
        let mut s = Spans::default();
        for t in [0, 1, 2, 30] {
            s.on(t * S);
        }
        s.off();
        s.on(31 * S);
        s.on(200 * S);
        s.on(150 * S);
        assert_eq!(list(&s), [(0, 30), (31, 31), (200, 200)]);
        assert!(s.any_in(20 * S, 25 * S), "inside a span");
        assert!(!s.any_in(32 * S, 199 * S), "between spans");
    }

    #[test]
    fn a_long_flapping_session_keeps_bounded_spans_joining_the_shortest_gaps() {
        let mut s = Spans::default();
        for i in 0..(MAX_SPANS as i64 * 4) {
            s.on(i * 10 * S);
            s.off();
        }
        // One long outage in the middle survives the joining.
        s.on(1_000_000 * S);
        assert_eq!(s.spans().count(), MAX_SPANS);
        let spans = list(&s);
        assert_eq!(spans.first().unwrap().0, 0);
        assert_eq!(spans.last().unwrap(), &(1_000_000, 1_000_000));
        assert!(!s.any_in(20_000 * S, 999_999 * S));
    }
}
