//! Capture readers: turn a file into a stream of advertisements.
//!
//! The format is recognised from the first bytes of the file, never from its name.
//! Each reader walks records one at a time and hands every advertisement in a record
//! to a callback, borrowing its own buffer so nothing is allocated per advertisement.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::i18n::{Lang, Localised, Message};
use crate::model::{Advertisement, PLAUSIBLE_TIME_US};

mod btsnoop;
mod bugreport;
pub(crate) mod hci;
mod input;
mod jsonl;
mod link;
mod linklayer;
pub mod monitor;
mod nordic;
mod pcap;
mod pcapng;
mod pklg;
#[cfg(test)]
mod tests;
mod write;

pub use bugreport::MAX_INFLATED;
pub use jsonl::JsonlWriter;
pub use link::Unreadable;
pub use write::{BtsnoopWriter, MonitorWriter, NordicWriter, PcapLlWriter, PklgWriter};

/// The capture formats tagwatch reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Btsnoop,
    Pcap,
    Pcapng,
    JsonLines,
    /// Apple PacketLogger, in either byte order (`true`: little endian).
    PacketLogger(bool),
    /// An Android bug report: a zip holding the snoop logs.
    BugReport,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Btsnoop => "btsnoop",
            Format::Pcap => "pcap",
            Format::Pcapng => "pcapng",
            Format::JsonLines => "tagwatch JSON Lines",
            Format::PacketLogger(_) => "PacketLogger",
            Format::BugReport => "Android bug report",
        })
    }
}

/// A capture that cannot be read on: names the file, the format and the byte offset (a
/// file whose format is unknown was not read as a capture, so it has no offset to give).
#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub struct CaptureError {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub offset: u64,
    /// What is wrong, worded in each language.
    pub problem: Message,
}

impl Localised for CaptureError {
    fn text(&self, lang: Lang) -> String {
        let key = match self.format {
            Some(Format::BugReport) if self.offset == 0 => "capture-error-zip",
            Some(Format::BugReport) => "capture-error-zip-entry",
            Some(_) => "capture-error-at",
            None => "capture-error-unknown",
        };
        let format = self.format.map(|f| f.to_string());
        Message::new(key)
            .with("path", self.path.display())
            .with("format", format.unwrap_or_default())
            .with("offset", self.offset)
            .nested("problem", self.problem.clone())
            .text(lang)
    }
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
    /// Records tagwatch could not interpret (a link type it does not read, an unknown nRF
    /// Sniffer header version ...): not damaged, but not heard either.
    pub unreadable: u64,
    /// Why, for the first of them.
    pub unreadable_reason: Option<Unreadable>,
}

impl ReadStats {
    pub(crate) fn not_understood(&mut self, why: Unreadable) {
        self.unreadable += 1;
        self.unreadable_reason.get_or_insert(why);
    }
}

/// A stream of advertisements read from one capture.
pub trait AdvertisementSource: Send {
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
        problem: Message::new("capture-cannot-open").nested("why", Message::io(&e)),
    };
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(CaptureError {
            problem: Message::new("capture-folder"),
            ..fail(io::ErrorKind::IsADirectory.into())
        });
    }
    let size = meta.len();
    let mut capture = from_reader(Box::new(file), path)?;
    capture.size = Some(size);
    Ok(capture)
}

/// One capture to read: a file, or an HCI snoop log inside an Android bug report zip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub file: PathBuf,
    /// The path inside the zip.
    pub inner: Option<String>,
}

impl Member {
    pub fn file(path: &Path) -> Member {
        Member {
            file: path.to_path_buf(),
            inner: None,
        }
    }

    /// How people and the evidence see it: the file, or `ZIP!inner/path`.
    pub fn name(&self) -> PathBuf {
        match &self.inner {
            None => self.file.clone(),
            Some(inner) => format!("{}!{inner}", self.file.display()).into(),
        }
    }

    /// Its length in bytes (a zip's inner log as it declares itself inflated), 0 when it
    /// cannot be read: what progress is measured against.
    pub fn size(&self) -> u64 {
        match &self.inner {
            Some(inner) => bugreport::declared_size(&self.file, inner),
            None => std::fs::metadata(&self.file).ok().map(|m| m.len()),
        }
        .unwrap_or(0)
    }

    /// Opens it and recognises its format from its content.
    pub fn open(&self) -> Result<Capture, CaptureError> {
        let Some(inner) = &self.inner else {
            return open(&self.file);
        };
        let file = bugreport::extract(&self.file, inner)?;
        let size = file.metadata().ok().map(|m| m.len());
        let mut capture = from_reader(Box::new(file), &self.name())?;
        capture.size = size;
        Ok(capture)
    }

    /// The SHA-256 (hex) and length of its bytes (a zip's inner log as inflated): what
    /// identifies a capture in the evidence, whatever its name. Read before the capture is
    /// analysed, since the evidence store must know a capture it holds already before the
    /// first sighting comes.
    pub fn digest(&self) -> io::Result<(String, u64)> {
        let file = match &self.inner {
            Some(inner) => bugreport::extract(&self.file, inner).map_err(io::Error::other)?,
            None => {
                let file = std::fs::File::open(&self.file)?;
                // A pipe would be drained before it is analysed, a device may never end.
                if !file.metadata()?.is_file() {
                    return Err(io::Error::other("not a regular file"));
                }
                file
            }
        };
        hash(file)
    }
}

/// The captures in `path`: the file itself, or the snoop logs of a bug report zip (oldest
/// first), recognised by content. A zip without a snoop log is an error that says what to do.
pub fn members(path: &Path) -> Result<Vec<Member>, CaptureError> {
    // Only a regular file is looked into: sniffing a pipe would consume what is analysed.
    let mut head = [0u8; 4];
    let is_zip = std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok())
        && &head == bugreport::ZIP_MAGIC;
    if !is_zip {
        return Ok(vec![Member::file(path)]);
    }
    Ok(bugreport::snoop_logs(path)?
        .into_iter()
        .map(|inner| Member {
            file: path.to_path_buf(),
            inner: Some(inner),
        })
        .collect())
}

fn hash(mut reader: impl Read) -> io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 20];
    let mut size = 0u64;
    loop {
        match reader.read(&mut buf) {
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
pub fn from_reader(
    mut reader: Box<dyn Read + Send>,
    path_for_errors: &Path,
) -> Result<Capture, CaptureError> {
    let error = |problem: Message| CaptureError {
        path: path_for_errors.to_path_buf(),
        format: None,
        offset: 0,
        problem,
    };
    let mut head = Vec::new();
    let read_error = |e: io::Error| error(input::read_error(&e));
    sniff(&mut reader, &mut head, MAGIC_LEN, |_| false).map_err(read_error)?;
    if head.is_empty() {
        return Err(error(Message::new("capture-empty")));
    }
    let mut format = detect(&head);
    if format.is_none() {
        // PacketLogger has no magic number: its first records tell.
        sniff(&mut reader, &mut head, pklg::SNIFF_LEN, |_| false).map_err(read_error)?;
        format = pklg::detect(&head).map(Format::PacketLogger);
    }
    if matches!(format, None | Some(Format::JsonLines)) {
        // Text: look further, to tell a GPS track (gpsd JSON opens with `{` too).
        sniff(&mut reader, &mut head, SNIFF_TEXT, |h| first_line(h).is_some()).map_err(read_error)?;
        if let Some(what) = not_a_capture(&head) {
            return Err(error(what));
        }
    }
    let format = format.ok_or_else(|| error(Message::new("capture-no-known-format")))?;
    // Put the sniffed bytes back in front of the rest of the stream.
    let stream: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(reader));
    let input = input::Input::new(stream, path_for_errors, format);
    let source: Box<dyn AdvertisementSource> = match format {
        Format::Btsnoop => Box::new(btsnoop::BtsnoopReader::new(input)?),
        Format::Pcap => Box::new(pcap::PcapReader::new(input)?),
        Format::Pcapng => Box::new(pcapng::PcapngReader::new(input)),
        Format::JsonLines => Box::new(jsonl::JsonlReader::new(input)?),
        Format::PacketLogger(little_endian) => Box::new(pklg::PklgReader::new(input, little_endian)),
        // Never detected from a stream: a zip is looked into only as a file (`members`).
        Format::BugReport => return Err(error(Message::new("capture-zip-stream"))),
    };
    Ok(Capture {
        format,
        size: None,
        source: Box::new(PlausibleTimes {
            reader: source,
            dropped: 0,
        }),
    })
}

/// Bytes enough to recognise a binary capture by its magic number.
const MAGIC_LEN: usize = 8;
/// Bytes of a text file looked at to tell what it is instead of a capture.
const SNIFF_TEXT: usize = 4096;

/// Reads into `head` until it holds `want` bytes, the input ends, or `enough` says so.
fn sniff(
    reader: &mut dyn Read,
    head: &mut Vec<u8>,
    want: usize,
    enough: impl Fn(&[u8]) -> bool,
) -> io::Result<()> {
    let mut buf = [0u8; 512];
    while head.len() < want && !enough(head) {
        let room = (want - head.len()).min(buf.len());
        match reader.read(&mut buf[..room]) {
            Ok(0) => break,
            Ok(k) => head.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The first line that is not blank, once it is complete.
fn first_line(head: &[u8]) -> Option<&[u8]> {
    head.split_inclusive(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .filter(|l| l.ends_with(b"\n"))
}

/// What a file that is no capture looks like, with what to do with it: people give a GPS
/// track or a zip of captures where a capture belongs.
fn not_a_capture(head: &[u8]) -> Option<Message> {
    if head.starts_with(b"PK\x03\x04") {
        return Some(Message::new("capture-is-zip"));
    }
    let track = crate::location::detect(&String::from_utf8_lossy(head))?;
    // JSON tracks share the `{` of a JSON Lines capture, whose header names its format.
    let jsonl_header = first_line(head).is_some_and(|l| l.windows(14).any(|w| w == b"tagwatch-jsonl"));
    use crate::location::TrackFormat::{GoogleRecords, GoogleTimeline, GpsdJson};
    let json_track = matches!(track, GpsdJson | GoogleRecords | GoogleTimeline);
    if detect(head) == Some(Format::JsonLines) && (!json_track || jsonl_header) {
        return None;
    }
    // "an NMEA 0183 track", "a GPX track".
    let key = match track {
        crate::location::TrackFormat::Nmea => "capture-is-track-an",
        _ => "capture-is-track",
    };
    Some(Message::new(key).with("track", track))
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

/// Passes on only advertisements dated within [`PLAUSIBLE_TIME_US`]; the others are damaged
/// records (a sniffer's unset clock, a corrupt timestamp), counted in `bad_records`, so no
/// later stage ever sees such a time.
struct PlausibleTimes {
    reader: Box<dyn AdvertisementSource>,
    dropped: u64,
}

impl AdvertisementSource for PlausibleTimes {
    fn next_record(&mut self, sink: &mut dyn FnMut(&Advertisement<'_>)) -> Result<bool, CaptureError> {
        let dropped = &mut self.dropped;
        self.reader.next_record(&mut |adv| {
            if PLAUSIBLE_TIME_US.contains(&adv.time_us) {
                sink(adv);
            } else {
                *dropped += 1;
            }
        })
    }

    fn position(&self) -> u64 {
        self.reader.position()
    }

    fn stats(&self) -> ReadStats {
        let inner = self.reader.stats();
        ReadStats {
            advertisements: inner.advertisements.saturating_sub(self.dropped),
            bad_records: inner.bad_records + self.dropped,
            ..inner
        }
    }
}
