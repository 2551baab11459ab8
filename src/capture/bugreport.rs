//! Android bug reports: a zip of thousands of files, among them the HCI snoop log(s) when
//! "Enable Bluetooth HCI snoop log" was on. The logs are found by their content (btsnoop's
//! magic number), not by their path, which differs between Android versions and makers.

use std::io::{self, Read, Seek};
use std::path::Path;

use super::{CaptureError, Format, btsnoop};

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
            format!("holds {} files, more than a bug report", zip.len()),
        ));
    }
    let mut logs = Vec::new();
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| error(path, 0, format!("entry {i}: {e}")))?;
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
        let n = read_up_to(&mut entry, &mut head).map_err(|e| error(path, at, format!("{name}: {e}")))?;
        if !head[..n].starts_with(btsnoop::MAGIC) {
            continue;
        }
        declared = declared.saturating_add(entry.size());
        let first_us =
            (n == head.len()).then(|| i64::from_be_bytes(head[32..40].try_into().expect("8 bytes")));
        logs.push((first_us.unwrap_or(i64::MAX), name));
    }
    if logs.is_empty() {
        return Err(error(
            path,
            0,
            "this zip holds no Bluetooth HCI snoop log: if it is an Android bug report, enable \
             \"Bluetooth HCI snoop log\" in the phone's developer options, turn Bluetooth off and \
             on, and make the bug report again; if it holds captures, unpack it and give the \
             capture files in it"
                .into(),
        ));
    }
    if declared > MAX_INFLATED {
        return Err(error(
            path,
            0,
            format!("its snoop logs inflate to {declared} bytes, more than the 2 GiB tagwatch reads"),
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
        .map_err(|e| error(path, 0, format!("{inner}: {e}")))?;
    let at = entry.header_start();
    let declared = entry.size();
    if declared > MAX_INFLATED {
        return Err(error(
            path,
            at,
            format!("{inner} inflates to {declared} bytes, more than the 2 GiB tagwatch reads"),
        ));
    }
    let failed = |e: io::Error| error(path, at, format!("{inner}: {e}"));
    let mut out = tempfile::tempfile().map_err(failed)?;
    // One byte past the declared size lets the zip reader see the lie and refuse it; the bound
    // holds the disk to the declared size should a reader not check.
    let copied = io::copy(&mut (&mut entry).take(declared + 1), &mut out).map_err(failed)?;
    if copied > declared {
        let message = format!("{inner} inflates to more than the {declared} bytes it declares");
        return Err(error(path, at, message));
    }
    out.rewind().map_err(failed)?;
    Ok(out)
}

/// The size `inner` declares, inflated (for progress: reading it is what checks it).
pub(crate) fn declared_size(path: &Path, inner: &str) -> Option<u64> {
    open(path).ok()?.by_name(inner).ok().map(|e| e.size())
}

fn open(path: &Path) -> Result<zip::ZipArchive<std::fs::File>, CaptureError> {
    let file = std::fs::File::open(path).map_err(|e| error(path, 0, format!("cannot open: {e}")))?;
    zip::ZipArchive::new(file).map_err(|e| {
        let message =
            format!("a zip archive that cannot be read ({e}): unpack it and give the capture files in it");
        error(path, 0, message)
    })
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

fn error(path: &Path, offset: u64, message: String) -> CaptureError {
    CaptureError {
        path: path.to_path_buf(),
        format: Some(Format::BugReport),
        offset,
        message,
    }
}
