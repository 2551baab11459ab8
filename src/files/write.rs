//! Writing the files that hold where the person was (reports, exports, recordings): readable
//! by their owner only, and never through a name someone else prepared.
//!
//! A report or export path may have been planted by someone with access to the machine: a
//! symbolic link to the evidence database, a device node, a FIFO. So a final path that exists
//! must be a regular file (never followed if it is a link), the content goes to a new 0600 file
//! in the same folder, and a rename puts it in place: nothing else is opened for writing, nothing
//! else gets its mode changed, and a crash leaves the old file or the new one, never half of one.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Refuses a final path that exists and is not a regular file (a link is not followed).
fn check_replaceable(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::other(
            "is a symbolic link: tagwatch never writes through one (give the real path)",
        )),
        Ok(m) if !m.is_file() => Err(io::Error::other(
            "exists and is not a regular file (a folder, device or pipe): not written to",
        )),
        Ok(_) => Ok(()),
    }
}

/// Writes `bytes` to `path` as a new file only its owner can read (0600 on Unix), replacing a
/// regular file of that name atomically. See the module comment for what is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    check_replaceable(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates with O_EXCL and mode 0600, so the content is private from its first byte.
    let mut tmp = tempfile::Builder::new().prefix(".tagwatch-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // rename(2) replaces the name itself: a link planted after the check is replaced, not followed.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` for writing as a new file only its owner can read; an existing file (or a
/// link, even a dangling one) is refused: a recording is evidence and is never overwritten.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            io::Error::new(
                e.kind(),
                "already exists: a recording is never overwritten (choose a new name)",
            )
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn replaces_a_regular_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_link_or_into_a_pipe() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("evidence.sqlite");
        std::fs::write(&target, "evidence").unwrap();
        let link = dir.path().join("report-ja.html");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_atomic(&link, b"<html>").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"evidence");
        assert!(create_new(&link).is_err());

        let fifo = dir.path().join("fifo");
        super::super::mkfifo(&fifo);
        let before = mode(&fifo);
        assert!(
            write_atomic(&fifo, b"x")
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert_eq!(mode(&fifo), before);
        assert!(write_atomic(dir.path(), b"x").is_err());
    }

    #[test]
    fn a_recording_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("today.jsonl");
        create_new(&path).unwrap().write_all(b"first").unwrap();
        let err = create_new(&path).unwrap_err();
        assert!(err.to_string().contains("never overwritten"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
    }
}
