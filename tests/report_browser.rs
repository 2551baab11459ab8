//! Renders the fixture report in a real browser (headless Chromium): it must load without
//! console errors, draw the map and come out as a non-trivial screenshot. Skipped when
//! chromium is not installed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use tagwatch::i18n::Lang;
use tagwatch::report::write_report;

mod fixture {
    use tagwatch::classify::OwnerState;
    use tagwatch::evidence::*;
    use tagwatch::model::{AddrType, PduKind};

    include!("fixtures/report_data.rs");
}

const TIMEOUT: Duration = Duration::from_secs(90);

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs headless chromium on `page` with `args`, killing it after `TIMEOUT`.
fn run(browser: &str, profile: &Path, page: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read the pipes on threads so a chatty browser cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || read_all(&mut out));
    let err = std::thread::spawn(move || read_all(&mut err));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("chromium did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn read_all(r: &mut impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).expect("read chromium output");
    buf
}

#[test]
fn report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        println!("skipping: chromium not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tz = FixedOffset::east_opt(9 * 3600).unwrap();
    let data = fixture::report_data();
    for (lang, title) in [
        (Lang::Ja, "Bluetooth トラッカー調査報告書"),
        (Lang::En, "Bluetooth tracker report"),
    ] {
        let page = write_report(dir.path(), &data, lang, &tz).unwrap();
        let png = dir.path().join(format!("report-{}.png", lang.code()));
        let profile = dir.path().join(format!("profile-{}", lang.code()));
        let shot = run(
            browser,
            &profile,
            &page,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1280,2000",
            ],
        );
        let dom = run(browser, &profile, &page, &["--dump-dom"]);
        for (what, out) in [("screenshot", &shot), ("dump-dom", &dom)] {
            let log = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{what} failed: {log}");
            // A page without scripts has no console output; any is a problem with the report.
            for bad in ["Uncaught", "CONSOLE", "Not allowed to load"] {
                assert!(!log.contains(bad), "{what}: {bad} in the browser log:\n{log}");
            }
        }
        let size = std::fs::metadata(&png).expect("screenshot written").len();
        assert!(size > 10_000, "screenshot of {size} bytes");
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(dom.contains(&format!("<h1>{title}</h1>")), "title in the DOM");
        assert!(dom.contains("<svg class=\"map\""), "map in the DOM");
        assert!(dom.contains("<svg class=\"timeline\""), "timeline in the DOM");
        // Kept for a look by hand: TAGWATCH_REPORT_SHOTS=dir copies pages and screenshots there.
        if let Some(keep) = std::env::var_os("TAGWATCH_REPORT_SHOTS") {
            for file in [&png, &page] {
                std::fs::copy(file, Path::new(&keep).join(file.file_name().unwrap())).unwrap();
            }
        }
    }
}
