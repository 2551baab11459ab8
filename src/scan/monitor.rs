//! Live advertisements from the HCI monitor channel: the exact bytes the controller reported,
//! every report, with the controller's RSSI and the kernel's time, instead of what BlueZ
//! rebuilds from its parsed properties over D-Bus.
//!
//! A [`Monitor`] reads frames on its own thread (from the kernel, or from any stream of
//! btsnoop 2001 records); a [`MonitorDecoder`] keeps the chosen adapter's frames, turns its
//! advertising reports into advertisements and its index frames into [`RadioEvent`]s.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use crate::capture::ReadStats;
use crate::capture::hci::HciDecoder;
use crate::capture::monitor::{self, Frame, MonitorStream};
use crate::i18n::Lang;
use crate::model::{Advertisement, BdAddr};

/// Frames waiting for the session; beyond this they are dropped and counted.
const QUEUE: usize = 8192;

/// What the monitor says about the adapter kept, for the radio's coverage: when it could
/// listen and when it could not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RadioEvent {
    /// The kernel knows the adapter (NEW_INDEX, also sent for each adapter present when the
    /// monitor is opened): its name and address.
    Added { name: String, address: BdAddr },
    /// It was brought up (OPEN_INDEX): it can scan.
    Opened,
    /// It was brought down (CLOSE_INDEX): it hears nothing until opened again.
    Closed,
    /// It is gone (DEL_INDEX): unplugged, or its driver unloaded.
    Removed,
}

impl RadioEvent {
    /// What happened, for the headless log: "hci0 (00:1A:7D:DA:71:13) present", "closed".
    pub fn text(&self, lang: Lang) -> String {
        match self {
            RadioEvent::Added { name, address } => lang.fill(
                "radio-present",
                &[("name", name), ("address", &address.to_string())],
            ),
            RadioEvent::Opened => lang.t("radio-opened").to_string(),
            RadioEvent::Closed => lang.t("radio-closed").to_string(),
            RadioEvent::Removed => lang.t("radio-removed").to_string(),
        }
    }
}

/// What one frame was, for the adapter kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Another adapter's frame, data, or not understood: not kept.
    Other,
    /// A frame of the adapter kept (its advertisements went to the sink).
    Kept,
    /// A frame of the adapter kept that changed its state.
    Radio(RadioEvent),
}

/// Keeps the frames of one adapter and decodes them.
pub struct MonitorDecoder {
    /// The adapter's name (hci0 ...); None: the first one the monitor names.
    want: Option<String>,
    /// Names from NEW_INDEX, by index, while the adapter exists.
    names: HashMap<u16, String>,
    /// The adapters open now, kept or not: BlueZ may name its adapter after the monitor said
    /// it was opened.
    opened: HashSet<u16>,
    hci: HciDecoder,
    /// The HCI decoder's counts (a live session counts what it hears itself).
    stats: ReadStats,
}

impl MonitorDecoder {
    /// Keeps the adapter named `adapter`, or the first one the monitor announces.
    pub fn new(adapter: Option<&str>) -> Self {
        MonitorDecoder {
            want: adapter.map(str::to_string),
            names: HashMap::new(),
            opened: HashSet::new(),
            hci: HciDecoder::default(),
            stats: ReadStats::default(),
        }
    }

    /// From now on keeps the adapter named `name` (the one BlueZ scans with, when none was
    /// named).
    pub fn keep(&mut self, name: &str) {
        self.want = Some(name.to_string());
    }

    /// The name of the adapter kept, once known.
    pub fn adapter(&self) -> Option<&str> {
        self.want.as_deref()
    }

    /// Whether the adapter kept is up, as far as the monitor said.
    pub fn open(&self) -> bool {
        let Some(want) = self.want.as_deref() else {
            return false;
        };
        let named = self.names.iter().find(|(_, n)| *n == want).map(|(i, _)| *i);
        named
            .or_else(|| want.strip_prefix("hci")?.parse().ok())
            .is_some_and(|i| self.opened.contains(&i))
    }

    /// Whether `index` is the adapter kept: by the name the kernel gave it, else (a stream
    /// that began after the adapter was announced) by the kernel's naming, hciN for index N.
    fn is_kept(&mut self, index: u16) -> bool {
        let name = self.names.get(&index).cloned();
        let name = name.unwrap_or_else(|| format!("hci{index}"));
        *self.want.get_or_insert(name.clone()) == name
    }

    /// Takes one frame: passes the kept adapter's advertisements to `sink` and says what it was.
    pub fn frame(&mut self, frame: &Frame<'_>, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Seen {
        let new = (frame.opcode == monitor::NEW_INDEX)
            .then(|| monitor::new_index(frame.payload))
            .flatten();
        match frame.opcode {
            monitor::OPEN_INDEX => {
                self.opened.insert(frame.index);
            }
            monitor::CLOSE_INDEX | monitor::DEL_INDEX => {
                self.opened.remove(&frame.index);
            }
            _ => {}
        }
        if let Some(new) = &new {
            self.names.insert(frame.index, new.name.clone());
        }
        let kept = frame.kept() && self.is_kept(frame.index);
        if frame.opcode == monitor::DEL_INDEX {
            self.names.remove(&frame.index);
        }
        if !kept {
            return Seen::Other;
        }
        let event = match (frame.opcode, new) {
            (monitor::NEW_INDEX, Some(new)) => {
                return Seen::Radio(RadioEvent::Added {
                    name: new.name,
                    address: new.address,
                });
            }
            (monitor::EVENT, _) => {
                self.hci
                    .event(frame.payload, frame.time_us, &mut self.stats, sink);
                return Seen::Kept;
            }
            (monitor::OPEN_INDEX, _) => RadioEvent::Opened,
            (monitor::CLOSE_INDEX, _) => RadioEvent::Closed,
            (monitor::DEL_INDEX, _) => RadioEvent::Removed,
            _ => return Seen::Kept,
        };
        // A fragment waiting for its continuation will not get it from a closed adapter.
        self.hci.flush(&mut self.stats, sink);
        Seen::Radio(event)
    }

    /// Passes on a fragment still waiting for its continuation (the stream ended).
    pub fn flush(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) {
        self.hci.flush(&mut self.stats, sink);
    }
}

/// A frame the reader thread handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedFrame {
    pub time_us: i64,
    pub opcode: u16,
    pub index: u16,
    pub payload: Vec<u8>,
}

impl OwnedFrame {
    pub fn as_frame(&self) -> Frame<'_> {
        Frame {
            time_us: self.time_us,
            opcode: self.opcode,
            index: self.index,
            payload: &self.payload,
        }
    }
}

/// What the reader thread reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MonitorItem {
    Frame(OwnedFrame),
    /// The stream ended (a kernel channel never does).
    Ended,
    /// Reading failed, and why: nothing more will come.
    Failed(String),
}

/// Where a [`Monitor`] reads from.
trait FrameSource {
    /// The next frame, passed to `f`; `Ok(false)` at the end, `Ok(true)` also when nothing
    /// came for a while (so the thread can look whether it should stop).
    fn next(&mut self, f: &mut dyn FnMut(&Frame<'_>)) -> Result<bool, String>;
}

/// Frames read on a thread of their own. Dropping it stops the thread (the kernel's within
/// a fifth of a second; a stream's at its next frame).
pub struct Monitor {
    items: Receiver<MonitorItem>,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    /// "HCI monitor", or the stream's name.
    name: String,
    /// Whether its frames are stamped as they arrive (the kernel's), so that the session's
    /// clock is this computer's; a stream of recorded frames keeps its own time.
    stamped_now: bool,
}

impl Monitor {
    /// The kernel's monitor channel. Fails with `PermissionDenied` without CAP_NET_RAW, and
    /// with `Unsupported` where there is no such channel (not Linux).
    pub fn kernel() -> std::io::Result<Monitor> {
        #[cfg(target_os = "linux")]
        {
            Monitor::socket(super::hcisock::MonitorSocket::open()?)
        }
        #[cfg(not(target_os = "linux"))]
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "the HCI monitor channel is Linux's",
        ))
    }

    /// Frames from another datagram socket framed as the kernel's (a header before each),
    /// stamped at reception: what [`Monitor::kernel`] reads, from a socketpair (the benchmark
    /// of the monitor path).
    #[cfg(target_os = "linux")]
    pub fn datagrams(fd: std::os::fd::OwnedFd) -> std::io::Result<Monitor> {
        Monitor::socket(super::hcisock::MonitorSocket::from_fd(fd)?)
    }

    #[cfg(target_os = "linux")]
    fn socket(socket: super::hcisock::MonitorSocket) -> std::io::Result<Monitor> {
        let open = move || Ok(Box::new(socket) as Box<dyn FrameSource>);
        // The kernel does not wait: frames the session has no room for are counted.
        Monitor::start(open, "HCI monitor".into(), Full::Drop)
    }

    /// Frames as btsnoop 2001 records from `reader` (a file `btmon -w` wrote, a pipe, a
    /// socket), named `name` in errors (which end the frames as [`MonitorItem::Failed`]).
    pub fn stream(reader: Box<dyn Read + Send>, name: &Path) -> std::io::Result<Monitor> {
        let path = name.to_path_buf();
        let open = move || match MonitorStream::new(reader, &path) {
            Ok(s) => Ok(Box::new(Stream(s)) as Box<dyn FrameSource>),
            Err(e) => Err(e.to_string()),
        };
        // A stream waits for the session: every frame of it is read.
        Monitor::start(open, name.display().to_string(), Full::Wait)
    }

    /// Reads on a thread of its own from what `open` gives there.
    fn start(
        open: impl FnOnce() -> Result<Box<dyn FrameSource>, String> + Send + 'static,
        name: String,
        full: Full,
    ) -> std::io::Result<Monitor> {
        let (tx, items) = sync_channel(QUEUE);
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let (stopping, dropping) = (stop.clone(), dropped.clone());
        std::thread::Builder::new()
            .name("tagwatch-monitor".into())
            .spawn(move || match open() {
                Ok(mut source) => read(source.as_mut(), &tx, full, &stopping, &dropping),
                Err(why) => drop(tx.send(MonitorItem::Failed(why))),
            })?;
        Ok(Monitor {
            items,
            stop,
            dropped,
            name,
            stamped_now: full == Full::Drop,
        })
    }

    /// Frames and the end, in the order read.
    pub fn items(&self) -> &Receiver<MonitorItem> {
        &self.items
    }

    /// Frames dropped because the session did not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether its frames are stamped with this computer's clock as they arrive.
    pub fn stamped_now(&self) -> bool {
        self.stamped_now
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What the reader does when the session has not taken the frames before.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Full {
    /// Drops the frame and counts it.
    Drop,
    /// Waits for room.
    Wait,
}

/// The reader thread: kept frames go to `tx` (data packets are left out here already, a busy
/// adapter's audio would fill the queue).
fn read(
    source: &mut dyn FrameSource,
    tx: &SyncSender<MonitorItem>,
    full: Full,
    stop: &AtomicBool,
    dropped: &AtomicU64,
) {
    while !stop.load(Ordering::Relaxed) {
        let mut gone = false;
        let read = source.next(&mut |f| {
            if !f.kept() {
                return;
            }
            let item = MonitorItem::Frame(OwnedFrame {
                time_us: f.time_us,
                opcode: f.opcode,
                index: f.index,
                payload: f.payload.to_vec(),
            });
            let sent = match full {
                Full::Wait => tx.send(item).is_ok(),
                Full::Drop => match tx.try_send(item) {
                    Err(TrySendError::Full(_)) => {
                        dropped.fetch_add(1, Ordering::Relaxed);
                        true
                    }
                    sent => sent.is_ok(),
                },
            };
            gone |= !sent;
        });
        let last = match read {
            _ if gone => return,
            Ok(true) => continue,
            Ok(false) => MonitorItem::Ended,
            Err(why) => MonitorItem::Failed(why),
        };
        // The end is not dropped: it waits for room, after every frame before it.
        let _ = tx.send(last);
        return;
    }
}

struct Stream(MonitorStream);

impl FrameSource for Stream {
    fn next(&mut self, f: &mut dyn FnMut(&Frame<'_>)) -> Result<bool, String> {
        match self.0.next_frame() {
            Ok(Some(frame)) => {
                f(&frame);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// How often the kernel's frames are taken: they wait in the socket meanwhile, each with the
/// time the kernel stamped it. Waking for each of 2,700 a second would cost more than all the
/// rest of a scan; the session looks at them every 20 ms anyway.
#[cfg(target_os = "linux")]
const BATCH: std::time::Duration = std::time::Duration::from_millis(20);

#[cfg(target_os = "linux")]
impl FrameSource for super::hcisock::MonitorSocket {
    /// Takes every frame there, then waits [`BATCH`].
    fn next(&mut self, f: &mut dyn FnMut(&Frame<'_>)) -> Result<bool, String> {
        loop {
            match self.recv() {
                Ok(Some(frame)) => f(&frame),
                Ok(None) => break,
                // One bad datagram is no reason to stop listening.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        std::thread::sleep(BATCH);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::MonitorWriter;
    use crate::capture::monitor::{
        CLOSE_INDEX, COMMAND, DEL_INDEX, EVENT, NEW_INDEX, OPEN_INDEX, new_index_payload,
    };
    use std::time::Duration;

    /// An LE Advertising Report event with one report from address ..:0A, data `data`.
    fn report(data: &[u8]) -> Vec<u8> {
        let mut p = vec![0x02, 1, 3, 1, 0x0a, 0, 0, 0, 0, 0, data.len() as u8];
        p.extend_from_slice(data);
        p.push(0xc4);
        let mut e = vec![0x3e, p.len() as u8];
        e.extend(p);
        e
    }

    fn frame(time_us: i64, opcode: u16, index: u16, payload: &[u8]) -> OwnedFrame {
        OwnedFrame {
            time_us,
            opcode,
            index,
            payload: payload.to_vec(),
        }
    }

    /// What the decoder made of `frames`: each frame's [`Seen`], and the data heard.
    fn decode(adapter: Option<&str>, frames: &[OwnedFrame]) -> (Vec<Seen>, Vec<(i64, Vec<u8>)>) {
        let mut d = MonitorDecoder::new(adapter);
        let mut heard = Vec::new();
        let seen = frames
            .iter()
            .map(|f| d.frame(&f.as_frame(), &mut |a| heard.push((a.time_us, a.data.to_vec()))))
            .collect();
        (seen, heard)
    }

    fn two_adapters() -> Vec<OwnedFrame> {
        let a = BdAddr([0, 0x1a, 0x7d, 0xda, 0x71, 0x13]);
        vec![
            frame(1, NEW_INDEX, 0, &new_index_payload(a, "hci0")),
            frame(1, NEW_INDEX, 1, &new_index_payload(a, "hci1")),
            frame(2, OPEN_INDEX, 1, &[]),
            frame(3, EVENT, 0, &report(&[2, 1, 6])),
            frame(4, EVENT, 1, &report(&[3, 0xff, 0x75, 0])),
            frame(5, COMMAND, 1, &[0x0c, 0x20, 0]),
            frame(6, CLOSE_INDEX, 1, &[]),
            frame(7, DEL_INDEX, 1, &[]),
        ]
    }

    #[test]
    fn only_the_named_adapter_is_kept_and_its_index_frames_are_radio_events() {
        let (seen, heard) = decode(Some("hci1"), &two_adapters());
        let added = RadioEvent::Added {
            name: "hci1".into(),
            address: BdAddr([0, 0x1a, 0x7d, 0xda, 0x71, 0x13]),
        };
        assert_eq!(
            seen,
            [
                Seen::Other,
                Seen::Radio(added),
                Seen::Radio(RadioEvent::Opened),
                Seen::Other,
                Seen::Kept,
                Seen::Kept,
                Seen::Radio(RadioEvent::Closed),
                Seen::Radio(RadioEvent::Removed),
            ]
        );
        assert_eq!(heard, [(4, vec![3, 0xff, 0x75, 0])]);
    }

    #[test]
    fn without_a_name_the_first_adapter_announced_is_kept_until_bluez_names_another() {
        let (seen, heard) = decode(None, &two_adapters());
        assert!(matches!(&seen[0], Seen::Radio(RadioEvent::Added { name, .. }) if name == "hci0"));
        assert_eq!(seen[1], Seen::Other);
        assert_eq!(heard, [(3, vec![2, 1, 6])]);

        let mut d = MonitorDecoder::new(None);
        let frames = two_adapters();
        let mut heard = Vec::new();
        for f in &frames[..3] {
            d.frame(&f.as_frame(), &mut |a| heard.push(a.time_us));
        }
        assert!(!d.open(), "hci0 was never opened");
        d.keep("hci1");
        assert!(d.open(), "hci1 was opened before BlueZ named it");
        for f in &frames[3..] {
            d.frame(&f.as_frame(), &mut |a| heard.push(a.time_us));
        }
        assert_eq!(heard, [4]);
        assert_eq!(d.adapter(), Some("hci1"));
    }

    #[test]
    fn a_stream_begun_after_the_announcement_keeps_hci_n_by_its_index() {
        let frames = [
            frame(3, EVENT, 2, &report(&[1])),
            frame(4, EVENT, 0, &report(&[2])),
        ];
        let (_, heard) = decode(Some("hci2"), &frames);
        assert_eq!(heard, [(3, vec![1])]);
    }

    #[test]
    fn a_fragment_waiting_when_the_adapter_closes_is_passed_on() {
        // An extended report, data status "more to come", then the adapter closes.
        let mut p = vec![
            0x0d, 1, 0x20, 0x00, 1, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0xff, 0x7f, 0xc5,
        ];
        p.extend_from_slice(&[0; 9]);
        p.extend_from_slice(&[2, 0xaa, 0xbb]);
        let mut e = vec![0x3e, p.len() as u8];
        e.extend(p);
        let frames = [frame(3, EVENT, 0, &e), frame(4, CLOSE_INDEX, 0, &[])];
        let (seen, heard) = decode(Some("hci0"), &frames);
        assert_eq!(seen[1], Seen::Radio(RadioEvent::Closed));
        assert_eq!(heard, [(3, vec![0xaa, 0xbb])]);
    }

    #[cfg(unix)]
    #[test]
    fn a_stream_through_a_socketpair_gives_every_frame_then_its_end() {
        let (mut tx, rx) = std::os::unix::net::UnixStream::pair().unwrap();
        let monitor = Monitor::stream(Box::new(rx), Path::new("socketpair")).unwrap();
        // More frames than the queue holds: a stream waits for the session, losing none.
        let writer = std::thread::spawn(move || {
            let mut w = MonitorWriter::new(&mut tx).unwrap();
            for i in 0..(QUEUE as i64 + 100) {
                w.write(&frame(i, EVENT, 0, &report(&[1])).as_frame()).unwrap();
                // Data packets are no evidence: left out by the reader.
                w.write(&frame(i, crate::capture::monitor::ACL_RX, 0, &[0; 8]).as_frame())
                    .unwrap();
            }
        });
        std::thread::sleep(Duration::from_millis(200));
        let mut times = Vec::new();
        loop {
            match monitor.items().recv_timeout(Duration::from_secs(10)).unwrap() {
                MonitorItem::Frame(f) => times.push(f.time_us),
                MonitorItem::Ended => break,
                MonitorItem::Failed(why) => panic!("{why}"),
            }
        }
        writer.join().unwrap();
        assert_eq!(times, (0..(QUEUE as i64 + 100)).collect::<Vec<_>>());
        assert_eq!(monitor.dropped(), 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kernel_framed_datagrams_are_read_in_batches_with_their_times() {
        let (tx, rx) = std::os::unix::net::UnixDatagram::pair().unwrap();
        let monitor = Monitor::datagrams(rx.into()).unwrap();
        let before = chrono::Utc::now().timestamp_micros();
        for f in [frame(0, OPEN_INDEX, 0, &[]), frame(0, EVENT, 0, &report(&[1]))] {
            let mut d = Vec::new();
            for v in [f.opcode, f.index, f.payload.len() as u16] {
                d.extend_from_slice(&v.to_le_bytes());
            }
            d.extend_from_slice(&f.payload);
            tx.send(&d).unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..2 {
            match monitor.items().recv_timeout(Duration::from_secs(10)).unwrap() {
                MonitorItem::Frame(f) => got.push(f),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((got[0].opcode, got[1].opcode), (OPEN_INDEX, EVENT));
        assert_eq!(got[1].payload, report(&[1]));
        assert!(got.iter().all(|f| f.time_us >= before), "stamped on arrival");
        assert!(monitor.stamped_now());
    }

    #[cfg(unix)]
    #[test]
    fn a_stream_that_is_no_monitor_capture_fails_naming_it() {
        let (mut tx, rx) = std::os::unix::net::UnixStream::pair().unwrap();
        let monitor = Monitor::stream(Box::new(rx), Path::new("sock")).unwrap();
        std::io::Write::write_all(&mut tx, b"btsnoop\0\0\0\0\x01\0\0\x03\xea").unwrap();
        drop(tx);
        let item = monitor.items().recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(
            item,
            MonitorItem::Failed(
                "sock: btsnoop capture: datalink 1002, not 2001 (monitor frames) at byte offset 12".into()
            )
        );
    }
}
