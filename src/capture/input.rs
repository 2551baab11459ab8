//! Buffered byte input shared by the binary readers: one large `BufReader`, a running
//! byte position, and errors that name the record a failure belongs to.

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{CaptureError, Format};
use crate::i18n::Message;

/// Larger than any record we accept, so a record never needs two refills and reading
/// costs no syscall per record.
const BUFFER_SIZE: usize = 256 * 1024;

/// Records longer than this are taken as corruption: no capture format we read stores
/// a frame this large, and a bogus length must not make us allocate gigabytes.
pub(crate) const MAX_RECORD_LEN: usize = 1024 * 1024;

pub(crate) struct Input {
    inner: BufReader<Box<dyn Read + Send>>,
    pos: u64,
    path: PathBuf,
    format: Format,
}

impl Input {
    pub(crate) fn new(reader: Box<dyn Read + Send>, path: &Path, format: Format) -> Self {
        Input {
            inner: BufReader::with_capacity(BUFFER_SIZE, reader),
            pos: 0,
            path: path.to_path_buf(),
            format,
        }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    pub(crate) fn error(&self, offset: u64, problem: Message) -> CaptureError {
        CaptureError {
            path: self.path.clone(),
            format: Some(self.format),
            offset,
            problem,
        }
    }

    /// Reads as many bytes as are available up to `buf.len()`; fewer only at the end.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, CaptureError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let at = self.pos + filled as u64;
                    return Err(self.error(at, read_error(&e)));
                }
            }
        }
        self.pos += filled as u64;
        Ok(filled)
    }

    /// Fills `buf` completely. `Ok(false)` when the capture ends cleanly before its first
    /// byte; an end part-way is a truncated record starting at `record_start`.
    pub(crate) fn read_or_eof(
        &mut self,
        buf: &mut [u8],
        record_start: u64,
        what: &'static str,
    ) -> Result<bool, CaptureError> {
        match self.fill(buf)? {
            0 if !buf.is_empty() => Ok(false),
            n if n == buf.len() => Ok(true),
            _ => Err(self.error(record_start, truncated(what))),
        }
    }

    /// Fills `buf` completely; any end of input is a truncated record.
    pub(crate) fn read_exact(
        &mut self,
        buf: &mut [u8],
        record_start: u64,
        what: &'static str,
    ) -> Result<(), CaptureError> {
        if self.fill(buf)? == buf.len() {
            Ok(())
        } else {
            Err(self.error(record_start, truncated(what)))
        }
    }

    /// Reads `len` bytes into the reusable `buf` (grown, never shrunk) and returns them.
    pub(crate) fn read_record<'b>(
        &mut self,
        buf: &'b mut Vec<u8>,
        len: usize,
        record_start: u64,
        what: &'static str,
    ) -> Result<&'b [u8], CaptureError> {
        if len > MAX_RECORD_LEN {
            return Err(self.error(
                record_start,
                Message::new("capture-too-long")
                    .nested("what", Message::new(what))
                    .with("len", len),
            ));
        }
        if buf.len() < len {
            buf.resize(len, 0);
        }
        self.read_exact(&mut buf[..len], record_start, what)?;
        Ok(&buf[..len])
    }

    /// Line input for JSON Lines: appends up to and including the next `\n` to `line`
    /// (at most `MAX_RECORD_LEN` bytes). Returns the number of bytes read.
    pub(crate) fn read_line(&mut self, line: &mut Vec<u8>) -> Result<usize, CaptureError> {
        use io::BufRead;
        let start = self.pos;
        let limit = MAX_RECORD_LEN as u64 + 1;
        let n = match (&mut self.inner).take(limit).read_until(b'\n', line) {
            Ok(n) => n,
            Err(e) => return Err(self.error(start, read_error(&e))),
        };
        self.pos += n as u64;
        if n as u64 == limit && line.last() != Some(&b'\n') {
            return Err(self.error(start, Message::new("capture-line-too-long")));
        }
        Ok(n)
    }
}

/// A record cut short; `what` is the catalogue id of the part (`part-record` ...).
fn truncated(what: &'static str) -> Message {
    Message::new("capture-truncated").nested("what", Message::new(what))
}

pub(crate) fn read_error(e: &io::Error) -> Message {
    Message::new("capture-read-error").nested("why", Message::io(e))
}
