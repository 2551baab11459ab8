//! The kernel's HCI monitor channel (Linux), read as `btmon` reads it: a raw Bluetooth HCI
//! socket bound to no adapter on the monitor channel hands over every HCI packet of every
//! adapter, one datagram each (`struct hci_mon_hdr` then the packet), and with SO_TIMESTAMP
//! the time the kernel received it. Binding needs CAP_NET_RAW.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::capture::monitor::{Frame, HEADER_LEN, parse_header};

const BTPROTO_HCI: libc::c_int = 1;
/// Bound to no adapter: the monitor channel covers them all.
const HCI_DEV_NONE: u16 = 0xffff;
const HCI_CHANNEL_MONITOR: u16 = 2;
/// A frame's payload is at most an HCI packet (an ACL packet of a 16-bit length at worst).
const MAX_FRAME: usize = HEADER_LEN + 65_536;

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
    buf: Vec<u8>,
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
            buf: vec![0; MAX_FRAME],
        })
    }

    /// The next frame, without waiting: `Ok(None)` when none is there. A datagram shorter
    /// than its header says is an error naming what was received.
    pub fn recv(&mut self) -> io::Result<Option<Frame<'_>>> {
        let mut iov = libc::iovec {
            iov_base: self.buf.as_mut_ptr().cast(),
            iov_len: self.buf.len(),
        };
        // Room for one SCM_TIMESTAMP (a timeval), aligned as cmsghdr wants.
        let mut control = [0u64; 8];
        // SAFETY: msghdr is plain data; zeroed is a valid empty one, filled in below.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &raw mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = size_of_val(&control) as _;
        // SAFETY: `msg` points at `iov` (into `buf`) and `control`, both alive and of the
        // lengths given.
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &raw mut msg, libc::MSG_DONTWAIT) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted => Ok(None),
                _ => Err(e),
            };
        }
        let n = n as usize;
        let time_us = timestamp(&msg).unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
        let bad = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("monitor frame of {n} bytes: {why}"),
            )
        };
        if msg.msg_flags & libc::MSG_TRUNC != 0 {
            return Err(bad("longer than any HCI packet"));
        }
        let (opcode, index, len) =
            parse_header(&self.buf[..n]).ok_or_else(|| bad("shorter than its header"))?;
        let payload = self.buf[HEADER_LEN..n]
            .get(..len)
            .ok_or_else(|| bad(&format!("header says {len} bytes follow")))?;
        Ok(Some(Frame {
            time_us,
            opcode,
            index,
            payload,
        }))
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
    use crate::capture::monitor::{EVENT, NEW_INDEX};
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
