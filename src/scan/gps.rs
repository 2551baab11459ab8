//! The person's position while scanning, from a running gpsd: a thread keeps the recent
//! fixes and reconnects when gpsd goes away.

use std::collections::VecDeque;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::link::{Backoff, LinkState, LinkWatch};
use crate::location::gpsd::{GpsdClient, GpsdError};
use crate::location::{Fix, PositionSource};

/// gpsd on this machine, where it listens by default.
pub const DEFAULT_GPSD: &str = "localhost:2947";
/// Fixes kept for lookups; at gpsd's usual 1 Hz, about an hour (more than any max gap).
const KEEP_FIXES: usize = 4096;
/// A receiver reports every second or so; this long without a fix means no position.
const FIX_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct Shared {
    fixes: Mutex<VecDeque<Fix>>,
    stop: AtomicBool,
}

/// Live positions from gpsd. Dropping it stops its thread.
pub struct LivePosition {
    shared: Arc<Shared>,
    link: LinkWatch,
    max_gap_us: i64,
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
            thread: Some(thread),
        })
    }

    /// gpsd's state now.
    pub fn link(&self) -> LinkWatch {
        self.link.clone()
    }
}

/// Whether something listens at `addr`, for using gpsd only where it runs.
pub fn reachable(addr: &str) -> bool {
    addr.to_socket_addrs()
        .into_iter()
        .flatten()
        .any(|sa| TcpStream::connect_timeout(&sa, Duration::from_secs(1)).is_ok())
}

impl PositionSource for LivePosition {
    /// The latest fix at or before `time_us`, if not older than the max gap; a fix a little
    /// after it (the clocks differ) does as well.
    fn position_at(&mut self, time_us: i64) -> Option<Fix> {
        let fixes = self.shared.fixes.lock().unwrap_or_else(|e| e.into_inner());
        let after = fixes.partition_point(|f| f.time_us <= time_us);
        let before = after.checked_sub(1).and_then(|i| fixes.get(i));
        let near = |f: &&Fix| (f.time_us - time_us).abs() <= self.max_gap_us;
        before.filter(near).or(fixes.get(after).filter(near)).copied()
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
            Err(e) => e.to_string(),
            Ok(mut client) => loop {
                if stopped() {
                    return;
                }
                match client.next_fix() {
                    Ok(fix) => {
                        link.set(LinkState::Up);
                        backoff.reset();
                        keep(shared, fix);
                    }
                    // Connected, but the receiver has no fix (indoors): say so, keep reading.
                    Err(e @ GpsdError::Timeout { .. }) => {
                        link.set(LinkState::Down(e.to_string()));
                    }
                    Err(e) => break e.to_string(),
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

/// Adds `fix` in time order, forgetting the oldest beyond [`KEEP_FIXES`].
fn keep(shared: &Shared, fix: Fix) {
    let mut fixes = shared.fixes.lock().unwrap_or_else(|e| e.into_inner());
    if fixes.back().is_some_and(|last| last.time_us >= fix.time_us) {
        // gpsd repeats a fix per sentence of an epoch; a clock jump back restarts the list.
        if fixes.back().is_some_and(|last| last.time_us == fix.time_us) {
            fixes.pop_back();
        } else {
            fixes.clear();
        }
    }
    if fixes.len() == KEEP_FIXES {
        fixes.pop_front();
    }
    fixes.push_back(fix);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(t: i64) -> Fix {
        Fix {
            time_us: t,
            lat: 35.0,
            lon: t as f64,
            accuracy_m: None,
        }
    }

    #[test]
    fn latest_fix_within_the_gap() {
        // Nothing listens on port 9 of localhost here: the thread only retries.
        let mut p = LivePosition::with_backoff(
            "127.0.0.1:9",
            10,
            Backoff::new(Duration::from_secs(60), Duration::from_secs(60)),
        )
        .unwrap();
        for t in [100, 110, 110, 120] {
            keep(&p.shared, fix(t));
        }
        assert_eq!(p.shared.fixes.lock().unwrap().len(), 3);
        assert_eq!(p.position_at(115).map(|f| f.time_us), Some(110));
        assert_eq!(p.position_at(125).map(|f| f.time_us), Some(120));
        assert_eq!(p.position_at(95).map(|f| f.time_us), Some(100));
        assert_eq!(p.position_at(131), None);
        assert_eq!(p.position_at(89), None);
        keep(&p.shared, fix(50));
        assert_eq!(
            p.position_at(125),
            None,
            "a clock jump back forgets the later fixes"
        );
        assert!(matches!(
            p.link().get(),
            LinkState::Down(_) | LinkState::Reconnecting
        ));
    }
}
