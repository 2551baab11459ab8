//! `tagwatch analyze` end to end: the binary on the bundled demo, on real captures, on bad input.

mod common;
use common::*;

use std::path::Path;

use serde_json::Value;

const DEMO: &str = "captures/demo-synthetic.btsnoop";

#[test]
fn demo_capture_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("demo-synthetic.btsnoop");
    tagwatch()
        .args(["synth", "demo", "-o"])
        .arg(&fresh)
        .assert()
        .success();
    let bundled = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO)).unwrap();
    assert!(
        std::fs::read(&fresh).unwrap() == bundled,
        "captures/ is stale: rerun `tagwatch synth demo`"
    );
}

#[test]
fn demo_lists_one_tracker_of_each_family_and_no_bystanders() {
    let (code, json, _) = analyze_json(&[Path::new(DEMO)]);
    assert_eq!(code, 0);
    let mut found: Vec<(String, String, String)> = trackers(&json)
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or("null").to_string();
            (s("family"), s("model"), s("owner_state"))
        })
        .collect();
    found.sort();
    let expected = [
        ("apple_find_my", "AirTag", "near_owner"),
        ("apple_find_my", "AirTag", "separated"),
        ("chipolo", "Chipolo", "separated"),
        ("dult", "null", "separated"),
        ("google_fmdn", "Find Hub tag", "separated"),
        ("pebblebee", "Pebblebee", "unknown"),
        ("samsung_smarttag", "SmartTag", "separated"),
        ("tile", "Tile", "unknown"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected);
    // Each tracker advertises every ~2 s for 10 minutes; bystanders are only counted.
    for t in trackers(&json) {
        let n = t["sightings"].as_u64().unwrap();
        assert!((290..=300).contains(&n), "{t}");
        assert_eq!(t["addresses"].as_array().unwrap().len(), 1, "{t}");
        assert_eq!(t["identities"], 1, "{t}");
    }
    let read = json["captures"][0]["advertisements"].as_u64().unwrap();
    let other = json["other_advertisements"].as_u64().unwrap();
    let tracker_ads: u64 = trackers(&json)
        .iter()
        .map(|t| t["sightings"].as_u64().unwrap())
        .sum();
    assert_eq!(read, other + tracker_ads);
    assert!(other > 5000, "bystanders are counted: {other}");
}

#[test]
fn rotating_demo_trackers_stay_one_entry_each() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("demo-40.btsnoop");
    tagwatch()
        .args(["synth", "demo", "--minutes", "40", "-o"])
        .arg(&capture)
        .assert()
        .success();
    let (code, json, _) = analyze_json(&[&capture]);
    assert_eq!(code, 0);
    let shape = |family: &str| -> Vec<(usize, u64)> {
        trackers(&json)
            .iter()
            .filter(|t| t["family"] == family)
            .map(|t| {
                (
                    t["addresses"].as_array().unwrap().len(),
                    t["identities"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // The SmartTag rotates address and privacy id every 15 minutes (counter + 1 each time),
    // the FMDN tag its EID every 17 minutes under one address: three identities each in 40 minutes.
    assert_eq!(shape("samsung_smarttag"), [(3, 3)]);
    assert_eq!(shape("google_fmdn"), [(1, 3)]);
    // A separated DULT tag keeps its address; the neighbour's near-owner AirTag rotates every
    // 15 minutes, each new address right after the last with the same status byte and signal:
    // one entry with its three addresses.
    assert_eq!(shape("dult"), [(1, 1)]);
    let near_owner: Vec<(usize, u64)> = trackers(&json)
        .iter()
        .filter(|t| t["owner_state"] == "near_owner")
        .map(|t| {
            (
                t["addresses"].as_array().unwrap().len(),
                t["identities"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(near_owner, [(3, 3)]);
}

#[test]
fn json_has_the_documented_shape() {
    let (_, json, _) = analyze_json(&[Path::new(DEMO)]);
    let t = &trackers(&json)[0];
    for key in [
        "id",
        "family",
        "model",
        "owner_state",
        "addresses",
        "identities",
        "first_seen",
        "last_seen",
        "sightings",
        "rssi_max",
        "places",
        "max_distance_m",
        "following",
        "alert_at",
        "risk",
        "reasons",
        "reason_codes",
    ] {
        assert!(t.get(key).is_some(), "missing {key} in {t}");
    }
    // Each reason twice: an English sentence, and a stable code with its values.
    let (reasons, codes) = (
        t["reasons"].as_array().unwrap(),
        t["reason_codes"].as_array().unwrap(),
    );
    assert_eq!(reasons.len(), codes.len());
    assert_eq!(codes[0]["code"], "seen_without_location", "{t}");
    assert!(codes[0]["with_you_us"].as_i64().unwrap() > 0, "{t}");
    assert!(
        reasons[0].as_str().unwrap().starts_with("seen with you for "),
        "{t}"
    );
    // RFC 3339 in UTC with microseconds, inside the demo's ten minutes.
    let first = t["first_seen"].as_str().unwrap();
    assert!(
        first.starts_with("2026-01-15T08:0") && first.ends_with('Z') && first.len() == 27,
        "{first}"
    );
    chrono::DateTime::parse_from_rfc3339(first).unwrap();
    assert!(
        t["addresses"][0]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| *c == ':')
            .count()
            == 5
    );
}

#[test]
fn table_is_aligned_and_plain_without_colour() {
    let out = tagwatch().args(["analyze", DEMO]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "NO_COLOR output has escape codes");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID "));
    let owner_col = lines[0].find("OWNER").unwrap();
    for row in &lines[1..9] {
        let cell = &row[owner_col..];
        assert!(
            ["separated", "near owner", "unknown"]
                .iter()
                .any(|s| cell.starts_with(s)),
            "{row}"
        );
    }
    assert!(text.contains("8 trackers;"), "{text}");
}

#[test]
fn colour_is_used_when_forced() {
    let out = tagwatch()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["analyze", DEMO])
        .output();
    assert!(
        String::from_utf8(out.unwrap().stdout)
            .unwrap()
            .contains("\u{1b}[")
    );
}

#[test]
fn truncated_capture_names_file_format_and_offset_and_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.btsnoop");
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEMO)).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 7]).unwrap();
    let (code, json, stderr) = analyze_json(&[&cut]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cut.btsnoop: btsnoop capture: truncated"),
        "{stderr}"
    );
    assert!(stderr.contains("at byte offset"), "{stderr}");
    assert!(
        !trackers(&json).is_empty(),
        "trackers read before the damage are reported"
    );
}

#[test]
fn unknown_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.pcap");
    std::fs::write(&junk, b"this is not a capture\n").unwrap();
    let (code, _, stderr) = analyze_json(&[&junk, Path::new(DEMO)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("notes.pcap: unknown format"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn real_smarttag_logs_show_smarttags_with_owner_state() {
    let Some(dir) = external().map(|d| d.join("galaxy_smarttag_research/investigation/log_analysis")) else {
        return;
    };
    let (code, json, _) = analyze_json(&[&dir.join("registration_ble/registration.log")]);
    assert_eq!(code, 0);
    let tags: Vec<&Value> = trackers(&json)
        .iter()
        .filter(|t| t["family"] == "samsung_smarttag")
        .collect();
    // One tag in setup mode (0xFD59) before registration, then registered and near its owner:
    // its privacy id changed with its state, the counter did not, so it is one entry.
    assert_eq!(tags.len(), 2);
    assert_eq!(tags.iter().filter(|t| t["mode"] == "setup").count(), 1);
    let registered: Vec<&&Value> = tags.iter().filter(|t| t["owner_state"] == "near_owner").collect();
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0]["identities"], 2, "{}", registered[0]);

    let (_, json, _) = analyze_json(&[&dir.join("owner_tag_interaction/playsound_3.log")]);
    // Two tags heard side by side the whole time, each through two privacy ids.
    let tags = trackers(&json);
    assert_eq!(tags.len(), 2);
    assert!(
        tags.iter()
            .all(|t| t["owner_state"] == "near_owner" && t["identities"] == 2)
    );
}

#[test]
fn real_nordic_capture_shows_the_iphones_separated_find_my_frames() {
    let Some(f) = external()
        .map(|d| d.join("PACTTemplateDataset/nRF52/iPhone_11-1/btle_sniffer_05-07-2020-122940.pcapng"))
    else {
        return;
    };
    let (code, json, _) = analyze_json(&[&f]);
    assert_eq!(code, 0);
    let t = trackers(&json);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0]["family"], "apple_find_my");
    assert_eq!(t[0]["model"], "Apple device");
    assert_eq!(t[0]["owner_state"], "separated");
    assert_eq!(t[0]["sightings"], 546);
    assert_eq!(t[0]["addresses"][0], "CC:34:99:79:B1:14");
}

#[test]
fn real_hackrf_captures_count_crc_failures_and_find_only_near_owner_apple_devices() {
    let Some(dir) = external().map(|d| d.join("Boston-Mesh-Open-Source-Base-Station/data")) else {
        return;
    };
    let (code, json, _) = analyze_json(&[&dir.join("take_2/adv37.pcap"), &dir.join("take_2/adv38.pcap")]);
    assert_eq!(code, 0);
    let bad: Vec<u64> = json["captures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bad_records"].as_u64().unwrap())
        .collect();
    assert_eq!(bad, [6, 14]);
    let t = trackers(&json);
    // The same near-owner address shows up on both channels' files: one entry each.
    assert_eq!(t.len(), 3);
    assert!(
        t.iter()
            .all(|t| t["owner_state"] == "near_owner" && t["model"] == "Apple device")
    );
}

#[test]
fn bundled_commute_scenario_is_reproducible_and_its_airtag_follows() {
    let dir = tempfile::tempdir().unwrap();
    tagwatch()
        .args(["synth", "scenario", "commute_airtag", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    for file in [
        "commute_airtag-synthetic.btsnoop",
        "commute_airtag-synthetic.gpx",
        "commute_airtag-labels.json",
    ] {
        let same =
            std::fs::read(dir.path().join(file)).unwrap() == std::fs::read(bundled.join(file)).unwrap();
        assert!(
            same,
            "captures/{file} is stale: rerun `tagwatch synth scenario commute_airtag -o captures`"
        );
    }
    // The README's main job: the table flags the planted AirTag and hides the owner's iPhone.
    let out = tagwatch()
        .args([
            "analyze",
            "--no-store",
            "--track",
            "captures/commute_airtag-synthetic.gpx",
            "captures/commute_airtag-synthetic.btsnoop",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).take_while(|l| !l.is_empty()).collect();
    assert!(
        rows[0].contains("AirTag") && rows[0].contains("FOLLOWING (high risk)"),
        "{text}"
    );
    // The owner's iPhone near its owner changed its address 12 times: one device, one row hidden.
    assert!(
        rows[1].starts_with("(1 phone, computer or headphones near its owner not listed"),
        "{text}"
    );
}

#[test]
fn japanese_locale_gives_a_japanese_table_that_fits_80_columns() {
    use unicode_width::UnicodeWidthStr;
    let commute = [
        "analyze",
        "--no-store",
        "--track",
        "captures/commute_airtag-synthetic.gpx",
        "captures/commute_airtag-synthetic.btsnoop",
    ];
    let run = |env: &[(&str, &str)]| {
        let mut cmd = tagwatch();
        cmd.args(commute);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let ja = run(&[("LANG", "ja_JP.UTF-8"), ("COLUMNS", "80")]);
    let table: Vec<&str> = ja.lines().take_while(|l| !l.is_empty()).collect();
    assert!(table[0].starts_with("ID") && table[0].contains("判定"), "{ja}");
    assert!(
        table[1].contains("AirTag") && table[1].contains("追跡中（危険度 高）"),
        "{ja}"
    );
    for row in &table[..2] {
        assert!(row.width() <= 80, "{} columns: {row}", row.width());
    }
    // What was left out to fit is said, and the reasons are worded in Japanese.
    assert!(table[2].contains("80 桁に収めるため省いた列"), "{ja}");
    assert!(
        ja.contains("理由:") && ja.contains("所有者から離れている"),
        "{ja}"
    );
    assert!(ja.contains("電波 49,602 件を受信"), "{ja}");
    // A pipe without COLUMNS gets every column, and --lang wins over the locale.
    let en = run(&[("LANG", "ja_JP.UTF-8"), ("TAGWATCH_LANG", "en")]);
    let header = en.lines().next().unwrap();
    assert!(
        header.contains("ADDRESSES") && header.contains("DISTANCE"),
        "{en}"
    );
    let flag = tagwatch()
        .args(["--lang", "en"])
        .args(commute)
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(String::from_utf8(flag.stdout).unwrap().starts_with("ID  "));
}

/// Generic names from the signature files (a model, a mode, a network) are worded in the
/// language of the table; product names stay as they are.
#[test]
fn tracker_names_in_the_table_are_in_its_language() {
    let table = |lang: &str| {
        let out = tagwatch()
            .args([
                "--lang",
                lang,
                "analyze",
                "--no-store",
                "captures/demo-synthetic.btsnoop",
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let ja = table("ja");
    assert!(ja.contains("Find Hub タグ（不要な追跡からの保護モード）"), "{ja}");
    assert!(ja.contains("DULT 準拠の追跡タグ（Google Find Hub）"), "{ja}");
    assert!(ja.contains("AirTag") && !ja.contains("Find Hub tag"), "{ja}");
    let en = table("en");
    assert!(en.contains("Find Hub tag (unwanted tracking protection)"), "{en}");
    assert!(en.contains("DULT tracker (Google Find Hub)"), "{en}");
}
