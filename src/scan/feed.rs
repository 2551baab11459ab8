//! The live scanner as the input of a live session (`tagwatch scan`, `sweep`).

use std::time::{Duration, Instant};

use super::{LinkState, LinkWatch, ScanConfig, ScanEvent, Scanner};
use crate::i18n::Lang;
use crate::listening;
use crate::live::{Event, Feed, Listener, Session};
use crate::present;

/// How long the view may sleep between looks at the queue.
const POLL: Duration = Duration::from_millis(20);
/// How often sightings go to the evidence store: a scanner in a bag may lose power at any
/// moment, and batches of a quiet scan would otherwise fill only after an hour.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Advertisements from a Bluetooth adapter, and the adapter's and gpsd's states.
pub struct AdapterFeed {
    scanner: Scanner,
    name: String,
    gps: Option<LinkWatch>,
    /// Log state changes on stderr in this language (headless), with what to do about a
    /// fault; the live view shows them in its title.
    log: Option<Lang>,
    gps_state: Option<LinkState>,
    /// The cause of the adapter's fault last hinted at.
    hinted: Option<listening::Cause>,
    flushed: Instant,
}

impl AdapterFeed {
    /// Starts scanning with `adapter` (the first if None). `gps` is the position source's
    /// state, shown alongside the adapter's.
    pub fn start(
        adapter: Option<String>,
        gps: Option<LinkWatch>,
        log: Option<Lang>,
    ) -> std::io::Result<Self> {
        let name = adapter.clone().unwrap_or_else(|| "Bluetooth".into());
        let scanner = Scanner::start(ScanConfig {
            adapter,
            ..ScanConfig::default()
        })?;
        Ok(AdapterFeed {
            scanner,
            name,
            gps,
            log,
            gps_state: None,
            hinted: None,
            flushed: Instant::now(),
        })
    }

    /// Advertisements dropped because the session did not keep up.
    pub fn dropped(&self) -> u64 {
        self.scanner.dropped()
    }

    fn say(&self, what: &str, state: &LinkState) {
        if self.log.is_some() {
            eprintln!("{what}: {}", present::neutralise(&state.to_string()));
        }
    }

    /// The adapter's new state, and what to do when it goes down (once per cause, not at
    /// each retry).
    fn say_adapter(&mut self, state: &LinkState) {
        self.say("adapter", state);
        let cause = match state {
            LinkState::Down(why) => listening::Cause::of_radio(why),
            LinkState::Up => return self.hinted = None,
            LinkState::Reconnecting => return,
        };
        if let Some(lang) = self.log
            && self.hinted.replace(cause) != Some(cause)
            && let Some(hint) = listening::hint(cause, lang)
        {
            eprintln!("{hint}");
        }
    }
}

impl Feed for AdapterFeed {
    fn pump(&mut self, session: &mut Session<'_>, budget: Duration) -> Vec<Event> {
        // The clock moves on in an empty room too (ages, the end of a sweep).
        let now = chrono::Utc::now().timestamp_micros();
        session.tick(now);
        let gps = self.gps.as_ref().map(LinkWatch::get);
        session.listening(now, &self.scanner.link().get(), gps.as_ref());
        let until = Instant::now() + budget;
        let mut events = Vec::new();
        while Instant::now() < until {
            match self.scanner.events().try_recv() {
                Ok(ScanEvent::Advertisement(adv)) => events.extend(session.push(&adv.as_advertisement())),
                Ok(ScanEvent::Adapter(state)) => self.say_adapter(&state),
                Err(_) => break,
            }
        }
        if self.flushed.elapsed() >= FLUSH_EVERY {
            self.flushed = Instant::now();
            session.flush();
        }
        if let Some(state) = self.gps.as_ref().map(LinkWatch::get)
            && self.gps_state.as_ref() != Some(&state)
        {
            self.say("gpsd", &state);
            self.gps_state = Some(state);
        }
        events
    }

    fn next_due(&self) -> Duration {
        POLL
    }

    fn finished(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        let adapter = self.scanner.link().get();
        match &self.gps {
            Some(gps) => format!("{} {adapter}, gpsd {}", self.name, gps.get()),
            None => format!("{} {adapter}, no gpsd", self.name),
        }
    }

    fn listener(&self) -> Listener {
        Listener::Adapter {
            name: self.name.clone(),
            state: self.scanner.link().get(),
        }
    }
}
