//! Replaying a recorded capture through a live session at N times real time, so the live
//! view can be shown and tested without a Bluetooth adapter.

use std::time::{Duration, Instant};

use super::{Event, Feed, Listener, Session};
use crate::capture::{AdvertisementSource, CaptureError};
use crate::i18n::Lang;

/// Maps capture time to wall-clock time at `speed` times real time (0: no waiting).
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    speed: f64,
    /// The first capture time and the instant it was played.
    start: Option<(i64, Instant)>,
}

impl Pace {
    pub fn new(speed: f64) -> Self {
        Pace { speed, start: None }
    }

    /// How long until capture time `time_us` is due; the first time given is due at once.
    pub fn wait(&mut self, time_us: i64) -> Duration {
        let (first_us, started) = *self.start.get_or_insert((time_us, Instant::now()));
        if self.speed <= 0.0 {
            return Duration::ZERO;
        }
        let offset = Duration::from_secs_f64((time_us - first_us).max(0) as f64 / 1e6 / self.speed);
        (started + offset).saturating_duration_since(Instant::now())
    }

    /// The capture time being played now (None before the first advertisement, or at
    /// speed 0, where capture time has no wall-clock counterpart).
    pub fn clock_us(&self) -> Option<i64> {
        let (first_us, started) = self.start?;
        (self.speed > 0.0).then(|| first_us + (started.elapsed().as_secs_f64() * self.speed * 1e6) as i64)
    }
}

/// A capture played through a session.
pub struct Replay {
    source: Box<dyn AdvertisementSource>,
    pace: Pace,
    /// Time of the latest advertisement read: the next record waits until it is due.
    last_us: Option<i64>,
    /// Stop after this much capture time (a sweep of a recorded capture).
    length_us: Option<i64>,
    first_us: Option<i64>,
    done: bool,
    pub error: Option<CaptureError>,
    /// The capture's name, for the status line.
    file: String,
}

impl Replay {
    pub fn new(source: Box<dyn AdvertisementSource>, speed: f64) -> Self {
        Replay {
            source,
            pace: Pace::new(speed),
            last_us: None,
            length_us: None,
            first_us: None,
            done: false,
            error: None,
            file: String::new(),
        }
    }

    /// Names the capture file in the status line.
    pub fn from_file(mut self, path: &std::path::Path) -> Self {
        self.file = path.display().to_string();
        self
    }

    /// Plays only the first `length_us` of the capture.
    pub fn for_length(mut self, length_us: i64) -> Self {
        self.length_us = Some(length_us);
        self
    }
}

impl Feed for Replay {
    fn pump(&mut self, session: &mut Session<'_>, budget: Duration) -> Vec<Event> {
        let until = Instant::now() + budget;
        let mut events = Vec::new();
        while !self.done && Instant::now() < until {
            if let Some(t) = self.last_us
                && !self.pace.wait(t).is_zero()
            {
                break;
            }
            let mut last = self.last_us;
            let read = self.source.next_record(&mut |adv| {
                last = Some(adv.time_us);
                events.extend(session.push(adv));
            });
            self.last_us = last;
            self.first_us = self.first_us.or(last);
            let ended = match (self.first_us, last, self.length_us) {
                (Some(first), Some(last), Some(length)) => last - first >= length,
                _ => false,
            };
            match read {
                Ok(true) if ended => self.done = true,
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.error = Some(e);
                    self.done = true;
                }
            }
        }
        if let Some(now) = self.pace.clock_us().filter(|_| !self.done) {
            session.tick(now);
        }
        events
    }

    fn next_due(&self) -> Duration {
        match (self.done, self.last_us) {
            // A copy: the pace starts at the first advertisement, which has been read.
            (false, Some(t)) => {
                let mut pace = self.pace;
                pace.wait(t)
            }
            _ => Duration::ZERO,
        }
    }

    fn finished(&self) -> bool {
        self.done
    }

    fn describe(&self, lang: Lang) -> String {
        match self.pace.speed {
            _ if self.done => lang.t("feed-replay-ended").to_string(),
            s if s <= 0.0 => lang.t("feed-replay-fastest").to_string(),
            s => lang.fill("feed-replay-speed", &[("speed", &s.to_string())]),
        }
    }

    fn listener(&self) -> Listener {
        Listener::Replay {
            file: self.file.clone(),
        }
    }
}
