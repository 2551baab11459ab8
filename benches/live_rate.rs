//! CPU use of a live-rate scan: 2,700 advertisements a second (about the most one BLE
//! radio hears) pushed through the live session engine in real time for 20 s, as
//! `tagwatch scan` does. Prints the CPU time over the wall time, as a share of one core.
//! Target: under 2 %. Linux only (reads /proc/self/schedstat).

use std::io::Cursor;
use std::path::Path;
use std::time::{Duration, Instant};

use tagwatch::analyze::AnalyzeOptions;
use tagwatch::capture::from_reader;
use tagwatch::live::Session;
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};
use tagwatch::synth::scenario::{crowd, write_btsnoop};

const SECONDS: i64 = 20;
/// How often the engine wakes to take the advertisements that arrived.
const TICK: Duration = Duration::from_millis(20);

/// Nanoseconds this process has run on a CPU.
fn cpu_ns() -> u64 {
    let text = std::fs::read_to_string("/proc/self/schedstat").expect("Linux /proc/self/schedstat");
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}

type Owned = (i64, BdAddr, AddrType, Option<i8>, PduKind, Vec<u8>);

/// The demo's trackers among 540 phones (5 advertisements a second each): ~2,700 a second.
fn advertisements() -> Vec<Owned> {
    let (start, end, emitters) = crowd(1_768_464_000_000_000, 1, 540);
    let mut bytes = Vec::new();
    write_btsnoop(&mut bytes, start, end, &emitters).expect("writing to memory");
    let mut cap = from_reader(Box::new(Cursor::new(bytes)), Path::new("live-rate")).expect("valid");
    let mut out = Vec::new();
    while cap
        .source
        .next_record(&mut |a| out.push((a.time_us, a.address, a.addr_type, a.rssi, a.pdu, a.data.to_vec())))
        .expect("valid")
    {}
    out.retain(|a| a.0 < start + SECONDS * 1_000_000);
    out
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run this too: only measure
    // when asked to bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let ads = advertisements();
    let first = ads[0].0;
    let options = AnalyzeOptions::default();
    let mut session = Session::new(&options, None, "live-rate");
    let (wall, cpu) = (Instant::now(), cpu_ns());
    for (time_us, address, addr_type, rssi, pdu, data) in &ads {
        // Wake every TICK and take what arrived meanwhile, as a scanner draining its event
        // queue does; a wake-up per advertisement would measure the scheduler, not tagwatch.
        let due = Duration::from_micros((time_us - first) as u64);
        if let Some(wait) = due.checked_sub(wall.elapsed()) {
            std::thread::sleep(wait.max(TICK));
        }
        let adv = Advertisement {
            time_us: *time_us,
            address: *address,
            addr_type: *addr_type,
            rssi: *rssi,
            pdu: *pdu,
            data,
        };
        session.push(&adv);
    }
    let (wall, cpu) = (wall.elapsed(), cpu_ns() - cpu);
    let rate = ads.len() as f64 / wall.as_secs_f64();
    let share = cpu as f64 / wall.as_nanos() as f64 * 100.0;
    println!(
        "live rate: {} advertisements in {:.1} s ({rate:.0}/s): CPU {share:.2} % of one core",
        ads.len(),
        wall.as_secs_f64()
    );
}
