//! `scan` and `sweep` on a replayed capture, headless: alerts on standard error, the same
//! verdicts as `analyze`, a `--record` capture that analyses the same, a stored sweep.

mod common;
use common::*;

use std::path::Path;

/// The trackers `analyze --format json` finds in `capture` with the commute's track.
fn analysed(dir: &Path, capture: &Path) -> serde_json::Value {
    let out = tagwatch()
        .args(["analyze", "--no-store", "--format", "json", "--track"])
        .arg(dir.join("commute_airtag-synthetic.gpx"))
        .arg(capture)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["trackers"].clone()
}

#[test]
fn headless_replay_alerts_and_records_a_capture_that_analyses_the_same() {
    let dir = tempfile::tempdir().unwrap();
    commute(dir.path());
    let capture = dir.path().join("commute_airtag-synthetic.btsnoop");
    let recorded = dir.path().join("recorded.jsonl");
    let out = tagwatch()
        .args(["scan", "--headless", "--no-store", "--speed", "0", "--replay"])
        .arg(&capture)
        .arg("--track")
        .arg(dir.path().join("commute_airtag-synthetic.gpx"))
        .arg("--record")
        .arg(&recorded)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let alerts: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ALERT ")).collect();
    assert_eq!(alerts.len(), 1, "{stderr}");
    assert!(
        alerts[0].contains("2026-01-15T09:05:01") && alerts[0].contains("AirTag"),
        "{stderr}"
    );
    assert!(stdout.contains("FOLLOWING (high risk)"), "{stdout}");

    assert_eq!(analysed(dir.path(), &recorded), analysed(dir.path(), &capture));
}

#[test]
fn sweep_lists_the_trackers_strongest_first_and_stores_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    commute(dir.path());
    let db = dir.path().join("evidence.sqlite");
    let out = tagwatch()
        .args([
            "sweep",
            "--headless",
            "--speed",
            "0",
            "--duration",
            "5m",
            "--replay",
        ])
        .arg(dir.path().join("commute_airtag-synthetic.btsnoop"))
        .env("TAGWATCH_DB", &db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    // A heading with the count, aligned columns, only the AirTag (phones are bystanders), what
    // was heard and where it is kept.
    assert_eq!(lines.len(), 5, "{stdout}");
    assert_eq!(lines[0], "Sweep: 1 tracker heard, strongest first", "{stdout}");
    assert!(lines[1].starts_with("SIGNAL   ID "), "{stdout}");
    assert!(
        lines[2].contains("AirTag") && lines[2].contains("1eff4c0012"),
        "{stdout}"
    );
    let column = |line: &str, word: &str| line.find(word).unwrap();
    assert_eq!(
        column(lines[1], "TRACKER"),
        column(lines[2], "AirTag"),
        "{stdout}"
    );
    assert!(
        lines[3].contains(" advertisements heard over 5 min")
            && lines[3].contains("(2026-01-15 08:00:00-08:05:00)"),
        "{stdout}"
    );
    assert_eq!(
        lines[4],
        format!("Evidence kept in {}.", db.display()),
        "{stdout}"
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM records ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds.first().map(String::as_str), Some("session_start"));
    assert!(kinds.iter().any(|k| k == "sighting") && kinds.iter().any(|k| k == "tracker"));
    let start: Vec<u8> = conn
        .query_row("SELECT payload FROM records WHERE seq = 1", [], |r| r.get(0))
        .unwrap();
    assert!(String::from_utf8_lossy(&start).contains("\"sweep\""));
    // Five minutes of the capture, not all of it: the last sighting is before 08:06.
    let data = tagwatch::store::Store::open(&db, tagwatch::store::Mode::Existing)
        .unwrap()
        .report_data(None, 0)
        .unwrap();
    let last = data.sightings.iter().map(|s| s.time_us).max().unwrap();
    assert!(last < 1_768_464_000_000_000 + 6 * 60_000_000, "{last}");
}

#[test]
fn on_alert_runs_the_hook_with_the_alert_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("alert.json");
    // The hook writes its standard input to a file; the scan does not wait for it, so wait
    // here (bounded) for the file to be complete.
    let hook = format!("cat > '{}.part' && mv '{0}.part' '{0}'", got.display());
    tagwatch()
        .args([
            "scan",
            "--headless",
            "--no-store",
            "--speed",
            "0",
            "--on-alert",
            &hook,
            "--track",
        ])
        .arg("captures/commute_airtag-synthetic.gpx")
        .arg("--replay")
        .arg("captures/commute_airtag-synthetic.btsnoop")
        .assert()
        .success();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !got.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let alert: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&got).expect("the hook ran")).unwrap();
    assert_eq!(alert["alert"], "following");
    assert!(
        alert["alert_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-15T09:05:01"),
        "{alert}"
    );
    assert_eq!(alert["tracker"]["model"], "AirTag");
    assert_eq!(alert["tracker"]["following"], true);
    assert_eq!(alert["tracker"]["owner_state"], "separated");
}

#[test]
fn lang_takes_ja_or_en_and_nothing_else() {
    let out = tagwatch()
        .args(["scan", "--replay", "x.btsnoop", "--lang", "de"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("unknown language \"de\" (use ja or en)"),
        "{stderr}"
    );
}
