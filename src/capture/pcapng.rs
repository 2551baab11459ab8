//! pcapng: a sequence of blocks (type, total length, body, total length again). Section
//! Header Blocks set the byte order; Interface Description Blocks give each interface
//! its link type and timestamp resolution; packets come in Enhanced, Simple or
//! (obsolete) Packet Blocks. Other blocks are skipped.

use crate::i18n::Message;
use crate::model::Advertisement;

use super::input::{Input, MAX_RECORD_LEN};
use super::link::{FrameDecoder, LinkType, Unreadable};
use super::pcap::read_u32;
use super::{AdvertisementSource, CaptureError, ReadStats};

pub(crate) const SHB_TYPE: [u8; 4] = [0x0A, 0x0D, 0x0D, 0x0A];
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const IDB: u32 = 0x0000_0001;
const PB: u32 = 0x0000_0002;
const SPB: u32 = 0x0000_0003;
const EPB: u32 = 0x0000_0006;
const SHB: u32 = 0x0A0D_0D0A;

/// Option codes inside an IDB.
const OPT_END: u16 = 0;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

/// How many timestamp units make a second: 10^n, or 2^n when if_tsresol's high bit is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resolution {
    Pow10(u8),
    Pow2(u8),
}

impl Resolution {
    fn to_us(self, ts: u64) -> i64 {
        let ts = ts as u128;
        let us = match self {
            Resolution::Pow10(n) if n <= 6 => ts * 10u128.pow(6 - n as u32),
            Resolution::Pow10(n) => ts
                .checked_div(10u128.checked_pow(n as u32 - 6).unwrap_or(u128::MAX))
                .unwrap_or(0),
            Resolution::Pow2(n) => (ts * 1_000_000).checked_shr(n as u32).unwrap_or(0),
        };
        i64::try_from(us).unwrap_or(i64::MAX)
    }
}

struct Interface {
    /// The link type, or its number when tagwatch does not read it (its packets are
    /// counted as unreadable; other interfaces are still read).
    link: Result<LinkType, u32>,
    resolution: Resolution,
    /// if_tsoffset: seconds to add to every timestamp.
    offset_s: i64,
}

pub(crate) struct PcapngReader {
    input: Input,
    big_endian: bool,
    interfaces: Vec<Interface>,
    frames: FrameDecoder,
    stats: ReadStats,
    /// Simple Packet Blocks carry no timestamp; they get the previous packet's.
    last_time_us: i64,
    done: bool,
}

impl PcapngReader {
    pub(crate) fn new(input: Input) -> Self {
        PcapngReader {
            input,
            big_endian: false,
            interfaces: Vec::new(),
            frames: FrameDecoder::default(),
            stats: ReadStats::default(),
            last_time_us: 0,
            done: false,
        }
    }
}

fn u16_at(b: &[u8], i: usize, big_endian: bool) -> u16 {
    let a = [b[i], b[i + 1]];
    if big_endian {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    }
}

fn u32_at(b: &[u8], i: usize, big_endian: bool) -> u32 {
    read_u32(&b[i..i + 4], big_endian)
}

/// Parses an Interface Description Block body: LinkType (u16), reserved (u16),
/// SnapLen (u32), options.
/// The interface an IDB's body describes; None when it is too short to hold one.
fn interface(body: &[u8], be: bool) -> Option<Interface> {
    if body.len() < 8 {
        return None;
    }
    let number = u16_at(body, 0, be) as u32;
    let link = LinkType::from_number(number).ok_or(number);
    let mut iface = Interface {
        link,
        resolution: Resolution::Pow10(6),
        offset_s: 0,
    };
    let mut options = &body[8..];
    while options.len() >= 4 {
        let code = u16_at(options, 0, be);
        let len = u16_at(options, 2, be) as usize;
        let Some(value) = options.get(4..4 + len) else {
            break;
        };
        match (code, value) {
            (OPT_END, _) => break,
            (IF_TSRESOL, &[r]) => {
                iface.resolution = if r & 0x80 != 0 {
                    Resolution::Pow2(r & 0x7F)
                } else {
                    Resolution::Pow10(r)
                }
            }
            (IF_TSOFFSET, v) if v.len() == 8 => {
                let b: [u8; 8] = v.try_into().unwrap_or_default();
                iface.offset_s = if be {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                };
            }
            _ => {}
        }
        let padded = (4 + len).div_ceil(4) * 4;
        options = options.get(padded..).unwrap_or(&[]);
    }
    Some(iface)
}

impl AdvertisementSource for PcapngReader {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        if self.done {
            return Ok(false);
        }
        let start = self.input.pos();
        let Some(header) = self.input.read_or_eof(8, start, "part-block-header")? else {
            self.done = true;
            self.frames.finish(&mut self.stats, sink);
            return Ok(false);
        };
        // Copied: the section header reads on before the length is looked at.
        let mut block = [0u8; 8];
        block.copy_from_slice(header);
        let header = block;
        let mut consumed = 8usize;
        if header[..4] == SHB_TYPE {
            // The byte-order magic after the length tells how to read the length.
            let bom = self.input.read_exact(4, start, "part-section-header")?;
            consumed += 4;
            self.big_endian = match u32::from_be_bytes([bom[0], bom[1], bom[2], bom[3]]) {
                BYTE_ORDER_MAGIC => true,
                m if m.swap_bytes() == BYTE_ORDER_MAGIC => false,
                _ => {
                    return Err(self.input.error(start, Message::new("capture-pcapng-no-bom")));
                }
            };
            self.interfaces.clear();
        } else if start == 0 {
            return Err(self.input.error(0, Message::new("capture-pcapng-no-shb")));
        }
        let be = self.big_endian;
        let block_type = u32_at(&header, 0, be);
        let total = u32_at(&header, 4, be) as usize;
        let minimum = match block_type {
            SHB => 28,
            IDB => 20,
            EPB | PB => 32,
            SPB => 16,
            _ => 12,
        };
        if !total.is_multiple_of(4) || total < minimum || total > MAX_RECORD_LEN {
            return Err(self.input.error(
                start,
                Message::new("capture-pcapng-block-length")
                    .with("len", total)
                    .with("kind", format!("{block_type:#x}")),
            ));
        }
        // Body and trailing length.
        let rest = self.input.read_record(total - consumed, start, "part-block")?;
        let body = &rest[..rest.len() - 4];
        match block_type {
            IDB => {
                let Some(iface) = interface(body, be) else {
                    return Err(self.input.error(start, Message::new("capture-pcapng-idb-short")));
                };
                self.interfaces.push(iface);
            }
            EPB | PB => {
                self.stats.records += 1;
                // EPB: interface (u32), ts high, ts low, captured length, original length.
                // PB:  interface (u16), drops (u16), then the same.
                let iface_id = if block_type == EPB {
                    u32_at(body, 0, be) as usize
                } else {
                    u16_at(body, 0, be) as usize
                };
                let ts = (u32_at(body, 4, be) as u64) << 32 | u32_at(body, 8, be) as u64;
                let captured = u32_at(body, 12, be) as usize;
                let (Some(iface), Some(frame)) = (
                    self.interfaces.get(iface_id),
                    body.get(20..20usize.saturating_add(captured)),
                ) else {
                    self.stats.bad_records += 1;
                    return Ok(true);
                };
                let time_us = iface
                    .resolution
                    .to_us(ts)
                    .saturating_add(iface.offset_s.saturating_mul(1_000_000));
                self.last_time_us = time_us;
                match iface.link {
                    Ok(link) => self.frames.frame(link, frame, time_us, &mut self.stats, sink),
                    Err(n) => self.stats.not_understood(Unreadable::LinkType(n)),
                }
            }
            SPB => {
                self.stats.records += 1;
                // Original length (u32), then the packet, cut to the block.
                let original = u32_at(body, 0, be) as usize;
                let data = &body[4..];
                let frame = &data[..original.min(data.len())];
                match self.interfaces.first().map(|i| i.link) {
                    Some(Ok(link)) => {
                        self.frames
                            .frame(link, frame, self.last_time_us, &mut self.stats, sink)
                    }
                    Some(Err(n)) => self.stats.not_understood(Unreadable::LinkType(n)),
                    None => self.stats.bad_records += 1,
                }
            }
            _ => {}
        }
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.input.pos()
    }

    fn stats(&self) -> ReadStats {
        self.stats
    }
}
