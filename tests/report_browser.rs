//! Renders the fixture report in a real browser (headless Chromium): it must load without
//! console errors, draw the map and come out as a non-trivial screenshot. Skipped when
//! chromium is not installed.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::FixedOffset;
use tagwatch::i18n::Lang;
use tagwatch::report::{Zone, ZoneSource, write_report};

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
    let tz = Zone {
        offset: FixedOffset::east_opt(9 * 3600).unwrap(),
        source: ZoneSource::Positions,
    };
    let data = fixture::report_data();
    for (lang, title) in [
        (Lang::Ja, "紛失防止タグ（Bluetooth トラッカー）検知記録報告書"),
        (Lang::En, "Report of Bluetooth trackers (lost-item tags) detected"),
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

mod common;

/// Where the page-1 snapshots are taken: a fixed "now", so the report id and its time are
/// the same on every run (2026-01-16 09:00 JST).
const FIXED_NOW_US: i64 = 1_768_521_600_000_000;

fn tool(name: &str) -> bool {
    Command::new(name)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Runs `poppler` tool `name` with `args`, returning its standard output as text.
fn poppler(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect("run poppler-utils");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 from poppler")
}

/// The text of the report's first page as HTML: the header, the summary and the tracker
/// table (the legal section starts page 2), tags stripped and spaces collapsed.
fn page_one_text(html: &str) -> String {
    let body = &html[html.find("<body>").unwrap()..html.find("<section class=\"legal\">").unwrap()];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The bundled 3-hour commute, analysed, with the person's note of finding the tag (with a
/// photo, the serial number and the masked phone digits), reported in both languages and
/// printed by Chromium: at most 20 A4 pages, numbered, the report id and the synthetic mark
/// on every page, the summary, the photo and the provenance hashes in the PDF.
#[test]
fn commute_report_prints_in_at_most_20_numbered_pages() {
    let Some(browser) = chromium() else {
        println!("skipping: chromium not installed");
        return;
    };
    if !tool("pdfinfo") || !tool("pdftotext") || !tool("pdfimages") {
        println!("skipping: poppler-utils (pdfinfo, pdftotext, pdfimages) not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.sqlite");
    let db_arg = db.to_str().unwrap();
    let capture = "captures/commute_airtag-synthetic.btsnoop";
    common::tagwatch()
        .args([
            "analyze",
            capture,
            "--track",
            "captures/commute_airtag-synthetic.gpx",
            "--db",
            db_arg,
        ])
        .assert()
        .code(0);
    let store = tagwatch::store::Store::open_read_only(&db).unwrap();
    let follower = store
        .report_data(None, FIXED_NOW_US)
        .unwrap()
        .trackers
        .into_iter()
        .find(|t| t.following)
        .expect("the planted AirTag follows")
        .id;
    drop(store);
    let photo = dir.path().join("tag.png");
    std::fs::write(&photo, fixture::PHOTO).unwrap();
    common::tagwatch()
        .args([
            "note",
            "鞄の外ポケットで白い円盤状のタグを発見",
            "--db",
            db_arg,
            "--tracker",
            &follower,
        ])
        .args([
            "--category",
            "found-tag",
            "--at",
            "2026-01-15T19:40:00+09:00",
            "--place",
            "勤務先のロッカー",
        ])
        .args([
            "--serial",
            "H6WDK0LQP0GV",
            "--phone",
            "•••• ••• 4821",
            "--read-from",
            "Apple NFC page",
        ])
        .arg("--file")
        .arg(&photo)
        .assert()
        .code(0);

    let data = tagwatch::store::Store::open_read_only(&db)
        .unwrap()
        .report_data(None, FIXED_NOW_US)
        .unwrap();
    let utc = FixedOffset::east_opt(0).unwrap();
    // On a UTC machine the Tokyo positions still give JST.
    let zone = Zone::choose(&data, None, utc);
    assert_eq!(zone.source, ZoneSource::Positions);
    let out = dir.path().join("report");
    std::fs::create_dir_all(&out).unwrap();
    let capture_sha = sha256_hex(&std::fs::read(capture).unwrap());
    for lang in Lang::ALL {
        let page = write_report(&out, &data, lang, &zone).unwrap();
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.len() < 200_000, "{lang:?}: {} bytes of HTML", html.len());
        insta::assert_snapshot!(format!("commute_page_one_{}", lang.code()), {
            let id = &data.verification.head[..8];
            page_one_text(&html).replace(id, "<head>")
        });
        let pdf = dir.path().join(format!("report-{}.pdf", lang.code()));
        let profile = dir.path().join(format!("pdf-profile-{}", lang.code()));
        let printed = run(
            browser,
            &profile,
            &page,
            &[
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
            ],
        );
        assert!(
            printed.status.success(),
            "{}",
            String::from_utf8_lossy(&printed.stderr)
        );
        let pdf_arg = pdf.to_str().unwrap();
        let pages: usize = poppler("pdfinfo", &[pdf_arg])
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("a page count");
        println!("{lang:?}: {pages} pages, {} bytes of HTML", html.len());
        assert!((3..=20).contains(&pages), "{lang:?}: {pages} pages");
        let text = poppler("pdftotext", &[pdf_arg, "-"]);
        let flat: String = text.split_whitespace().collect();
        let report_id = format!("TW-20260116-{}", &data.verification.head[..8]);
        // Every page is numbered "n / N" and carries the report id and the synthetic mark.
        for n in 1..=pages {
            assert!(
                flat.contains(&format!("{n}/{pages}")),
                "{lang:?}: page {n} is not numbered"
            );
        }
        assert_eq!(
            text.matches(&report_id).count(),
            pages + 1,
            "{lang:?}: the id on every page and in the header"
        );
        let mark = lang_text(lang, "合成データ（試験用）", "SYNTHETIC TEST DATA");
        assert!(
            text.matches(mark).count() >= pages,
            "{lang:?}: the synthetic mark on every page"
        );
        // The summary's conclusion on page 1.
        let page1 = poppler("pdftotext", &["-f", "1", "-l", "1", pdf_arg, "-"]);
        let conclusion = lang_text(lang, "本人と共に移動していた疑い", "travelled with the person");
        assert!(
            page1
                .split_whitespace()
                .collect::<String>()
                .contains(&conclusion.replace(' ', "")),
            "{lang:?}: {page1}"
        );
        // The photo is printed (page 1 and the incident log).
        let images = poppler("pdfimages", &["-list", pdf_arg]);
        assert!(images.lines().count() >= 2 + 2, "{lang:?}: {images}");
        // Provenance: the capture's and the appendix's SHA-256, and the chain head.
        let appendix = sha256_hex(&std::fs::read(out.join(tagwatch::report::APPENDIX)).unwrap());
        for (what, hash) in [
            ("capture", &capture_sha),
            ("appendix", &appendix),
            ("chain head", &data.verification.head),
        ] {
            assert!(
                flat.contains(hash.as_str()),
                "{lang:?}: the {what}'s hash {hash} is not in the PDF"
            );
        }
        // The settings the verdicts were made with, the track file's digest among them.
        let gpx = sha256_hex(&std::fs::read("captures/commute_airtag-synthetic.gpx").unwrap());
        assert!(
            flat.contains("sensitivity=medium") && flat.contains(&gpx),
            "{lang:?}: the settings"
        );
        // The serial number read off the tag is in the identification block.
        assert!(flat.contains("H6WDK0LQP0GV"));
        if let Some(keep) = std::env::var_os("TAGWATCH_REPORT_SHOTS") {
            std::fs::copy(&pdf, Path::new(&keep).join(pdf.file_name().unwrap())).unwrap();
        }
    }
}

fn lang_text(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}
