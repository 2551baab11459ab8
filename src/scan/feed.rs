//! The live scanner as the input of a live session (`tagwatch scan`, `sweep`).

use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant};

use super::{
    LinkState, LinkWatch, Monitor, MonitorDecoder, MonitorItem, ScanConfig, ScanEvent, Scanner, Seen,
};
use crate::i18n::{Arg, Lang, Localised, Message};
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
    /// Switches scanning on through BlueZ, and hands over advertisements when there is no
    /// monitor.
    scanner: Scanner,
    /// The advertisements as the controller reported them, when the HCI monitor is read.
    monitor: Option<FromMonitor>,
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

/// The HCI monitor's side of a feed.
struct FromMonitor {
    monitor: Monitor,
    decoder: MonitorDecoder,
    /// Whether the person named the adapter; else the one BlueZ scans with is kept.
    named: bool,
    /// The latest frame's time and when it was taken: the session clock runs on from there.
    last: Option<(i64, Instant)>,
    /// Nothing more will come: the stream ended, or why reading failed.
    ended: Option<Result<(), String>>,
}

impl AdapterFeed {
    /// Starts scanning with `adapter` (the first if None). `gps` is the position source's
    /// state, shown alongside the adapter's. With `monitor`, the advertisements are that
    /// monitor's frames of the adapter, and BlueZ only keeps scanning on.
    pub fn start(
        adapter: Option<String>,
        gps: Option<LinkWatch>,
        log: Option<Lang>,
        monitor: Option<Monitor>,
    ) -> std::io::Result<Self> {
        let name = adapter.clone().unwrap_or_else(|| "Bluetooth".into());
        let monitor = monitor.map(|monitor| FromMonitor {
            monitor,
            decoder: MonitorDecoder::new(adapter.as_deref()),
            named: adapter.is_some(),
            last: None,
            ended: None,
        });
        let scanner = Scanner::start(ScanConfig {
            adapter,
            advertisements: monitor.is_none(),
            ..ScanConfig::default()
        })?;
        Ok(AdapterFeed {
            scanner,
            monitor,
            name,
            gps,
            log,
            gps_state: None,
            hinted: None,
            flushed: Instant::now(),
        })
    }

    /// Advertisements (or monitor frames) dropped because the session did not keep up.
    pub fn dropped(&self) -> u64 {
        self.scanner.dropped() + self.monitor.as_ref().map_or(0, |m| m.monitor.dropped())
    }

    /// Why the monitor stopped, if it failed.
    pub fn failure(&self) -> Option<&str> {
        match self.monitor.as_ref()?.ended.as_ref()? {
            Err(why) => Some(why),
            Ok(()) => None,
        }
    }

    /// A line of the headless log: the message `key` with `values`, in the log's language.
    fn say(&self, key: &str, values: &[(&str, &dyn Arg)]) {
        if let Some(lang) = self.log {
            eprintln!("{}", present::neutralise(&lang.fill(key, values)));
        }
    }

    /// The adapter's new state, and what to do when it goes down (once per cause, not at
    /// each retry).
    fn say_adapter(&mut self, state: &LinkState) {
        let Some(lang) = self.log else {
            return;
        };
        let LinkState::Down(why) = state else {
            self.say("log-adapter", &[("state", &state.text(lang))]);
            if *state == LinkState::Up {
                self.hinted = None;
            }
            return;
        };
        let cause = listening::Cause::of_radio(&why.to_string());
        let words = listening::name(cause, lang);
        self.say("log-adapter-down", &[("cause", &words), ("why", &why.text(lang))]);
        if self.hinted.replace(cause) != Some(cause)
            && let Some(hint) = listening::hint(cause, lang)
        {
            eprintln!("{hint}");
        }
    }

    /// The session's clock now: this computer's (the kernel stamps its frames with it), or
    /// for a stream of recorded frames the latest frame's time and the time since, None
    /// before its first frame.
    fn now_us(&self) -> Option<i64> {
        match &self.monitor {
            Some(m) if !m.monitor.stamped_now() => m
                .last
                .map(|(t, at)| t.saturating_add(at.elapsed().as_micros() as i64)),
            _ => Some(chrono::Utc::now().timestamp_micros()),
        }
    }

    /// Takes the monitor's frames until `until`; returns the alerts raised.
    fn frames(&mut self, session: &mut Session<'_>, until: Instant) -> Vec<Event> {
        let mut events = Vec::new();
        let Some(m) = self.monitor.as_mut() else {
            return events;
        };
        let mut said = Vec::new();
        let was_ended = m.ended.is_some();
        while m.ended.is_none() && Instant::now() < until {
            let item = match m.monitor.items().try_recv() {
                Ok(item) => item,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => MonitorItem::Failed("the monitor reader stopped".into()),
            };
            let f = match item {
                MonitorItem::Frame(f) => f,
                end => {
                    m.decoder.flush(&mut |adv| events.extend(session.push(adv)));
                    m.ended = Some(match end {
                        MonitorItem::Failed(why) => Err(why),
                        _ => Ok(()),
                    });
                    break;
                }
            };
            let frame = f.as_frame();
            m.last = Some((frame.time_us, Instant::now()));
            let seen = m
                .decoder
                .frame(&frame, &mut |adv| events.extend(session.push(adv)));
            if seen != Seen::Other {
                session.frame(&frame);
            }
            if let Seen::Radio(e) = seen {
                said.push(e);
            }
        }
        if let Some(name) = m.decoder.adapter().filter(|_| !m.named) {
            self.name = name.to_string();
        }
        let failed = match &m.ended {
            Some(Err(why)) if !was_ended => Some(why.clone()),
            _ => None,
        };
        for event in said {
            let event = self.log.map(|lang| event.text(lang)).unwrap_or_default();
            self.say("log-adapter-event", &[("name", &self.name), ("event", &event)]);
        }
        if let Some(why) = failed {
            self.say("log-monitor-down", &[("why", &why)]);
        }
        events
    }

    /// Whether the radio listens: BlueZ scans with the adapter and, with the monitor, the
    /// monitor says the adapter is open and is still read. A stream of recorded frames was
    /// heard by whatever recorded it: only what its frames say counts.
    fn radio(&self) -> LinkState {
        let bluez = self.scanner.link().get();
        let closed = || LinkState::Down(Message::as_is("closed (HCI monitor)"));
        match &self.monitor {
            Some(FromMonitor {
                ended: Some(Err(why)),
                ..
            }) => LinkState::Down(Message::as_is(format!("HCI monitor: {why}"))),
            Some(m) if !m.monitor.stamped_now() => match m.decoder.open() {
                true => LinkState::Up,
                false => closed(),
            },
            Some(m) if bluez == LinkState::Up && !m.decoder.open() => closed(),
            _ => bluez,
        }
    }
}

impl Feed for AdapterFeed {
    fn pump(&mut self, session: &mut Session<'_>, budget: Duration) -> Vec<Event> {
        // The clock moves on in an empty room too (ages, the end of a sweep).
        if let Some(now) = self.now_us() {
            session.tick(now);
            let gps = self.gps.as_ref().map(LinkWatch::get);
            session.listening(now, &self.radio(), gps.as_ref());
        }
        let until = Instant::now() + budget;
        let mut events = Vec::new();
        while Instant::now() < until {
            match self.scanner.events().try_recv() {
                Ok(ScanEvent::Advertisement(adv)) => events.extend(session.push(&adv.as_advertisement())),
                Ok(ScanEvent::Adapter(state)) => self.say_adapter(&state),
                Ok(ScanEvent::Opened(name)) => {
                    if let Some(m) = self.monitor.as_mut().filter(|m| !m.named) {
                        m.decoder.keep(&name);
                    }
                    self.name = name;
                }
                Err(_) => break,
            }
        }
        events.extend(self.frames(session, until));
        if self.flushed.elapsed() >= FLUSH_EVERY {
            self.flushed = Instant::now();
            session.flush();
        }
        if let Some(state) = self.gps.as_ref().map(LinkWatch::get)
            && self.gps_state.as_ref() != Some(&state)
        {
            let words = self.log.map(|lang| state.text(lang)).unwrap_or_default();
            self.say("log-gpsd", &[("state", &words)]);
            self.gps_state = Some(state);
        }
        events
    }

    fn next_due(&self) -> Duration {
        POLL
    }

    /// A stream of recorded monitor frames ends; a kernel's monitor or BlueZ do not.
    fn finished(&self) -> bool {
        self.monitor.as_ref().is_some_and(|m| m.ended.is_some())
    }

    fn describe(&self, lang: Lang) -> String {
        let source = match &self.monitor {
            // The kernel's monitor stamps its frames as they come; a stream is named by its path.
            Some(m) if m.monitor.stamped_now() => lang.t("feed-hci-monitor"),
            Some(m) => m.monitor.name(),
            None => "BlueZ",
        };
        let gpsd = match &self.gps {
            Some(gps) => lang.fill("feed-gpsd", &[("state", &gps.get().text(lang))]),
            None => lang.t("feed-no-gpsd").to_string(),
        };
        let values: [(&str, &dyn Arg); 4] = [
            ("name", &self.name),
            ("state", &self.radio().text(lang)),
            ("source", &source),
            ("gpsd", &gpsd),
        ];
        lang.fill("feed-adapter", &values)
    }

    fn listener(&self) -> Listener {
        Listener::Adapter {
            name: self.name.clone(),
            state: self.radio(),
            exact: self.monitor.is_some(),
        }
    }
}
