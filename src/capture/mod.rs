//! Capture readers: turn a file into a stream of advertisements.
//!
//! The format is recognised from the first bytes of the file, never from its name.
//! Each reader walks records one at a time and hands every advertisement in a record
//! to a callback, borrowing its own buffer so nothing is allocated per advertisement.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::Advertisement;

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
