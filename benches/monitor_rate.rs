//! CPU use of a live scan through the HCI monitor at the radio's ceiling: 2,700 advertising
//! reports a second for 20 s, each a datagram framed as the kernel's monitor channel frames it
//! (header, HCI event), sent in real time through a socketpair (SOCK_SEQPACKET: one message
//! per frame, queued by bytes as the kernel's socket queues them) into the same reader
//! (recvmsg with SO_TIMESTAMP), feed and live session `tagwatch scan --source monitor` runs. Prints the
//! CPU time of tagwatch's threads (all but the sender, which stands in for the kernel) over the
//! wall time, as a share of one core. Target: under 1 %. Linux only.

use std::io::Cursor;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

use tagwatch::analyze::AnalyzeOptions;
use tagwatch::capture::MonitorWriter;
use tagwatch::capture::monitor::{MonitorStream, to_monitor};
use tagwatch::live::{Feed, Session};
use tagwatch::scan::{AdapterFeed, Monitor};
use tagwatch::synth::scenario::{crowd, write_btsnoop};

const SECONDS: i64 = 20;

/// CPU time used so far, microseconds: of the whole process, or of the calling thread.
fn cpu_us(who: libc::c_int) -> i64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(who, &mut u) }, 0);
    // 32 bits each on 32-bit ARM (Raspberry Pi OS), 64 here.
    #[allow(clippy::useless_conversion)]
    let us = |t: libc::timeval| i64::from(t.tv_sec) * 1_000_000 + i64::from(t.tv_usec);
    us(u.ru_utime) + us(u.ru_stime)
}

/// The demo's trackers among 540 phones (5 advertisements a second each), as the kernel's
/// monitor frames: (offset from the first, datagram).
fn datagrams() -> Vec<(Duration, Vec<u8>)> {
    let (start, end, emitters) = crowd(1_768_464_000_000_000, 1, 540);
    let mut h4 = Vec::new();
    write_btsnoop(&mut h4, start, end, &emitters).expect("writing to memory");
    let mut monitor = MonitorWriter::new(Vec::new()).expect("memory");
    to_monitor(Box::new(Cursor::new(h4)), Path::new("crowd"), 0, &mut monitor).expect("valid");
    let bytes = monitor.into_inner().expect("memory");
    let mut frames = MonitorStream::new(Box::new(Cursor::new(bytes)), Path::new("crowd")).expect("valid");
    let mut out = Vec::new();
    while let Some(f) = frames.next_frame().expect("valid") {
        if f.time_us >= start + SECONDS * 1_000_000 {
            break;
        }
        let mut d = Vec::with_capacity(6 + f.payload.len());
        for v in [f.opcode, f.index, f.payload.len() as u16] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(f.payload);
        out.push((Duration::from_micros((f.time_us - start).max(0) as u64), d));
    }
    out
}

/// Two connected SOCK_SEQPACKET Unix sockets.
fn seqpacket_pair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: socketpair fills the two descriptors, owned at once.
    let r = unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0, fds.as_mut_ptr()) };
    assert_eq!(r, 0, "socketpair");
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run this too: only measure
    // when asked to bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // SAFETY: no other thread runs yet. The feed's BlueZ side must not reach this machine's
    // BlueZ: it fails and retries (backing off), as a scan with bluetoothd stopped does.
    unsafe { std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent") };
    let frames = datagrams();
    let reports = frames.len();
    let (kernel, ours) = seqpacket_pair();
    let monitor = Monitor::datagrams(ours).expect("reader");
    let mut feed = AdapterFeed::start(Some("hci0".into()), None, None, Some(monitor)).expect("feed");
    let options = AnalyzeOptions::default();
    let mut session = Session::new(&options, None, "monitor-rate");

    let (wall, cpu) = (Instant::now(), cpu_us(libc::RUSAGE_SELF));
    let sender = std::thread::spawn(move || {
        let start = Instant::now();
        for (due, d) in &frames {
            if let Some(wait) = due.checked_sub(start.elapsed()) {
                std::thread::sleep(wait);
            }
            // SAFETY: sending `d`, alive, of its length, on our own socket.
            let sent = unsafe { libc::send(kernel.as_raw_fd(), d.as_ptr().cast(), d.len(), 0) };
            assert_eq!(sent, d.len() as isize, "send");
        }
        cpu_us(libc::RUSAGE_THREAD)
    });
    // As `scan --headless` runs a feed.
    while !sender.is_finished() {
        feed.pump(&mut session, Duration::from_millis(100));
        std::thread::sleep(feed.next_due().min(Duration::from_millis(100)));
    }
    // The last batch: the reader takes it within 20 ms.
    std::thread::sleep(Duration::from_millis(100));
    feed.pump(&mut session, Duration::from_millis(100));
    let sender_cpu = sender.join().expect("sender");
    let (wall, cpu) = (wall.elapsed(), cpu_us(libc::RUSAGE_SELF) - cpu - sender_cpu);
    let heard = session.snapshot().advertisements;
    let share = cpu as f64 / wall.as_micros() as f64 * 100.0;
    println!(
        "monitor rate: {reports} frames in {:.1} s ({:.0}/s), {heard} advertisements heard, {} dropped: CPU {share:.2} % of one core",
        wall.as_secs_f64(),
        reports as f64 / wall.as_secs_f64(),
        feed.dropped()
    );
}
