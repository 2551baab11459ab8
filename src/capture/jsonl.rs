//! tagwatch JSON Lines: a header line `{"format":"tagwatch-jsonl","version":1}` (more keys
//! allowed), then one advertisement per line. The live scanner records with
//! [`JsonlWriter`]; [`JsonlReader`] reads such recordings back.

use crate::i18n::Message;
use std::borrow::Cow;
use std::io::{self, Write};

use serde::Deserialize;

use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

use super::input::Input;
use super::{AdvertisementSource, CaptureError, ReadStats};

const FORMAT_NAME: &str = "tagwatch-jsonl";
const VERSION: u32 = 1;

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    format: Cow<'a, str>,
    version: u32,
}

/// One advertisement line. Strings borrow the line buffer unless they hold escapes.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    address: Cow<'a, str>,
    #[serde(default = "unknown_addr_type")]
    address_type: AddrType,
    #[serde(default)]
    rssi: Option<i8>,
    #[serde(default = "unknown_pdu")]
    pdu: PduKind,
    #[serde(borrow)]
    data: Cow<'a, str>,
}

fn unknown_addr_type() -> AddrType {
    AddrType::Unknown
}

fn unknown_pdu() -> PduKind {
    PduKind::Unknown
}

pub(crate) struct JsonlReader {
    input: Input,
    line: Vec<u8>,
    data: Vec<u8>,
    stats: ReadStats,
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

impl JsonlReader {
    /// Reads and checks the header line.
    pub(crate) fn new(mut input: Input) -> Result<Self, CaptureError> {
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                return Err(input.error(0, Message::new("capture-jsonl-no-header")));
            }
            if !is_blank(&line) {
                break;
            }
        }
        let text = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
        match serde_json::from_slice::<Header<'_>>(text) {
            Ok(h) if h.format == FORMAT_NAME && h.version == VERSION => {}
            Ok(h) if h.format == FORMAT_NAME => {
                return Err(input.error(
                    0,
                    Message::new("capture-jsonl-version").with("version", h.version),
                ));
            }
            _ => {
                return Err(input.error(0, Message::new("capture-jsonl-bad-header")));
            }
        }
        Ok(JsonlReader {
            input,
            line,
            data: Vec::new(),
            stats: ReadStats::default(),
        })
    }
}

/// Decodes one advertisement line into `data` (hex-decoded AD structures).
fn parse_line<'d>(line: &[u8], data: &'d mut Vec<u8>) -> Option<Advertisement<'d>> {
    let l: Line<'_> = serde_json::from_slice(line).ok()?;
    let time_us = chrono::DateTime::parse_from_rfc3339(&l.time)
        .ok()?
        .timestamp_micros();
    let address = BdAddr::parse(&l.address)?;
    let hex = l.data.as_bytes();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    data.resize(hex.len() / 2, 0);
    hex::decode_to_slice(hex, data).ok()?;
    Some(Advertisement {
        time_us,
        address,
        addr_type: l.address_type,
        rssi: l.rssi,
        pdu: l.pdu,
        data,
    })
}

impl AdvertisementSource for JsonlReader {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        loop {
            self.line.clear();
            if self.input.read_line(&mut self.line)? == 0 {
                return Ok(false);
            }
            if !is_blank(&self.line) {
                break;
            }
        }
        self.stats.records += 1;
        match parse_line(&self.line, &mut self.data) {
            Some(adv) => {
                self.stats.advertisements += 1;
                sink(&adv);
            }
            None => self.stats.bad_records += 1,
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

/// Writes advertisements as tagwatch JSON Lines. Each line is built in a reused buffer
/// and written with one `write_all`; wrap `w` in a `BufWriter` for files.
pub struct JsonlWriter<W: Write> {
    w: W,
    line: Vec<u8>,
}

impl<W: Write> JsonlWriter<W> {
    /// Writes the header line.
    pub fn new(mut w: W) -> io::Result<Self> {
        writeln!(w, "{{\"format\":\"{FORMAT_NAME}\",\"version\":{VERSION}}}")?;
        Ok(JsonlWriter {
            w,
            line: Vec::with_capacity(256),
        })
    }

    pub fn write(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        let time = chrono::DateTime::from_timestamp_micros(adv.time_us)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "timestamp out of range"))?;
        let line = &mut self.line;
        line.clear();
        write!(
            line,
            "{{\"time\":\"{}\",\"address\":\"{}\",\"address_type\":",
            time.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
            adv.address
        )?;
        serde_json::to_writer(&mut *line, &adv.addr_type)?;
        match adv.rssi {
            Some(r) => write!(line, ",\"rssi\":{r},\"pdu\":")?,
            None => line.extend_from_slice(b",\"rssi\":null,\"pdu\":"),
        }
        serde_json::to_writer(&mut *line, &adv.pdu)?;
        line.extend_from_slice(b",\"data\":\"");
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for &b in adv.data {
            line.extend_from_slice(&[HEX[(b >> 4) as usize], HEX[(b & 0xF) as usize]]);
        }
        line.extend_from_slice(b"\"}\n");
        self.w.write_all(line)
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}
