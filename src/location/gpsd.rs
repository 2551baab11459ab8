//! Live fixes from a running gpsd over its TCP JSON protocol, for recording the
//! person's track while scanning.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::Fix;
use super::gpsd_json::{Report, parse_report};
use crate::i18n::{Lang, Localised, Message};
use crate::model::PLAUSIBLE_TIME_US;

/// gpsd's default port, for callers building HOST:PORT.
pub const DEFAULT_PORT: u16 = 2947;

/// Asks gpsd to stream JSON reports to this connection.
pub const WATCH_COMMAND: &str = "?WATCH={\"enable\":true,\"json\":true};\n";

/// gpsd reports are a few KiB; a longer line means we are not talking to gpsd.
const MAX_LINE: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum GpsdError {
    Unreachable { addr: String, source: io::Error },
    Timeout { addr: String, timeout: Duration },
    Closed { addr: String },
    Io { addr: String, source: io::Error },
    Protocol { addr: String, problem: Message },
}

impl GpsdError {
    /// What went wrong, worded when shown (a live view keeps it while gpsd is down).
    /// The system's words for a network error are put in as they are.
    pub fn message(&self) -> Message {
        match self {
            GpsdError::Unreachable { addr, source } => Message::new("gpsd-unreachable")
                .with("addr", addr)
                .with("why", source),
            GpsdError::Timeout { addr, timeout } => Message::new(NO_FIX)
                .with("addr", addr)
                .with("s", timeout.as_secs_f64()),
            GpsdError::Closed { addr } => Message::new("gpsd-closed").with("addr", addr),
            GpsdError::Io { addr, source } => Message::new("gpsd-io").with("addr", addr).with("why", source),
            GpsdError::Protocol { addr, problem } => Message::new("gpsd-protocol")
                .with("addr", addr)
                .nested("problem", problem.clone()),
        }
    }
}

impl Localised for GpsdError {
    fn text(&self, lang: Lang) -> String {
        self.message().text(lang)
    }
}

/// The key of [`GpsdError::Timeout`]'s message: connected, but the receiver has no fix.
pub const NO_FIX: &str = "gpsd-no-fix";

/// A watching connection to gpsd. `next_fix` blocks for at most the timeout;
/// as an iterator it yields fixes until the first error, which it yields too.
pub struct GpsdClient {
    addr: String,
    reader: BufReader<TcpStream>,
    /// Bytes of a line cut short by a timeout, kept so a retry does not lose them.
    line: Vec<u8>,
    timeout: Duration,
    failed: bool,
}

impl GpsdClient {
    /// Connects to `addr` ("host:port") and starts watching. `timeout` bounds the
    /// connect, and each later wait for a fix.
    pub fn connect(addr: &str, timeout: Duration) -> Result<Self, GpsdError> {
        let unreachable = |source| GpsdError::Unreachable {
            addr: addr.into(),
            source,
        };
        let mut last_err = io::Error::new(io::ErrorKind::NotFound, "address resolves to nothing");
        let mut stream = None;
        for sa in addr.to_socket_addrs().map_err(unreachable)? {
            match TcpStream::connect_timeout(&sa, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last_err = e,
            }
        }
        let mut stream = stream.ok_or_else(|| unreachable(last_err))?;
        let io_err = |source| GpsdError::Io {
            addr: addr.into(),
            source,
        };
        stream.set_write_timeout(Some(timeout)).map_err(io_err)?;
        stream.write_all(WATCH_COMMAND.as_bytes()).map_err(io_err)?;
        Ok(GpsdClient {
            addr: addr.into(),
            reader: BufReader::new(stream),
            line: Vec::new(),
            timeout,
            failed: false,
        })
    }

    /// Blocks until gpsd reports a 2D/3D fix with a valid position and a plausible time (a
    /// receiver without a clock yet reports 1980 or 1970).
    pub fn next_fix(&mut self) -> Result<Fix, GpsdError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let line = self.read_line(deadline)?;
            let report = parse_report(line.trim()).map_err(|problem| GpsdError::Protocol {
                addr: self.addr.clone(),
                problem,
            })?;
            if let Report::Fix(fix) = report
                && fix.has_valid_position()
                && PLAUSIBLE_TIME_US.contains(&fix.time_us)
            {
                return Ok(fix);
            }
        }
    }

    fn read_line(&mut self, deadline: Instant) -> Result<String, GpsdError> {
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(GpsdError::Timeout {
                    addr: self.addr.clone(),
                    timeout: self.timeout,
                });
            }
            let io_err = |source| GpsdError::Io {
                addr: self.addr.clone(),
                source,
            };
            self.reader
                .get_ref()
                .set_read_timeout(Some(remaining))
                .map_err(io_err)?;
            let limit = (MAX_LINE + 1 - self.line.len()) as u64;
            match (&mut self.reader).take(limit).read_until(b'\n', &mut self.line) {
                Ok(0) => {
                    return Err(GpsdError::Closed {
                        addr: self.addr.clone(),
                    });
                }
                Ok(_) if self.line.ends_with(b"\n") => {
                    let text = String::from_utf8_lossy(&self.line).into_owned();
                    self.line.clear();
                    return Ok(text);
                }
                Ok(_) if self.line.len() > MAX_LINE => {
                    let problem = Message::new("gpsd-line-too-long");
                    return Err(GpsdError::Protocol {
                        addr: self.addr.clone(),
                        problem,
                    });
                }
                // Part of a line; read on.
                Ok(_) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(GpsdError::Io {
                        addr: self.addr.clone(),
                        source,
                    });
                }
            }
        }
    }
}

impl Iterator for GpsdClient {
    type Item = Result<Fix, GpsdError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.next_fix();
        self.failed = r.is_err();
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    const TIMEOUT: Duration = Duration::from_secs(5);

    /// A one-connection fake gpsd on loopback that checks the WATCH command and
    /// then sends `script`.
    fn fake_gpsd(script: &'static str, then_wait: Duration) -> (String, thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let h = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(TIMEOUT)).unwrap();
            let mut buf = vec![0u8; WATCH_COMMAND.len()];
            s.read_exact(&mut buf).unwrap();
            assert_eq!(buf, WATCH_COMMAND.as_bytes());
            s.write_all(script.as_bytes()).unwrap();
            thread::sleep(then_wait);
        });
        (addr, h)
    }

    #[test]
    fn yields_fixes_then_reports_close() {
        let script = concat!(
            "{\"class\":\"VERSION\",\"release\":\"3.25\"}\n",
            "{\"class\":\"TPV\",\"mode\":1}\n",
            "{\"class\":\"TPV\",\"mode\":3,\"time\":\"2014-12-31T03:07:19.000Z\",\"lat\":-37.5,\"lon\":175.25,\"eph\":20.9}\n",
            "{\"class\":\"SKY\"}\n",
            "{\"class\":\"TPV\",\"mode\":2,\"time\":\"1980-01-06T00:00:00.000Z\",\"lat\":-37.6,\"lon\":175.5}\n",
            "{\"class\":\"TPV\",\"mode\":2,\"time\":\"2014-12-31T03:07:20.000Z\",\"lat\":-37.75,\"lon\":175.5}\n",
        );
        let (addr, h) = fake_gpsd(script, Duration::ZERO);
        let client = GpsdClient::connect(&addr, TIMEOUT).unwrap();
        let got: Vec<_> = client.collect();
        h.join().unwrap();
        assert_eq!(got.len(), 3);
        let f0 = got[0].as_ref().unwrap();
        assert_eq!(
            (f0.time_us, f0.lat, f0.lon, f0.accuracy_m),
            (1_419_995_239_000_000, -37.5, 175.25, Some(20.9))
        );
        assert_eq!(got[1].as_ref().unwrap().lat, -37.75);
        assert!(matches!(got[2], Err(GpsdError::Closed { .. })), "{:?}", got[2]);
    }

    #[test]
    fn times_out_and_keeps_partial_line() {
        let (addr, h) = fake_gpsd("{\"class\":\"TPV\",\"mode\":2,", Duration::from_millis(800));
        let mut c = GpsdClient::connect(&addr, Duration::from_millis(200)).unwrap();
        let t0 = Instant::now();
        let e = c.next_fix().unwrap_err();
        assert!(matches!(e, GpsdError::Timeout { .. }), "{e}");
        assert!(t0.elapsed() < Duration::from_secs(2));
        assert!(c.line.starts_with(b"{\"class\""));
        h.join().unwrap();
    }

    #[test]
    fn unreachable_and_not_gpsd() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = GpsdClient::connect(&format!("127.0.0.1:{port}"), TIMEOUT)
            .err()
            .unwrap();
        assert!(matches!(e, GpsdError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains("cannot reach gpsd at 127.0.0.1:"));
        let (addr, h) = fake_gpsd("HTTP/1.0 400 Bad Request\r\n", Duration::ZERO);
        let e = GpsdClient::connect(&addr, TIMEOUT)
            .unwrap()
            .next_fix()
            .unwrap_err();
        h.join().unwrap();
        assert!(matches!(e, GpsdError::Protocol { .. }), "{e}");
    }
}
