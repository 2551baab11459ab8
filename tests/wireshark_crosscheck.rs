//! tagwatch against Wireshark: every capture in ../shared/captures/external (pcap, pcapng,
//! btsnoop; recognised by content) is read by tagwatch and dissected by `tshark`, and the two
//! must agree frame by frame on how many advertisement reports a frame holds, whether it is
//! a damaged advertising packet, and which tracker sightings (address and family) it gives.
//! A mismatch names the file and the frame number.
//!
//! Wireshark's side is taken from its own dissection only (`tshark -T json`), never from
//! tagwatch's decoders:
//! - HCI logs: the reports of LE Advertising Report (subevent 0x02) and LE Extended
//!   Advertising Report (0x0D) events, `bthci_evt.le_num_reports` each (one event may hold
//!   several); damaged = a frame Wireshark marks malformed.
//! - Link-layer captures (link types 251, 256, 272): an advertising-channel packet is one the
//!   nRF Sniffer marks as such (header version 3, packet id 2) or else one with the
//!   advertising access address 0x8e89bed6. It is damaged when its CRC is bad
//!   (`nordic_ble.crcok == 0`, where the sniffer checked it; `btle.crc.incorrect`, where
//!   Wireshark checked it), its nRF Sniffer lengths do not add up (`nordic_ble.bad_length`),
//!   or Wireshark gives up on it (malformed). Otherwise it is an advertisement when its PDU
//!   type is ADV_IND, ADV_DIRECT_IND, ADV_NONCONN_IND, SCAN_RSP or ADV_SCAN_IND, or an
//!   extended PDU with an advertiser address and advertising data. SCAN_REQ, CONNECT_IND and
//!   data-channel packets are neither, and are not counted by either side.
//! - Tracker sightings: the families of README "What it recognises", by the AD entries
//!   Wireshark shows: Find My = manufacturer data 0x004C starting 0x12; SmartTag = service
//!   data 0xFD5A or 0xFD59; Tile = 0xFEED / 0xFEEC, Chipolo = 0xFE33, Pebblebee = 0xFA25 as
//!   service data or a service UUID; Google FMDN = service data 0xFEAA starting 0x40 or 0x41;
//!   DULT = service data 0xFCB2.
//!
//! Known differences: none left. Every frame of every shared capture agrees exactly (the
//! counts each file gives are printed). tagwatch's signatures are stricter than the family
//! rules above (a SmartTag status frame must start 0x10-0x17 and hold 13 bytes; Find My must
//! be the separated 0x12 0x19 or the near-owner 0x12 0x02 shape), so a malformed tracker
//! payload would show here as a frame where tshark has a sighting tagwatch does not: it
//! fails the test, to be looked at, rather than being left out.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tagwatch::capture::{self, Format};
use tagwatch::classify::Classifier;

/// What one frame gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Frame {
    advertisements: u64,
    damaged: u64,
    /// (address in lower case, family), sorted.
    sightings: Vec<(String, String)>,
}

fn captures_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            captures_under(&p, out);
        } else if capture::open(&p).is_ok_and(|c| c.format != Format::JsonLines) {
            out.push(p);
        }
    }
}

/// tagwatch's reading, one entry per record (= Wireshark frame).
fn tagwatch_frames(path: &Path) -> Vec<Frame> {
    let classifier = Classifier::builtin();
    let mut cap = capture::open(path).unwrap();
    let mut frames = Vec::new();
    let mut sightings = Vec::new();
    let mut before = cap.source.stats();
    loop {
        let more = cap
            .source
            .next_record(&mut |adv| {
                if let Some(c) = classifier.classify(adv.data) {
                    sightings.push((adv.address.to_string().to_lowercase(), c.family.to_string()));
                }
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let after = cap.source.stats();
        let mut frame = Frame {
            advertisements: after.advertisements - before.advertisements,
            damaged: after.bad_records - before.bad_records,
            sightings: std::mem::take(&mut sightings),
        };
        frame.sightings.sort();
        let new_frame = after.records > before.records;
        before = after;
        match frames.last_mut() {
            _ if new_frame => frames.push(frame),
            // Blocks that are no packet (pcapng section and interface blocks), and what the
            // end of the capture releases (held-back extended report fragments), belong to
            // the frame before.
            Some(last) => {
                last.advertisements += frame.advertisements;
                last.damaged += frame.damaged;
                last.sightings.extend(frame.sightings);
                last.sightings.sort();
            }
            None => assert_eq!(frame, Frame::default()),
        }
        if !more {
            break;
        }
    }
    frames
}

/// Every value under `key` anywhere in `v` (tshark nests fields in trees and, with
/// `--no-duplicate-keys`, gathers repeated ones in arrays).
fn find<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == key {
                    match x {
                        Value::Array(a) => out.extend(a),
                        x => out.push(x),
                    }
                } else {
                    find(x, key, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| find(x, key, out)),
        _ => {}
    }
}

fn all<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    find(v, key, &mut out);
    out
}

fn first<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    all(v, key).first().and_then(|x| x.as_str())
}

fn hex_bytes(s: &str) -> Vec<u8> {
    s.split(':')
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}

/// The tracker families one report's AD entries show.
fn families(advertising_data: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    for e in all(advertising_data, "btcommon.eir_ad.entry") {
        let field = |k: &str| {
            e.get(format!("btcommon.eir_ad.entry.{k}"))
                .and_then(Value::as_str)
        };
        let uuids: Vec<&str> = all(e, "btcommon.eir_ad.entry.uuid_16")
            .iter()
            .filter_map(|u| u.as_str())
            .collect();
        let service_data = field("service_data").map(hex_bytes).unwrap_or_default();
        let family = match field("type") {
            Some("0xff") if field("company_id") == Some("0x004c") => field("data")
                .map(hex_bytes)
                .filter(|d| d.first() == Some(&0x12))
                .map(|_| "apple_find_my"),
            Some("0x16") => match uuids.first().copied() {
                Some("0xfd5a" | "0xfd59") => Some("samsung_smarttag"),
                Some("0xfeaa") if matches!(service_data.first(), Some(0x40 | 0x41)) => Some("google_fmdn"),
                Some("0xfcb2") => Some("dult"),
                Some(u) => uuid_family(u),
                None => None,
            },
            Some("0x02" | "0x03") => uuids.iter().find_map(|u| uuid_family(u)),
            _ => None,
        };
        // A report is one sighting of a family, however many of its entries show it (Chipolo
        // tags send their UUID both in a list and as service data).
        if let Some(f) = family.filter(|f| !out.contains(f)) {
            out.push(f);
        }
    }
    out
}

/// Families recognised by service data or a service UUID alike.
fn uuid_family(uuid: &str) -> Option<&'static str> {
    match uuid {
        "0xfeed" | "0xfeec" => Some("tile"),
        "0xfe33" => Some("chipolo"),
        "0xfa25" => Some("pebblebee"),
        _ => None,
    }
}

/// Wireshark's dissection, one entry per frame.
fn tshark_frames(path: &Path) -> Vec<Frame> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-T", "json", "--no-duplicate-keys"])
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let packets: Vec<Value> = serde_json::from_slice(&out.stdout).expect("tshark JSON");
    packets
        .iter()
        .map(|p| tshark_frame(&p["_source"]["layers"]))
        .collect()
}

fn tshark_frame(layers: &Value) -> Frame {
    let mut frame = Frame::default();
    let malformed = !all(layers, "_ws.malformed").is_empty();
    let reports: Vec<(String, &Value)>;
    if let Some(evt) = layers.get("bthci_evt") {
        let subevent = first(evt, "bthci_evt.le_meta_subevent");
        if !matches!(subevent, Some("0x02" | "0x0d")) {
            return frame;
        }
        frame.damaged = u64::from(malformed);
        frame.advertisements = first(evt, "bthci_evt.le_num_reports").map_or(0, |n| n.parse().unwrap());
        let addresses = all(evt, "bthci_evt.bd_addr");
        let data = all(evt, "btcommon.eir_ad.advertising_data");
        // Reports pair with their data by position only when each has data.
        reports = if addresses.len() == data.len() {
            addresses
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .zip(data)
                .collect()
        } else {
            Vec::new()
        };
    } else if let Some(btle) = layers.get("btle") {
        let nordic = layers.get("nordic_ble");
        let advertising_channel = match nordic.and_then(|n| first(n, "nordic_ble.protover")) {
            Some("3") => first(nordic.unwrap(), "nordic_ble.packet_id") == Some("2"),
            _ => first(btle, "btle.access_address") == Some("0x8e89bed6"),
        };
        if !advertising_channel {
            return frame;
        }
        let bad = malformed
            || nordic.is_some_and(|n| first(n, "nordic_ble.crcok") == Some("0"))
            || !all(layers, "btle.crc.incorrect").is_empty()
            || !all(layers, "nordic_ble.bad_length").is_empty();
        if bad {
            frame.damaged = 1;
            return frame;
        }
        let address = first(btle, "btle.advertising_address");
        let data = all(btle, "btcommon.eir_ad.advertising_data");
        let is_advertisement = match first(btle, "btle.advertising_header.pdu_type") {
            Some("0x00" | "0x01" | "0x02" | "0x04" | "0x06") => true,
            Some("0x07") => address.is_some() && !data.is_empty(),
            _ => false,
        };
        if !is_advertisement {
            return frame;
        }
        frame.advertisements = 1;
        reports = match (address, data.first()) {
            (Some(a), Some(d)) => vec![(a.to_string(), *d)],
            _ => Vec::new(),
        };
    } else {
        return frame;
    }
    for (address, data) in reports {
        for family in families(data) {
            frame.sightings.push((address.clone(), family.to_string()));
        }
    }
    frame.sightings.sort();
    frame
}

#[test]
fn every_shared_capture_reads_as_wireshark_dissects_it() {
    let Some(ext) = external() else { return };
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!("skipping: tshark not installed");
        return;
    }
    let mut files = Vec::new();
    captures_under(&ext, &mut files);
    assert!(files.len() >= 13, "{files:?}");
    let mut mismatches = Vec::new();
    for path in &files {
        let name = path.strip_prefix(&ext).unwrap().display().to_string();
        let ours = tagwatch_frames(path);
        let theirs = tshark_frames(path);
        if ours.len() != theirs.len() {
            mismatches.push(format!(
                "{name}: tagwatch read {} records, tshark {} frames",
                ours.len(),
                theirs.len()
            ));
            continue;
        }
        let (mut a, mut d, mut s) = (0, 0, 0);
        for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            a += o.advertisements;
            d += o.damaged;
            s += o.sightings.len();
            if o != t {
                mismatches.push(format!("{name}: frame {}: tagwatch {o:?}, tshark {t:?}", i + 1));
            }
        }
        eprintln!(
            "{name}: {} frames, {a} advertisements, {d} damaged, {s} tracker sightings: as tshark",
            ours.len()
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
