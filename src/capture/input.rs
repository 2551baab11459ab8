//! Buffered byte input shared by the binary readers: records are handed out as slices of
//! one large buffer (no copy per record), with a running byte position and errors that
//! name the record a failure belongs to.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{CaptureError, Format};
use crate::i18n::Message;

/// Larger than any record we usually see, so reading costs one syscall per many records;
/// the rare longer record grows the buffer (up to `MAX_RECORD_LEN`).
const BUFFER_SIZE: usize = 256 * 1024;

/// Records longer than this are taken as corruption: no capture format we read stores
/// a frame this large, and a bogus length must not make us allocate gigabytes.
pub(crate) const MAX_RECORD_LEN: usize = 1024 * 1024;

pub(crate) struct Input {
    reader: Box<dyn Read + Send>,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// Stream position of `buf[start]`.
    pos: u64,
    path: PathBuf,
    format: Format,
}

impl Input {
    pub(crate) fn new(reader: Box<dyn Read + Send>, path: &Path, format: Format) -> Self {
        Input {
            reader,
            buf: vec![0; BUFFER_SIZE],
            start: 0,
            end: 0,
            pos: 0,
            path: path.to_path_buf(),
            format,
        }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    // Out of the way of the hot path that builds it only when a capture is damaged.
    #[cold]
    pub(crate) fn error(&self, offset: u64, problem: Message) -> CaptureError {
        CaptureError {
            path: self.path.clone(),
            format: Some(self.format),
            offset,
            problem,
        }
    }

    /// Makes up to `n` unread bytes available; returns how many are (fewer only at the
    /// end). Reads only while it has fewer, so a live stream is never waited on for more.
    /// Always inlined, as are the readers below: their results, returned through memory,
    /// stalled every record in the tracker-dense profile.
    #[inline(always)]
    fn want(&mut self, n: usize) -> Result<usize, CaptureError> {
        if self.end - self.start >= n {
            return Ok(n);
        }
        self.refill(n)
    }

    /// [`Self::want`] when the buffer holds fewer than `n` bytes: once per buffer, not per
    /// record.
    #[inline(never)]
    fn refill(&mut self, n: usize) -> Result<usize, CaptureError> {
        while self.end - self.start < n {
            if self.buf.len() - self.start < n {
                // Move the unread tail to the front.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                if self.buf.len() < n {
                    self.buf.resize(n, 0);
                }
            }
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => break,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let at = self.pos + (self.end - self.start) as u64;
                    return Err(self.error(at, read_error(&e)));
                }
            }
        }
        Ok((self.end - self.start).min(n))
    }

    /// Consumes the next `n` bytes, which `want` made available.
    #[inline(always)]
    fn take(&mut self, n: usize) -> &[u8] {
        let at = self.start;
        self.start += n;
        self.pos += n as u64;
        &self.buf[at..at + n]
    }

    /// The next `n` bytes. `Ok(None)` when the capture ends cleanly before the first of
    /// them; an end part-way is a truncated record starting at `record_start`.
    #[inline(always)]
    pub(crate) fn read_or_eof(
        &mut self,
        n: usize,
        record_start: u64,
        what: &'static str,
    ) -> Result<Option<&[u8]>, CaptureError> {
        match self.want(n)? {
            0 if n > 0 => Ok(None),
            got if got == n => Ok(Some(self.take(n))),
            _ => Err(self.error(record_start, truncated(what))),
        }
    }

    /// The next `n` bytes; any end of input is a truncated record.
    #[inline(always)]
    pub(crate) fn read_exact(
        &mut self,
        n: usize,
        record_start: u64,
        what: &'static str,
    ) -> Result<&[u8], CaptureError> {
        if self.want(n)? == n {
            Ok(self.take(n))
        } else {
            Err(self.error(record_start, truncated(what)))
        }
    }

    /// The next `len` bytes of a record whose length the capture claims: a length no
    /// format stores is corruption, reported before anything is allocated for it.
    #[inline(always)]
    pub(crate) fn read_record(
        &mut self,
        len: usize,
        record_start: u64,
        what: &'static str,
    ) -> Result<&[u8], CaptureError> {
        if len > MAX_RECORD_LEN {
            return Err(self.error(
                record_start,
                Message::new("capture-too-long")
                    .nested("what", Message::new(what))
                    .with("len", len),
            ));
        }
        self.read_exact(len, record_start, what)
    }

    /// Line input for JSON Lines: appends up to and including the next `\n` to `line`
    /// (at most `MAX_RECORD_LEN` bytes). Returns the number of bytes read.
    pub(crate) fn read_line(&mut self, line: &mut Vec<u8>) -> Result<usize, CaptureError> {
        let start = self.pos;
        let limit = MAX_RECORD_LEN + 1;
        let mut n = 0;
        // A failure to read is the line's: its offset is where the line starts.
        let at_start = |e: CaptureError| CaptureError { offset: start, ..e };
        while n < limit && self.want(1).map_err(at_start)? > 0 {
            let unread = &self.buf[self.start..self.end.min(self.start + limit - n)];
            let (chunk, ended) = match unread.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (unread.len(), false),
            };
            line.extend_from_slice(&unread[..chunk]);
            self.take(chunk);
            n += chunk;
            if ended {
                return Ok(n);
            }
        }
        if n == limit {
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
