//! Frames of the pcap/pcapng link types that carry Bluetooth LE advertisements.

use crate::i18n::Message;
use crate::model::Advertisement;

use super::ReadStats;
use super::hci::HciDecoder;
use super::linklayer::{self, ADV_ACCESS_ADDRESS, CrcStatus};
use super::nordic::{self, Channel};

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
pub(crate) fn unsupported(n: u32) -> Message {
    Message::new("capture-link-type").with("link", n)
}

/// Why records could not be interpreted: well-formed, but of a kind tagwatch does not read,
/// so they were neither heard nor damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// A pcapng interface of a link type tagwatch does not read.
    LinkType(u32),
    /// An nRF Sniffer header version other than 0-3.
    NordicVersion(u8),
    /// An nRF Sniffer message that is not a received radio packet in its version.
    NordicPacketId { version: u8, id: u8 },
    /// An nRF Sniffer event header of another length than 10 bytes.
    NordicEventHeader(u8),
    /// A PHY value the nRF Sniffer reserves.
    NordicPhy(u8),
}

impl Unreadable {
    /// Why, worded when shown.
    pub fn message(self) -> Message {
        match self {
            Unreadable::LinkType(n) => Message::new("unreadable-link-type").with("link", n),
            Unreadable::NordicVersion(v) => Message::new("unreadable-nordic-version").with("version", v),
            Unreadable::NordicPacketId { version, id } => Message::new("unreadable-nordic-packet")
                .with("id", format!("{id:#04x}"))
                .with("version", version),
            Unreadable::NordicEventHeader(n) => Message::new("unreadable-nordic-header").with("n", n),
            Unreadable::NordicPhy(p) => Message::new("unreadable-nordic-phy").with("phy", p),
        }
    }
}

/// English, for logs and the JSON.
impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
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
            LinkType::NordicBle => {
                let radio = match nordic::parse(frame) {
                    nordic::Frame::Radio(r) => r,
                    nordic::Frame::Damaged => return stats.bad_records += 1,
                    nordic::Frame::Unreadable(why) => return stats.not_understood(why),
                };
                let advertising = match radio.channel {
                    Channel::Advertising => true,
                    Channel::Data => false,
                    Channel::ByAccessAddress => radio.access_address == ADV_ACCESS_ADDRESS,
                };
                if !advertising {
                    return;
                }
                let crc = CrcStatus::Checked(radio.crc_ok);
                let adv = linklayer::decode_adv_channel(radio.pdu_and_crc, crc, time_us, Some(radio.rssi));
                return emit(adv, stats, sink);
            }
        };
        emit(linklayer::decode_packet(packet, crc, time_us, rssi), stats, sink);
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

fn emit(
    decoded: Result<Option<Advertisement<'_>>, linklayer::BadPacket>,
    stats: &mut ReadStats,
    sink: &mut dyn FnMut(&Advertisement<'_>),
) {
    match decoded {
        Ok(Some(adv)) => {
            stats.advertisements += 1;
            sink(&adv);
        }
        Ok(None) => {}
        Err(_) => stats.bad_records += 1,
    }
}
