//! The files a user names besides captures. Reading (tracks, allow lists, places files, note
//! attachments): regular files only, and never more than a cap, so a folder, `/dev/zero` or a
//! named pipe is a clear error instead of a hang or gigabytes of memory. Symlinks to regular
//! files are followed: they are how people keep their files. Writing (reports, exports,
//! recordings): see [`write`].

use crate::i18n::{Lang, Localised, Message};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

mod write;
pub use write::{create_new, write_atomic};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// How large one kind of input may be, and what it is called in an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    pub max_bytes: u64,
    /// The catalogue id of what it is (`file-cap-track`: "a track"), which completes
    /// "... is larger than the 256 MiB a track may be".
    pub what: &'static str,
}

/// A GPS track: a day logged at 1 Hz is 10 to 20 MiB of GPX, so this leaves room for many.
pub const TRACK: Cap = Cap {
    max_bytes: 256 * MIB,
    what: "file-cap-track",
};
/// An allow list or a places file: a short line per tracker or place.
pub const LIST: Cap = Cap {
    max_bytes: MIB,
    what: "file-cap-list",
};
/// A note's attachment (a photo, a screenshot, a scanned letter), kept whole in the database.
pub const ATTACHMENT: Cap = Cap {
    max_bytes: 64 * MIB,
    what: "file-cap-attachment",
};

#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum FileError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `kind` is the catalogue id of what it is instead (`file-kind-folder`).
    NotRegular {
        path: PathBuf,
        kind: &'static str,
    },
    /// `size` is None when the file said it was smaller (it grew, or is a /proc file).
    TooLarge {
        path: PathBuf,
        size: Option<u64>,
        cap: Cap,
    },
}

impl Localised for FileError {
    fn text(&self, lang: Lang) -> String {
        let path = self.path().display();
        match self {
            FileError::Io { source, .. } => Message::new("file-cannot-read")
                .with("path", path)
                .nested("why", Message::io(source)),
            FileError::NotRegular { kind, .. } => Message::new("file-not-regular")
                .with("path", path)
                .nested("kind", Message::new(kind)),
            FileError::TooLarge { size, cap, .. } => match size {
                Some(size) => Message::new("file-too-large").nested("size", shown(*size, cap.max_bytes)),
                None => Message::new("file-holds-more"),
            }
            .with("path", path)
            .nested("cap", human(cap.max_bytes))
            .nested("what", Message::new(cap.what)),
        }
        .text(lang)
    }
}

impl FileError {
    pub fn path(&self) -> &Path {
        match self {
            FileError::Io { path, .. }
            | FileError::NotRegular { path, .. }
            | FileError::TooLarge { path, .. } => path,
        }
    }
}

/// The whole content of the regular file at `path` (or a symlink to one), if it holds at most
/// `cap.max_bytes`.
pub fn read_regular(path: &Path, cap: Cap) -> Result<Vec<u8>, FileError> {
    let io = |source| FileError::Io {
        path: path.into(),
        source,
    };
    // Looked at before opening: opening a named pipe waits for a writer.
    check(path, &std::fs::metadata(path).map_err(io)?, cap)?;
    let file = File::open(path).map_err(io)?;
    // Again on what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(io)?;
    check(path, &meta, cap)?;
    let mut data = Vec::with_capacity(meta.len() as usize);
    // A file that grows while read, or a /proc file claiming size 0, still stops at the cap.
    file.take(cap.max_bytes + 1).read_to_end(&mut data).map_err(io)?;
    if data.len() as u64 > cap.max_bytes {
        return Err(FileError::TooLarge {
            path: path.into(),
            size: None,
            cap,
        });
    }
    Ok(data)
}

/// What a file that is neither a regular file nor a folder is, in words.
#[cfg(unix)]
fn special_kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_char_device() {
        "file-kind-char-device"
    } else if t.is_block_device() {
        "file-kind-block-device"
    } else if t.is_fifo() {
        "file-kind-pipe"
    } else if t.is_socket() {
        "file-kind-socket"
    } else {
        "file-kind-unknown"
    }
}

#[cfg(not(unix))]
fn special_kind(_: std::fs::FileType) -> &'static str {
    "file-kind-unknown"
}

fn check(path: &Path, meta: &Metadata, cap: Cap) -> Result<(), FileError> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        None
    } else if t.is_dir() {
        Some("file-kind-folder")
    } else {
        Some(special_kind(t))
    };
    if let Some(kind) = kind {
        return Err(FileError::NotRegular {
            path: path.into(),
            kind,
        });
    }
    if meta.len() > cap.max_bytes {
        return Err(FileError::TooLarge {
            path: path.into(),
            size: Some(meta.len()),
            cap,
        });
    }
    Ok(())
}

/// "300 MiB", "1.5 KiB", "12 bytes" (「12 バイト」).
fn human(bytes: u64) -> Message {
    let (unit, key) = match bytes {
        b if b >= MIB => (MIB, "size-mib"),
        b if b >= KIB => (KIB, "size-kib"),
        b => return in_bytes(b),
    };
    let value = format!("{:.1}", bytes as f64 / unit as f64);
    Message::new(key).with("n", value.strip_suffix(".0").unwrap_or(&value))
}

fn in_bytes(n: u64) -> Message {
    Message::new("size-bytes").count("n", n)
}

/// `size` as [`human`] shows it, or in bytes where that would look the same as the cap.
fn shown(size: u64, cap: u64) -> Message {
    let h = human(size);
    if h == human(cap) { in_bytes(size) } else { h }
}

/// Makes a named pipe, for the tests that check one is refused.
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Cap = Cap {
        max_bytes: 10,
        what: "file-cap-list",
    };

    #[test]
    fn reads_regular_files_and_symlinks_to_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read_regular(&p, SMALL).unwrap(), b"0123456789");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert_eq!(read_regular(&link, SMALL).unwrap().len(), 10);
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path(), SMALL).unwrap_err();
        assert!(
            matches!(
                e,
                FileError::NotRegular {
                    kind: "file-kind-folder",
                    ..
                }
            ),
            "{e}"
        );
        let e = read_regular(Path::new("/dev/zero"), TRACK).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: not a regular file (a character device)"
        );
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        // Refused without opening it: opening would wait for a writer forever.
        let e = read_regular(&fifo, SMALL).unwrap_err();
        assert!(e.to_string().ends_with("(a named pipe)"), "{e}");
        let e = read_regular(&dir.path().join("missing"), SMALL).unwrap_err();
        assert!(
            matches!(e, FileError::Io { .. }) && e.to_string().contains("missing"),
            "{e}"
        );
    }

    #[test]
    fn refuses_more_than_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gpx");
        std::fs::File::create(&p).unwrap().set_len(300 * MIB).unwrap();
        let e = read_regular(&p, TRACK).unwrap_err();
        assert_eq!(e.path(), p);
        assert!(
            e.to_string()
                .ends_with("x.gpx: 300 MiB is larger than the 256 MiB a track may be"),
            "{e}"
        );
        std::fs::write(&p, b"01234567890").unwrap();
        assert!(
            read_regular(&p, SMALL)
                .unwrap_err()
                .to_string()
                .contains("11 bytes is larger than the 10 bytes")
        );
        // One byte over a cap in MiB is shown in bytes, not as the same "256 MiB".
        let shown = |size, cap| shown(size, cap).to_string();
        assert_eq!(shown(256 * MIB + 1, 256 * MIB), "268,435,457 bytes");
        assert_eq!(human(1536).to_string(), "1.5 KiB");
        assert_eq!(human(1536).text(Lang::Ja), "1.5 KiB");
        assert_eq!(in_bytes(11).text(Lang::Ja), "11 バイト");
    }

    #[test]
    fn a_file_that_says_it_is_empty_is_still_capped() {
        // /proc files report size 0 and may hold more.
        let p = Path::new("/proc/self/maps");
        if !p.exists() {
            eprintln!("skipping: no /proc");
            return;
        }
        let e = read_regular(p, SMALL).unwrap_err();
        assert!(matches!(e, FileError::TooLarge { size: None, .. }), "{e}");
        assert!(
            e.to_string()
                .contains("maps: holds more than the 10 bytes a list may be"),
            "{e}"
        );
    }
}
