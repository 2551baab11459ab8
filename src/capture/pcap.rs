//! Classic pcap: a 24-byte file header (either byte order, microsecond or nanosecond
//! timestamps), then records of a 16-byte header and the frame.

use crate::model::Advertisement;

use super::input::Input;
use super::link::{self, FrameDecoder, LinkType};
use super::{AdvertisementSource, CaptureError, ReadStats};

/// The four magic numbers as they appear in the file: µs/ns, little/big-endian.
pub(crate) const MAGICS: [[u8; 4]; 4] = [
    [0xD4, 0xC3, 0xB2, 0xA1],
    [0xA1, 0xB2, 0xC3, 0xD4],
    [0x4D, 0x3C, 0xB2, 0xA1],
    [0xA1, 0xB2, 0x3C, 0x4D],
];

pub(crate) struct PcapReader {
    input: Input,
    big_endian: bool,
    nanoseconds: bool,
    link: LinkType,
    frames: FrameDecoder,
    stats: ReadStats,
    done: bool,
}

impl PcapReader {
    pub(crate) fn new(mut input: Input) -> Result<Self, CaptureError> {
        let header = input.read_exact(24, 0, "part-file-header")?;
        let magic = [header[0], header[1], header[2], header[3]];
        let big_endian = magic[0] == 0xA1;
        let nanoseconds = magic == MAGICS[2] || magic == MAGICS[3];
        let u32_at = |i: usize| read_u32(&header[i..i + 4], big_endian);
        // The upper 4 bits of the link-type field may carry FCS information.
        let number = u32_at(20) & 0x0FFF_FFFF;
        let link = LinkType::from_number(number).ok_or_else(|| input.error(20, link::unsupported(number)))?;
        Ok(PcapReader {
            input,
            big_endian,
            nanoseconds,
            link,
            frames: FrameDecoder::default(),
            stats: ReadStats::default(),
            done: false,
        })
    }
}

pub(crate) fn read_u32(b: &[u8], big_endian: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if big_endian {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

impl AdvertisementSource for PcapReader {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        if self.done {
            return Ok(false);
        }
        let start = self.input.pos();
        let Some(header) = self.input.read_or_eof(16, start, "part-record-header")? else {
            self.done = true;
            self.frames.finish(&mut self.stats, sink);
            return Ok(false);
        };
        let be = self.big_endian;
        let seconds = read_u32(&header[0..4], be) as i64;
        let fraction = read_u32(&header[4..8], be) as i64;
        let included = read_u32(&header[8..12], be) as usize;
        let fraction_us = if self.nanoseconds {
            fraction / 1000
        } else {
            fraction
        };
        let time_us = seconds * 1_000_000 + fraction_us;
        let frame = self.input.read_record(included, start, "part-record")?;
        self.stats.records += 1;
        self.frames
            .frame(self.link, frame, time_us, &mut self.stats, sink);
        Ok(true)
    }

    fn position(&self) -> u64 {
        self.input.pos()
    }

    fn stats(&self) -> ReadStats {
        self.stats
    }
}
