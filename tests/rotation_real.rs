//! Rotation linking on a real SmartTag: passive scans by github.com/pogen300/galaxy_smarttag_research
//! (see ../shared/captures/external/SOURCES.md). Each CSV row is the first sighting of a new
//! address: `"Time","MAC Address","Service Data"`, the service data being the 0xFD5A UUID (little
//! endian) and its value, with dashes. One tag, separated from its owner, rotating about every 15.5 min.

mod common;
use common::external;

use std::collections::HashSet;

use chrono::NaiveDateTime;
use tagwatch::classify::Classifier;
use tagwatch::correlate::{Tracker, Trackers};
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};

/// The trackers in one scan file and the number of distinct addresses in it, or None
/// (with a note) in a clone without the external captures.
fn scan(n: u32) -> Option<(Vec<Tracker>, usize)> {
    let mut trackers = Trackers::new();
    let mut macs = HashSet::new();
    feed(n, &mut trackers, &mut macs)?;
    Some((trackers.into_sorted(), macs.len()))
}

/// Feeds scan file `n` into `trackers`, collecting its addresses into `macs`.
fn feed(n: u32, trackers: &mut Trackers<'_>, macs: &mut HashSet<BdAddr>) -> Option<()> {
    let dir = external()?;
    let path = dir.join(format!(
        "galaxy_smarttag_research/investigation/ble_passive_scanning/smarttagscan{n}.csv"
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(r#""Time","MAC Address","Service Data""#));
    for line in lines {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
        let [time, mac, service_data] = fields[..] else {
            panic!("{}: bad row {line}", path.display());
        };
        // The scanner logged local time without a zone; treating it as UTC keeps the gaps right.
        let time_us = NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S%.3f")
            .unwrap()
            .and_utc()
            .timestamp_micros();
        let value = hex::decode(service_data.replace('-', "")).unwrap();
        // One AD structure: length (type byte + value), 0x16 service data, UUID and value.
        let mut data = vec![value.len() as u8 + 1, 0x16];
        data.extend(&value);
        let address = BdAddr::parse(mac).unwrap();
        macs.insert(address);
        let adv = Advertisement {
            time_us,
            address,
            addr_type: AddrType::Random,
            rssi: None,
            pdu: PduKind::AdvNonconnInd,
            data: &data,
        };
        let class = Classifier::builtin().classify(&data);
        assert_eq!(class.map(|c| c.family), Some("samsung_smarttag"), "{line}");
        trackers.add(&adv, class.as_ref());
    }
    Some(())
}

/// (addresses, identities) of each entry, in the order first seen.
fn shape(trackers: &[Tracker]) -> Vec<(usize, u32)> {
    trackers
        .iter()
        .map(|t| (t.addresses.len(), t.identities))
        .collect()
}

#[test]
fn each_scan_without_counter_jumps_is_one_smarttag_with_every_address() {
    // Scans 2-5: the counter steps by one from row to row, rows come 15.5 min apart at most.
    // The privacy id sometimes stays for many steps (scan 2 keeps one id from counter 72118 on,
    // scan 4 from 75797), and scan 4 reuses earlier ids: those sightings join the entry directly.
    for (n, identities) in [(2, 3), (3, 2), (4, 91), (5, 2)] {
        let Some((trackers, macs)) = scan(n) else {
            return;
        };
        assert_eq!(shape(&trackers), [(macs, identities)], "smarttagscan{n}.csv");
    }
}

#[test]
fn scan_1_with_a_counter_step_of_two_is_one_smarttag() {
    let Some((trackers, macs)) = scan(1) else {
        return;
    };
    // At 05:00:29 the counter goes from 72074 to 72076 after the usual 15.5 minutes: a step of
    // two links. At 06:02:30 (counter 72080) the tag reuses the privacy id it sent at 72074;
    // that sighting joins the same entry by identity.
    assert_eq!(macs, 52);
    assert_eq!(shape(&trackers), [(52, 51)]);
}

#[test]
fn all_five_scans_hours_to_weeks_apart_are_one_smarttag() {
    // Between the scans the tag was not heard for 75 minutes, 46 hours and 35 days; its
    // counter went on by one every 15 minutes all along (183 steps in 2753 minutes, 3376 in
    // 50,644), so each silence is bridged by the elapsed time.
    let mut trackers = Trackers::new();
    let mut macs = HashSet::new();
    for n in 1..=5 {
        if feed(n, &mut trackers, &mut macs).is_none() {
            return;
        }
    }
    let v = trackers.into_sorted();
    assert_eq!(v.len(), 1, "{:?}", shape(&v));
    assert_eq!(v[0].addresses.len(), macs.len());
}
