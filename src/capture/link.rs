//! Frames of the pcap/pcapng link types that carry Bluetooth LE advertisements.

use crate::model::Advertisement;

use super::ReadStats;
use super::hci::HciDecoder;
use super::linklayer::{self, CrcStatus};

/// LINKTYPE_BLUETOOTH_HCI_H4: H4 packet type byte, then the HCI packet.
const BLUETOOTH_HCI_H4: u32 = 187;
/// LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: a 4-byte direction header before the H4 packet.
const BLUETOOTH_HCI_H4_WITH_PHDR: u32 = 201;
/// LINKTYPE_BLUETOOTH_LE_LL: access address, PDU, CRC.
const BLUETOOTH_LE_LL: u32 = 251;
/// LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: a 10-byte radio header before the LE LL packet.
const BLUETOOTH_LE_LL_WITH_PHDR: u32 = 256;
/// LINKTYPE_NORDIC_BLE: the nRF Sniffer for Bluetooth LE header before the LE LL packet.
const NORDIC_BLE: u32 = 272;

/// H4 packet type of an HCI event.
const H4_EVENT: u8 = 0x04;

/// LE LL phdr flags (see the LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR description).
const PHDR_SIGNAL_POWER_VALID: u16 = 0x0002;
const PHDR_CRC_CHECKED: u16 = 0x0400;
const PHDR_CRC_VALID: u16 = 0x0800;

/// nRF Sniffer packet id of a received packet ("EVENT_PACKET").
const NORDIC_EVENT_PACKET: u8 = 0x06;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LinkType {
    HciH4,
    HciH4WithPhdr,
    LeLl,
    LeLlWithPhdr,
    NordicBle,
}

impl LinkType {
    pub(crate) fn from_number(n: u32) -> Option<Self> {
        Some(match n {
            BLUETOOTH_HCI_H4 => LinkType::HciH4,
            BLUETOOTH_HCI_H4_WITH_PHDR => LinkType::HciH4WithPhdr,
            BLUETOOTH_LE_LL => LinkType::LeLl,
            BLUETOOTH_LE_LL_WITH_PHDR => LinkType::LeLlWithPhdr,
            NORDIC_BLE => LinkType::NordicBle,
            _ => return None,
        })
    }
}

/// Message for a link type we cannot decode.
pub(crate) fn unsupported(n: u32) -> String {
    format!("unsupported link type {n} (tagwatch reads 187, 201, 251, 256 and 272)")
}

/// Decodes frames of any supported link type, counting damaged ones as bad records.
#[derive(Default)]
pub(crate) struct FrameDecoder {
    hci: HciDecoder,
}

impl FrameDecoder {
    pub(crate) fn frame(
        &mut self,
        link: LinkType,
        frame: &[u8],
        time_us: i64,
        stats: &mut ReadStats,
        sink: &mut dyn FnMut(&Advertisement<'_>),
    ) {
        let (packet, crc, rssi) = match link {
            LinkType::HciH4 => return self.h4(frame, time_us, stats, sink),
            LinkType::HciH4WithPhdr => match frame.get(4..) {
                Some(h4) => return self.h4(h4, time_us, stats, sink),
                None => return stats.bad_records += 1,
            },
            LinkType::LeLl => (frame, CrcStatus::Unchecked, None),
            LinkType::LeLlWithPhdr => {
                // rf_channel, signal_power (dBm), noise_power, aa_offenses,
                // ref_access_address (u32), flags (u16), all little-endian.
                let Some((phdr, packet)) = frame.split_first_chunk::<10>() else {
                    return stats.bad_records += 1;
                };
                let flags = u16::from_le_bytes([phdr[8], phdr[9]]);
                let crc = if flags & PHDR_CRC_CHECKED != 0 {
                    CrcStatus::Checked(flags & PHDR_CRC_VALID != 0)
                } else {
                    CrcStatus::Unchecked
                };
                let rssi = (flags & PHDR_SIGNAL_POWER_VALID != 0).then_some(phdr[1] as i8);
                (packet, crc, rssi)
            }
            LinkType::NordicBle => match nordic(frame) {
                Ok(Some(n)) => n,
                Ok(None) => return,
                Err(()) => return stats.bad_records += 1,
            },
        };
        match linklayer::decode_packet(packet, crc, time_us, rssi) {
            Ok(Some(adv)) => {
                stats.advertisements += 1;
                sink(&adv);
            }
            Ok(None) => {}
            Err(_) => stats.bad_records += 1,
        }
    }

    fn h4(
        &mut self,
        h4: &[u8],
        time_us: i64,
        stats: &mut ReadStats,
        sink: &mut dyn FnMut(&Advertisement<'_>),
    ) {
        match h4.split_first() {
            Some((&H4_EVENT, event)) => self.hci.event(event, time_us, stats, sink),
            Some(_) => {}
            None => stats.bad_records += 1,
        }
    }

    /// Passes on what is held back at the end of a capture.
    pub(crate) fn finish(&mut self, stats: &mut ReadStats, sink: &mut dyn FnMut(&Advertisement<'_>)) {
        self.hci.flush(stats, sink);
    }
}

type LlFrame<'a> = (&'a [u8], CrcStatus, Option<i8>);

/// The nRF Sniffer for Bluetooth LE header (Wireshark's packet-nordic_ble.c describes it):
/// a board id, then a UART header that depends on the protocol version
/// (0: 0xBEEF marker, packet id, counter, 2 unused bytes, payload length;
/// 1: header length, payload length, version, counter (u16), packet id;
/// 2 and 3: payload length (u16), version, counter (u16), packet id),
/// then for event packets: packet header length, flags (bit 0 CRC ok), channel,
/// RSSI as a positive magnitude, event counter (u16), timestamp (u32), and the LL packet.
/// `Ok(None)` for packets other than received-packet events.
fn nordic(frame: &[u8]) -> Result<Option<LlFrame<'_>>, ()> {
    let (packet_id, event) = if frame.starts_with(&[0xBE, 0xEF]) {
        // Legacy: the event header has no length byte; it is 9 bytes before the LL packet.
        let id = *frame.get(2).ok_or(())?;
        let event = frame.get(8..).ok_or(())?;
        (id, (event, 9usize))
    } else {
        // Versions 1-3 differ in the lengths but agree on where the packet id and the
        // event header are.
        let id = *frame.get(6).ok_or(())?;
        let event = frame.get(7..).ok_or(())?;
        let header_len = *event.first().ok_or(())? as usize;
        (
            id,
            (event.get(1..).ok_or(())?, header_len.checked_sub(1).ok_or(())?),
        )
    };
    if packet_id != NORDIC_EVENT_PACKET {
        return Ok(None);
    }
    let (fields, ll_at) = event;
    let (&[flags, _channel, rssi], _) = fields.split_first_chunk::<3>().ok_or(())?;
    let packet = fields.get(ll_at..).ok_or(())?;
    let rssi = Some((-(rssi as i16)).max(i8::MIN as i16) as i8);
    Ok(Some((packet, CrcStatus::Checked(flags & 0x01 != 0), rssi)))
}
