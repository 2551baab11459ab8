//! HCI events as a host controller reports advertisements (Core Spec v5.4 Vol 4 Part E
//! §7.7.65.2 LE Advertising Report, §7.7.65.13 LE Extended Advertising Report).
//! Shared by btsnoop and the pcap HCI link types.

use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

use super::ReadStats;

const EVT_LE_META: u8 = 0x3E;
const SUBEVT_ADVERTISING_REPORT: u8 = 0x02;
const SUBEVT_EXTENDED_ADVERTISING_REPORT: u8 = 0x0D;
/// "RSSI not available" in both report kinds.
const RSSI_UNAVAILABLE: u8 = 0x7F;
/// Fixed part of one extended report, before its data.
const EXT_REPORT_FIXED_LEN: usize = 24;
/// Reassembled extended data is capped well above the 1650 bytes the spec allows, so a
/// controller that never sends the last fragment cannot grow the buffer without bound.
const MAX_REASSEMBLED_LEN: usize = 4096;

/// Legacy reports and the legacy event types inside extended reports both carry these.
fn addr_type(t: u8) -> AddrType {
    match t {
        0 | 2 => AddrType::Public,
        1 | 3 => AddrType::Random,
        _ => AddrType::Unknown,
    }
}

fn rssi(b: u8) -> Option<i8> {
    (b != RSSI_UNAVAILABLE).then_some(b as i8)
}

fn addr(b: &[u8]) -> BdAddr {
    let mut a = [0u8; 6];
    a.copy_from_slice(&b[..6]);
    BdAddr::from_le_bytes(&a)
}

/// The first fragment of an extended advertisement whose data status said "incomplete,
/// more data to come"; later fragments of the same advertiser are appended to it.
#[derive(Clone, Copy)]
struct Pending {
    key: (BdAddr, u8, u8),
    time_us: i64,
    address: BdAddr,
    addr_type: AddrType,
    rssi: Option<i8>,
    pdu: PduKind,
}

/// Decodes HCI event packets (without the H4 type byte) into advertisements. It keeps
/// one reusable buffer for reassembling fragmented extended reports.
#[derive(Default)]
pub(crate) struct HciDecoder {
    pending: Option<Pending>,
    fragments: Vec<u8>,
}

fn emit(stats: &mut ReadStats, sink: &mut dyn FnMut(&Advertisement<'_>), adv: &Advertisement<'_>) {
    stats.advertisements += 1;
    sink(adv);
}

impl HciDecoder {
    /// Decodes one event. The record framing (not the event's Parameter_Total_Length)
    /// bounds the parameters: some exporters (BTLEmap) write a wrong total length, and
    /// Wireshark decodes them the same way. Reports that overrun the record make it a bad
    /// record; reports before the overrun have been passed on already.
    pub(crate) fn event(
        &mut self,
        event: &[u8],
        time_us: i64,
        stats: &mut ReadStats,
        sink: &mut dyn FnMut(&Advertisement<'_>),
    ) {
        let ok = match event {
            [EVT_LE_META, _len, SUBEVT_ADVERTISING_REPORT, rest @ ..] => {
                legacy_reports(rest, time_us, stats, sink)
            }
            [EVT_LE_META, _len, SUBEVT_EXTENDED_ADVERTISING_REPORT, rest @ ..] => {
                self.extended_reports(rest, time_us, stats, sink)
            }
            [_, _, ..] => true,
            _ => false,
        };
        if !ok {
            stats.bad_records += 1;
        }
    }

    /// Passes on a fragment still waiting for its continuation (at the end of a capture,
    /// or when another advertiser's report arrives first): partial data beats none.
    pub(crate) fn flush(&mut self, stats: &mut ReadStats, sink: &mut dyn FnMut(&Advertisement<'_>)) {
        if let Some(p) = self.pending.take() {
            let adv = Advertisement {
                time_us: p.time_us,
                address: p.address,
                addr_type: p.addr_type,
                rssi: p.rssi,
                pdu: p.pdu,
                data: &self.fragments,
            };
            emit(stats, sink, &adv);
            self.fragments.clear();
        }
    }

    /// §7.7.65.13: Num_Reports, then per report Event_Type (u16), Address_Type, Address,
    /// Primary_PHY, Secondary_PHY, Advertising_SID, TX_Power, RSSI, Periodic_Advertising_
    /// Interval (u16), Direct_Address_Type, Direct_Address, Data_Length, Data.
    fn extended_reports(
        &mut self,
        params: &[u8],
        time_us: i64,
        stats: &mut ReadStats,
        sink: &mut dyn FnMut(&Advertisement<'_>),
    ) -> bool {
        let Some((&count, mut rest)) = params.split_first() else {
            return false;
        };
        for _ in 0..count {
            let Some(fixed) = rest.get(..EXT_REPORT_FIXED_LEN) else {
                return false;
            };
            let data_len = fixed[23] as usize;
            let Some(data) = rest.get(EXT_REPORT_FIXED_LEN..EXT_REPORT_FIXED_LEN + data_len) else {
                return false;
            };
            rest = &rest[EXT_REPORT_FIXED_LEN + data_len..];

            let event_type = u16::from_le_bytes([fixed[0], fixed[1]]);
            let address = addr(&fixed[3..9]);
            let sid = fixed[11];
            let key = (address, fixed[2], sid);
            let pdu = extended_pdu_kind(event_type);
            let more_to_come = (event_type >> 5) & 0b11 == 0b01;

            if self.pending.is_some_and(|p| p.key != key) {
                self.flush(stats, sink);
            }
            if let Some(p) = self.pending {
                // A continuation fragment of the pending advertisement.
                self.fragments.extend_from_slice(data);
                if !more_to_come || self.fragments.len() > MAX_REASSEMBLED_LEN {
                    self.flush(stats, sink);
                } else {
                    self.pending = Some(p);
                }
            } else if more_to_come {
                self.fragments.clear();
                self.fragments.extend_from_slice(data);
                self.pending = Some(Pending {
                    key,
                    time_us,
                    address,
                    addr_type: addr_type(fixed[2]),
                    rssi: rssi(fixed[13]),
                    pdu,
                });
            } else {
                let adv = Advertisement {
                    time_us,
                    address,
                    addr_type: addr_type(fixed[2]),
                    rssi: rssi(fixed[13]),
                    pdu,
                    data,
                };
                emit(stats, sink, &adv);
            }
        }
        true
    }
}

/// §7.7.65.13 Event_Type: bit 4 marks a legacy PDU, whose bits 0-3 then name its kind;
/// bits 5-6 (data status) are masked off here.
fn extended_pdu_kind(event_type: u16) -> PduKind {
    if event_type & 0x10 == 0 {
        return PduKind::Extended;
    }
    match event_type & 0x1F {
        0x13 => PduKind::AdvInd,
        0x15 => PduKind::AdvDirectInd,
        0x12 => PduKind::AdvScanInd,
        0x10 => PduKind::AdvNonconnInd,
        0x1B | 0x1A => PduKind::ScanRsp,
        _ => PduKind::Unknown,
    }
}

/// §7.7.65.2: Num_Reports, then reports one after another (Event_Type, Address_Type,
/// Address, Data_Length, Data, RSSI), the layout controllers send and the Linux kernel
/// parses, rather than the field-by-field arrays the spec text suggests.
fn legacy_reports(
    params: &[u8],
    time_us: i64,
    stats: &mut ReadStats,
    sink: &mut dyn FnMut(&Advertisement<'_>),
) -> bool {
    let Some((&count, mut rest)) = params.split_first() else {
        return false;
    };
    for _ in 0..count {
        let Some(fixed) = rest.get(..9) else {
            return false;
        };
        let data_len = fixed[8] as usize;
        let Some(data) = rest.get(9..9 + data_len) else {
            return false;
        };
        let Some(&rssi_byte) = rest.get(9 + data_len) else {
            return false;
        };
        rest = &rest[10 + data_len..];
        let pdu = match fixed[0] {
            0 => PduKind::AdvInd,
            1 => PduKind::AdvDirectInd,
            2 => PduKind::AdvScanInd,
            3 => PduKind::AdvNonconnInd,
            4 => PduKind::ScanRsp,
            _ => PduKind::Unknown,
        };
        let adv = Advertisement {
            time_us,
            address: addr(&fixed[2..8]),
            addr_type: addr_type(fixed[1]),
            rssi: rssi(rssi_byte),
            pdu,
            data,
        };
        emit(stats, sink, &adv);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    type Report = (BdAddr, AddrType, Option<i8>, PduKind, Vec<u8>);

    fn decode(events: &[Vec<u8>]) -> (ReadStats, Vec<Report>) {
        let mut dec = HciDecoder::default();
        let mut stats = ReadStats::default();
        let mut out = Vec::new();
        let mut sink =
            |a: &Advertisement<'_>| out.push((a.address, a.addr_type, a.rssi, a.pdu, a.data.to_vec()));
        for e in events {
            dec.event(e, 0, &mut stats, &mut sink);
        }
        dec.flush(&mut stats, &mut sink);
        (stats, out)
    }

    fn legacy(reports: &[(u8, u8, u8, &[u8], u8)]) -> Vec<u8> {
        let mut p = vec![0x02, reports.len() as u8];
        for &(et, at, a, data, rssi) in reports {
            p.extend_from_slice(&[et, at, a, 0, 0, 0, 0, 0, data.len() as u8]);
            p.extend_from_slice(data);
            p.push(rssi);
        }
        let mut e = vec![0x3E, p.len() as u8];
        e.extend(p);
        e
    }

    fn extended(event_type: u16, addr: u8, data: &[u8]) -> Vec<u8> {
        let mut p = vec![0x0D, 1];
        p.extend_from_slice(&event_type.to_le_bytes());
        p.extend_from_slice(&[
            1,
            addr,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            3,
            0x7F,
            0xC5,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            data.len() as u8,
        ]);
        p.extend_from_slice(data);
        let mut e = vec![0x3E, p.len() as u8];
        e.extend(p);
        e
    }

    #[test]
    fn several_legacy_reports_in_one_event() {
        let e = legacy(&[
            (3, 1, 0xA1, &[2, 1, 6], 0xC4),
            (4, 0, 0xA2, &[], 0x7F),
            (0, 3, 0xA3, &[1], 0xF0),
        ]);
        let (stats, out) = decode(&[e]);
        assert_eq!(
            stats,
            ReadStats {
                records: 0,
                advertisements: 3,
                bad_records: 0,
                ..ReadStats::default()
            }
        );
        assert_eq!(
            out[0],
            (
                BdAddr([0, 0, 0, 0, 0, 0xA1]),
                AddrType::Random,
                Some(-60),
                PduKind::AdvNonconnInd,
                vec![2, 1, 6]
            )
        );
        // RSSI 127 means "not available".
        assert_eq!(
            (out[1].1, out[1].2, out[1].3),
            (AddrType::Public, None, PduKind::ScanRsp)
        );
        assert_eq!(
            (out[2].1, out[2].2, out[2].3),
            (AddrType::Random, Some(-16), PduKind::AdvInd)
        );
    }

    #[test]
    fn overrunning_reports_make_a_bad_record_and_never_panic() {
        let e = legacy(&[(3, 1, 0xA1, &[2, 1, 6], 0xC4), (0, 0, 0xA2, &[9; 5], 0xC0)]);
        for cut in 0..e.len() {
            let (stats, out) = decode(&[e[..cut].to_vec()]);
            // Two bytes are an LE meta event without a subevent: nothing to decode.
            assert_eq!(stats.bad_records, u64::from(cut != 2), "cut {cut}");
            assert!(out.len() <= 1);
        }
        // The count claims more reports than there are.
        let mut e2 = legacy(&[(3, 1, 0xA1, &[2, 1, 6], 0xC4)]);
        e2[3] = 2;
        assert_eq!(decode(&[e2]).0.bad_records, 1);
    }

    #[test]
    fn other_events_are_ignored() {
        let (stats, out) = decode(&[vec![0x0E, 4, 1, 3, 0x0C, 0], vec![0x3E, 2, 0x03, 0]]);
        assert_eq!((stats, out.len()), (ReadStats::default(), 0));
    }

    #[test]
    fn extended_reports_map_legacy_event_types() {
        let cases = [
            (0x13, PduKind::AdvInd),
            (0x15, PduKind::AdvDirectInd),
            (0x12, PduKind::AdvScanInd),
            (0x10, PduKind::AdvNonconnInd),
            (0x1B, PduKind::ScanRsp),
            (0x1A, PduKind::ScanRsp),
            (0x00, PduKind::Extended),
            (0x0D, PduKind::Extended),
        ];
        for (et, kind) in cases {
            let (stats, out) = decode(&[extended(et, 0x42, &[2, 1, 6])]);
            assert_eq!(stats.advertisements, 1);
            assert_eq!(
                out[0],
                (
                    BdAddr([0, 0, 0, 0, 0, 0x42]),
                    AddrType::Random,
                    Some(-59),
                    kind,
                    vec![2, 1, 6]
                ),
                "{et:#x}"
            );
        }
    }

    #[test]
    fn extended_fragments_are_reassembled() {
        let more = 0x20;
        let (stats, out) = decode(&[
            extended(more, 1, &[1, 2]),
            extended(more, 1, &[3]),
            extended(0, 1, &[4, 5]),
        ]);
        assert_eq!(stats.advertisements, 1);
        assert_eq!(out[0].4, vec![1, 2, 3, 4, 5]);
        // Another advertiser interrupts: the partial data is passed on first.
        let (_, out) = decode(&[
            extended(more, 1, &[1, 2]),
            extended(0, 2, &[9]),
            extended(more, 3, &[7]),
        ]);
        let got: Vec<_> = out.iter().map(|a| (a.0.0[5], a.4.clone())).collect();
        assert_eq!(got, vec![(1, vec![1, 2]), (2, vec![9]), (3, vec![7])]);
        // "Incomplete, truncated" ends the advertisement.
        let (_, out) = decode(&[extended(more, 1, &[1]), extended(0x40, 1, &[2])]);
        assert_eq!(
            out.iter().map(|a| a.4.clone()).collect::<Vec<_>>(),
            vec![vec![1, 2]]
        );
    }
}
