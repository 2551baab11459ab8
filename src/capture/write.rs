//! Writers for synthetic captures (tests, benchmarks, bug reports): btsnoop and Apple
//! PacketLogger with HCI advertising reports, and pcap with link-layer advertising packets,
//! behind a radio header (link type 256) or an nRF Sniffer header of a chosen version (link
//! type 272).

use std::io::{self, Write};

use crate::model::{AddrType, Advertisement, PduKind};

use super::btsnoop::{DATALINK_H4, DATALINK_MONITOR, EPOCH_OFFSET_US, MAGIC};
use super::linklayer::{ADV_ACCESS_ADDRESS, crc24};
use super::monitor::Frame;
use super::nordic;

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn le_address(adv: &Advertisement<'_>) -> [u8; 6] {
    let mut a = adv.address.0;
    a.reverse();
    a
}

/// Writes a btsnoop v1 file, datalink 1002 (H4), one HCI event per record.
pub struct BtsnoopWriter<W: Write> {
    w: W,
    record: Vec<u8>,
}

impl<W: Write> BtsnoopWriter<W> {
    /// Writes the file header.
    pub fn new(mut w: W) -> io::Result<Self> {
        btsnoop_header(&mut w, DATALINK_H4)?;
        Ok(BtsnoopWriter {
            w,
            record: Vec::with_capacity(300),
        })
    }

    /// One LE Advertising Report event (Vol 4 Part E §7.7.65.2) holding one report.
    pub fn write_legacy_report(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        self.write_le_meta(adv.time_us, &legacy_report(adv)?)
    }

    /// One LE Extended Advertising Report event (Vol 4 Part E §7.7.65.13) holding one
    /// complete report; legacy kinds get their legacy event type.
    pub fn write_extended_report(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        let event_type: u16 = match adv.pdu {
            PduKind::AdvInd => 0x13,
            PduKind::AdvDirectInd => 0x15,
            PduKind::AdvScanInd => 0x12,
            PduKind::AdvNonconnInd => 0x10,
            PduKind::ScanRsp => 0x1B,
            PduKind::Extended => 0x00,
            PduKind::Unknown => return Err(invalid("unknown PDU kind")),
        };
        let addr_type = match adv.addr_type {
            AddrType::Public => 0,
            AddrType::Random => 1,
            AddrType::Unknown => 0xFF,
        };
        let data_len = u8::try_from(adv.data.len())
            .ok()
            .filter(|&n| n <= 229)
            .ok_or_else(|| invalid("data too long"))?;
        let mut params = vec![0x0D, 1];
        params.extend_from_slice(&event_type.to_le_bytes());
        params.push(addr_type);
        params.extend_from_slice(&le_address(adv));
        // Primary PHY 1M, no secondary PHY, no SID, TX power unavailable.
        params.extend_from_slice(&[0x01, 0x00, 0xFF, 0x7F]);
        params.push(adv.rssi.map_or(0x7F, |r| r as u8));
        // Periodic interval, direct address type and direct address: none.
        params.extend_from_slice(&[0; 9]);
        params.push(data_len);
        params.extend_from_slice(adv.data);
        self.write_le_meta(adv.time_us, &params)
    }

    fn write_le_meta(&mut self, time_us: i64, params: &[u8]) -> io::Result<()> {
        let len = u8::try_from(params.len()).map_err(|_| invalid("event too long"))?;
        let r = &mut self.record;
        r.clear();
        r.extend_from_slice(&[0x04, 0x3E, len]);
        r.extend_from_slice(params);
        // Received (bit 0) event (bit 1).
        btsnoop_record(&mut self.w, 3, time_us, r)
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

fn btsnoop_header(w: &mut impl Write, datalink: u32) -> io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&1u32.to_be_bytes())?;
    w.write_all(&datalink.to_be_bytes())
}

/// One btsnoop record: its 24-byte header, then `data`.
fn btsnoop_record(w: &mut impl Write, flags: u32, time_us: i64, data: &[u8]) -> io::Result<()> {
    let n = u32::try_from(data.len())
        .map_err(|_| invalid("record too long"))?
        .to_be_bytes();
    let ts = time_us
        .checked_add(EPOCH_OFFSET_US)
        .ok_or_else(|| invalid("timestamp out of range"))?;
    let mut header = [0u8; 24];
    header[0..4].copy_from_slice(&n);
    header[4..8].copy_from_slice(&n);
    header[8..12].copy_from_slice(&flags.to_be_bytes());
    header[16..24].copy_from_slice(&ts.to_be_bytes());
    w.write_all(&header)?;
    w.write_all(data)
}

/// Writes monitor frames as btsnoop datalink 2001, as `btmon -w` does: Wireshark, btmon and
/// `tagwatch analyze` open it.
pub struct MonitorWriter<W: Write> {
    w: W,
}

impl<W: Write> MonitorWriter<W> {
    /// Writes the file header.
    pub fn new(mut w: W) -> io::Result<Self> {
        btsnoop_header(&mut w, DATALINK_MONITOR)?;
        Ok(MonitorWriter { w })
    }

    /// One frame; its flags are the adapter index and the opcode.
    pub fn write(&mut self, frame: &Frame<'_>) -> io::Result<()> {
        let flags = u32::from(frame.index) << 16 | u32::from(frame.opcode);
        btsnoop_record(&mut self.w, flags, frame.time_us, frame.payload)
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// The parameters of an LE Advertising Report event (Vol 4 Part E §7.7.65.2) holding one
/// report.
fn legacy_report(adv: &Advertisement<'_>) -> io::Result<Vec<u8>> {
    let event_type = match adv.pdu {
        PduKind::AdvInd => 0,
        PduKind::AdvDirectInd => 1,
        PduKind::AdvScanInd => 2,
        PduKind::AdvNonconnInd => 3,
        PduKind::ScanRsp => 4,
        PduKind::Extended | PduKind::Unknown => return Err(invalid("not a legacy PDU kind")),
    };
    let addr_type = match adv.addr_type {
        AddrType::Public => 0,
        AddrType::Random => 1,
        AddrType::Unknown => {
            return Err(invalid("legacy reports need a public or random address"));
        }
    };
    let data_len = u8::try_from(adv.data.len())
        .ok()
        .filter(|&n| n <= 243)
        .ok_or_else(|| invalid("data too long"))?;
    let mut params = vec![0x02, 1, event_type, addr_type];
    params.extend_from_slice(&le_address(adv));
    params.push(data_len);
    params.extend_from_slice(adv.data);
    params.push(adv.rssi.map_or(0x7F, |r| r as u8));
    Ok(params)
}

/// Writes an Apple PacketLogger file (see `pklg.rs`) in either byte order: advertising
/// reports as HCI events, and records of the types a reader passes over.
pub struct PklgWriter<W: Write> {
    w: W,
    little_endian: bool,
}

impl<W: Write> PklgWriter<W> {
    /// PacketLogger files have no header.
    pub fn new(w: W, little_endian: bool) -> Self {
        PklgWriter { w, little_endian }
    }

    /// One LE Advertising Report event holding one report.
    pub fn write_legacy_report(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        let params = legacy_report(adv)?;
        let len = u8::try_from(params.len()).map_err(|_| invalid("event too long"))?;
        let mut event = vec![0x3E, len];
        event.extend_from_slice(&params);
        self.write_record(adv.time_us, super::pklg::TYPE_HCI_EVENT, &event)
    }

    /// A record of any type (an HCI command, a note ...) with `data` after the type byte.
    pub fn write_record(&mut self, time_us: i64, kind: u8, data: &[u8]) -> io::Result<()> {
        let len = u32::try_from(data.len() + 9).map_err(|_| invalid("record too long"))?;
        let secs = u32::try_from(time_us.div_euclid(1_000_000)).map_err(|_| invalid("time out of range"))?;
        let usecs = time_us.rem_euclid(1_000_000) as u32;
        for word in [len, secs, usecs] {
            let bytes = if self.little_endian {
                word.to_le_bytes()
            } else {
                word.to_be_bytes()
            };
            self.w.write_all(&bytes)?;
        }
        self.w.write_all(&[kind])?;
        self.w.write_all(data)
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Writes a pcap file of link type 256 (LE LL with radio header). The header does not
/// claim a checked CRC, so readers verify the CRC this writer computes.
pub struct PcapLlWriter<W: Write> {
    w: W,
    frame: Vec<u8>,
}

impl<W: Write> PcapLlWriter<W> {
    /// Writes the file header: little-endian, microsecond timestamps.
    pub fn new(mut w: W) -> io::Result<Self> {
        pcap_header(&mut w, 256)?;
        Ok(PcapLlWriter {
            w,
            frame: Vec::with_capacity(300),
        })
    }

    /// One advertising packet: a legacy PDU for legacy kinds, an AUX_ADV_IND with AdvA,
    /// ADI and AdvData for `PduKind::Extended` (Vol 6 Part B §2.3).
    pub fn write(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        let f = &mut self.frame;
        f.clear();
        // phdr: RF channel 0 (advertising channel 37), signal power, noise power,
        // access-address offenses, reference access address, flags (dewhitened,
        // signal power valid when known, reference access address valid).
        let flags: u16 = 0x0001 | 0x0010 | if adv.rssi.is_some() { 0x0002 } else { 0 };
        f.extend_from_slice(&[0, adv.rssi.unwrap_or(0) as u8, 0x80, 0]);
        f.extend_from_slice(&ADV_ACCESS_ADDRESS.to_le_bytes());
        f.extend_from_slice(&flags.to_le_bytes());
        ll_packet(adv, None, f)?;
        pcap_record(&mut self.w, adv.time_us, f)
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Writes a pcap file of link type 272 as the nRF Sniffer for Bluetooth LE does, with its
/// header in version 0 (legacy), 1, 2 or 3 (see `nordic.rs`). Every packet has a good CRC
/// and its RSSI; extended advertisements go out as AUX_ADV_IND on a secondary channel, on
/// LE Coded (S8) in version 3 (earlier versions knew only LE 1M).
pub struct NordicWriter<W: Write> {
    w: W,
    version: u8,
    counter: u16,
    /// Start and length of the previous packet, for the delta times of versions 0-2.
    previous: Option<(i64, usize)>,
    frame: Vec<u8>,
}

impl<W: Write> NordicWriter<W> {
    /// Writes the file header: little-endian, microsecond timestamps.
    pub fn new(mut w: W, version: u8) -> io::Result<Self> {
        if version > 3 {
            return Err(invalid("nRF Sniffer header versions are 0 to 3"));
        }
        pcap_header(&mut w, 272)?;
        Ok(NordicWriter {
            w,
            version,
            counter: 0,
            previous: None,
            frame: Vec::with_capacity(300),
        })
    }

    pub fn write(&mut self, adv: &Advertisement<'_>) -> io::Result<()> {
        let rssi = adv
            .rssi
            .filter(|&r| r <= 0)
            .ok_or_else(|| invalid("the nRF Sniffer header holds an RSSI of 0 dBm or below"))?;
        let extended = adv.pdu == PduKind::Extended;
        let coded = extended && self.version == 3;
        let mut ll = Vec::with_capacity(adv.data.len() + 32);
        ll_packet(adv, coded.then_some(0), &mut ll)?;

        // Versions 0-2: microseconds from the end of the previous packet (LE 1M: 8 µs per
        // byte with the preamble) to the start of this one; version 3: the firmware clock.
        let time = match self.previous {
            _ if self.version == 3 => adv.time_us as u32,
            Some((start, len)) => adv
                .time_us
                .saturating_sub(start)
                .saturating_sub(8 * (1 + len as i64))
                .clamp(0, u32::MAX as i64) as u32,
            None => 0,
        };
        self.previous = Some((adv.time_us, ll.len()));
        let (id, channel) = match (self.version, extended) {
            (3, false) => (nordic::EVENT_PACKET_ADVERTISING, 37 + (self.counter % 3) as u8),
            (3, true) => (nordic::EVENT_PACKET_ADVERTISING, 10),
            (_, false) => (nordic::EVENT_PACKET, 37 + (self.counter % 3) as u8),
            (_, true) => (nordic::EVENT_PACKET, 10),
        };
        let phy = if coded { nordic::PHY_CODED } else { nordic::PHY_1M };
        let flags = nordic::FLAG_CRC_OK | phy << nordic::PHY_SHIFT;
        let event_len = nordic::EVENT_HEADER_LEN as usize;
        // What follows the UART header: the event header and the packet.
        let payload = event_len + ll.len();
        let too_long = || invalid("packet too long for the nRF Sniffer header");

        let f = &mut self.frame;
        f.clear();
        let counter = self.counter.to_le_bytes();
        match self.version {
            0 => {
                // The event header has no length byte here.
                let plen = u8::try_from(payload - 1).map_err(|_| too_long())?;
                f.extend_from_slice(&[0xBE, 0xEF, id, counter[0], counter[1], 0, 0, plen]);
            }
            1 => {
                let plen = u8::try_from(payload).map_err(|_| too_long())?;
                f.extend_from_slice(&[
                    0,
                    6,
                    plen,
                    1,
                    counter[0],
                    counter[1],
                    id,
                    nordic::EVENT_HEADER_LEN,
                ]);
            }
            v => {
                let plen = u16::try_from(payload).map_err(|_| too_long())?.to_le_bytes();
                f.extend_from_slice(&[
                    0,
                    plen[0],
                    plen[1],
                    v,
                    counter[0],
                    counter[1],
                    id,
                    nordic::EVENT_HEADER_LEN,
                ]);
            }
        }
        f.extend_from_slice(&[flags, channel, rssi.unsigned_abs(), 0, 0]);
        f.extend_from_slice(&time.to_le_bytes());
        f.extend_from_slice(&ll);
        self.counter = self.counter.wrapping_add(1);
        pcap_record(&mut self.w, adv.time_us, f)
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A pcap file header: little-endian, microsecond timestamps, snap length 65535.
fn pcap_header(w: &mut impl Write, link_type: u32) -> io::Result<()> {
    w.write_all(&0xA1B2_C3D4u32.to_le_bytes())?;
    w.write_all(&2u16.to_le_bytes())?;
    w.write_all(&4u16.to_le_bytes())?;
    w.write_all(&[0; 8])?;
    w.write_all(&65535u32.to_le_bytes())?;
    w.write_all(&link_type.to_le_bytes())
}

fn pcap_record(w: &mut impl Write, time_us: i64, frame: &[u8]) -> io::Result<()> {
    let secs = u32::try_from(time_us.div_euclid(1_000_000)).map_err(|_| invalid("timestamp out of range"))?;
    let micros = time_us.rem_euclid(1_000_000) as u32;
    let n = (frame.len() as u32).to_le_bytes();
    w.write_all(&secs.to_le_bytes())?;
    w.write_all(&micros.to_le_bytes())?;
    w.write_all(&n)?;
    w.write_all(&n)?;
    w.write_all(frame)
}

/// Appends `adv` as a link-layer advertising packet (access address, coding indicator on
/// LE Coded, PDU, CRC): a legacy PDU for legacy kinds, an AUX_ADV_IND with AdvA, ADI and
/// AdvData for `PduKind::Extended` (Vol 6 Part B §2.2, §2.3).
fn ll_packet(adv: &Advertisement<'_>, coding_indicator: Option<u8>, f: &mut Vec<u8>) -> io::Result<()> {
    let tx_add = match adv.addr_type {
        AddrType::Public => 0x00,
        AddrType::Random => 0x40,
        AddrType::Unknown => {
            return Err(invalid("link-layer packets need a public or random address"));
        }
    };
    let pdu_type = match adv.pdu {
        PduKind::AdvInd => 0,
        PduKind::AdvDirectInd if adv.data.is_empty() => 1,
        PduKind::AdvNonconnInd => 2,
        PduKind::ScanRsp => 4,
        PduKind::AdvScanInd => 6,
        PduKind::Extended => 7,
        PduKind::AdvDirectInd | PduKind::Unknown => {
            return Err(invalid("cannot encode this PDU kind"));
        }
    };
    let mut payload = Vec::with_capacity(adv.data.len() + 16);
    if pdu_type == 7 {
        // Extended header length 9 (AdvMode 0): flags (AdvA, ADI), AdvA, ADI.
        payload.extend_from_slice(&[9, 0x09]);
        payload.extend_from_slice(&le_address(adv));
        payload.extend_from_slice(&[0x00, 0x00]);
    } else {
        payload.extend_from_slice(&le_address(adv));
    }
    if pdu_type == 1 {
        payload.extend_from_slice(&[0; 6]);
    }
    payload.extend_from_slice(adv.data);
    let len = u8::try_from(payload.len()).map_err(|_| invalid("data too long"))?;

    f.extend_from_slice(&ADV_ACCESS_ADDRESS.to_le_bytes());
    f.extend(coding_indicator);
    let pdu_start = f.len();
    f.extend_from_slice(&[pdu_type | tx_add, len]);
    f.extend_from_slice(&payload);
    let crc = crc24(&f[pdu_start..]);
    f.extend_from_slice(&crc.to_le_bytes()[..3]);
    Ok(())
}
