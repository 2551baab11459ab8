//! Never an all-clear for what was not checked: an input that cannot be read is said before
//! any result, a capture that heard nothing is "nothing was heard" (exit 4), every result
//! says what it covers, and the exit codes mean one thing each.

mod common;
use common::*;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tagwatch::capture::BtsnoopWriter;
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};

const DEMO: &str = "captures/demo-synthetic.btsnoop";
const COMMUTE: &str = "captures/commute_airtag-synthetic.btsnoop";
const COMMUTE_GPX: &str = "captures/commute_airtag-synthetic.gpx";
/// 2026-01-15T08:00:00Z.
const START_US: i64 = 1_768_464_000_000_000;
/// btsnoop counts microseconds from 0 AD.
const BTSNOOP_EPOCH_US: i64 = 0x00DC_DDB3_0F2F_8000;

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A btsnoop capture with only HCI events that are no advertisement (Command Complete for
/// a Reset, as a controller starts), `events` of them.
fn btsnoop_without_advertisements(path: &Path, events: usize) {
    let mut bytes = Vec::new();
    drop(BtsnoopWriter::new(&mut bytes).unwrap());
    let packet = [0x04, 0x0E, 0x04, 0x01, 0x03, 0x0C, 0x00];
    for i in 0..events {
        let n = (packet.len() as u32).to_be_bytes();
        bytes.extend_from_slice(&n);
        bytes.extend_from_slice(&n);
        bytes.extend_from_slice(&3u32.to_be_bytes()); // received event
        bytes.extend_from_slice(&0u32.to_be_bytes()); // drops
        bytes.extend_from_slice(&(START_US + BTSNOOP_EPOCH_US + i as i64 * 1_000_000).to_be_bytes());
        bytes.extend_from_slice(&packet);
    }
    std::fs::write(path, bytes).unwrap();
}

/// A btsnoop capture of `n` advertisements from a device that is no tracker (a name and
/// flags only), one a second from 08:00.
fn btsnoop_of_bystanders(path: &Path, n: usize) {
    let data = hex::decode("020106050954657374").unwrap();
    let mut w = BtsnoopWriter::new(std::fs::File::create(path).unwrap()).unwrap();
    for i in 0..n {
        w.write_legacy_report(&Advertisement {
            time_us: START_US + i as i64 * 1_000_000,
            address: BdAddr([0xC1, 0, 0, 0, 0, 1]),
            addr_type: AddrType::Random,
            rssi: Some(-70),
            pdu: PduKind::AdvInd,
            data: &data,
        })
        .unwrap();
    }
}

/// Runs `tagwatch ARGS` with its own database at `db`: (exit code, stdout, stderr).
fn run(args: &[&OsStr], db: &Path) -> (i32, String, String) {
    output(tagwatch().args(args).env("TAGWATCH_DB", db))
}

/// Runs `command`: (exit code, stdout, stderr).
fn output(command: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = command.output().unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tagwatch analyze --no-store --track TRACK CAPTURE` as a table: (exit code, stdout, stderr).
fn analyze_on_track(track: &Path, capture: &str) -> (i32, String, String) {
    output(
        tagwatch()
            .args(["analyze", "--no-store", "--track"])
            .arg(track)
            .arg(capture),
    )
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn an_unreadable_capture_is_said_first_with_a_hint_and_nothing_is_analysed_or_stored() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.bin");
    std::fs::write(&junk, b"\x00\x01this is no capture").unwrap();
    let empty = dir.path().join("empty.btsnoop");
    std::fs::write(&empty, b"").unwrap();
    let zip = dir.path().join("captures.zip");
    std::fs::write(&zip, b"PK\x03\x04\x14\x00\x00\x00\x08\x00").unwrap();
    let nmea = dir.path().join("walk.log");
    std::fs::write(
        &nmea,
        "$GPRMC,080000,A,3538.62,N,13940.26,E,0.0,0.0,150126,,,A*6C\n",
    )
    .unwrap();
    let cases: [(PathBuf, &[&str]); 7] = [
        (
            dir.path().join("missing.btsnoop"),
            &["missing.btsnoop", "the file does not exist"],
        ),
        (
            dir.path().to_path_buf(),
            &["a folder, not a capture: give the capture files in it"],
        ),
        (
            project(COMMUTE_GPX),
            &["this looks like a GPX track, not a capture: give it with --track"],
        ),
        (nmea, &["this looks like an NMEA 0183 track", "--track"]),
        (zip, &["a zip archive", "unpack it"]),
        (
            junk,
            &["notes.bin: unknown format: not a btsnoop, pcap, pcapng, PacketLogger or tagwatch JSON Lines"],
        ),
        (empty, &["empty.btsnoop", "empty file, not a capture"]),
    ];
    for (path, said) in cases {
        for format in ["table", "json"] {
            let db = dir.path().join("evidence.sqlite");
            // A good capture alongside: it is not analysed either, the result would leave one out.
            let args = [
                os("analyze"),
                os("--format"),
                os(format),
                os(DEMO),
                path.as_os_str(),
            ];
            let (code, stdout, stderr) = run(&args, &db);
            assert_eq!(code, 2, "{path:?}: {stderr}");
            assert!(stdout.is_empty(), "no result at all: {stdout}");
            assert!(stderr.starts_with("error: "), "the error comes first: {stderr}");
            for s in said {
                assert!(stderr.contains(s), "{path:?}: {s:?} not in {stderr}");
            }
            assert!(
                !stderr.contains("No trackers") && !stderr.contains("panicked"),
                "{stderr}"
            );
            assert!(!db.exists(), "{path:?}: nothing stored, no database made");
        }
    }
}

#[test]
fn a_capture_without_a_single_advertisement_is_nothing_heard_never_no_trackers() {
    let dir = tempfile::tempdir().unwrap();
    for events in [0, 5] {
        let capture = dir.path().join(format!("controller-{events}.btsnoop"));
        btsnoop_without_advertisements(&capture, events);
        let db = dir.path().join(format!("evidence-{events}.sqlite"));
        let (code, stdout, stderr) = run(&[os("analyze"), capture.as_os_str()], &db);
        assert_eq!(code, 4, "{stdout}{stderr}");
        assert!(
            stdout.starts_with(
                "Nothing was heard: 1 capture read, 0 advertisements. This is not an all-clear: \
                 no tracker could have been seen.\n"
            ),
            "{stdout}"
        );
        assert!(
            !stdout.contains("No trackers") && !stdout.contains("0 trackers"),
            "{stdout}"
        );

        let (code, json, _) = analyze_json(&[capture.as_os_str(), os("--no-store")]);
        assert_eq!(code, 4);
        assert_eq!(json["outcome"], "nothing_heard");
        assert_eq!(json["captures"][0]["records"], events);
        assert_eq!(json["captures"][0]["heard_nothing"], true);
        let c = &json["coverage"];
        assert_eq!(
            (c["advertisements"].as_u64(), c["complete"].as_bool()),
            (Some(0), Some(true))
        );
        assert_eq!((&c["first_heard"], &c["heard_s"]), (&Value::Null, &Value::Null));
    }
}

#[test]
fn an_owner_side_pcapng_with_only_connection_traffic_is_nothing_heard() {
    let Some(dir) = external() else {
        return;
    };
    let pairing = dir.join("galaxy_smarttag_research/investigation/log_analysis/silent_pairing_owner");
    for name in [
        "silent-pairing-with-owner-new-04-26-wireshark.pcapng",
        "silent-pairing-with-owner-registered-04-28-wireshark.pcapng",
    ] {
        let (code, json, stderr) = analyze_json(&[pairing.join(name).as_os_str(), os("--no-store")]);
        assert_eq!(code, 4, "{name}: {stderr}");
        assert_eq!(json["outcome"], "nothing_heard");
        assert_eq!(json["captures"][0]["format"], "pcapng");
        assert!(json["captures"][0]["records"].as_u64().unwrap() > 100, "{json}");
        assert_eq!(json["coverage"]["advertisements"], 0);
    }
}

#[test]
fn real_gps_logs_given_as_captures_are_named_as_tracks() {
    let Some(dir) = external() else {
        return;
    };
    for (file, said) in [
        (
            "gps/bu353s4.log",
            "this looks like an NMEA 0183 track, not a capture: give it with --track",
        ),
        (
            "gps/bu353s4.log.chk",
            "this looks like a gpsd JSON track, not a capture: give it with --track",
        ),
        (
            "offline-finding-evaluation/data/gps/Walking-2020-07-29_11_16_05_iPhone-8.csv",
            "this looks like a CSV track, not a capture: give it with --track",
        ),
    ] {
        let (code, json, stderr) = analyze_json(&[dir.join(file).as_os_str(), os("--no-store")]);
        assert_eq!((code, &json), (2, &Value::Null), "{file}: {stderr}");
        assert!(stderr.contains(said), "{file}: {stderr}");
    }
}

#[test]
fn a_capture_that_heard_nothing_among_others_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silent.btsnoop");
    btsnoop_without_advertisements(&silent, 3);
    let (code, json, stderr) = analyze_json(&[os(DEMO), silent.as_os_str(), os("--no-store")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["outcome"], "trackers");
    let heard_nothing: Vec<&Value> = json["captures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["heard_nothing"])
        .collect();
    assert_eq!(heard_nothing, [&Value::Bool(false), &Value::Bool(true)]);
    let said = "silent.btsnoop: this capture holds no advertisement: nothing was heard in it";
    assert!(
        stderr.contains(&format!("warning: {}", silent.display())) && stderr.contains(said),
        "{stderr}"
    );
    let warnings = json["coverage"]["warnings"].as_array().unwrap();
    assert!(
        warnings.len() == 1 && warnings[0].as_str().unwrap().ends_with(said),
        "{warnings:?}"
    );
}

#[test]
fn advertisements_without_a_tracker_say_what_was_heard() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("street.btsnoop");
    btsnoop_of_bystanders(&capture, 91);
    let (code, stdout, _) = run(
        &[os("analyze"), os("--no-store"), capture.as_os_str()],
        &dir.path().join("e"),
    );
    assert_eq!(code, 0);
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "No trackers among 91 advertisements heard over 1 min 30 s (2026-01-15 08:00:00-08:01:30)."
    );
    let (_, json, _) = analyze_json(&[capture.as_os_str(), os("--no-store")]);
    assert_eq!(json["outcome"], "no_trackers");
    assert_eq!(json["coverage"]["heard_s"], 90.0);
    assert_eq!(json["coverage"]["first_heard"], "2026-01-15T08:00:00.000000Z");
}

#[test]
fn a_capture_cut_short_is_incomplete_never_a_bare_all_clear() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("cut.btsnoop");
    btsnoop_of_bystanders(&capture, 10);
    let bytes = std::fs::read(&capture).unwrap();
    std::fs::write(&capture, &bytes[..bytes.len() - 5]).unwrap();
    let (code, stdout, stderr) = run(
        &[os("analyze"), os("--no-store"), capture.as_os_str()],
        &dir.path().join("e"),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cut.btsnoop: btsnoop capture: truncated"),
        "{stderr}"
    );
    assert!(
        stdout.starts_with(
            "Incomplete: reading stopped early (see error); this covers only what was read. No trackers among 9 \
             advertisements"
        ),
        "{stdout}"
    );
    let (_, json, _) = analyze_json(&[capture.as_os_str(), os("--no-store")]);
    assert_eq!(json["coverage"]["complete"], false);
}

#[test]
fn the_commute_with_its_track_says_what_it_covers() {
    let (code, json, stderr) = analyze_json(&[os("--track"), os(COMMUTE_GPX), os(COMMUTE), os("--no-store")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(json["outcome"], "following");
    let c = &json["coverage"];
    assert_eq!(c["complete"], true);
    assert_eq!(c["advertisements"], 49_602);
    assert_eq!(c["advertisements"], json["captures"][0]["advertisements"]);
    // The first and last advertisement of any device, not only the AirTag's.
    assert_eq!(c["first_heard"], "2026-01-15T08:00:00.008654Z");
    assert_eq!(c["last_heard"].as_str().unwrap()[..19], *"2026-01-15T10:57:54");
    // Every sighting of the AirTag (phones near their owners are not trackers).
    assert_eq!(
        (c["tracker_sightings"].as_u64(), c["placed_sightings"].as_u64()),
        (Some(5324), Some(5324))
    );
    let airtag = trackers(&json).iter().find(|t| t["model"] == "AirTag").unwrap();
    assert_eq!(airtag["sightings"], 5324);
    let track = &c["track"];
    assert_eq!(
        (&track["first_fix"], &track["last_fix"]),
        (
            &Value::from("2026-01-15T08:00:00.000000Z"),
            &Value::from("2026-01-15T10:57:55.000000Z")
        )
    );
    assert_eq!(track["fixes"], 2136);
    assert_eq!(track["files"][0]["path"], COMMUTE_GPX);
    assert_eq!(track["files"][0]["format"], "GPX");
    assert_eq!(
        (
            track["files"][0]["fixes"].as_u64(),
            track["files"][0]["skipped"].as_u64()
        ),
        (Some(2136), Some(0))
    );
    assert_eq!(c["warnings"], Value::Array(vec![]));

    let (_, text, _) = analyze_on_track(Path::new(COMMUTE_GPX), COMMUTE);
    assert!(
        text.contains(
            "Track captures/commute_airtag-synthetic.gpx: GPX, 2,136 fixes (2026-01-15 08:00-10:57)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "49,602 advertisements heard over 2 h 57 min (2026-01-15 08:00-10:57); 5,324 of 5,324 tracker \
             sightings placed.\n"
        ),
        "{text}"
    );
}

/// The commute's track with every time moved by `f` (given and returning "HH:MM:SS").
fn retimed_gpx(dir: &Path, keep: impl Fn(&str) -> Option<String>) -> PathBuf {
    let gpx = std::fs::read_to_string(project(COMMUTE_GPX)).unwrap();
    let mut out = String::new();
    for line in gpx.lines() {
        match line.split_once("<time>2026-01-15T") {
            Some((head, rest)) => {
                let (time, tail) = rest.split_at(8);
                if let Some(t) = keep(time) {
                    out += &format!("{head}<time>2026-01-15T{t}{tail}\n");
                }
            }
            None => out += &format!("{line}\n"),
        }
    }
    let path = dir.join("moved.gpx");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    path
}

#[test]
fn a_track_from_another_time_is_a_warning_not_silence() {
    let dir = tempfile::tempdir().unwrap();
    // The right route, recorded with the clock three hours ahead: 11:00-13:57.
    let later = retimed_gpx(dir.path(), |t| {
        let h: u32 = t[..2].parse().unwrap();
        Some(format!("{:02}{}", h + 3, &t[2..]))
    });
    let (code, json, stderr) =
        analyze_json(&[os("--track"), later.as_os_str(), os(COMMUTE), os("--no-store")]);
    assert_eq!(code, 0, "{stderr}");
    let said = "the track (2026-01-15 11:00-13:57) does not overlap the time heard (2026-01-15 08:00-10:57): no \
                sighting could be placed";
    assert!(stderr.contains(&format!("warning: {said}")), "{stderr}");
    let c = &json["coverage"];
    assert_eq!(c["placed_sightings"], 0);
    assert!(
        c["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("the track (2026-01-15 11:00-13:57 UTC) does not overlap"),
        "{c}"
    );

    let (_, text, _) = analyze_on_track(&later, COMMUTE);
    assert!(
        text.contains("; 0 of 5,324 tracker sightings placed: the track (2026-01-15 11:00-13:57) is outside the time heard."),
        "{text}"
    );
}

#[test]
fn a_track_that_covers_part_of_the_time_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let first_40_min = retimed_gpx(dir.path(), |t| (t < "08:40:01").then(|| t.to_string()));
    let (code, text, stderr) = analyze_on_track(&first_40_min, COMMUTE);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: the track (2026-01-15 08:00-08:40) covers only part of the time heard (2026-01-15 08:00-10:57)"),
        "{stderr}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("tracker sightings placed"))
        .unwrap();
    let placed: u64 = line
        .split("; ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(placed > 0 && placed < 5324, "{line}");
    assert!(
        line.ends_with("of 5,324 tracker sightings placed: the track covers 2026-01-15 08:00-08:40 only."),
        "{line}"
    );
}

#[test]
fn usage_errors_exit_64_and_help_exits_0() {
    let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join("never-made.sqlite");
    for args in [
        &["analyze"][..],
        &["analyze", "--bogus", DEMO],
        &[],
        &["sweep", "--duration", "soon"],
    ] {
        let args: Vec<&OsStr> = args.iter().map(|a| os(a)).collect();
        let (code, stdout, stderr) = run(&args, &db);
        assert_eq!(code, 64, "{args:?}: {stderr}");
        assert!(stdout.is_empty() && !stderr.is_empty(), "{args:?}");
    }
    for args in [["--help"], ["--version"]] {
        let args: Vec<&OsStr> = args.iter().map(|a| os(a)).collect();
        let (code, stdout, _) = run(&args, &db);
        assert_eq!(code, 0, "{args:?}");
        assert!(stdout.contains("tagwatch"), "{stdout}");
    }
    assert!(!db.exists());
}

#[test]
fn replaying_a_capture_that_heard_nothing_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("controller.btsnoop");
    btsnoop_without_advertisements(&capture, 4);
    for command in [&["scan"][..], &["sweep", "--duration", "1m"]] {
        let replay = ["--headless", "--speed", "0", "--no-store", "--replay"];
        let (code, stdout, stderr) = output(tagwatch().args(command).args(replay).arg(&capture));
        assert_eq!(code, 4, "{command:?}: {stdout}{stderr}");
        assert!(stdout.starts_with("Nothing was heard: "), "{command:?}: {stdout}");
        assert!(stdout.contains("This is not an all-clear"), "{stdout}");
        assert!(!stdout.contains("No trackers"), "{stdout}");
    }
}

/// A system bus that is not there: BlueZ cannot be reached.
const NO_BUS: &str = "unix:path=/nonexistent/tagwatch-test/bus";

#[test]
fn without_bluez_ring_says_what_to_check_and_exits_5() {
    let ring = ["ring", "C4:11:22:33:44:55", "--no-store", "--listen", "2s"];
    let (code, _, stderr) = output(tagwatch().args(ring).env("DBUS_SYSTEM_BUS_ADDRESS", NO_BUS));
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("Bluetooth is not available"), "{stderr}");
    // No system bus at all: the one step that fixes it.
    assert!(stderr.contains("sudo systemctl start dbus"), "{stderr}");
}

#[test]
fn a_sweep_whose_radio_never_listened_is_not_checked() {
    // With a track, so no gpsd is looked for.
    let sweep = [
        "sweep",
        "--headless",
        "--duration",
        "2s",
        "--no-store",
        "--track",
        COMMUTE_GPX,
    ];
    let (code, stdout, stderr) = output(tagwatch().args(sweep).env("DBUS_SYSTEM_BUS_ADDRESS", NO_BUS));
    assert_eq!(code, 4, "{stdout}{stderr}");
    assert!(stderr.contains("adapter: down"), "{stderr}");
    assert!(stdout.starts_with("Nothing was heard: ran for "), "{stdout}");
    assert!(stdout.contains("This is not an all-clear"), "{stdout}");
}

#[test]
fn an_unknown_tracker_id_exits_7() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    // Evidence that holds the demo's trackers, not this one.
    assert_eq!(run(&[os("analyze"), os(DEMO)], &db).0, 0);
    let (code, _, stderr) = run(
        &[
            os("ring"),
            os("apple_find_my-00000000"),
            os("--db"),
            db.as_os_str(),
        ],
        &db,
    );
    assert_eq!(code, 7, "{stderr}");
    assert!(stderr.contains("nor a tracker in the evidence"), "{stderr}");
}

/// A live view that cannot draw (no terminal) still ends its session: no "never closed"
/// session is left to look like a cut tail, and the code says what failed.
#[test]
fn a_live_view_without_a_terminal_still_closes_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let out = tagwatch()
        .args([
            "scan",
            "--speed",
            "0",
            "--replay",
            "captures/demo-synthetic.btsnoop",
        ])
        .env("TAGWATCH_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(tagwatch::exit::ENVIRONMENT)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --headless"));
    let verify = tagwatch().arg("verify").env("TAGWATCH_DB", &db).output().unwrap();
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && !said.contains("never closed"),
        "{said}"
    );
}
