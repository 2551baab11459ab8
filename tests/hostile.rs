//! Hostile input: cut files, absurd lengths, wrong link types, broken AD structures, bad
//! coordinates, times going backwards, a flood of addresses, escape sequences in names.
//! Each gives a clear error or a counted skip: never a panic, never a hang.

mod common;
use common::*;

use std::io::Cursor;
use std::path::Path;

use tagwatch::capture::{BtsnoopWriter, JsonlWriter, PcapLlWriter, from_reader};
use tagwatch::classify::{Classifier, OwnerState};
use tagwatch::correlate::Trackers;
use tagwatch::location::{parse_csv, parse_gpx, parse_nmea};
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};

const AIRTAG: &str = "1eff4c0012191096431f9ca2496a6825b31915412b6436d2f30933a0930386";
const SMARTTAG: &str = "02010603025afd17165afd1161e9007c3a72bc5266b8cfc3000000a155116c";

fn adv(i: usize, data: &[u8], pdu: PduKind) -> Advertisement<'_> {
    Advertisement {
        time_us: 1_768_464_000_000_000 + i as i64 * 100_000,
        address: BdAddr([0xC0, 0, 0, 0, (i >> 8) as u8, i as u8]),
        addr_type: AddrType::Random,
        rssi: Some(-60),
        pdu,
        data,
    }
}

/// Twenty advertisements in each format the project writes.
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let (a, s) = (hex::decode(AIRTAG).unwrap(), hex::decode(SMARTTAG).unwrap());
    let (mut bt, mut pc, mut js) = (Vec::new(), Vec::new(), Vec::new());
    {
        let mut b = BtsnoopWriter::new(&mut bt).unwrap();
        let mut p = PcapLlWriter::new(&mut pc).unwrap();
        let mut j = JsonlWriter::new(&mut js).unwrap();
        for i in 0..20 {
            let (data, pdu) = if i % 2 == 0 {
                (&a, PduKind::AdvNonconnInd)
            } else {
                (&s, PduKind::Extended)
            };
            let ad = adv(i, data, pdu);
            match pdu {
                PduKind::Extended => b.write_extended_report(&ad).unwrap(),
                _ => b.write_legacy_report(&ad).unwrap(),
            }
            p.write(&ad).unwrap();
            j.write(&ad).unwrap();
        }
    }
    vec![("btsnoop", bt), ("pcap", pc), ("jsonl", js)]
}

/// Reads `bytes` to the end: (advertisements, the error if reading stopped early). The loop
/// is bounded by the byte count, so a reader that stopped advancing would fail the test.
fn read(bytes: &[u8]) -> (u64, Option<tagwatch::capture::CaptureError>) {
    let mut cap = match from_reader(Box::new(Cursor::new(bytes.to_vec())), Path::new("cut")) {
        Ok(c) => c,
        Err(e) => return (0, Some(e)),
    };
    let mut ads = 0;
    for _ in 0..=bytes.len() + 1 {
        match cap.source.next_record(&mut |_| ads += 1) {
            Ok(true) => {}
            Ok(false) => return (ads, None),
            Err(e) => return (ads, Some(e)),
        }
    }
    panic!("reader did not finish within {} records", bytes.len() + 1);
}

#[test]
fn captures_cut_at_every_byte_read_what_is_whole_and_name_where_they_stop() {
    for (format, bytes) in samples() {
        let (ads, error) = read(&bytes);
        assert!(ads == 20 && error.is_none(), "{format} whole: {ads} {error:?}");
        let mut seen_whole = 0;
        for cut in 0..bytes.len() {
            let (ads, error) = read(&bytes[..cut]);
            assert!(ads <= 20, "{format} cut at {cut}");
            if let Some(e) = error {
                assert!(
                    e.offset <= cut as u64,
                    "{format} cut at {cut}: offset {} past the end",
                    e.offset
                );
                assert!(e.to_string().contains("cut"), "{e}");
            }
            // Reading never goes backwards: a longer file never yields fewer advertisements.
            assert!(ads >= seen_whole, "{format} cut at {cut}");
            seen_whole = ads;
        }
    }
}

#[test]
fn absurd_lengths_and_wrong_link_types_are_errors_naming_them() {
    // A btsnoop record claiming 4 GB: an error, not an allocation.
    let mut bt = samples().remove(0).1;
    bt.truncate(16);
    bt.extend_from_slice(&[
        0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    bt.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 4, 0x3e]);
    let (_, error) = read(&bt);
    let e = error.expect("an error");
    assert_eq!(e.offset, 16, "{e}");

    // A pcap of Ethernet frames (link type 1).
    let mut pcap = samples().remove(1).1;
    pcap[20..24].copy_from_slice(&1u32.to_le_bytes());
    let e = read(&pcap).1.expect("an error");
    assert!(e.to_string().contains("unsupported link type 1"), "{e}");
}

#[test]
fn zero_length_and_overrunning_ad_structures_are_no_tracker_and_no_panic() {
    let classifier = Classifier::builtin();
    let airtag = hex::decode(AIRTAG).unwrap();
    for data in [
        vec![],
        vec![0, 0, 0],
        vec![0x00, 0x1e, 0xff, 0x4c, 0x00],
        vec![0xff; 31],
        airtag[..10].to_vec(),
        [&[0x02, 0x01, 0x06, 0x00][..], &airtag].concat(),
    ] {
        assert_eq!(classifier.classify(&data).map(|c| c.family), None, "{data:02x?}");
    }
    // Structures before the damage still count.
    let damaged = [&airtag[..], &[0x09, 0xff, 0x4c]].concat();
    assert_eq!(
        classifier.classify(&damaged).map(|c| c.family),
        Some("apple_find_my")
    );
}

#[test]
fn bad_coordinates_are_skipped_and_counted_backward_times_sorted() {
    let csv = "time,lat,lon\n\
        1700000000,35.0,139.0\n\
        1700000010,NaN,139.0\n\
        1700000020,95.0,139.0\n\
        1700000030,35.0,200.0\n\
        1700000040,35.2,139.2\n\
        1700000005,35.1,139.1\n\
        1700000050,35.3,139.3\n";
    let (track, report) = parse_csv(csv).unwrap();
    assert_eq!(track.len(), 4);
    assert_eq!(
        track.fixes()[1].lat,
        35.1,
        "the fix out of order is put in its place"
    );
    assert_eq!(report.skipped.bad_coordinates, 3);

    let gpx = r#"<gpx version="1.1"><trk><trkseg>
        <trkpt lat="NaN" lon="139"><time>2026-01-15T08:00:00Z</time></trkpt>
        <trkpt lat="35" lon="-181"><time>2026-01-15T08:00:01Z</time></trkpt>
        <trkpt lat="35" lon="139"><time>2026-01-15T08:00:02Z</time></trkpt>
        </trkseg></trk></gpx>"#;
    let (track, report) = parse_gpx(gpx).unwrap();
    assert_eq!((track.len(), report.skipped.bad_coordinates), (1, 2));

    // A sentence with a wrong checksum and a cut one among good ones.
    let nmea = "$GPRMC,080000,A,3500.000,N,13900.000,E,0.0,0.0,150126,,*00\n$GPRMC,0800\n";
    let (track, report) = parse_nmea(nmea);
    assert_eq!(track.len(), 0);
    assert_eq!(report.skipped.total(), 2);
}

#[test]
fn ten_thousand_new_addresses_a_second_keep_nothing_of_bystanders() {
    // 50,000 advertisements in 5 s, every one from a new address: four in five from phones,
    // one in five a weak separated AirTag key never heard again.
    let classifier = Classifier::builtin();
    let mut trackers = Trackers::new();
    let phone = hex::decode("02011a0aff4c0010052918a8f849").unwrap();
    let mut airtag = hex::decode(AIRTAG).unwrap();
    for i in 0..50_000usize {
        let data = if i % 5 == 0 {
            airtag[10..14].copy_from_slice(&(i as u32).to_le_bytes());
            &airtag
        } else {
            &phone
        };
        let mut a = adv(i, data, PduKind::AdvNonconnInd);
        a.time_us = 1_768_464_000_000_000 + i as i64 * 100;
        a.address = BdAddr([0xC1, 0x01, (i >> 16) as u8, (i >> 8) as u8, i as u8, 7]);
        a.rssi = Some(-85);
        trackers.add(&a, classifier.classify(a.data).as_ref());
    }
    assert_eq!(trackers.other_advertisements, 40_000);
    let v = trackers.into_sorted();
    // One entry per tracker key; weak one-off keys are passers-by, not a clone.
    assert_eq!(v.len(), 10_000);
    assert!(
        v.iter()
            .all(|t| t.owner_state == OwnerState::Separated && !t.following())
    );
}

#[test]
fn escape_sequences_in_file_names_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("trip\u{1b}]0;owned\u{7}\u{1b}[2J.btsnoop");
    let demo =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/demo-synthetic.btsnoop")).unwrap();
    std::fs::write(&evil, &demo[..demo.len() / 3]).unwrap();
    let out = tagwatch()
        .args(["analyze", "--no-store"])
        .arg(&evil)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stderr.contains("truncated"), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    }
}
