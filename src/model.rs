//! The data every stage passes along: one received advertisement and its parts.

use std::fmt;
use std::ops::Range;

/// The times tagwatch takes as real, in microseconds since the Unix epoch (UTC): from
/// 2000-01-01 up to, not including, 2100-01-01. A time outside it (a receiver's unset clock
/// at 1970, a corrupt capture at the year 2200 or at i64's limits) is a damaged record, not a
/// moment anyone was followed: captures count such advertisements as damaged records and
/// tracks skip such fixes, so they are never stored and never reach the report.
pub const PLAUSIBLE_TIME_US: Range<i64> = 946_684_800_000_000..4_102_444_800_000_000;

/// A Bluetooth device address, stored most significant byte first (as BlueZ prints it).
/// Capture formats carry it least significant byte first; readers reverse it once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct BdAddr(pub [u8; 6]);

impl BdAddr {
    /// Builds an address from the little-endian byte order used on air and in HCI.
    pub fn from_le_bytes(b: &[u8; 6]) -> Self {
        BdAddr([b[5], b[4], b[3], b[2], b[1], b[0]])
    }

    /// Parses "AA:BB:CC:DD:EE:FF" or "aabbccddeeff".
    pub fn parse(s: &str) -> Option<Self> {
        let hex: String = s.chars().filter(|c| *c != ':' && *c != '-').collect();
        let bytes = hex::decode(hex).ok()?;
        Some(BdAddr(bytes.try_into().ok()?))
    }
}

impl fmt::Display for BdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for BdAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The address type bit from the header (TxAdd) or the HCI report.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddrType {
    Public,
    Random,
    Unknown,
}

/// What kind of advertising PDU (or HCI report event type) carried the data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PduKind {
    AdvInd,
    AdvDirectInd,
    AdvNonconnInd,
    AdvScanInd,
    ScanRsp,
    /// LE Extended Advertising (AUX_ADV_IND, or an HCI Extended Advertising Report).
    Extended,
    Unknown,
}

/// One advertisement as received. `data` borrows the reader's buffer, so decoding
/// a capture allocates nothing per advertisement.
#[derive(Clone, Copy, Debug)]
pub struct Advertisement<'a> {
    /// Microseconds since the Unix epoch, UTC.
    pub time_us: i64,
    pub address: BdAddr,
    pub addr_type: AddrType,
    pub rssi: Option<i8>,
    pub pdu: PduKind,
    /// The raw AD structures (length, type, value ...) exactly as received.
    pub data: &'a [u8],
}

/// An [`Advertisement`] that owns its data, for handing across threads (the live scanner).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedAdvertisement {
    pub time_us: i64,
    pub address: BdAddr,
    pub addr_type: AddrType,
    pub rssi: Option<i8>,
    pub pdu: PduKind,
    pub data: Vec<u8>,
}

impl From<&Advertisement<'_>> for OwnedAdvertisement {
    fn from(a: &Advertisement<'_>) -> Self {
        OwnedAdvertisement {
            time_us: a.time_us,
            address: a.address,
            addr_type: a.addr_type,
            rssi: a.rssi,
            pdu: a.pdu,
            data: a.data.to_vec(),
        }
    }
}

impl OwnedAdvertisement {
    pub fn as_advertisement(&self) -> Advertisement<'_> {
        Advertisement {
            time_us: self.time_us,
            address: self.address,
            addr_type: self.addr_type,
            rssi: self.rssi,
            pdu: self.pdu,
            data: &self.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_times_are_this_century() {
        let us = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_micros()
        };
        assert_eq!(PLAUSIBLE_TIME_US.start, us("2000-01-01T00:00:00Z"));
        assert_eq!(PLAUSIBLE_TIME_US.end, us("2100-01-01T00:00:00Z"));
    }

    #[test]
    fn address_prints_most_significant_byte_first() {
        let a = BdAddr::from_le_bytes(&[0x0c, 0xa4, 0x19, 0xb0, 0x6c, 0x59]);
        assert_eq!(a.to_string(), "59:6C:B0:19:A4:0C");
        assert_eq!(BdAddr::parse("59:6c:b0:19:a4:0c"), Some(a));
        assert_eq!(BdAddr::parse("59:6c:b0"), None);
    }
}
