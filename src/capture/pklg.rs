//! Apple PacketLogger (`.pklg`: PacketLogger on macOS, an iPhone's sysdiagnose with the
//! Bluetooth logging profile). No file header: records of a 4-byte length (of what follows
//! it), seconds and microseconds since 1970, a type byte and the packet. Files come in
//! either byte order; the first records tell which, as Wireshark recognises them.

use crate::i18n::Message;
use crate::model::Advertisement;

use super::hci::HciDecoder;
use super::input::Input;
use super::{AdvertisementSource, CaptureError, ReadStats};

/// Length, seconds, microseconds.
const HEADER_LEN: usize = 12;
pub(crate) const TYPE_HCI_EVENT: u8 = 0x01;
/// Every type PacketLogger writes: HCI command, event, ACL and SCO data each way, LMP each
/// way, and its own messages (syslog, kernel, kernel debug, error, power, note, config, new
/// controller). Only events carry advertising reports; the rest are passed over.
const KNOWN_TYPES: [u8; 16] = [
    0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0A, 0x0B, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE,
];
/// A record's length covers the timestamp (8 bytes) and a type byte, and stays below 64 KiB.
const LENGTHS: std::ops::Range<u32> = 9..65536;
/// Bytes looked at to recognise the format: a few records.
pub(crate) const SNIFF_LEN: usize = 256;

/// Whether `head` opens a PacketLogger file, and in which byte order (`Some(true)`: little
/// endian): every record wholly in `head` must look like one, and the first must be there.
pub(crate) fn detect(head: &[u8]) -> Option<bool> {
    [true, false].into_iter().find(|&le| {
        let mut at = 0;
        let mut records = 0;
        while let Some(h) = head.get(at..at + HEADER_LEN + 1) {
            let (len, _, usecs) = header(h, le);
            if !LENGTHS.contains(&len) || usecs >= 1_000_000 || !KNOWN_TYPES.contains(&h[HEADER_LEN]) {
                return false;
            }
            records += 1;
            at += 4 + len as usize;
        }
        records > 0
    })
}

fn header(h: &[u8], little_endian: bool) -> (u32, u32, u32) {
    let word = |i: usize| {
        let b = [h[i], h[i + 1], h[i + 2], h[i + 3]];
        if little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    (word(0), word(4), word(8))
}

pub(crate) struct PklgReader {
    input: Input,
    little_endian: bool,
    hci: HciDecoder,
    stats: ReadStats,
    done: bool,
}

impl PklgReader {
    pub(crate) fn new(input: Input, little_endian: bool) -> Self {
        PklgReader {
            input,
            little_endian,
            hci: HciDecoder::default(),
            stats: ReadStats::default(),
            done: false,
        }
    }
}

impl AdvertisementSource for PklgReader {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        if self.done {
            return Ok(false);
        }
        let start = self.input.pos();
        let Some(h) = self.input.read_or_eof(HEADER_LEN, start, "part-record-header")? else {
            self.done = true;
            self.hci.flush(&mut self.stats, sink);
            return Ok(false);
        };
        let (len, secs, usecs) = header(h, self.little_endian);
        if len < 8 {
            return Err(self
                .input
                .error(start, Message::new("capture-pklg-short").with("len", len)));
        }
        let data = self.input.read_record(len as usize - 8, start, "part-record")?;
        self.stats.records += 1;
        let time_us = i64::from(secs) * 1_000_000 + i64::from(usecs);
        match data.split_first() {
            Some((&TYPE_HCI_EVENT, event)) => self.hci.event(event, time_us, &mut self.stats, sink),
            Some((t, _)) if KNOWN_TYPES.contains(t) => {}
            // A type PacketLogger does not write, or no type at all: damaged.
            _ => self.stats.bad_records += 1,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognised_in_either_byte_order_and_nothing_else() {
        // A 13-byte HCI event record: length 13 (timestamp, type, 4 bytes), then a note.
        let be = [
            &13u32.to_be_bytes()[..],
            &[0, 0, 0, 1, 0, 0, 0, 2, 1, 0x0E, 2, 1, 0],
        ]
        .concat();
        let le = [
            &13u32.to_le_bytes()[..],
            &[1, 0, 0, 0, 2, 0, 0, 0, 1, 0x0E, 2, 1, 0],
        ]
        .concat();
        assert_eq!(detect(&be), Some(false));
        assert_eq!(detect(&le), Some(true));
        // Cut in the first header, an unknown type, microseconds of a second or more.
        assert_eq!(detect(&be[..12]), None);
        let mut bad = be.clone();
        bad[12] = 0x42;
        assert_eq!(detect(&bad), None);
        let mut bad = be.clone();
        bad[8..12].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert_eq!(detect(&bad), None);
        // A good first record and a bad second one: not PacketLogger.
        let two = [&be[..], &[0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1]].concat();
        assert_eq!(detect(&two), None);
        for other in [
            &b"btsnoop\0\0\0\0\x01"[..],
            b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0",
            b"$GPRMC,080000,A,3538",
        ] {
            assert_eq!(detect(other), None);
        }
    }
}
