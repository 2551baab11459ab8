//! Reader tests over whole synthetic files: round trips through the writers, truncation
//! at every byte, absurd lengths, format detection, pcapng details, JSON Lines.

use std::io::Cursor;
use std::path::Path;

use super::*;
use crate::model::{AddrType, BdAddr, PduKind};

type Owned = (i64, BdAddr, AddrType, Option<i8>, PduKind, Vec<u8>);

fn read_all(bytes: &[u8]) -> Result<(Format, ReadStats, Vec<Owned>), CaptureError> {
    let mut cap = from_reader(Box::new(Cursor::new(bytes.to_vec())), Path::new("t"))?;
    let mut out = Vec::new();
    let mut sink =
        |a: &Advertisement<'_>| out.push((a.time_us, a.address, a.addr_type, a.rssi, a.pdu, a.data.to_vec()));
    while cap.source.next_record(&mut sink)? {}
    assert_eq!(cap.source.position(), bytes.len() as u64);
    Ok((cap.format, cap.source.stats(), out))
}

fn sample() -> Vec<Owned> {
    let find_my = hex::decode("1eff4c00121910aabbccddeeff00112233445566778899aabbccddeeff0001").unwrap();
    vec![
        (
            1_790_000_000_123_456,
            BdAddr([0xC0, 1, 2, 3, 4, 5]),
            AddrType::Random,
            Some(-61),
            PduKind::AdvNonconnInd,
            find_my,
        ),
        (
            1_790_000_000_223_456,
            BdAddr([0x00, 1, 2, 3, 4, 6]),
            AddrType::Public,
            None,
            PduKind::AdvInd,
            vec![2, 1, 6],
        ),
        (
            1_790_000_001_000_000,
            BdAddr([0x40, 1, 2, 3, 4, 7]),
            AddrType::Random,
            Some(-90),
            PduKind::ScanRsp,
            vec![],
        ),
        (
            1_790_000_002_000_001,
            BdAddr([0x40, 1, 2, 3, 4, 8]),
            AddrType::Random,
            Some(-20),
            PduKind::AdvScanInd,
            vec![3, 3, 0x5A, 0xFD],
        ),
    ]
}

/// An extended advertisement with more data than a legacy PDU holds.
fn extended(rssi: i8) -> Owned {
    (
        1_790_000_003_000_000,
        BdAddr([0xC1, 2, 3, 4, 5, 6]),
        AddrType::Random,
        Some(rssi),
        PduKind::Extended,
        vec![0x55; 200],
    )
}

fn adv(o: &Owned) -> Advertisement<'_> {
    Advertisement {
        time_us: o.0,
        address: o.1,
        addr_type: o.2,
        rssi: o.3,
        pdu: o.4,
        data: &o.5,
    }
}

fn btsnoop_sample() -> Vec<u8> {
    let mut w = BtsnoopWriter::new(Vec::new()).unwrap();
    for o in &sample() {
        w.write_legacy_report(&adv(o)).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn btsnoop_round_trip_legacy_and_extended() {
    let (format, stats, got) = read_all(&btsnoop_sample()).unwrap();
    assert_eq!(format, Format::Btsnoop);
    assert_eq!(
        stats,
        ReadStats {
            records: 4,
            advertisements: 4,
            bad_records: 0,
            ..ReadStats::default()
        }
    );
    assert_eq!(got, sample());

    let mut reports = sample();
    reports.push(extended(-70));
    let mut w = BtsnoopWriter::new(Vec::new()).unwrap();
    for o in &reports {
        w.write_extended_report(&adv(o)).unwrap();
    }
    let (_, stats, got) = read_all(&w.into_inner().unwrap()).unwrap();
    assert_eq!(stats.advertisements, 5);
    assert_eq!(got, reports);
}

/// Reads a pcap written from `all`: every record an advertisement, equal to what was written.
fn read_back(bytes: &[u8], all: &[Owned], what: &str) {
    let (format, stats, got) = read_all(bytes).unwrap();
    assert_eq!(format, Format::Pcap, "{what}");
    let n = all.len() as u64;
    let clean = ReadStats {
        records: n,
        advertisements: n,
        ..ReadStats::default()
    };
    assert_eq!(stats, clean, "{what}");
    assert_eq!(got, all, "{what}");
}

#[test]
fn pcap_ll_round_trip_with_crc() {
    let mut all = sample();
    all.push(extended(-70));
    all.push((
        1_790_000_004_000_000,
        BdAddr([0xC1, 2, 3, 4, 5, 7]),
        AddrType::Public,
        None,
        PduKind::AdvDirectInd,
        vec![],
    ));
    let mut w = PcapLlWriter::new(Vec::new()).unwrap();
    for o in &all {
        w.write(&adv(o)).unwrap();
    }
    let bytes = w.into_inner().unwrap();
    read_back(&bytes, &all, "link type 256");

    // Damage one payload byte of the second packet: its CRC fails, the rest is read.
    let mut damaged = bytes.clone();
    let second = 24 + 16 + (damaged[32] as usize) + 16;
    damaged[second + 20] ^= 0x10;
    let (_, stats, got) = read_all(&damaged).unwrap();
    assert_eq!(
        stats,
        ReadStats {
            records: 6,
            advertisements: 5,
            bad_records: 1,
            ..ReadStats::default()
        }
    );
    assert_eq!(got.len(), 5);
}

#[test]
fn truncation_at_every_byte_is_an_error_at_the_record_start() {
    let full = btsnoop_sample();
    // Record starts: after the 16-byte header, each record 24 + 1 + 2 + event.
    let mut starts = vec![16u64];
    let mut at = 16usize;
    while at < full.len() {
        let len = u32::from_be_bytes(full[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 24 + len;
        starts.push(at as u64);
    }
    for cut in 0..full.len() {
        match read_all(&full[..cut]) {
            Ok((_, stats, _)) => assert!(starts.contains(&(cut as u64)), "cut {cut}: {stats:?}"),
            Err(e) if cut == 0 => assert!(e.problem.to_string().contains("empty"), "{e}"),
            // A cut magic number is simply not a capture.
            Err(e) if cut < 8 => assert_eq!((e.format, e.offset), (None, 0)),
            Err(e) => {
                assert!(e.problem.to_string().contains("truncated"), "cut {cut}: {e}");
                let expected = if cut < 16 {
                    0
                } else {
                    *starts.iter().rev().find(|&&s| s <= cut as u64).unwrap()
                };
                assert_eq!(e.offset, expected, "cut {cut}");
            }
        }
    }
}

#[test]
fn every_format_survives_truncation_without_panicking() {
    let mut files = vec![btsnoop_sample()];
    let mut w = PcapLlWriter::new(Vec::new()).unwrap();
    let mut j = JsonlWriter::new(Vec::new()).unwrap();
    for o in &sample() {
        w.write(&adv(o)).unwrap();
        j.write(&adv(o)).unwrap();
    }
    files.push(w.into_inner().unwrap());
    files.push(j.into_inner().unwrap());
    files.push(pcapng_sample(true));
    files.push(pcapng_sample(false));
    for version in 0..=3 {
        let mut n = NordicWriter::new(Vec::new(), version).unwrap();
        for o in &sample()[..1] {
            n.write(&adv(o)).unwrap();
        }
        files.push(n.into_inner().unwrap());
    }
    for f in &files {
        for cut in 0..f.len() {
            let _ = read_all(&f[..cut]);
        }
    }
}

#[test]
fn absurd_record_lengths_are_errors() {
    let mut f = btsnoop_sample();
    f[16 + 4..16 + 8].copy_from_slice(&(2u32 << 20).to_be_bytes());
    let e = read_all(&f).unwrap_err();
    assert_eq!(e.offset, 16);
    assert!(e.problem.to_string().contains("exceeds 1 MiB"), "{e}");
    assert!(e.to_string().starts_with("t: btsnoop capture: "), "{e}");

    let mut g = pcapng_sample(false);
    let first_block = u32::from_le_bytes(g[4..8].try_into().unwrap()) as usize;
    g[first_block + 4] = 21; // IDB length not a multiple of 4
    let e = read_all(&g).unwrap_err();
    assert_eq!(e.offset, first_block as u64);
    assert!(e.problem.to_string().contains("block length 21"), "{e}");
}

#[test]
fn unknown_and_empty_inputs_are_errors_at_offset_zero() {
    let e = read_all(b"").unwrap_err();
    assert_eq!((e.format, e.offset), (None, 0));
    assert!(e.problem.to_string().contains("empty"));
    let e = read_all(b"GIF89a\0\0\0\0").unwrap_err();
    assert_eq!((e.format, e.offset), (None, 0));
    assert_eq!(
        e.to_string(),
        "t: unknown format: not a btsnoop, pcap, pcapng, PacketLogger or tagwatch JSON Lines capture"
    );
    let e = read_all(b"{\"other\":1}\n").unwrap_err();
    assert_eq!(e.format, Some(Format::JsonLines));
    let mut pcap = PcapLlWriter::new(Vec::new()).unwrap().into_inner().unwrap();
    pcap[20..24].copy_from_slice(&1u32.to_le_bytes()); // Ethernet
    let e = read_all(&pcap).unwrap_err();
    assert!(e.problem.to_string().contains("link type 1 "), "{e}");
}

#[test]
fn a_gps_track_or_a_zip_given_as_a_capture_is_named_with_what_to_do() {
    let hint = |bytes: &[u8]| read_all(bytes).unwrap_err().problem.to_string();
    let gpx = b"<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><trkseg>";
    assert!(
        hint(gpx).contains("looks like a GPX track, not a capture: give it with --track"),
        "{}",
        hint(gpx)
    );
    assert!(hint(b"$GPRMC,120000,A,3540.0,N,13946.0,E,0,0,150126,,*00\n").contains("NMEA 0183 track"));
    assert!(hint(b"time,lat,lon\n2026-01-15T08:00:00Z,35.6,139.7\n").contains("CSV track"));
    // gpsd JSON opens with `{` as tagwatch JSON Lines does.
    let gpsd = b"{\"class\":\"VERSION\",\"release\":\"3.25\"}\n{\"class\":\"TPV\",\"mode\":3}\n";
    assert!(hint(gpsd).contains("gpsd JSON track"), "{}", hint(gpsd));
    assert!(hint(b"PK\x03\x04\x14\0\0\0").contains("zip archive"));
    // A real JSON Lines header still opens as a capture.
    let jsonl = b"{\"format\":\"tagwatch-jsonl\",\"version\":1,\"class\":\"a key of its own\"}\n";
    assert!(read_all(jsonl).is_ok());
}

/// A pcapng file by hand: SHB, an IDB for link 256 with if_tsresol 10^-9 (or 2^-20),
/// one EPB with a legacy ADV_NONCONN_IND, a custom block to skip, one SPB.
fn pcapng_sample(big_endian: bool) -> Vec<u8> {
    let u16b = |v: u16| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u32b = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let block = |out: &mut Vec<u8>, t: u32, body: &[u8]| {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let len = body.len() as u32 + 12;
        out.extend_from_slice(&u32b(t));
        out.extend_from_slice(&u32b(len));
        out.extend_from_slice(&body);
        out.extend_from_slice(&u32b(len));
    };
    let mut ll = Vec::new();
    let mut w = PcapLlWriter::new(&mut ll).unwrap();
    let o = &sample()[0];
    w.write(&adv(o)).unwrap();
    let frame = ll[24 + 16..].to_vec();

    let mut f = Vec::new();
    let mut shb = u32b(0x1A2B_3C4D).to_vec();
    shb.extend_from_slice(&u16b(1));
    shb.extend_from_slice(&u16b(0));
    shb.extend_from_slice(&[0xFF; 8]);
    block(&mut f, 0x0A0D_0D0A, &shb);
    let mut idb = u16b(256).to_vec();
    idb.extend_from_slice(&[0, 0]);
    idb.extend_from_slice(&u32b(65535));
    idb.extend_from_slice(&u16b(9));
    idb.extend_from_slice(&u16b(1));
    idb.extend_from_slice(&[if big_endian { 0x80 | 20 } else { 9 }, 0, 0, 0]);
    idb.extend_from_slice(&[0, 0, 0, 0]);
    block(&mut f, 1, &idb);
    let ts: u64 = if big_endian {
        ((o.0 as u128 * (1 << 20)) / 1_000_000) as u64
    } else {
        o.0 as u64 * 1000
    };
    let mut epb = u32b(0).to_vec();
    epb.extend_from_slice(&u32b((ts >> 32) as u32));
    epb.extend_from_slice(&u32b(ts as u32));
    epb.extend_from_slice(&u32b(frame.len() as u32));
    epb.extend_from_slice(&u32b(frame.len() as u32));
    epb.extend_from_slice(&frame);
    block(&mut f, 6, &epb);
    block(&mut f, 0x0000_0BAD, &[1, 2, 3, 4]);
    let mut spb = u32b(frame.len() as u32).to_vec();
    spb.extend_from_slice(&frame);
    block(&mut f, 3, &spb);
    f
}

#[test]
fn pcapng_both_byte_orders_resolutions_and_simple_packets() {
    for big_endian in [false, true] {
        let (format, stats, got) = read_all(&pcapng_sample(big_endian)).unwrap();
        assert_eq!(format, Format::Pcapng);
        assert_eq!(
            stats,
            ReadStats {
                records: 2,
                advertisements: 2,
                bad_records: 0,
                ..ReadStats::default()
            }
        );
        let expected = sample()[0].clone();
        // 2^-20 s units lose a little precision.
        assert!((got[0].0 - expected.0).abs() <= 1, "{}", got[0].0);
        assert_eq!(
            (got[0].1, got[0].2, got[0].3, got[0].4),
            (expected.1, expected.2, expected.3, expected.4)
        );
        assert_eq!(got[0].5, expected.5);
        // The Simple Packet Block has no timestamp: it gets the previous packet's.
        assert_eq!(got[1].0, got[0].0);
    }
}

#[test]
fn jsonl_round_trip_blank_and_bad_lines() {
    let mut w = JsonlWriter::new(Vec::new()).unwrap();
    for o in &sample() {
        w.write(&adv(o)).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert!(text.starts_with("{\"format\":\"tagwatch-jsonl\",\"version\":1}\n"));
    assert!(text.contains(
        "{\"time\":\"2026-09-21T14:13:20.123456Z\",\"address\":\"C0:01:02:03:04:05\",\"address_type\":\"random\",\"rssi\":-61,\"pdu\":\"adv_nonconn_ind\",\"data\":\"1eff4c0012"
    ));
    let (format, stats, got) = read_all(text.as_bytes()).unwrap();
    assert_eq!(format, Format::JsonLines);
    assert_eq!(
        stats,
        ReadStats {
            records: 4,
            advertisements: 4,
            bad_records: 0,
            ..ReadStats::default()
        }
    );
    assert_eq!(got, sample());

    let edited = text.replacen('\n', "\n\n   \n{\"time\":\"yesterday\"}\n", 1);
    let (_, stats, got) = read_all(edited.as_bytes()).unwrap();
    assert_eq!(
        stats,
        ReadStats {
            records: 5,
            advertisements: 4,
            bad_records: 1,
            ..ReadStats::default()
        }
    );
    assert_eq!(got, sample());

    let header_with_source = "{\"format\":\"tagwatch-jsonl\",\"version\":1,\"source\":\"hci0\"}\n{\"time\":\"2026-11-22T21:43:13.123456Z\",\"address\":\"AA:BB:CC:DD:EE:FF\",\"address_type\":\"random\",\"pdu\":\"adv_ind\",\"data\":\"020106\"}";
    let (_, stats, got) = read_all(header_with_source.as_bytes()).unwrap();
    assert_eq!(stats.advertisements, 1);
    assert_eq!(got[0].3, None);
}

#[test]
fn nordic_round_trip_in_every_header_version() {
    let mut all = sample();
    // The nRF Sniffer header always carries an RSSI.
    for o in &mut all {
        o.3.get_or_insert(-100);
    }
    all.push(extended(-128));
    for version in 0..=3 {
        let mut w = NordicWriter::new(Vec::new(), version).unwrap();
        for o in &all {
            w.write(&adv(o)).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        read_back(&bytes, &all, &format!("version {version}"));
        // The header's own lengths are checked: one byte less in a record is damage.
        let mut cut = bytes.clone();
        let first = 24 + 16;
        let len = u32::from_le_bytes(cut[first - 8..first - 4].try_into().unwrap()) - 1;
        cut[first - 8..first - 4].copy_from_slice(&len.to_le_bytes());
        cut[first - 4..first].copy_from_slice(&len.to_le_bytes());
        cut.remove(first + 20);
        let (_, stats, _) = read_all(&cut).unwrap();
        assert_eq!(
            (stats.advertisements, stats.bad_records),
            (4, 1),
            "version {version}"
        );
    }
    let mut w = NordicWriter::new(Vec::new(), 3).unwrap();
    assert!(w.write(&adv(&sample()[1])).is_err(), "no RSSI");
    assert!(NordicWriter::new(Vec::new(), 4).is_err());
}

#[test]
fn pcapng_interfaces_of_other_link_types_are_unreadable_not_fatal() {
    let mut f = pcapng_sample(false);
    let idb = u32::from_le_bytes(f[4..8].try_into().unwrap()) as usize;
    f[idb + 8..idb + 10].copy_from_slice(&1u16.to_le_bytes()); // Ethernet
    let (_, stats, got) = read_all(&f).unwrap();
    assert_eq!(
        stats,
        ReadStats {
            records: 2,
            unreadable: 2,
            unreadable_reason: Some(Unreadable::LinkType(1)),
            ..ReadStats::default()
        }
    );
    assert!(got.is_empty());
    assert_eq!(
        Unreadable::LinkType(1).to_string(),
        "link type 1: tagwatch reads 187, 201, 251, 256 and 272"
    );
}

/// Hands out `bytes`, then fails as a disk or a pipe may.
struct FailingAfter(Cursor<Vec<u8>>);

impl std::io::Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(std::io::Error::other("device gone")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_failure_part_way_through_a_json_line_names_where_the_line_starts() {
    let header = "{\"format\":\"tagwatch-jsonl\",\"version\":1}\n";
    let text = format!("{header}{{\"time\":\"2026-11-22T21:43:13Z\"");
    let mut cap = from_reader(
        Box::new(FailingAfter(Cursor::new(text.into_bytes()))),
        Path::new("t"),
    )
    .unwrap();
    let e = loop {
        match cap.source.next_record(&mut |_| {}) {
            Ok(true) => {}
            Ok(false) => panic!("the failure was not reported"),
            Err(e) => break e,
        }
    };
    assert_eq!(e.offset, header.len() as u64, "{e}");
}

#[test]
fn a_read_failure_part_way_through_a_record_names_where_it_fails() {
    // Binary records have always said where reading failed: the offset is the byte not read.
    let mut bytes = btsnoop_sample();
    let cut = bytes.len() - 5;
    bytes.truncate(cut);
    let mut cap = from_reader(Box::new(FailingAfter(Cursor::new(bytes))), Path::new("t")).unwrap();
    let e = loop {
        match cap.source.next_record(&mut |_| {}) {
            Ok(true) => {}
            Ok(false) => panic!("the failure was not reported"),
            Err(e) => break e,
        }
    };
    assert_eq!(e.offset, cut as u64, "{e}");
}
