//! btsnoop version 1 (Android "Bluetooth HCI snoop log", BlueZ btmon): a 16-byte file
//! header, then records of a 24-byte big-endian header and the packet.

use crate::i18n::Message;
use crate::model::Advertisement;

use super::hci::HciDecoder;
use super::input::Input;
use super::monitor;
use super::{AdvertisementSource, CaptureError, ReadStats};

pub(crate) const MAGIC: &[u8; 8] = b"btsnoop\0";
/// Microseconds from 0000-01-01 AD (the btsnoop epoch) to 1970-01-01.
pub(crate) const EPOCH_OFFSET_US: i64 = 0x00dc_ddb3_0f2f_8000;

/// HCI UART (H1): no packet type byte; flags say direction and command/data.
pub(crate) const DATALINK_H1: u32 = 1001;
/// HCI UART (H4): a packet type byte first.
pub(crate) const DATALINK_H4: u32 = 1002;
/// Linux monitor (btmon): flags = (adapter index << 16) | opcode.
pub(crate) const DATALINK_MONITOR: u32 = 2001;

/// H1 flags: bit 0 received, bit 1 command/event (rather than data): both = an event.
const H1_RECEIVED_EVENT: u32 = 0b11;
const H4_EVENT: u8 = 0x04;
const RECORD_HEADER_LEN: usize = 24;

pub(crate) struct BtsnoopReader {
    input: Input,
    datalink: u32,
    hci: HciDecoder,
    stats: ReadStats,
    done: bool,
}

impl BtsnoopReader {
    pub(crate) fn new(mut input: Input) -> Result<Self, CaptureError> {
        let datalink = read_header(&mut input)?;
        Ok(BtsnoopReader {
            input,
            datalink,
            hci: HciDecoder::default(),
            stats: ReadStats::default(),
            done: false,
        })
    }
}

/// Reads the file header; returns the datalink, one tagwatch reads.
pub(crate) fn read_header(input: &mut Input) -> Result<u32, CaptureError> {
    let header = input.read_exact(16, 0, "part-file-header")?;
    if &header[..8] != MAGIC {
        return Err(input.error(0, Message::new("capture-not-btsnoop")));
    }
    let version = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    if version != 1 {
        return Err(input.error(
            8,
            Message::new("capture-btsnoop-version").with("version", version),
        ));
    }
    let datalink = u32::from_be_bytes([header[12], header[13], header[14], header[15]]);
    if ![DATALINK_H1, DATALINK_H4, DATALINK_MONITOR].contains(&datalink) {
        return Err(input.error(
            12,
            Message::new("capture-btsnoop-datalink").with("datalink", datalink),
        ));
    }
    Ok(datalink)
}

/// One record: its flags (what they mean depends on the datalink), its time and its bytes.
pub(crate) struct Record<'b> {
    pub(crate) flags: u32,
    pub(crate) time_us: i64,
    pub(crate) data: &'b [u8],
}

/// The next record; None at the clean end of the file.
pub(crate) fn read_record(input: &mut Input) -> Result<Option<Record<'_>>, CaptureError> {
    let start = input.pos();
    let Some(header) = input.read_or_eof(RECORD_HEADER_LEN, start, "part-record-header")? else {
        return Ok(None);
    };
    // Original length, included length, flags, cumulative drops, timestamp.
    let included = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let flags = u32::from_be_bytes([header[8], header[9], header[10], header[11]]);
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&header[16..24]);
    let time_us = i64::from_be_bytes(ts).saturating_sub(EPOCH_OFFSET_US);
    let data = input.read_record(included, start, "part-record")?;
    Ok(Some(Record { flags, time_us, data }))
}

impl AdvertisementSource for BtsnoopReader {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        if self.done {
            return Ok(false);
        }
        let Some(Record { flags, time_us, data }) = read_record(&mut self.input)? else {
            self.done = true;
            self.hci.flush(&mut self.stats, sink);
            return Ok(false);
        };
        self.stats.records += 1;
        let event = match self.datalink {
            DATALINK_H1 => (flags & H1_RECEIVED_EVENT == H1_RECEIVED_EVENT).then_some(data),
            DATALINK_H4 => match data.split_first() {
                Some((&H4_EVENT, event)) => Some(event),
                _ => None,
            },
            _ => (flags & 0xFFFF == u32::from(monitor::EVENT)).then_some(data),
        };
        if let Some(event) = event {
            self.hci.event(event, time_us, &mut self.stats, sink);
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
