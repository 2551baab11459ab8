//! The nRF Sniffer for Bluetooth LE header (LINKTYPE_NORDIC_BLE, 272) in every version
//! Wireshark's packet-nordic_ble.c reads. Before the link-layer packet:
//!
//! - version 0 (legacy, 0.9.7): 0xBEEF marker, packet id, packet counter (u16), 2 unused
//!   bytes, payload length (u8; the frame is 8 bytes plus it);
//! - version 1: board id, header length (u8; the frame is it + 1 + the payload length),
//!   payload length (u8), version, packet counter (u16), packet id;
//! - versions 2 and 3: board id, payload length (u16 LE; the frame is 7 bytes plus it),
//!   version, packet counter (u16), packet id;
//!
//! then, for received packets, the event header: its length (10; absent in version 0), flags,
//! channel, RSSI as a magnitude (-x dBm), event counter (u16), a time (u32: versions 0-2 the
//! delta from the end of the previous packet, version 3 the firmware's clock, in µs).
//! Flags: bit 0 CRC ok; bits 4-6 the PHY (0 LE 1M, 1 LE 2M, 2 LE Coded); on data channels
//! bit 1 direction, bit 2 encrypted, bit 3 MIC ok; on advertising channels below 37 (version
//! 3) bits 1-2 the auxiliary PDU type. On LE Coded the packet has the coding indicator
//! byte after the access address (the TERM fields are not captured).
//!
//! Packet ids of received packets: 0x06 EVENT_PACKET (before version 3 any channel, the
//! access address tells which; in version 3 data channels only) and, in version 3, 0x02
//! EVENT_PACKET_ADVERTISING (advertising channels, primary and secondary).

use super::link::Unreadable;

const LEGACY_MARKER: [u8; 2] = [0xBE, 0xEF];
/// Received packet: before version 3 any channel, in version 3 data channels.
pub(crate) const EVENT_PACKET: u8 = 0x06;
/// Version 3: a received advertising-channel packet.
pub(crate) const EVENT_PACKET_ADVERTISING: u8 = 0x02;
/// Length of the event header that versions 1-3 state (and version 0 implies).
pub(crate) const EVENT_HEADER_LEN: u8 = 10;
/// Where the event header starts, after the UART header (versions 0-3 alike).
const EVENT_AT: usize = 7;
pub(crate) const FLAG_CRC_OK: u8 = 0x01;
pub(crate) const PHY_SHIFT: u8 = 4;
pub(crate) const PHY_1M: u8 = 0;
pub(crate) const PHY_2M: u8 = 1;
pub(crate) const PHY_CODED: u8 = 2;

/// Which physical channel a packet was heard on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channel {
    /// The sniffer says: advertising (version 3, packet id 0x02).
    Advertising,
    /// The sniffer says: data (version 3, packet id 0x06).
    Data,
    /// Before version 3: the advertising access address tells.
    ByAccessAddress,
}

/// A received radio packet as the header describes it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Radio<'a> {
    pub channel: Channel,
    pub crc_ok: bool,
    pub rssi: i8,
    /// The access address.
    pub access_address: u32,
    /// The PDU (header, payload) and CRC: after the access address and, on LE Coded, the
    /// coding indicator.
    pub pdu_and_crc: &'a [u8],
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Frame<'a> {
    Radio(Radio<'a>),
    /// Lengths that do not add up (Wireshark flags them "bad length" and stops there).
    Damaged,
    /// Well-formed, but not something tagwatch knows how to read.
    Unreadable(Unreadable),
}

/// Reads the nRF Sniffer header of one frame.
pub(crate) fn parse(frame: &[u8]) -> Frame<'_> {
    if frame.len() <= EVENT_AT {
        return Frame::Damaged;
    }
    let (version, id, total) = if frame.starts_with(&LEGACY_MARKER) {
        (0, frame[2], 8 + frame[7] as usize)
    } else {
        let version = frame[3];
        let total = match version {
            1 => frame[1] as usize + 1 + frame[2] as usize,
            2 | 3 => EVENT_AT + u16::from_le_bytes([frame[1], frame[2]]) as usize,
            v => return Frame::Unreadable(Unreadable::NordicVersion(v)),
        };
        (version, frame[6], total)
    };
    if total != frame.len() {
        return Frame::Damaged;
    }
    let channel = match (version, id) {
        (3, EVENT_PACKET_ADVERTISING) => Channel::Advertising,
        (3, EVENT_PACKET) => Channel::Data,
        (_, EVENT_PACKET) if version < 3 => Channel::ByAccessAddress,
        _ => return Frame::Unreadable(Unreadable::NordicPacketId { version, id }),
    };
    // Version 0 has no length byte: its event header starts one byte later, at the same
    // flags offset as the others.
    let stated = if version == 0 {
        EVENT_HEADER_LEN
    } else {
        frame[EVENT_AT]
    };
    if stated != EVENT_HEADER_LEN {
        return Frame::Unreadable(Unreadable::NordicEventHeader(stated));
    }
    let Some((event, packet)) = frame[EVENT_AT..].split_first_chunk::<{ EVENT_HEADER_LEN as usize }>() else {
        return Frame::Damaged;
    };
    let [_, flags, _channel, rssi, ..] = *event;
    let ci_len = match (flags >> PHY_SHIFT) & 0x07 {
        PHY_1M | PHY_2M => 0,
        PHY_CODED => 1,
        phy => return Frame::Unreadable(Unreadable::NordicPhy(phy)),
    };
    let Some((aa, rest)) = packet.split_first_chunk::<4>() else {
        return Frame::Damaged;
    };
    let Some(pdu_and_crc) = rest.get(ci_len..) else {
        return Frame::Damaged;
    };
    Frame::Radio(Radio {
        channel,
        crc_ok: flags & FLAG_CRC_OK != 0,
        rssi: (-(rssi as i16)).max(i8::MIN as i16) as i8,
        access_address: u32::from_le_bytes(*aa),
        pdu_and_crc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first frame of the shared version-3 capture (fascia_cardio.pcapng; tshark:
    /// protocol version 3, packet id 2, channel 39, RSSI -57, CRC ok, LE 1M, ADV_SCAN_IND).
    const V3_FRAME: &str = concat!(
        "00 3800 03 fb51 02",
        " 0a 01 27 39 0000 18308366",
        " d6be898e 4625 d0f216746875",
        " 1eff4c00071901192015aab21a000421864f1c528dae42a0a4dca8f11761e9",
        " b50c9c"
    );

    fn v3() -> Vec<u8> {
        hex::decode(V3_FRAME.replace(' ', "")).unwrap()
    }

    #[test]
    fn a_real_version_3_frame() {
        let f = v3();
        let Frame::Radio(r) = parse(&f) else {
            panic!("{:?}", parse(&f))
        };
        assert_eq!(
            (r.channel, r.crc_ok, r.rssi, r.access_address),
            (Channel::Advertising, true, -57, 0x8E89_BED6)
        );
        assert_eq!(r.pdu_and_crc, &f[21..]);
    }

    #[test]
    fn versions_lengths_ids_and_phys() {
        let f = v3();
        let mut v4 = f.clone();
        v4[3] = 4;
        assert_eq!(parse(&v4), Frame::Unreadable(Unreadable::NordicVersion(4)));
        // One byte more or less than the header says: bad length.
        assert_eq!(parse(&f[..f.len() - 1]), Frame::Damaged);
        assert_eq!(parse(&[f.as_slice(), &[0]].concat()), Frame::Damaged);
        let mut ping = f.clone();
        ping[6] = 0x0E;
        assert_eq!(
            parse(&ping),
            Frame::Unreadable(Unreadable::NordicPacketId { version: 3, id: 0x0E })
        );
        let channel = |frame: &[u8]| match parse(frame) {
            Frame::Radio(r) => Some(r.channel),
            _ => None,
        };
        let mut data = f.clone();
        data[6] = EVENT_PACKET;
        assert_eq!(channel(&data), Some(Channel::Data));
        // Version 2 has no advertising packet id: 0x02 means something else there.
        let mut v2 = f.clone();
        v2[3] = 2;
        assert_eq!(
            parse(&v2),
            Frame::Unreadable(Unreadable::NordicPacketId { version: 2, id: 2 })
        );
        v2[6] = EVENT_PACKET;
        assert_eq!(channel(&v2), Some(Channel::ByAccessAddress));
        let mut long = f.clone();
        long[7] = 12;
        assert_eq!(parse(&long), Frame::Unreadable(Unreadable::NordicEventHeader(12)));
        let mut reserved_phy = f.clone();
        reserved_phy[8] |= 3 << PHY_SHIFT;
        assert_eq!(parse(&reserved_phy), Frame::Unreadable(Unreadable::NordicPhy(3)));
        let mut coded = f.clone();
        coded[8] |= PHY_CODED << PHY_SHIFT;
        let Frame::Radio(r) = parse(&coded) else { panic!() };
        assert_eq!(r.pdu_and_crc, &f[22..]);
        let mut bad_crc = f.clone();
        bad_crc[8] &= !FLAG_CRC_OK;
        assert!(matches!(
            parse(&bad_crc),
            Frame::Radio(Radio { crc_ok: false, .. })
        ));
        // RSSI magnitudes beyond -128 dBm stay at -128.
        let mut faint = f;
        faint[10] = 200;
        assert!(matches!(parse(&faint), Frame::Radio(Radio { rssi: -128, .. })));
    }

    #[test]
    fn every_cut_is_damaged_or_unreadable_never_a_panic() {
        let f = v3();
        for cut in 0..f.len() {
            assert!(!matches!(parse(&f[..cut]), Frame::Radio(_)), "cut {cut}");
        }
    }
}
