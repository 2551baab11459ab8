//! The kernel's HCI monitor channel (Linux), read as `btmon` reads it: a raw Bluetooth HCI
//! socket bound to no adapter on the monitor channel hands over every HCI packet of every
//! adapter, one datagram each (`struct hci_mon_hdr` then the packet), and with SO_TIMESTAMP
//! the time the kernel received it. Binding needs CAP_NET_RAW.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::capture::monitor::{Frame, HEADER_LEN, kept, parse_header};

const BTPROTO_HCI: libc::c_int = 1;
/// Bound to no adapter: the monitor channel covers them all.
const HCI_DEV_NONE: u16 = 0xffff;
const HCI_CHANNEL_MONITOR: u16 = 2;
/// Datagrams taken per system call: at the radio's ceiling a batch of 20 ms is about 55.
const BATCH: usize = 64;
/// Room for one datagram: any HCI command or event (at most 258 bytes) with the monitor's
/// header. Only data packets (ACL, ISO) are longer; they arrive cut and are passed over, as the
/// reader would leave them out anyway.
const SLOT: usize = 1024;
/// `struct sockaddr_hci`.
#[repr(C)]
struct SockaddrHci {
    family: libc::sa_family_t,
    dev: u16,
    channel: u16,
}

/// One end of the monitor channel.
pub struct MonitorSocket {
    fd: OwnedFd,
    /// `BATCH` slots of `SLOT` bytes, filled by one `recvmmsg`.
    buf: Vec<u8>,
    /// What the last `recvmmsg` received, slot by slot, and the next slot to hand out.
    got: Vec<Received>,
    next: usize,
}

/// One datagram as received: its slot, its length there, whether it was cut, its kernel time.
#[derive(Clone, Copy)]
struct Received {
    slot: usize,
    len: usize,
    cut: bool,
    time_us: Option<i64>,
}

impl MonitorSocket {
    /// Opens the kernel's monitor channel. Without CAP_NET_RAW the bind fails with
    /// `PermissionDenied`; without Bluetooth in the kernel the socket call fails.
    pub fn open() -> io::Result<Self> {
        // SAFETY: plain socket(2); the descriptor is owned at once.
        let fd = unsafe {
            libc::socket(
                libc::AF_BLUETOOTH,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                BTPROTO_HCI,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new descriptor nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let addr = SockaddrHci {
            family: libc::AF_BLUETOOTH as libc::sa_family_t,
            dev: HCI_DEV_NONE,
            channel: HCI_CHANNEL_MONITOR,
        };
        // SAFETY: `addr` is a valid sockaddr_hci of the length given.
        let bound = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const addr).cast(),
                size_of::<SockaddrHci>() as libc::socklen_t,
            )
        };
        if bound < 0 {
            return Err(io::Error::last_os_error());
        }
        Self::from_fd(fd)
    }

    /// Reads frames from any datagram socket of the same framing (tests use a socketpair),
    /// asking for receive timestamps and room for a few seconds of frames.
    pub fn from_fd(fd: OwnedFd) -> io::Result<Self> {
        set_option(&fd, libc::SO_TIMESTAMP, &(1 as libc::c_int))?;
        // The frames wait here between batches; the kernel caps it at net.core.rmem_max, and
        // a smaller buffer still holds the 20 ms between two batches.
        let _ = set_option(&fd, libc::SO_RCVBUF, &(RECEIVE_BUFFER as libc::c_int));
        Ok(MonitorSocket {
            fd,
            buf: vec![0; BATCH * SLOT],
            got: Vec::with_capacity(BATCH),
            next: 0,
        })
    }

    /// The next frame, without waiting: `Ok(None)` when none is there. A datagram shorter
    /// than its header says is an error naming what was received.
    pub fn recv(&mut self) -> io::Result<Option<Frame<'_>>> {
        let Received {
            slot,
            len: n,
            cut,
            time_us,
        } = loop {
            if self.next == self.got.len() && !self.receive()? {
                return Ok(None);
            }
            let got = self.got[self.next];
            self.next += 1;
            // A cut data packet is passed over; a cut command or event is an error below.
            let cut_data = got.cut
                && parse_header(self.slot(got.slot, got.len)).is_some_and(|(opcode, _, _)| !kept(opcode));
            if !cut_data {
                break got;
            }
        };
        let bad = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("monitor frame of {n} bytes: {why}"),
            )
        };
        if cut {
            return Err(bad("longer than any HCI command or event"));
        }
        let bytes = self.slot(slot, n);
        let (opcode, index, len) = parse_header(bytes).ok_or_else(|| bad("shorter than its header"))?;
        let payload = bytes[HEADER_LEN..]
            .get(..len)
            .ok_or_else(|| bad(&format!("header says {len} bytes follow")))?;
        Ok(Some(Frame {
            time_us: time_us.unwrap_or_else(|| chrono::Utc::now().timestamp_micros()),
            opcode,
            index,
            payload,
        }))
    }

    fn slot(&self, slot: usize, len: usize) -> &[u8] {
        &self.buf[slot * SLOT..slot * SLOT + len]
    }

    /// Takes the datagrams waiting, up to `BATCH`, in one system call; false when none.
    fn receive(&mut self) -> io::Result<bool> {
        self.got.clear();
        self.next = 0;
        let mut iovs: Vec<libc::iovec> = self
            .buf
            .chunks_exact_mut(SLOT)
            .map(|slot| libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: SLOT,
            })
            .collect();
        // Room for one SCM_TIMESTAMP (a timeval) each, aligned as cmsghdr wants.
        let mut control = [[0u64; 8]; BATCH];
        let mut msgs: Vec<libc::mmsghdr> = iovs
            .iter_mut()
            .zip(&mut control)
            .map(|(iov, control)| {
                // SAFETY: mmsghdr is plain data; zeroed is a valid empty one, filled in here.
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_iov = iov;
                m.msg_hdr.msg_iovlen = 1;
                m.msg_hdr.msg_control = control.as_mut_ptr().cast();
                m.msg_hdr.msg_controllen = size_of_val(control) as _;
                m
            })
            .collect();
        // SAFETY: each header points at its own slot of `buf` and its own control buffer,
        // all alive and of the lengths given, for `msgs.len()` headers.
        let n = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                msgs.as_mut_ptr(),
                msgs.len() as _,
                // An int on glibc, an unsigned int on musl.
                libc::MSG_DONTWAIT as _,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted => Ok(false),
                _ => Err(e),
            };
        }
        for (slot, m) in msgs[..n as usize].iter().enumerate() {
            let len = m.msg_len as usize;
            if len == 0 {
                // Every frame has a header, so 0 bytes is no frame: a stream socket whose
                // other end closed (a socketpair in tests) reads 0 at once, forever, and taking
                // that as a bad frame made the reader spin at full speed.
                continue;
            }
            self.got.push(Received {
                slot,
                len,
                cut: m.msg_hdr.msg_flags & libc::MSG_TRUNC != 0,
                time_us: timestamp(&m.msg_hdr),
            });
        }
        Ok(!self.got.is_empty())
    }
}

/// Receive buffer asked for: a second of frames at the radio's ceiling, many times over.
const RECEIVE_BUFFER: usize = 4 << 20;

fn set_option<T>(fd: &OwnedFd, option: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: `value` is a valid T of the size given.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            option,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The kernel's receive time (SCM_TIMESTAMP), microseconds since the Unix epoch.
fn timestamp(msg: &libc::msghdr) -> Option<i64> {
    // SAFETY: walking the control messages the kernel wrote into `msg`, with libc's macros.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMP {
                let tv: libc::timeval = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                // 32 bits each on 32-bit ARM (Raspberry Pi OS), 64 here.
                #[allow(clippy::useless_conversion)]
                return Some(i64::from(tv.tv_sec) * 1_000_000 + i64::from(tv.tv_usec));
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::monitor::{ACL_RX, EVENT, NEW_INDEX};
    use std::os::unix::net::UnixDatagram;

    fn pair() -> (UnixDatagram, MonitorSocket) {
        let (tx, rx) = UnixDatagram::pair().unwrap();
        (tx, MonitorSocket::from_fd(OwnedFd::from(rx)).unwrap())
    }

    #[test]
    fn datagrams_become_frames_stamped_with_the_receive_time() {
        let (tx, mut rx) = pair();
        let before = chrono::Utc::now().timestamp_micros();
        tx.send(&[3, 0, 1, 0, 4, 0, 0x3e, 2, 0x02, 0]).unwrap();
        tx.send(&[0, 0, 0, 0, 0, 0]).unwrap();
        let f = rx.recv().unwrap().unwrap();
        assert_eq!(
            (f.opcode, f.index, f.payload),
            (EVENT, 1, &[0x3e, 2, 0x02, 0][..])
        );
        let after = chrono::Utc::now().timestamp_micros();
        assert!(
            (before..=after).contains(&f.time_us),
            "{before} {} {after}",
            f.time_us
        );
        let f = rx.recv().unwrap().unwrap();
        assert_eq!((f.opcode, f.index, f.payload), (NEW_INDEX, 0, &[][..]));
    }

    #[test]
    fn short_or_overlong_frames_are_errors_and_silence_is_none() {
        let (tx, mut rx) = pair();
        tx.send(&[3, 0, 1]).unwrap();
        let e = rx.recv().unwrap_err();
        assert_eq!(e.to_string(), "monitor frame of 3 bytes: shorter than its header");
        tx.send(&[3, 0, 1, 0, 9, 0, 1, 2]).unwrap();
        let e = rx.recv().unwrap_err();
        assert_eq!(
            e.to_string(),
            "monitor frame of 8 bytes: header says 9 bytes follow"
        );
        assert!(rx.recv().unwrap().is_none(), "nothing there: no waiting");
    }

    #[test]
    fn a_cut_data_packet_is_passed_over_and_a_cut_event_is_an_error() {
        let (tx, mut rx) = pair();
        let long = |opcode: u16| {
            let mut d = [opcode.to_le_bytes(), [0, 0], 2000u16.to_le_bytes()].concat();
            d.resize(6 + 2000, 0xAA);
            d
        };
        tx.send(&long(ACL_RX)).unwrap();
        tx.send(&[0, 0, 0, 0, 0, 0]).unwrap();
        tx.send(&long(EVENT)).unwrap();
        let f = rx.recv().unwrap().unwrap();
        assert_eq!(
            (f.opcode, f.payload),
            (NEW_INDEX, &[][..]),
            "the ACL packet left out"
        );
        let e = rx.recv().unwrap_err();
        assert_eq!(
            e.to_string(),
            "monitor frame of 1024 bytes: longer than any HCI command or event"
        );
        assert!(rx.recv().unwrap().is_none());
    }

    #[test]
    fn more_frames_than_one_system_call_takes_all_come_in_order() {
        let (tx, mut rx) = pair();
        for i in 0..BATCH as u8 * 3 {
            tx.send(&[3, 0, 0, 0, 1, 0, i]).unwrap();
        }
        let mut got = Vec::new();
        while let Some(f) = rx.recv().unwrap() {
            got.push(f.payload[0]);
        }
        assert_eq!(got, (0..BATCH as u8 * 3).collect::<Vec<_>>());
    }

    #[test]
    fn an_empty_datagram_among_frames_is_passed_over() {
        let (tx, mut rx) = pair();
        tx.send(&[3, 0, 0, 0, 1, 0, 1]).unwrap();
        assert_eq!(rx.recv().unwrap().unwrap().payload, [1]);
        // Received together: the empty one must not shift the next into another's slot.
        tx.send(&[]).unwrap();
        tx.send(&[3, 0, 0, 0, 1, 0, 2]).unwrap();
        assert_eq!(rx.recv().unwrap().unwrap().payload, [2]);
        assert!(rx.recv().unwrap().is_none());
    }

    #[test]
    fn a_closed_stream_is_silence_not_a_bad_frame_each_time() {
        let (tx, rx) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut rx = MonitorSocket::from_fd(OwnedFd::from(rx)).unwrap();
        drop(tx);
        // It reads 0 bytes, which the reader's loop took as a bad frame and read again.
        assert!(rx.recv().unwrap().is_none());
    }

    #[test]
    fn opening_the_kernel_channel_succeeds_or_says_why() {
        // Without CAP_NET_RAW (or Bluetooth in this kernel) the reason must be the one the
        // fallback to BlueZ recognises.
        match MonitorSocket::open() {
            Ok(_) => {}
            Err(e) => assert!(
                matches!(
                    e.raw_os_error(),
                    Some(libc::EPERM | libc::EACCES | libc::EAFNOSUPPORT)
                ),
                "{e}"
            ),
        }
    }
}
