//! Link-layer advertising packets as sniffers capture them: access address, PDU header,
//! payload, CRC (Core Spec v5.4 Vol 6 Part B §2.1, §2.3).

use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

/// The access address of every advertising-channel packet (Vol 6 Part B §2.1.2).
pub(crate) const ADV_ACCESS_ADDRESS: u32 = 0x8E89_BED6;

/// CRC-24 with polynomial x^24+x^10+x^9+x^6+x^4+x^3+x+1 and, on advertising channels,
/// init 0x555555 (Vol 6 Part B §3.1.1). The shift register takes each byte LSB first
/// and the CRC goes on air MSB first, so in the reflected form used here both the
/// polynomial (0x00065B -> 0xDA6000) and the init (-> 0xAAAAAA) are bit-reversed and
/// the result equals the three captured CRC bytes read little-endian.
pub(crate) fn crc24(pdu: &[u8]) -> u32 {
    let mut crc: u32 = 0xAA_AAAA;
    for &byte in pdu {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xDA_6000
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// What the capture already knows about a packet's CRC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CrcStatus {
    /// The sniffer checked it and says whether it matched.
    Checked(bool),
    /// Nobody checked: we do.
    Unchecked,
}

/// A packet that cannot be what it claims: bad CRC, or lengths that do not fit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadPacket;

/// Decodes one link-layer packet (access address + PDU + CRC). Returns `Ok(None)` for
/// packets that are not advertisements (data channels, SCAN_REQ, CONNECT_IND ...).
pub(crate) fn decode_packet(
    packet: &[u8],
    crc: CrcStatus,
    time_us: i64,
    rssi: Option<i8>,
) -> Result<Option<Advertisement<'_>>, BadPacket> {
    let Some(aa) = packet.get(..4) else {
        return Err(BadPacket);
    };
    if u32::from_le_bytes([aa[0], aa[1], aa[2], aa[3]]) != ADV_ACCESS_ADDRESS {
        return Ok(None);
    }
    let Some(&len) = packet.get(5) else {
        return Err(BadPacket);
    };
    let pdu_end = 6 + len as usize;
    let (Some(pdu), Some(crc_bytes)) = (packet.get(4..pdu_end), packet.get(pdu_end..pdu_end + 3))
    else {
        return Err(BadPacket);
    };
    let crc_ok = match crc {
        CrcStatus::Checked(ok) => ok,
        CrcStatus::Unchecked => {
            crc24(pdu) == u32::from_le_bytes([crc_bytes[0], crc_bytes[1], crc_bytes[2], 0])
        }
    };
    if !crc_ok {
        return Err(BadPacket);
    }
    decode_adv_pdu(pdu, time_us, rssi)
}

/// Decodes an advertising-channel PDU (2-byte header + payload), Vol 6 Part B §2.3.
pub(crate) fn decode_adv_pdu(
    pdu: &[u8],
    time_us: i64,
    rssi: Option<i8>,
) -> Result<Option<Advertisement<'_>>, BadPacket> {
    let [h0, _len, payload @ ..] = pdu else {
        return Err(BadPacket);
    };
    let addr_type = if h0 & 0x40 != 0 {
        AddrType::Random
    } else {
        AddrType::Public
    };
    let (pdu_kind, adv_a, data) = match h0 & 0x0F {
        // §2.3.1: AdvA then AdvData (ADV_DIRECT_IND: AdvA then TargetA, no data).
        kind @ (0 | 1 | 2 | 4 | 6) => {
            let Some((adv_a, rest)) = payload.split_first_chunk::<6>() else {
                return Err(BadPacket);
            };
            let (pdu_kind, data) = match kind {
                0 => (PduKind::AdvInd, rest),
                1 => (PduKind::AdvDirectInd, &rest[..0]),
                2 => (PduKind::AdvNonconnInd, rest),
                4 => (PduKind::ScanRsp, rest),
                _ => (PduKind::AdvScanInd, rest),
            };
            (pdu_kind, adv_a, data)
        }
        // ADV_EXT_IND / AUX_ADV_IND / AUX_SCAN_RSP / AUX_CHAIN_IND ...
        7 => match extended_payload(payload)? {
            Some((adv_a, data)) => (PduKind::Extended, adv_a, data),
            None => return Ok(None),
        },
        // SCAN_REQ, CONNECT_IND, AUX_CONNECT_RSP and reserved types carry no advertising data.
        _ => return Ok(None),
    };
    Ok(Some(Advertisement {
        time_us,
        address: BdAddr::from_le_bytes(adv_a),
        addr_type,
        rssi,
        pdu: pdu_kind,
        data,
    }))
}

/// AdvA and AdvData of an extended advertising PDU.
type AdvAAndData<'a> = (&'a [u8; 6], &'a [u8]);

/// The Common Extended Advertising Payload Format (§2.3.4): Extended Header Length (6
/// bits) and AdvMode, then the header (flags byte and the fields it announces, then
/// ACAD), then AdvData. Yields AdvA and AdvData only when both are present.
fn extended_payload(payload: &[u8]) -> Result<Option<AdvAAndData<'_>>, BadPacket> {
    let Some((&first, rest)) = payload.split_first() else {
        return Err(BadPacket);
    };
    let header_len = (first & 0x3F) as usize;
    let (Some(header), Some(adv_data)) = (rest.get(..header_len), rest.get(header_len..)) else {
        return Err(BadPacket);
    };
    let Some((&flags, fields)) = header.split_first() else {
        return Ok(None);
    };
    if flags & 0x01 == 0 || adv_data.is_empty() {
        return Ok(None);
    }
    // AdvA is the first field when present; the others (TargetA 6, CTEInfo 1, ADI 2,
    // AuxPtr 3, SyncInfo 18, TxPower 1) must still fit in the header.
    let field_sizes = [
        (0x02, 6),
        (0x04, 1),
        (0x08, 2),
        (0x10, 3),
        (0x20, 18),
        (0x40, 1),
    ];
    let others: usize = field_sizes
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| n)
        .sum();
    let Some((adv_a, _)) = fields.split_first_chunk::<6>() else {
        return Err(BadPacket);
    };
    if 6 + others > fields.len() {
        return Err(BadPacket);
    }
    Ok(Some((adv_a, adv_data)))
}
