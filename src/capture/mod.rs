//! Capture readers: turn a file into a stream of advertisements.
//!
//! The format is recognised from the first bytes of the file, never from its name.
//! Each reader walks records one at a time and hands every advertisement in a record
//! to a callback, borrowing its own buffer so nothing is allocated per advertisement.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::model::Advertisement;

mod btsnoop;
mod hci;
mod input;
mod jsonl;
mod link;
mod linklayer;
mod pcap;
mod pcapng;
#[cfg(test)]
mod tests;
mod write;

pub use jsonl::JsonlWriter;
pub use write::{BtsnoopWriter, PcapLlWriter};

/// The capture formats tagwatch reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Btsnoop,
    Pcap,
    Pcapng,
    JsonLines,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Btsnoop => "btsnoop",
            Format::Pcap => "pcap",
            Format::Pcapng => "pcapng",
            Format::JsonLines => "tagwatch JSON Lines",
        })
    }
}

/// A capture that cannot be read on: names the file, the format and the byte offset.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {}: {message} at byte offset {offset}", format.map_or("unknown format".to_string(), |f| format!("{f} capture")))]
pub struct CaptureError {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub offset: u64,
    pub message: String,
}

/// Counts a reader keeps so a user can see what was read and what was passed over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Records (packets, events, lines) read.
    pub records: u64,
    /// Advertisements handed to the callback.
    pub advertisements: u64,
    /// Damaged records that were skipped (bad CRC, bad lengths, unparsable lines).
    pub bad_records: u64,
}

/// A stream of advertisements read from one capture.
pub trait AdvertisementSource {
    /// Reads the next record and calls `sink` for each advertisement it holds (none, one
    /// or several). Returns `Ok(false)` at the clean end of the capture.
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError>;
    /// Bytes of the file consumed so far (for progress and error offsets).
    fn position(&self) -> u64;
    fn stats(&self) -> ReadStats;
}

/// An opened capture: its detected format, its length when known, and its reader.
pub struct Capture {
    pub format: Format,
    /// File length in bytes if known (for progress against [`AdvertisementSource::position`]).
    pub size: Option<u64>,
    pub source: Box<dyn AdvertisementSource>,
}

/// Opens a capture file and recognises its format from its content.
pub fn open(path: &Path) -> Result<Capture, CaptureError> {
    let fail = |e: io::Error| CaptureError {
        path: path.to_path_buf(),
        format: None,
        offset: 0,
        message: format!("cannot open: {e}"),
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let size = file.metadata().map_err(fail)?.len();
    let mut capture = from_reader(Box::new(file), path)?;
    capture.size = Some(size);
    Ok(capture)
}

/// The SHA-256 (hex) and length of a file's bytes: what identifies a capture in the evidence,
/// whatever its name. Read before the capture is analysed, since the evidence store must know
/// a capture it holds already before the first sighting comes.
pub fn digest(path: &Path) -> io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    // A pipe would be drained before it is analysed, a device may never end.
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 20];
    let mut size = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Reads a capture from any byte stream (stdin, a decompressor ...), recognising the
/// format from the first bytes. `path_for_errors` only names the input in errors.
pub fn from_reader(mut reader: Box<dyn Read>, path_for_errors: &Path) -> Result<Capture, CaptureError> {
    let error = |message: String| CaptureError {
        path: path_for_errors.to_path_buf(),
        format: None,
        offset: 0,
        message,
    };
    let mut head = [0u8; 8];
    let mut n = 0;
    while n < head.len() {
        match reader.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(error(format!("read error: {e}"))),
        }
    }
    let head = &head[..n];
    if head.is_empty() {
        return Err(error("empty file, not a capture".into()));
    }
    let format = detect(head)
        .ok_or_else(|| error("not a btsnoop, pcap, pcapng or tagwatch JSON Lines capture".into()))?;
    // Put the sniffed bytes back in front of the rest of the stream.
    let stream: Box<dyn Read> = Box::new(io::Cursor::new(head.to_vec()).chain(reader));
    let input = input::Input::new(stream, path_for_errors, format);
    let source: Box<dyn AdvertisementSource> = match format {
        Format::Btsnoop => Box::new(btsnoop::BtsnoopReader::new(input)?),
        Format::Pcap => Box::new(pcap::PcapReader::new(input)?),
        Format::Pcapng => Box::new(pcapng::PcapngReader::new(input)),
        Format::JsonLines => Box::new(jsonl::JsonlReader::new(input)?),
    };
    Ok(Capture {
        format,
        size: None,
        source,
    })
}

/// Recognises a format from its magic bytes: btsnoop's "btsnoop\0", the pcap magic
/// numbers, the pcapng Section Header Block type, or a JSON object opening a line.
fn detect(head: &[u8]) -> Option<Format> {
    if head.starts_with(btsnoop::MAGIC) {
        Some(Format::Btsnoop)
    } else if pcap::MAGICS.iter().any(|m| head.starts_with(m)) {
        Some(Format::Pcap)
    } else if head.starts_with(&pcapng::SHB_TYPE) {
        Some(Format::Pcapng)
    } else {
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = text.iter().find(|b| !b.is_ascii_whitespace());
        (first == Some(&b'{')).then_some(Format::JsonLines)
    }
}
