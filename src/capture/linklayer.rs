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
    let mut chunks = pdu.chunks_exact(3);
    let mut crc = 0xAA_AAAA;
    // Three bytes fill the 24-bit register, so they are taken in one step: each byte's
    // effect after the three shifts is looked up in its own table (slicing by 3).
    for c in chunks.by_ref() {
        let x = crc ^ u32::from_le_bytes([c[0], c[1], c[2], 0]);
        crc = CRC24[2][(x & 0xFF) as usize]
            ^ CRC24[1][((x >> 8) & 0xFF) as usize]
            ^ CRC24[0][(x >> 16) as usize];
    }
    chunks.remainder().iter().fold(crc, |crc, &byte| {
        (crc >> 8) ^ CRC24[0][((crc ^ byte as u32) & 0xFF) as usize]
    })
}

/// `CRC24[0][b]`: the register after shifting in byte `b` (eight LSB-first steps);
/// `CRC24[k][b]`: the same followed by `k` zero bytes. Link layer captures are checked frame
/// by frame and this is their hottest loop.
const CRC24: [[u32; 256]; 3] = {
    let mut t = [[0; 256]; 3];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xDA_6000
            } else {
                crc >> 1
            };
            bit += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 3 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

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
    let Some((aa, pdu_and_crc)) = packet.split_first_chunk::<4>() else {
        return Err(BadPacket);
    };
    if u32::from_le_bytes(*aa) != ADV_ACCESS_ADDRESS {
        return Ok(None);
    }
    decode_adv_channel(pdu_and_crc, crc, time_us, rssi)
}

/// Decodes an advertising-channel PDU and its CRC (what follows the access address, and on
/// LE Coded the coding indicator).
pub(crate) fn decode_adv_channel(
    pdu_and_crc: &[u8],
    crc: CrcStatus,
    time_us: i64,
    rssi: Option<i8>,
) -> Result<Option<Advertisement<'_>>, BadPacket> {
    let Some(&len) = pdu_and_crc.get(1) else {
        return Err(BadPacket);
    };
    let pdu_end = 2 + len as usize;
    let (Some(pdu), Some(crc_bytes)) = (pdu_and_crc.get(..pdu_end), pdu_and_crc.get(pdu_end..pdu_end + 3))
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
    let field_sizes = [(0x02, 6), (0x04, 1), (0x08, 2), (0x10, 3), (0x20, 18), (0x40, 1)];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The CRC the way the spec draws it: one bit at a time.
    fn crc24_bitwise(pdu: &[u8]) -> u32 {
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

    #[test]
    fn table_crc_equals_the_bitwise_one_for_every_length() {
        let data: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            assert_eq!(crc24(&data[..len]), crc24_bitwise(&data[..len]), "length {len}");
        }
    }

    /// The first frame of the PACT nRF Sniffer capture (tshark: CRC 0x8eb02f, i.e. the
    /// bytes 71 0d f4 bit-reversed per byte).
    const PACT_FRAME: &str = "d6be898e4017fc5fbf02c95002011a020a080aff4c0010053118747605710df4";

    #[test]
    fn crc_matches_a_real_packet() {
        let p = hex::decode(PACT_FRAME).unwrap();
        assert_eq!(crc24(&p[4..p.len() - 3]), 0xF40D71);
        let adv = decode_packet(&p, CrcStatus::Unchecked, 5, Some(-53))
            .unwrap()
            .unwrap();
        assert_eq!(adv.address, BdAddr::parse("50:c9:02:bf:5f:fc").unwrap());
        assert_eq!(
            (adv.addr_type, adv.pdu, adv.rssi, adv.time_us),
            (AddrType::Random, PduKind::AdvInd, Some(-53), 5)
        );
        assert_eq!(adv.data, &p[12..p.len() - 3]);
    }

    #[test]
    fn a_flipped_bit_fails_the_crc_unless_the_sniffer_vouched() {
        let mut p = hex::decode(PACT_FRAME).unwrap();
        p[20] ^= 0x04;
        assert!(matches!(
            decode_packet(&p, CrcStatus::Unchecked, 0, None),
            Err(BadPacket)
        ));
        assert!(
            decode_packet(&p, CrcStatus::Checked(true), 0, None)
                .unwrap()
                .is_some()
        );
        assert!(matches!(
            decode_packet(
                &hex::decode(PACT_FRAME).unwrap(),
                CrcStatus::Checked(false),
                0,
                None
            ),
            Err(BadPacket)
        ));
    }

    #[test]
    fn truncated_packets_are_bad_and_data_channel_packets_are_skipped() {
        let p = hex::decode(PACT_FRAME).unwrap();
        for cut in 0..p.len() {
            let r = decode_packet(&p[..cut], CrcStatus::Unchecked, 0, None);
            assert!(r.is_err() || cut < 4, "cut {cut}");
        }
        let mut data = p.clone();
        data[0] = 0x12;
        assert!(matches!(
            decode_packet(&data, CrcStatus::Unchecked, 0, None),
            Ok(None)
        ));
    }

    #[test]
    fn scan_req_and_connect_ind_are_not_advertisements() {
        for kind in [3u8, 5] {
            let pdu = [kind, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
            assert!(matches!(decode_adv_pdu(&pdu, 0, None), Ok(None)));
        }
    }

    #[test]
    fn extended_pdus_need_adva_and_advdata() {
        // Header length 9: flags AdvA|ADI, AdvA, ADI; then AdvData.
        let with = [0x47, 13, 9, 0x09, 1, 2, 3, 4, 5, 6, 0xAA, 0xBB, 2, 1, 6];
        let adv = decode_adv_pdu(&with, 0, None).unwrap().unwrap();
        assert_eq!(
            (adv.pdu, adv.addr_type, adv.data),
            (PduKind::Extended, AddrType::Random, &[2u8, 1, 6][..])
        );
        assert_eq!(adv.address, BdAddr([6, 5, 4, 3, 2, 1]));
        // ADV_EXT_IND: ADI and AuxPtr only.
        let ext_ind = [0x07, 7, 6, 0x18, 0, 0, 1, 2, 3];
        assert!(matches!(decode_adv_pdu(&ext_ind, 0, None), Ok(None)));
        // AdvA but no AdvData.
        assert!(matches!(decode_adv_pdu(&with[..12], 0, None), Ok(None)));
        // Flags announce more fields (SyncInfo) than the header holds.
        let overrun = [0x07, 13, 9, 0x21, 1, 2, 3, 4, 5, 6, 0xAA, 0xBB, 2, 1, 6];
        assert!(matches!(decode_adv_pdu(&overrun, 0, None), Err(BadPacket)));
        // Header length beyond the payload.
        assert!(matches!(
            decode_adv_pdu(&[0x07, 3, 40, 1, 2], 0, None),
            Err(BadPacket)
        ));
    }
}
