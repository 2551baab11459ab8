//! The live view in a real terminal: `tagwatch scan --replay` in a detached tmux session of
//! fixed size, driven with send-keys and read with capture-pane.

mod common;

use std::path::Path;

use common::tmux::{Tmux, wait_for_file};
use tagwatch::capture::JsonlWriter;
use tagwatch::model::{AddrType, Advertisement, BdAddr, PduKind};
use tagwatch::synth::{labelled, payload};

#[test]
fn live_view_in_a_real_terminal() {
    let Some(tmux) = Tmux::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    labelled::write("commute_airtag", dir.path()).unwrap();
    let exit = dir.path().join("exit");
    let command = format!(
        "'{}' scan --replay '{}' --track '{}' --speed 0 --no-store > /dev/null; echo $? > '{}'",
        env!("CARGO_BIN_EXE_tagwatch"),
        dir.path().join("commute_airtag-synthetic.btsnoop").display(),
        dir.path().join("commute_airtag-synthetic.gpx").display(),
        exit.display()
    );
    let started = tmux.run(&["new-session", "-d", "-s", "tw", "-x", "110", "-y", "32", &command]);
    assert!(started.status.success(), "{started:?}");

    tmux.wait_for(&["AirTag is following you", "FOLLOWING (high risk)"]);

    tmux.keys(&["Enter"]);
    tmux.wait_for(&["raw: 1eff4c0012", "separated from its owner"]);

    tmux.keys(&["f"]);
    tmux.wait_for(&["find AirTag", "dBm", "last heard"]);

    // Escape and `?` sent together would read as Alt+?.
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["TRACKER"]);
    tmux.keys(&["?"]);
    tmux.wait_for(&[" keys ", "find mode: signal meter", "quit (the evidence is kept)"]);

    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&exit), "0\n");
}

/// The bundled commute capture with a second tracker added (a neighbour's Tile heard at home in
/// the first three minutes), as JSON Lines at `out`: a tracker to select besides the AirTag.
fn commute_with_a_tile(out: &Path) {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/commute_airtag-synthetic.btsnoop");
    let mut source = tagwatch::capture::open(&bundled).unwrap().source;
    let mut w = JsonlWriter::new(std::fs::File::create(out).unwrap()).unwrap();
    let tile = payload::tile(&[7; 8]);
    let mut tiles = (0..90).map(|k| k * 2_000_000).peekable();
    let mut first = None;
    while source
        .next_record(&mut |adv| {
            let start = *first.get_or_insert(adv.time_us);
            while let Some(t) = tiles.next_if(|&t| start + t <= adv.time_us) {
                let heard = Advertisement {
                    time_us: start + t,
                    address: BdAddr([0xC1, 0x22, 0x33, 0x44, 0x55, 0x66]),
                    addr_type: AddrType::Random,
                    rssi: Some(-70),
                    pdu: PduKind::AdvInd,
                    data: &tile,
                };
                w.write(&heard).unwrap();
            }
            w.write(adv).unwrap();
        })
        .unwrap()
    {}
    w.into_inner().unwrap();
}

#[test]
fn map_and_timeline_appear_on_a_large_terminal_and_follow_the_selection() {
    let Some(tmux) = Tmux::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("commute-and-tile.jsonl");
    commute_with_a_tile(&capture);
    let track = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/commute_airtag-synthetic.gpx");
    let exit = dir.path().join("exit");
    let command = format!(
        "'{}' scan --replay '{}' --track '{}' --speed 600 --no-store --lang en > /dev/null; echo $? > '{}'",
        env!("CARGO_BIN_EXE_tagwatch"),
        capture.display(),
        track.display(),
        exit.display()
    );
    let started = tmux.run(&["new-session", "-d", "-s", "tw", "-x", "160", "-y", "45", &command]);
    assert!(started.status.success(), "{started:?}");

    // Once it follows, the AirTag is first and the panes show it (nothing selected yet).
    tmux.wait_for(&[
        "AirTag is following you",
        "┌ map · AirTag · apple_find_my-0b04929b",
        "┌ timeline · AirTag · apple_find_my-0b04929b",
        "  radio ",
        "checking: replay",
        "commute-and-tile.jsonl · capture · ",
        "├",
    ]);
    // The Tile, selected: both panes follow it.
    tmux.keys(&["Down"]);
    tmux.wait_for(&["┌ map · Tile · tile-", "┌ timeline · Tile · tile-"]);
    let screen = tmux.screen();
    assert!(!screen.contains("map · AirTag"), "{screen}");
    // Tab moves the focus; zooming says so in the map's title.
    tmux.keys(&["Up", "Tab", "+", "+"]);
    tmux.wait_for(&["┌ map · AirTag · apple_find_my-0b04929b · zoom ×4"]);

    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&exit), "0\n");
}

/// The live view in Japanese (from the locale) in a real terminal of 80 and of 160 columns:
/// nothing in English where a person reads, no time or model name cut, every line within the
/// terminal. The screens are written to target/tmp for a look.
#[test]
fn live_view_in_japanese_at_80_and_160_columns() {
    use unicode_width::UnicodeWidthStr;
    let dir = tempfile::tempdir().unwrap();
    labelled::write("commute_airtag", dir.path()).unwrap();
    for (columns, rows) in [(80, 24), (160, 45)] {
        let Some(tmux) = Tmux::start() else {
            return;
        };
        let exit = dir.path().join(format!("exit-{columns}"));
        let command = format!(
            "env LANG=ja_JP.UTF-8 '{}' scan --replay '{}' --track '{}' --speed 0 --no-store > /dev/null; echo $? > '{}'",
            env!("CARGO_BIN_EXE_tagwatch"),
            dir.path().join("commute_airtag-synthetic.btsnoop").display(),
            dir.path().join("commute_airtag-synthetic.gpx").display(),
            exit.display()
        );
        let (x, y) = (columns.to_string(), rows.to_string());
        let started = tmux.run(&[
            "-u",
            "new-session",
            "-d",
            "-s",
            "tw",
            "-x",
            &x,
            "-y",
            &y,
            &command,
        ]);
        assert!(started.status.success(), "{started:?}");
        tmux.wait_for(&["があなたを追跡中", "追跡中（危険度 高）", "判定", "↑↓ 選択"]);
        let screen = tmux.screen();
        let snapshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("live-ja-{columns}x{rows}.txt"));
        std::fs::write(&snapshot, &screen).unwrap();
        for line in screen.lines() {
            assert!(line.width() <= columns, "{} columns: {line}", line.width());
        }
        // The selected row: the model and both times whole.
        let row = screen
            .lines()
            .find(|l| l.starts_with("> AirTag"))
            .expect("the AirTag row");
        let times: Vec<&str> = row
            .split_whitespace()
            .filter(|w| w.len() == 8 && w.as_bytes()[2] == b':' && w.as_bytes()[5] == b':')
            .collect();
        assert_eq!(times.len(), 2, "{row}");
        for english in ["TRACKER", "VERDICT", "is following you", "q quit"] {
            assert!(
                !screen.contains(english),
                "{english} at {columns} columns:\n{screen}"
            );
        }
        tmux.keys(&["?"]);
        tmux.wait_for(&[" キー ", "終了（証拠は残ります）"]);
        tmux.keys(&["Escape"]);
        tmux.keys(&["q"]);
        assert_eq!(wait_for_file(&exit), "0\n");
    }
}
