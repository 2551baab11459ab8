//! The readers against real third-party captures (see ../shared/captures/external/SOURCES.md).
//! Every count below was cross-checked with tshark 4.0.17 (and, for the link-layer files,
//! a separate Python CRC-24 check): see the comment at each file.

mod common;
use common::*;

use std::path::Path;

use tagwatch::capture::{self, Format, ReadStats};
use tagwatch::model::{AddrType, BdAddr, OwnedAdvertisement as Owned, PduKind};

fn read(path: &Path) -> (Format, ReadStats, Vec<Owned>) {
    let mut cap = capture::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut advs = Vec::new();
    let mut sink = |a: &tagwatch::model::Advertisement<'_>| advs.push(a.into());
    while cap
        .source
        .next_record(&mut sink)
        .unwrap_or_else(|e| panic!("{e}"))
    {}
    assert_eq!(
        cap.source.position(),
        cap.size.unwrap(),
        "{} not read to the end",
        path.display()
    );
    (cap.format, cap.source.stats(), advs)
}

fn count_containing(advs: &[Owned], needle: &[u8]) -> usize {
    advs.iter()
        .filter(|a| a.data.windows(needle.len()).any(|w| w == needle))
        .count()
}

fn year(time_us: i64) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp_micros(time_us).unwrap().year()
}

fn stats(records: u64, advertisements: u64, bad_records: u64) -> ReadStats {
    ReadStats {
        records,
        advertisements,
        bad_records,
        ..ReadStats::default()
    }
}

const FIND_MY_FULL: &[u8] = &[0xff, 0x4c, 0x00, 0x12, 0x19];

/// Android btsnoop (datalink 1002). records = tshark frame count; advertisements = the
/// reports of `bthci_evt.le_meta_subevent==2` (or 0x0d) events, one per `bthci_evt.rssi`;
/// Find My = `tshark -Y 'frame contains ff:4c:00:12:19'`; RSSI range from `bthci_evt.rssi`
/// (tshark shows the same 8 reports of +27 dBm in playsound.log).
#[test]
fn galaxy_smarttag_btsnoop_logs() {
    let Some(ext) = external() else { return };
    let dir = ext.join("galaxy_smarttag_research/investigation/log_analysis");
    let cases = [
        (
            "owner_tag_interaction/playsound.log",
            stats(4473, 2929, 0),
            10,
            (-114, 27),
        ),
        (
            "owner_tag_interaction/playsound_2.log",
            stats(1333, 32, 0),
            0,
            (-75, -56),
        ),
        (
            "owner_tag_interaction/playsound_3.log",
            stats(1529, 278, 0),
            0,
            (-105, -50),
        ),
        // 1717 LE Extended Advertising Reports (subevent 0x0D), all complete.
        (
            "registration_ble/registration.log",
            stats(3647, 1717, 0),
            0,
            (-100, -33),
        ),
    ];
    for (file, expected, find_my, (lo, hi)) in cases {
        let (format, got, advs) = read(&dir.join(file));
        assert_eq!(format, Format::Btsnoop);
        assert_eq!(got, expected, "{file}");
        assert_eq!(count_containing(&advs, FIND_MY_FULL), find_my, "{file}");
        let rssi: Vec<i8> = advs.iter().filter_map(|a| a.rssi).collect();
        assert_eq!(
            (rssi.iter().min().copied(), rssi.iter().max().copied()),
            (Some(lo), Some(hi)),
            "{file}"
        );
        assert!(advs.iter().all(|a| year(a.time_us) == 2022), "{file}");
    }
}

/// pcapng, link type 201: pairing traffic only; tshark finds no LE meta events.
#[test]
fn galaxy_smarttag_silent_pairing_pcapng() {
    let Some(ext) = external() else { return };
    let dir = ext.join("galaxy_smarttag_research/investigation/log_analysis/silent_pairing_owner");
    for (file, frames) in [
        ("silent-pairing-with-owner-new-04-26-wireshark.pcapng", 1017),
        ("silent-pairing-with-owner-registered-04-28-wireshark.pcapng", 828),
    ] {
        let (format, got, _) = read(&dir.join(file));
        assert_eq!(format, Format::Pcapng);
        assert_eq!(got, stats(frames, 0, 0), "{file}");
    }
}

/// pcap link type 256 from an SDR sniffer whose header does not mark the CRC as checked.
/// Cross-check: tshark `-T fields -e btle.access_address -e btle.advertising_header.pdu_type
/// -e btle.crc.incorrect -e _ws.expert.message`; bad = advertising access address with
/// "Incorrect CRC" or a malformed packet (corrupt frames Wireshark gives up on before the
/// CRC); advertisements = the remaining ADV_IND/ADV_NONCONN_IND/SCAN_RSP/ADV_SCAN_IND.
/// A Python CRC-24 (MSB-first LFSR, init 0x555555) gives the same per-frame verdicts.
/// Frames with other access addresses (data channels, or bit errors in the access
/// address) are not advertising-channel packets and are skipped, not counted as bad.
#[test]
fn boston_mesh_ll_phdr_pcaps() {
    let Some(ext) = external() else { return };
    let dir = ext.join("Boston-Mesh-Open-Source-Base-Station/data");
    let cases = [
        ("short_ble_sniff.pcap", Format::Pcap, stats(239, 81, 34)),
        ("take_2/adv37.pcap", Format::Pcap, stats(101, 90, 6)),
        ("take_2/adv38.pcap", Format::Pcap, stats(112, 80, 14)),
        ("take_2/adv39.pcap", Format::Pcap, stats(8, 0, 1)),
        // Named .pcap but pcapng inside: the content decides.
        ("take_2/ble_all_adv.pcap", Format::Pcapng, stats(221, 170, 21)),
    ];
    for (file, format, expected) in cases {
        let (got_format, got, advs) = read(&dir.join(file));
        assert_eq!(got_format, format, "{file}");
        assert_eq!(got, expected, "{file}");
        assert!(advs.iter().all(|a| year(a.time_us) == 2025), "{file}");
        // The radio header does not mark the signal power valid.
        assert!(advs.iter().all(|a| a.rssi.is_none()), "{file}");
    }
}

/// pcapng, link type 272 (nRF Sniffer), 4,529 frames, all CRC-valid advertising packets
/// (tshark: every frame has access address 0x8e89bed6 and no incorrect CRC); 546 are
/// ADV_NONCONN_IND Find My frames (`frame contains ff:4c:00:12:19`) from cc:34:99:79:b1:14.
#[test]
fn pact_nrf_sniffer_pcapng() {
    let Some(ext) = external() else { return };
    let path = ext.join("PACTTemplateDataset/nRF52/iPhone_11-1/btle_sniffer_05-07-2020-122940.pcapng");
    let (format, got, advs) = read(&path);
    assert_eq!(format, Format::Pcapng);
    assert_eq!(got, stats(4529, 4529, 0));
    let find_my: Vec<&Owned> = advs
        .iter()
        .filter(|a| a.data.windows(5).any(|w| w == FIND_MY_FULL))
        .collect();
    assert_eq!(find_my.len(), 546);
    let owner = BdAddr::parse("CC:34:99:79:B1:14").unwrap();
    assert!(
        find_my.iter().all(|a| a.address == owner
            && a.pdu == PduKind::AdvNonconnInd
            && a.addr_type == AddrType::Random)
    );
    // tshark: RSSI -59..-44 dBm; first frame 2020-05-07 16:23:32.687569 UTC.
    let rssi: Vec<i8> = advs.iter().map(|a| a.rssi.unwrap()).collect();
    assert_eq!(
        (*rssi.iter().min().unwrap(), *rssi.iter().max().unwrap()),
        (-59, -44)
    );
    assert_eq!(advs[0].time_us, 1_588_868_612_687_569);
    assert!(advs.iter().all(|a| year(a.time_us) == 2020));
}

/// pcap link type 187: 146 LE Advertising Reports (tshark), whose Parameter_Total_Length
/// is wrongly written as 1 by the exporting tool; RSSI -101..-41 dBm per tshark.
#[test]
fn btlemap_h4_pcap() {
    let Some(ext) = external() else { return };
    let (format, got, advs) = read(&ext.join("BTLEmap-Framework/Tests/BLEToolsTests/exported.pcap"));
    assert_eq!(format, Format::Pcap);
    assert_eq!(got, stats(146, 146, 0));
    let rssi: Vec<i8> = advs.iter().map(|a| a.rssi.unwrap()).collect();
    assert_eq!(
        (*rssi.iter().min().unwrap(), *rssi.iter().max().unwrap()),
        (-101, -41)
    );
    assert!(advs.iter().all(|a| year(a.time_us) == 2020));
    // First report (tshark frame 1): random 22:aa:2a:bb:28:dc, ADV_IND, RSSI -69.
    assert_eq!(advs[0].address, BdAddr::parse("22:aa:2a:bb:28:dc").unwrap());
    assert_eq!(
        (advs[0].pdu, advs[0].addr_type, advs[0].rssi),
        (PduKind::AdvInd, AddrType::Random, Some(-69))
    );
}
