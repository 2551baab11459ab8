//! The person's position while scanning, from a running gpsd: a thread receives the fixes
//! and reconnects when gpsd goes away; the session's track is kept for the evidence.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::link::{Backoff, LinkState, LinkWatch};
use crate::i18n::Lang;
use crate::location::gpsd::{GpsdClient, GpsdError};
use crate::location::{Fix, PositionSource, Track};

/// gpsd on this machine, where it listens by default.
pub const DEFAULT_GPSD: &str = "localhost:2947";
/// A receiver reports every second or so; this long without a fix means no position.
const FIX_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Shared {
    /// Fixes received and not yet in the track.
    new: Mutex<Vec<Fix>>,
    stop: AtomicBool,
}

/// Live positions from gpsd. Dropping it stops its thread.
///
/// The whole session's track is kept, for the evidence: at gpsd's usual one fix a second,
/// about 3 MB a day. Fixes after the session's last tracker sighting do not reach it.
pub struct LivePosition {
    shared: Arc<Shared>,
    link: LinkWatch,
    max_gap_us: i64,
    track: Track,
    thread: Option<JoinHandle<()>>,
}

impl LivePosition {
    /// Starts following gpsd at `addr` (HOST:PORT). A sighting gets the latest fix at most
    /// `max_gap_us` away from it.
    pub fn start(addr: &str, max_gap_us: i64) -> std::io::Result<Self> {
        Self::with_backoff(
            addr,
            max_gap_us,
            Backoff::new(Duration::from_secs(1), Duration::from_secs(30)),
        )
    }

    pub fn with_backoff(addr: &str, max_gap_us: i64, backoff: Backoff) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let link = LinkWatch::new(LinkState::Reconnecting);
        let (s, l, a) = (shared.clone(), link.clone(), addr.to_string());
        let thread = std::thread::Builder::new()
            .name("tagwatch-gpsd".into())
            .spawn(move || follow(&a, &s, &l, backoff))?;
        Ok(LivePosition {
            shared,
            link,
            max_gap_us,
            track: Track::default(),
            thread: Some(thread),
        })
    }

    /// gpsd's state now.
    pub fn link(&self) -> LinkWatch {
        self.link.clone()
    }
}

/// Follows gpsd at `addr`, or at [`DEFAULT_GPSD`] if it answers now; None (said on stderr)
/// without a gpsd.
pub fn live_gps(addr: Option<&str>, max_gap_us: i64, lang: Lang) -> std::io::Result<Option<LivePosition>> {
    let addr = match addr {
        Some(a) => a,
        None if reachable(DEFAULT_GPSD) => DEFAULT_GPSD,
        None => {
            eprintln!("{}", lang.fill("live-no-gpsd", &[("addr", &DEFAULT_GPSD)]));
            return Ok(None);
        }
    };
    LivePosition::start(addr, max_gap_us).map(Some)
}

/// Whether something listens at `addr`.
fn reachable(addr: &str) -> bool {
    addr.to_socket_addrs()
        .into_iter()
        .flatten()
        .any(|sa| TcpStream::connect_timeout(&sa, Duration::from_secs(1)).is_ok())
}

impl PositionSource for LivePosition {
    /// Where the person was, on the track so far (see [`Track::position_at`]): a sighting
    /// after the latest fix gets that fix if it is at most the max gap old.
    fn position_at(&mut self, time_us: i64) -> Option<Fix> {
        let new = std::mem::take(&mut *self.shared.new.lock().unwrap_or_else(|e| e.into_inner()));
        for fix in new {
            self.track.push(fix);
        }
        self.track.position_at(time_us, self.max_gap_us)
    }

    fn track(&self) -> Option<&Track> {
        Some(&self.track).filter(|t| !t.is_empty())
    }
}

impl Drop for LivePosition {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn follow(addr: &str, shared: &Shared, link: &LinkWatch, mut backoff: Backoff) {
    let stopped = || shared.stop.load(Ordering::Relaxed);
    while !stopped() {
        link.set(LinkState::Reconnecting);
        let why = match GpsdClient::connect(addr, FIX_TIMEOUT) {
            Err(e) => e.message(),
            Ok(mut client) => loop {
                if stopped() {
                    return;
                }
                match client.next_fix() {
                    Ok(fix) => {
                        link.set(LinkState::Up);
                        backoff.reset();
                        shared.new.lock().unwrap_or_else(|e| e.into_inner()).push(fix);
                    }
                    // Connected, but the receiver has no fix (indoors): say so, keep reading.
                    Err(e @ GpsdError::Timeout { .. }) => {
                        link.set(LinkState::Down(e.message()));
                    }
                    Err(e) => break e.message(),
                }
            },
        };
        link.set(LinkState::Down(why));
        let until = Instant::now() + backoff.next_wait();
        while Instant::now() < until && !stopped() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_from_the_fixes_received_and_the_track_kept() {
        // Nothing listens on port 9 of localhost here: the thread only retries.
        let backoff = Backoff::new(Duration::from_secs(60), Duration::from_secs(60));
        let mut p = LivePosition::with_backoff("127.0.0.1:9", 10, backoff).unwrap();
        assert_eq!((p.position_at(100), p.track()), (None, None));
        let fix = |t| Fix {
            time_us: t,
            lat: 35.0,
            lon: 139.0 + t as f64 / 1000.0,
            accuracy_m: None,
        };
        p.shared.new.lock().unwrap().extend([fix(100), fix(120)]);
        assert_eq!(
            p.position_at(125),
            Some(fix(120)).map(|f| Fix { time_us: 125, ..f })
        );
        assert_eq!(
            p.position_at(131),
            None,
            "more than the max gap after the latest fix"
        );
        assert_eq!(p.track().map(Track::len), Some(2));
        assert!(matches!(
            p.link().get(),
            LinkState::Down(_) | LinkState::Reconnecting
        ));
    }
}
