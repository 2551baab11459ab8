//! What a live session could do, over time: when the radio listened and when it did not (no
//! adapter, powered off, BlueZ or the system bus gone, no permission), and when the person's
//! position was known. Each change is kept in the evidence as it happens (a `coverage`
//! record), so a scan that heard nothing says why, for how long, and what to do about it,
//! and a report says what was listened to, when.

mod text;

use serde::{Deserialize, Serialize};

use crate::location::gpsd;
use crate::scan::LinkState;

pub use text::{hint, name};

/// The time before the first state is starting up; longer than this, it counts as not
/// listening (Bluetooth that never answers is no radio).
pub const STARTUP_GRACE_US: i64 = 5_000_000;

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The Bluetooth radio: listening or not.
    Radio,
    /// The person's position: known or not.
    Position,
}

/// Why the radio did not listen, or why no position was known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// No Bluetooth adapter, or not the one asked for (a USB stick pulled out).
    NoAdapter,
    /// The adapter is there but powered off or blocked (rfkill).
    PoweredOff,
    /// BlueZ (bluetoothd) is not running.
    NoBluez,
    /// The system D-Bus, through which BlueZ is reached, is not running.
    NoSystemBus,
    /// tagwatch may not use Bluetooth (the `bluetooth` group, polkit, CAP_NET_RAW).
    Permission,
    /// gpsd cannot be reached.
    NoGpsd,
    /// gpsd runs, but its receiver has no fix (indoors, underground), or a track file has no
    /// position at this time.
    NoFix,
    /// Neither gpsd nor a track file: no position at all.
    NoPositionSource,
    /// Something else; the detail says what.
    Other,
}

/// Why something did not work: the cause, and the words of whatever reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub cause: Cause,
    pub detail: String,
}

/// A change of state, the payload of a `coverage` record: from `time_us` on, the channel
/// works (`down` None) or does not, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub channel: Channel,
    pub time_us: i64,
    pub down: Option<Outage>,
}

impl Cause {
    /// The cause of a radio fault from its text: BlueZ's D-Bus error names, libdbus's words for
    /// a missing bus, and the scanner's own ("no Bluetooth adapter", "adapter powered off"; an
    /// adapter the HCI monitor saw closed is down as a powered-off one is).
    /// Permission first: BlueZ's refusals come inside other texts ("cannot scan: ...").
    pub fn of_radio(text: &str) -> Cause {
        let t = text.to_ascii_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if any(&[
            "permission",
            "accessdenied",
            "notauthorized",
            "notpermitted",
            "not permitted",
        ]) {
            Cause::Permission
        } else if any(&["system_bus_socket", "failed to connect to socket", "noserver"]) {
            Cause::NoSystemBus
        } else if any(&[
            "serviceunknown",
            "org.bluez was not provided",
            "namehasnoowner",
            "bluez stopped",
        ]) {
            Cause::NoBluez
        } else if any(&[
            "powered off",
            "notready",
            "not ready",
            "rfkill",
            "closed (hci monitor)",
        ]) {
            Cause::PoweredOff
        } else if any(&["no bluetooth adapter", "no adapter", "adapter went away"]) {
            Cause::NoAdapter
        } else {
            Cause::Other
        }
    }
}

/// The radio's state as a change would keep it: None while it listens. Reconnecting says
/// nothing new (it follows a fault, or is the start): None of the outer Option.
pub fn radio_state(state: &LinkState) -> Option<Option<Outage>> {
    match state {
        LinkState::Up => Some(None),
        LinkState::Down(why) => Some(Some(Outage {
            cause: Cause::of_radio(&why.to_string()),
            detail: why.to_string(),
        })),
        LinkState::Reconnecting => None,
    }
}

/// Why there is no position now: gpsd's state (None: no gpsd), and whether a track file gives
/// positions instead.
pub fn no_position(gps: Option<&LinkState>, track_file: bool) -> Outage {
    let (cause, detail) = match gps {
        None if track_file => (Cause::NoFix, "the track has no position at this time".to_string()),
        None => (Cause::NoPositionSource, "no gpsd and no track".to_string()),
        // gpsd's client says "no fix" when connected without one.
        Some(LinkState::Down(why)) if why.key() == gpsd::NO_FIX => (Cause::NoFix, why.to_string()),
        Some(LinkState::Down(why)) => (Cause::NoGpsd, why.to_string()),
        Some(LinkState::Reconnecting) => (Cause::NoGpsd, "connecting to gpsd".to_string()),
        Some(LinkState::Up) => (Cause::NoFix, "no recent fix".to_string()),
    };
    Outage { cause, detail }
}

/// The state of one channel, giving a [`Change`] only when it changes.
#[derive(Clone, Debug, Default)]
pub struct State {
    now: Option<Option<Outage>>,
}

impl State {
    /// The channel is in `state` at `time_us`; the change to keep, if it is one.
    pub fn set(&mut self, channel: Channel, time_us: i64, state: Option<Outage>) -> Option<Change> {
        if self.now.as_ref() == Some(&state) {
            return None;
        }
        self.now = Some(state.clone());
        Some(Change {
            channel,
            time_us,
            down: state,
        })
    }
}

/// One stretch of time a channel did not work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stretch {
    pub first_us: i64,
    pub last_us: i64,
    pub outage: Outage,
}

impl Stretch {
    pub fn length_us(&self) -> i64 {
        self.last_us - self.first_us
    }
}

/// What one channel did over a session, from its changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub channel: Channel,
    pub from_us: i64,
    pub to_us: i64,
    /// How long it worked.
    pub up_us: i64,
    /// When it did not, in time order (consecutive stretches of one cause joined).
    pub down: Vec<Stretch>,
}

impl Summary {
    /// The channel's summary from `from_us` to `to_us` (a session's start and end), given the
    /// session's changes in time order. Before the first state the session was starting: up to
    /// [`STARTUP_GRACE_US`] of that counts neither way, more is a fault.
    pub fn of(changes: &[Change], channel: Channel, from_us: i64, to_us: i64) -> Summary {
        let to_us = to_us.max(from_us);
        let mut summary = Summary {
            channel,
            from_us,
            to_us,
            up_us: 0,
            down: Vec::new(),
        };
        let mut at = from_us;
        let mut state: Option<&Option<Outage>> = None;
        let mine = changes.iter().filter(|c| c.channel == channel);
        for change in mine.chain(std::iter::once(&Change {
            channel,
            time_us: to_us,
            down: None,
        })) {
            let until = change.time_us.clamp(at, to_us);
            match state {
                Some(None) => summary.up_us += until - at,
                Some(Some(outage)) => summary.add_down(at, until, outage),
                None if until - at > STARTUP_GRACE_US => {
                    let outage = Outage {
                        cause: Cause::Other,
                        detail: match channel {
                            Channel::Radio => "Bluetooth did not answer".to_string(),
                            Channel::Position => "no position source answered".to_string(),
                        },
                    };
                    summary.add_down(at, until, &outage);
                }
                None => {}
            }
            at = until;
            state = Some(&change.down);
        }
        summary
    }

    fn add_down(&mut self, first_us: i64, last_us: i64, outage: &Outage) {
        if last_us <= first_us {
            return;
        }
        match self.down.last_mut() {
            Some(s) if s.last_us == first_us && s.outage.cause == outage.cause => s.last_us = last_us,
            _ => self.down.push(Stretch {
                first_us,
                last_us,
                outage: outage.clone(),
            }),
        }
    }

    /// How long it did not work.
    pub fn down_us(&self) -> i64 {
        self.down.iter().map(Stretch::length_us).sum()
    }

    /// It never worked while the session ran.
    pub fn never_up(&self) -> bool {
        self.up_us == 0
    }

    /// Time not working by cause, longest first.
    pub fn by_cause(&self) -> Vec<(Cause, i64)> {
        let mut by: Vec<(Cause, i64)> = Vec::new();
        for s in &self.down {
            match by.iter_mut().find(|(c, _)| *c == s.outage.cause) {
                Some((_, us)) => *us += s.length_us(),
                None => by.push((s.outage.cause, s.length_us())),
            }
        }
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        by
    }
}

/// What a live session could do: its changes from start to end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listening {
    pub changes: Vec<Change>,
    pub from_us: i64,
    pub to_us: i64,
}

impl Listening {
    pub fn radio(&self) -> Summary {
        Summary::of(&self.changes, Channel::Radio, self.from_us, self.to_us)
    }

    pub fn positions(&self) -> Summary {
        Summary::of(&self.changes, Channel::Position, self.from_us, self.to_us)
    }

    /// Whether part of the session (or all of it) was not listened to.
    pub fn not_checked(&self) -> bool {
        self.radio().down_us() > 0
    }
}

#[cfg(test)]
mod tests;
