//! Frames of the Linux HCI monitor channel: what `btmon` reads from the kernel and writes as
//! btsnoop datalink 2001. Each is one HCI packet (or an adapter's coming and going) with the
//! adapter's index and the time the kernel stamped it (kernel `include/net/bluetooth/hci_mon.h`,
//! BlueZ `doc/btsnoop.rst`).

use crate::i18n::Message;
use std::io::{Read, Write};
use std::path::Path;

use crate::model::BdAddr;

use super::btsnoop::{self, DATALINK_H1, DATALINK_H4, DATALINK_MONITOR};
use super::input::Input;
use super::{CaptureError, Format};

/// The kernel knows a new adapter: its type, bus, address and name follow.
pub const NEW_INDEX: u16 = 0;
/// The adapter is gone (unplugged, driver unloaded).
pub const DEL_INDEX: u16 = 1;
pub const COMMAND: u16 = 2;
pub const EVENT: u16 = 3;
pub const ACL_TX: u16 = 4;
pub const ACL_RX: u16 = 5;
pub const SCO_TX: u16 = 6;
pub const SCO_RX: u16 = 7;
/// The adapter was brought up: it can scan from now on.
pub const OPEN_INDEX: u16 = 8;
/// The adapter was brought down: it hears nothing until opened again.
pub const CLOSE_INDEX: u16 = 9;
/// The adapter's address and manufacturer, once known.
pub const INDEX_INFO: u16 = 10;

/// The header the kernel puts before each frame on the monitor socket: opcode, index and
/// payload length, each 16 bits little-endian.
pub const HEADER_LEN: usize = 6;

/// One monitor frame, borrowed from the reader's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// When the kernel stamped it, microseconds since the Unix epoch.
    pub time_us: i64,
    pub opcode: u16,
    /// The adapter (0 for hci0 ...).
    pub index: u16,
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// Whether it belongs in the evidence: the adapter's coming and going, commands and events
    /// (advertisements are events). Data packets (audio, files sent to the person's own
    /// devices) are their own business and no trace of a tracker.
    pub fn kept(&self) -> bool {
        kept(self.opcode)
    }
}

/// Whether frames of `opcode` belong in the evidence (see [`Frame::kept`]).
pub fn kept(opcode: u16) -> bool {
    matches!(
        opcode,
        NEW_INDEX | DEL_INDEX | COMMAND | EVENT | OPEN_INDEX | CLOSE_INDEX | INDEX_INFO
    )
}

/// The kernel's header before a frame: (opcode, index, payload length).
pub fn parse_header(b: &[u8]) -> Option<(u16, u16, usize)> {
    let b: &[u8; HEADER_LEN] = b.get(..HEADER_LEN)?.try_into().ok()?;
    let le = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    Some((le(0), le(2), usize::from(le(4))))
}

/// What a NEW_INDEX frame says about the adapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIndex {
    pub address: BdAddr,
    /// The kernel's name for it, `hci0` ...
    pub name: String,
}

/// Reads a NEW_INDEX payload: type, bus, address (little-endian), name (8 bytes, NUL padded).
pub fn new_index(payload: &[u8]) -> Option<NewIndex> {
    let address: &[u8; 6] = payload.get(2..8)?.try_into().ok()?;
    let name = payload.get(8..16)?;
    let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
    Some(NewIndex {
        address: BdAddr::from_le_bytes(address),
        name: String::from_utf8_lossy(name).into_owned(),
    })
}

/// A NEW_INDEX payload for a primary controller on USB named `name`.
pub fn new_index_payload(address: BdAddr, name: &str) -> Vec<u8> {
    let mut p = vec![0x00, 0x01];
    p.extend(address.0.iter().rev());
    let mut n = [0u8; 8];
    let len = name.len().min(8);
    n[..len].copy_from_slice(&name.as_bytes()[..len]);
    p.extend_from_slice(&n);
    p
}

/// Monitor frames from a btsnoop datalink 2001 stream (a file `btmon -w` wrote, or the same
/// bytes arriving over a pipe or socket), one at a time.
pub struct MonitorStream {
    input: Input,
}

impl MonitorStream {
    /// Reads the file header: a btsnoop file of datalink 2001, else an error naming `name`.
    pub fn new(reader: Box<dyn Read + Send>, name: &Path) -> Result<Self, CaptureError> {
        let mut input = Input::new(reader, name, Format::Btsnoop);
        let datalink = btsnoop::read_header(&mut input)?;
        if datalink != DATALINK_MONITOR {
            return Err(input.error(12, Message::new("capture-not-monitor").with("datalink", datalink)));
        }
        Ok(MonitorStream { input })
    }

    /// The next frame; None at the clean end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        Ok(btsnoop::read_record(&mut self.input)?.map(|r| Frame {
            time_us: r.time_us,
            opcode: (r.flags & 0xFFFF) as u16,
            index: (r.flags >> 16) as u16,
            payload: r.data,
        }))
    }
}

/// Rewrites a btsnoop capture of any datalink (H1, H4 or monitor) as monitor frames of adapter
/// `index` (monitor frames keep their own), into `out` as btsnoop 2001. The adapter is announced
/// (NEW_INDEX, OPEN_INDEX as hciN) at the first record's time, as the kernel does when `btmon`
/// starts: what a live scan through the monitor would have read. Returns the frames written.
pub fn to_monitor(
    reader: Box<dyn Read + Send>,
    name: &Path,
    index: u16,
    out: &mut super::MonitorWriter<impl Write>,
) -> Result<u64, CaptureError> {
    let mut input = Input::new(reader, name, Format::Btsnoop);
    let datalink = btsnoop::read_header(&mut input)?;
    let mut frames = 0u64;
    let mut announced = datalink == DATALINK_MONITOR;
    while let Some(r) = btsnoop::read_record(&mut input)? {
        let (opcode, index, payload) = match datalink {
            DATALINK_H1 => (h1_opcode(r.flags), index, r.data),
            DATALINK_H4 => match r.data.split_first() {
                Some((&kind, rest)) => match h4_opcode(kind, r.flags) {
                    Some(op) => (op, index, rest),
                    None => continue,
                },
                None => continue,
            },
            _ => ((r.flags & 0xFFFF) as u16, (r.flags >> 16) as u16, r.data),
        };
        let (time_us, mut written) = (r.time_us, Ok(()));
        let mut write = |opcode, payload: &[u8]| {
            frames += 1;
            if written.is_ok() {
                written = out.write(&Frame {
                    time_us,
                    opcode,
                    index,
                    payload,
                });
            }
        };
        if !announced {
            announced = true;
            write(
                NEW_INDEX,
                &new_index_payload(BdAddr::default(), &format!("hci{index}")),
            );
            write(OPEN_INDEX, &[]);
        }
        write(opcode, payload);
        if let Err(e) = written {
            let why = Message::io(&e);
            return Err(input.error(
                input.pos(),
                Message::new("capture-cannot-write").nested("why", why),
            ));
        }
    }
    Ok(frames)
}

/// btsnoop H1 flags: bit 0 received, bit 1 command or event (rather than data).
fn h1_opcode(flags: u32) -> u16 {
    match (flags & 0b10 != 0, flags & 0b01 != 0) {
        (true, true) => EVENT,
        (true, false) => COMMAND,
        (false, true) => ACL_RX,
        (false, false) => ACL_TX,
    }
}

/// The H4 packet type byte, with the record's direction (flags bit 0: received).
fn h4_opcode(kind: u8, flags: u32) -> Option<u16> {
    let received = flags & 1 != 0;
    Some(match kind {
        0x01 => COMMAND,
        0x02 if received => ACL_RX,
        0x02 => ACL_TX,
        0x03 if received => SCO_RX,
        0x03 => SCO_TX,
        0x04 => EVENT,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::MonitorWriter;

    #[test]
    fn header_and_new_index_read_back() {
        assert_eq!(parse_header(&[3, 0, 1, 0, 0x2a, 0x01]), Some((3, 1, 298)));
        assert_eq!(parse_header(&[3, 0, 1]), None);
        let addr = BdAddr([0x00, 0x1a, 0x7d, 0xda, 0x71, 0x13]);
        let p = new_index_payload(addr, "hci12");
        assert_eq!(p.len(), 16);
        assert_eq!(
            new_index(&p),
            Some(NewIndex {
                address: addr,
                name: "hci12".into()
            })
        );
        assert_eq!(new_index(&p[..15]), None, "a short payload is no NEW_INDEX");
    }

    #[test]
    fn h4_capture_becomes_monitor_frames_announcing_the_adapter() {
        // Two H4 records: a command sent, an event received.
        let mut h4 = Vec::new();
        h4.extend_from_slice(btsnoop::MAGIC);
        h4.extend_from_slice(&1u32.to_be_bytes());
        h4.extend_from_slice(&DATALINK_H4.to_be_bytes());
        for (flags, data, t) in [
            (2u32, &[1u8, 0x0c, 0x20, 0][..], 5i64),
            (3, &[4, 0x0e, 1, 1][..], 6),
        ] {
            let n = (data.len() as u32).to_be_bytes();
            h4.extend_from_slice(&n);
            h4.extend_from_slice(&n);
            h4.extend_from_slice(&flags.to_be_bytes());
            h4.extend_from_slice(&[0; 4]);
            h4.extend_from_slice(&(t + btsnoop::EPOCH_OFFSET_US).to_be_bytes());
            h4.extend_from_slice(data);
        }
        let mut out = MonitorWriter::new(Vec::new()).unwrap();
        let n = to_monitor(Box::new(std::io::Cursor::new(h4)), Path::new("h4"), 1, &mut out).unwrap();
        assert_eq!(n, 4);
        let bytes = out.into_inner().unwrap();
        let mut s = MonitorStream::new(Box::new(std::io::Cursor::new(bytes)), Path::new("mon")).unwrap();
        let mut got = Vec::new();
        while let Some(f) = s.next_frame().unwrap() {
            got.push((f.time_us, f.opcode, f.index, f.payload.to_vec()));
        }
        assert_eq!(got[0].1, NEW_INDEX);
        assert_eq!(new_index(&got[0].3).unwrap().name, "hci1");
        assert_eq!(got[1], (5, OPEN_INDEX, 1, vec![]));
        assert_eq!(got[2], (5, COMMAND, 1, vec![0x0c, 0x20, 0]));
        assert_eq!(got[3], (6, EVENT, 1, vec![0x0e, 1, 1]));
    }

    #[test]
    fn a_stream_of_another_datalink_is_refused_naming_it() {
        let mut h4 = Vec::new();
        h4.extend_from_slice(btsnoop::MAGIC);
        h4.extend_from_slice(&1u32.to_be_bytes());
        h4.extend_from_slice(&DATALINK_H4.to_be_bytes());
        let e = MonitorStream::new(Box::new(std::io::Cursor::new(h4)), Path::new("sock"))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "sock: btsnoop capture: datalink 1002, not 2001 (monitor frames) at byte offset 12"
        );
        let e = MonitorStream::new(
            Box::new(std::io::Cursor::new(b"pcap".to_vec())),
            Path::new("sock"),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("truncated file header"), "{e}");
    }
}
