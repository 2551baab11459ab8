//! Android bug reports: a zip of thousands of files, among them the HCI snoop log(s) when
//! "Enable Bluetooth HCI snoop log" was on. The logs are found by their content (btsnoop's
//! magic number), not by their path, which differs between Android versions and makers.

use std::io::{self, Read, Seek};
use std::path::Path;

use super::{CaptureError, Format, btsnoop};
use crate::i18n::Message;

pub(crate) const ZIP_MAGIC: &[u8; 4] = b"PK\x03\x04";

/// Most the snoop logs of one bug report may inflate to, together: Android keeps a few
/// hundred MiB at most, and a zip bomb must not fill the disk.
pub const MAX_INFLATED: u64 = 2 << 30;

/// Entries looked at: a bug report holds a few thousand; a zip of millions is not one.
const MAX_ENTRIES: usize = 200_000;

/// The inner paths of the HCI snoop logs in the zip at `path`, oldest first (by their
/// first record's time, then by name).
pub(crate) fn snoop_logs(path: &Path) -> Result<Vec<String>, CaptureError> {
    let mut zip = open(path)?;
    if zip.len() > MAX_ENTRIES {
        return Err(error(
            path,
            0,
            Message::new("zip-too-many-files").count("n", zip.len() as u64),
        ));
    }
    let mut logs = Vec::new();
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| error(path, 0, zip_entry(&i.to_string(), &e)))?;
        // An entry without a readable name could not be named to the user nor opened again.
        let Ok(name) = entry.name().map(|n| n.into_owned()) else {
            continue;
        };
        if !entry.is_file() {
            continue;
        }
        let at = entry.header_start();
        // File header (16 bytes), then the first record's header with its time last.
        let mut head = [0u8; 40];
        let n = read_up_to(&mut entry, &mut head).map_err(|e| error(path, at, zip_entry(&name, &e)))?;
        if !head[..n].starts_with(btsnoop::MAGIC) {
            continue;
        }
        declared = declared.saturating_add(entry.size());
        let first_us =
            (n == head.len()).then(|| i64::from_be_bytes(head[32..40].try_into().expect("8 bytes")));
        logs.push((first_us.unwrap_or(i64::MAX), name));
    }
    if logs.is_empty() {
        return Err(error(path, 0, Message::new("zip-no-snoop-log")));
    }
    if declared > MAX_INFLATED {
        return Err(error(
            path,
            0,
            Message::new("zip-logs-too-large").with("bytes", declared),
        ));
    }
    logs.sort();
    Ok(logs.into_iter().map(|(_, name)| name).collect())
}

/// Inflates `inner` of the zip at `path` into an unnamed temporary file, rewound. No more is
/// inflated than the entry declares, and [`snoop_logs`] capped the declared sizes.
pub(crate) fn extract(path: &Path, inner: &str) -> Result<std::fs::File, CaptureError> {
    let mut zip = open(path)?;
    let mut entry = zip
        .by_name(inner)
        .map_err(|e| error(path, 0, zip_entry(inner, &e)))?;
    let at = entry.header_start();
    let declared = entry.size();
    if declared > MAX_INFLATED {
        return Err(error(
            path,
            at,
            Message::new("zip-entry-too-large")
                .with("entry", inner)
                .with("bytes", declared),
        ));
    }
    let failed = |e: io::Error| error(path, at, zip_entry(inner, &e));
    let mut out = tempfile::tempfile().map_err(failed)?;
    // One byte past the declared size lets the zip reader see the lie and refuse it; the bound
    // holds the disk to the declared size should a reader not check.
    let copied = io::copy(&mut (&mut entry).take(declared + 1), &mut out).map_err(failed)?;
    if copied > declared {
        let problem = Message::new("zip-entry-lies")
            .with("entry", inner)
            .with("bytes", declared);
        return Err(error(path, at, problem));
    }
    out.rewind().map_err(failed)?;
    Ok(out)
}

/// The size `inner` declares, inflated (for progress: reading it is what checks it).
pub(crate) fn declared_size(path: &Path, inner: &str) -> Option<u64> {
    open(path).ok()?.by_name(inner).ok().map(|e| e.size())
}

fn open(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, CaptureError> {
    let file = std::fs::File::open(path).map_err(|e| {
        let problem = Message::new("capture-cannot-open").nested("why", Message::io(&e));
        error(path, 0, problem)
    })?;
    zip::ZipArchive::new(file).map_err(|e| error(path, 0, Message::new("zip-unreadable").with("detail", e)))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// An entry `name` of the zip that could not be read, with the reader's reason.
fn zip_entry(name: &str, e: &dyn std::fmt::Display) -> Message {
    Message::new("zip-entry-unreadable")
        .with("entry", name)
        .with("detail", e)
}

fn error(path: &Path, offset: u64, problem: Message) -> CaptureError {
    CaptureError {
        path: path.to_path_buf(),
        format: Some(Format::BugReport),
        offset,
        problem,
    }
}
