//! The nRF Sniffer for Bluetooth LE (pcap/pcapng link type 272) in every header version:
//! the real version-3 capture against Wireshark's dissection, the demo written in versions
//! 0 to 3 against the same demo as an HCI log, and records tagwatch cannot interpret.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use tagwatch::analyze::{AnalyzeOptions, analyze_files};
use tagwatch::capture::{self, ReadStats, Unreadable};
use tagwatch::synth::scenario::{self, Container};

/// Same start as `tagwatch synth`; 10 minutes span a SmartTag and an FMDN key rotation.
const START_US: i64 = 1_763_798_400_000_000;
const MINUTES: i64 = 10;

fn write_demo(container: Container, name: &str) -> (PathBuf, u64) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let (start, end, emitters) = scenario::demo(START_US, MINUTES);
    let file = std::fs::File::create(&path).unwrap();
    let n = scenario::write_capture(std::io::BufWriter::new(file), container, start, end, &emitters).unwrap();
    (path, n)
}

fn read_stats(path: &Path) -> ReadStats {
    let mut cap = capture::open(path).unwrap_or_else(|e| panic!("{e}"));
    while cap
        .source
        .next_record(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"))
    {}
    cap.source.stats()
}

/// Records, advertisements, damaged and unreadable records of a capture.
fn counts(path: &Path) -> (u64, u64, u64, u64) {
    let s = read_stats(path);
    (s.records, s.advertisements, s.bad_records, s.unreadable)
}

/// What a person is told about each tracker, in a form that compares.
fn trackers_of(path: &Path) -> Vec<String> {
    let analysis = analyze_files(&[path.to_path_buf()], &AnalyzeOptions::default(), None, |_| {});
    assert!(!analysis.has_errors(), "{path:?}");
    analysis
        .trackers
        .iter()
        .map(|t| {
            format!(
                "{} {} {:?} {:?} {:?} {} {}..{} {:?}",
                t.id,
                t.family,
                t.model,
                t.owner_state,
                t.addresses,
                t.sightings,
                t.first_seen_us,
                t.last_seen_us,
                t.rssi_max
            )
        })
        .collect()
}

fn tshark_installed() -> bool {
    let ok = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: tshark not installed");
    }
    ok
}

/// `tshark -T fields` over a file: one line per frame, the fields tab-separated.
fn tshark_fields(path: &Path, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args(["-Y", filter, "-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// The demo's trackers (every family: Find My, SmartTag, Tile, Chipolo, Pebblebee, FMDN on
/// extended advertising, DULT) come out of every nRF Sniffer header version exactly as from
/// the HCI log: same entries, addresses, sightings, times and signal strengths.
#[test]
fn every_header_version_gives_the_demo_trackers_of_the_btsnoop() {
    let (btsnoop, written) = write_demo(Container::Btsnoop, "nordic-demo-synthetic.btsnoop");
    let expected = trackers_of(&btsnoop);
    let families: std::collections::BTreeSet<&str> =
        expected.iter().map(|t| t.split(' ').nth(1).unwrap()).collect();
    assert_eq!(
        families.into_iter().collect::<Vec<_>>(),
        [
            "apple_find_my",
            "chipolo",
            "dult",
            "google_fmdn",
            "pebblebee",
            "samsung_smarttag",
            "tile"
        ]
    );
    for version in 0..=3u8 {
        let name = format!("nordic-demo-v{version}-synthetic.pcap");
        let (path, n) = write_demo(Container::Nordic(version), &name);
        assert_eq!(n, written);
        assert_eq!(counts(&path), (written, written, 0, 0), "version {version}");
        assert_eq!(trackers_of(&path), expected, "version {version}");
    }
}

/// Wireshark reads the generated files as tagwatch does: every frame an advertising PDU
/// with its advertiser address and a good CRC, in the header version written (version 3
/// puts the extended advertisements on LE Coded, after a coding indicator).
#[test]
fn tshark_reads_every_generated_version_as_advertisements() {
    if !tshark_installed() {
        return;
    }
    for version in 0..=3u8 {
        let name = format!("nordic-tshark-v{version}-synthetic.pcap");
        let (path, written) = write_demo(Container::Nordic(version), &name);
        let rows = tshark_fields(
            &path,
            "btle",
            &[
                "frame.number",
                "nordic_ble.protover",
                "nordic_ble.crcok",
                "btle.advertising_address",
                "nordic_ble.phy",
            ],
        );
        assert_eq!(rows.len() as u64, written, "version {version}");
        // The advertiser addresses tagwatch reads, frame by frame: on LE Coded too, where the
        // address only lands right after the coding indicator.
        let mut addresses = Vec::new();
        let mut cap = capture::open(&path).unwrap();
        while cap
            .source
            .next_record(&mut |a| addresses.push(a.address.to_string().to_lowercase()))
            .unwrap()
        {}
        let mut coded = 0;
        for (row, ours) in rows.iter().zip(&addresses) {
            assert_eq!(row[1], version.to_string(), "version {version}, frame {}", row[0]);
            assert_eq!(row[2], "1", "version {version}, frame {}", row[0]);
            assert_eq!(&row[3], ours, "version {version}, frame {}", row[0]);
            coded += usize::from(row[4] == "2");
        }
        // The FMDN tag's extended advertisements, every 2 s.
        assert_eq!(
            coded > 250,
            version == 3,
            "version {version}: {coded} frames on LE Coded"
        );
    }
}

/// tshark's dissection of the shared version-3 capture (see SOURCES.md), with 4.0.17:
/// - 2154 frames: 1913 with packet id 2 (advertising), 241 with 0x06 (data, never counted);
/// - advertisements: `nordic_ble.packet_id == 2 && nordic_ble.crcok == 1 &&
///   btle.advertising_header.pdu_type in {0, 2, 4, 6}` = 1725 (ADV_IND 365, ADV_NONCONN_IND 353,
///   SCAN_RSP 4, ADV_SCAN_IND 1003);
/// - damaged: `nordic_ble.packet_id == 2 && nordic_ble.crcok == 0` = 186;
/// - Find My (`btcommon.eir_ad.entry.company_id == 0x004c`, data starting 12) with a good CRC:
///   7 addresses, 64 frames near the owner (length 2) and 3 separated (length 25, all from
///   ee:12:2c:7d:f4:e0).
#[test]
fn the_shared_version_3_capture_gives_wiresharks_find_my_entries() {
    let Some(ext) = external() else { return };
    let path = ext.join("nrf-sniffer-v3/fascia_cardio.pcapng");
    assert_eq!(counts(&path), (2154, 1725, 186, 0));

    let (code, json, stderr) = analyze_json(&[&path]);
    assert_eq!(code, 0, "{stderr}");
    // One entry per device: a device near its owner that changed its address within seconds,
    // same status byte and signal, is one entry with both addresses.
    let mut find_my: Vec<(Vec<String>, String, u64)> = trackers(&json)
        .iter()
        .filter(|t| t["family"] == "apple_find_my")
        .map(|t| {
            let mut addresses: Vec<String> = t["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_lowercase())
                .collect();
            addresses.sort();
            (
                addresses,
                t["owner_state"].as_str().unwrap().to_string(),
                t["sightings"].as_u64().unwrap(),
            )
        })
        .collect();
    find_my.sort();
    let expected = [
        (
            &["cd:c7:01:06:7f:79", "d3:f4:19:6b:0a:e4", "ef:4a:13:d9:0b:ec"][..],
            "near_owner",
            15,
        ),
        (&["de:78:ef:bd:b8:ce"], "near_owner", 2),
        (&["e1:2d:f8:f0:7d:14", "e3:b2:91:1e:e7:de"], "near_owner", 47),
        (&["ee:12:2c:7d:f4:e0"], "separated", 3),
    ]
    .map(|(a, s, n)| {
        (
            a.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            s.to_string(),
            n,
        )
    });
    assert_eq!(find_my, expected);
    assert_eq!(json["captures"][0]["unreadable"], serde_json::Value::Null);

    if tshark_installed() {
        // The same from Wireshark's own dissection, each address counted into the entry that
        // holds it.
        let mut seen = std::collections::BTreeMap::<(Vec<String>, String), u64>::new();
        for row in tshark_fields(
            &path,
            "nordic_ble.crcok == 1 && btcommon.eir_ad.entry.company_id == 0x004c",
            &["btle.advertising_address", "btcommon.eir_ad.entry.data"],
        ) {
            let Some(data) = row[1].split(',').find(|d| d.starts_with("12")) else {
                continue;
            };
            let state = if data.starts_with("1219") {
                "separated"
            } else {
                "near_owner"
            };
            let entry = expected
                .iter()
                .find(|(addresses, _, _)| addresses.contains(&row[0]))
                .map_or_else(|| vec![row[0].clone()], |(a, _, _)| a.clone());
            *seen.entry((entry, state.to_string())).or_default() += 1;
        }
        let from_tshark: Vec<(Vec<String>, String, u64)> =
            seen.into_iter().map(|((a, s), n)| (a, s, n)).collect();
        assert_eq!(from_tshark, expected);
    }
}

/// A capture whose every record has a header version tagwatch does not know is "not
/// checked" (exit 4) and says how many records and why, never "0 trackers".
#[test]
fn an_unknown_header_version_is_not_an_all_clear() {
    let (path, written) = write_demo(Container::Nordic(3), "nordic-v9-synthetic.pcap");
    let mut bytes = std::fs::read(&path).unwrap();
    let mut at = 24;
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        bytes[at + 16 + 3] = 9;
        at += 16 + len;
    }
    std::fs::write(&path, &bytes).unwrap();
    let stats = read_stats(&path);
    assert_eq!(
        (
            stats.records,
            stats.advertisements,
            stats.unreadable,
            stats.unreadable_reason
        ),
        (written, 0, written, Some(Unreadable::NordicVersion(9)))
    );

    let (code, json, stderr) = analyze_json(&[&path]);
    assert_eq!(code, i32::from(tagwatch::exit::NOT_CHECKED), "{stderr}");
    assert_eq!(json["captures"][0]["unreadable"]["records"], written);
    let reason = json["captures"][0]["unreadable"]["reason"].as_str().unwrap();
    assert!(
        reason == "nRF Sniffer header version 9: tagwatch reads versions 0 to 3",
        "{reason}"
    );

    let out = tagwatch()
        .args(["analyze", "--no-store"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(tagwatch::exit::NOT_CHECKED)));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!(
            "0 advertisements, {} records not understood (nRF Sniffer header version 9: tagwatch reads versions 0 to 3)\n",
            tagwatch::present::grouped(written)
        )),
        "{table}"
    );

    // One good capture beside it does not make it checked.
    let (good, _) = write_demo(Container::Nordic(2), "nordic-v2-beside-synthetic.pcap");
    let (code, _, _) = analyze_json(&[&good, &path]);
    assert_eq!(code, i32::from(tagwatch::exit::NOT_CHECKED));
    let (code, json, _) = analyze_json(&[&good]);
    assert_eq!(
        (code, &json["captures"][0]["unreadable"]),
        (0, &serde_json::Value::Null)
    );

    // Nor is a capture only partly understood: every other record of an unknown version.
    let (partly, written) = write_demo(Container::Nordic(3), "nordic-partly-synthetic.pcap");
    let mut bytes = std::fs::read(&partly).unwrap();
    let (mut at, mut n) = (24, 0u64);
    while at < bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        if n % 2 == 1 {
            bytes[at + 16 + 3] = 9;
        }
        (at, n) = (at + 16 + len, n + 1);
    }
    std::fs::write(&partly, &bytes).unwrap();
    let (code, json, stderr) = analyze_json(&[&partly]);
    assert_eq!(code, i32::from(tagwatch::exit::NOT_CHECKED), "{stderr}");
    assert_eq!(json["coverage"]["unreadable_records"], written / 2);
    assert!(stderr.contains("records could not be interpreted"), "{stderr}");
    let out = tagwatch()
        .args(["analyze", "--no-store"])
        .arg(&partly)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Partly checked: "));
}

/// `tagwatch synth --nordic VERSION` writes the demo as the nRF Sniffer would.
#[test]
fn synth_writes_nordic_captures_of_any_version() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("nordic-cli-v1-synthetic.pcap");
    let _ = std::fs::remove_file(&path);
    let out = tagwatch()
        .args(["synth", "demo", "--minutes", "1", "--nordic", "1", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, json, stderr) = analyze_json(&[&path]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["captures"][0]["format"], "pcap");
    assert!(trackers(&json).len() >= 7, "{json}");
    let bytes = std::fs::read(&path).unwrap();
    // Link type 272, then the first record's nRF Sniffer header: board 0, header length 6,
    // payload length, version 1.
    assert_eq!(
        (bytes[20], bytes[21], bytes[24 + 16 + 1], bytes[24 + 16 + 3]),
        (0x10, 0x01, 6, 1)
    );
    let out = tagwatch()
        .args(["synth", "demo", "--nordic", "4", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
}
