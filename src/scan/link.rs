//! The state of a live input (the Bluetooth adapter, gpsd) for a view to show, and the
//! backoff between attempts to get it back.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::i18n::{Lang, Localised, Message};

/// Whether a live input works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkState {
    Up,
    /// Not working, and why (the input's own words put in as they are where it has no
    /// message of ours).
    Down(Message),
    /// Trying to (re)connect.
    Reconnecting,
}

/// "up", "down: WHY", "reconnecting"; why it is down is the input's own words.
impl Localised for LinkState {
    fn text(&self, lang: Lang) -> String {
        match self {
            LinkState::Up => lang.t("adapter_up").to_string(),
            LinkState::Down(why) => lang.fill("link-down", &[("why", &why.text(lang))]),
            LinkState::Reconnecting => lang.t("adapter_reconnecting").to_string(),
        }
    }
}

/// English, for logs and tests.
impl fmt::Display for LinkState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// A shared view of a [`LinkState`]: the input's thread sets it, anyone may read it.
#[derive(Clone, Debug)]
pub struct LinkWatch(Arc<Mutex<LinkState>>);

impl LinkWatch {
    pub fn new(state: LinkState) -> Self {
        LinkWatch(Arc::new(Mutex::new(state)))
    }

    pub fn get(&self) -> LinkState {
        self.lock().clone()
    }

    /// Sets the state; returns whether it changed.
    pub fn set(&self, state: LinkState) -> bool {
        let mut s = self.lock();
        let changed = *s != state;
        *s = state;
        changed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LinkState> {
        // A panic elsewhere while holding it leaves a valid state: keep using it.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Doubling waits between reconnection attempts, from `first` up to `max`.
#[derive(Clone, Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff {
            first,
            max,
            next: first,
        }
    }

    /// The wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    /// After a success the next failure waits `first` again.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_max_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let waits: Vec<u64> = (0..5).map(|_| b.next_wait().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.next_wait(), Duration::from_secs(1));
    }

    #[test]
    fn watch_reports_changes() {
        let w = LinkWatch::new(LinkState::Reconnecting);
        assert!(w.set(LinkState::Down(Message::as_is("no adapter"))));
        assert!(!w.clone().set(LinkState::Down(Message::as_is("no adapter"))));
        assert_eq!(w.get().to_string(), "down: no adapter");
    }
}
