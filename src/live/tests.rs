use std::path::{Path, PathBuf};

use chrono::FixedOffset;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use super::ui::{App, Purpose};
use super::*;
use crate::analyze::analyze_files;
use crate::classify::personal_device_near_owner;
use crate::i18n::{Lang, Message};
use crate::location::{Track, read_track};
use crate::store::{Mode, Store};
use crate::synth::labelled;

/// The `commute_airtag` scenario written into `dir`: its capture and its track.
fn commute(dir: &Path) -> (PathBuf, Track) {
    labelled::write("commute_airtag", dir).unwrap();
    let track = read_track(&dir.join("commute_airtag-synthetic.gpx")).unwrap();
    (dir.join("commute_airtag-synthetic.btsnoop"), track)
}

/// Pushes the capture's advertisements up to `until_us` (all with None); returns the alerts
/// with the time of the advertisement that raised them.
fn push_until(session: &mut Session<'_>, capture: &Path, until_us: Option<i64>) -> Vec<(i64, Event)> {
    push_later(session, capture, until_us, 0)
}

/// [`push_until`], every advertisement `later_us` after the time the capture gives it.
fn push_later(
    session: &mut Session<'_>,
    capture: &Path,
    until_us: Option<i64>,
    later_us: i64,
) -> Vec<(i64, Event)> {
    let mut source = crate::capture::open(capture).unwrap().source;
    let mut fired = Vec::new();
    let mut more = true;
    while more && until_us.is_none_or(|u| session.now_us() < u) {
        more = source
            .next_record(&mut |adv| {
                let adv = Advertisement {
                    time_us: adv.time_us + later_us,
                    ..*adv
                };
                for e in session.push(&adv) {
                    fired.push((adv.time_us, e));
                }
            })
            .unwrap();
    }
    fired
}

#[test]
fn replay_gives_the_analyze_verdicts_and_alerts_at_alert_at() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let options = AnalyzeOptions {
        track: Some(&track),
        ..AnalyzeOptions::default()
    };
    let analysis = analyze_files(std::slice::from_ref(&capture), &options, None, |_| {});

    let mut session = Session::new(&options, None, "replay");
    let mut replay = Replay::new(crate::capture::open(&capture).unwrap().source, 0.0);
    let mut alerts = Vec::new();
    run_headless(&mut session, &mut replay, |_| false, |e| alerts.push(e.clone()));
    assert!(replay.finished() && replay.error.is_none());
    let outcome = session.finish(0);
    // The same verdicts, less the phones and headphones near their owners that a live
    // session forgets (analyze lists them with --all; neither stores them).
    let evidence: Vec<Tracker> = analysis
        .trackers
        .iter()
        .filter(|t| !personal_device_near_owner(t.owner_state, t.model))
        .cloned()
        .collect();
    assert!(
        evidence.len() < analysis.trackers.len(),
        "the commute has phones around"
    );
    assert_eq!(outcome.trackers, evidence);
    assert_eq!(outcome.other_advertisements, analysis.other_advertisements);

    let following: Vec<&Tracker> = analysis.trackers.iter().filter(|t| t.following()).collect();
    assert_eq!(following.len(), 1, "the scenario has one follower");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].tracker().id, following[0].id);

    // Pushed one by one, the alert comes with the advertisement at alert_at.
    let mut session = Session::new(&options, None, "push");
    let fired = push_until(&mut session, &capture, None);
    let [(at, Event::Following(t))] = fired.as_slice() else {
        panic!("one alert expected, got {fired:?}");
    };
    assert_eq!(Some(*at), following[0].alert_at_us);
    assert_eq!(t.alert_at_us, following[0].alert_at_us);
}

/// A scan of `capture` kept in `store`, pushed to its end; the alerts it raised.
fn scanned<'a>(store: &'a mut Store, track: &'a Track, capture: &Path) -> (Session<'a>, Vec<(i64, Event)>) {
    let options = AnalyzeOptions {
        track: Some(track),
        ..AnalyzeOptions::default()
    };
    let recorder = Recorder::begin(store, "scan", &["test".into()], 0).unwrap();
    let mut session = Session::new(&options, None, "test").with_recorder(recorder);
    let alerts = push_until(&mut session, capture, None);
    (session, alerts)
}

/// The live view of a replayed scan, in UTC, as the tests drive it.
fn replay_app(lang: Lang, allow: Option<PathBuf>, reports: PathBuf) -> App {
    let utc = FixedOffset::east_opt(0).unwrap();
    App::new(
        Purpose::Scan,
        "replay".into(),
        replay_input(),
        lang,
        utc,
        allow,
        reports,
    )
}

const MIN: i64 = 60_000_000;

fn replay_input() -> Listener {
    Listener::Replay {
        file: "commute_airtag-synthetic.btsnoop".into(),
    }
}

/// The commute up to `minutes` after its start, drawn after `keys`.
fn screen(minutes: i64, keys: &[KeyCode]) -> String {
    screen_in(minutes, keys, Lang::En, (110, 30))
}

/// A session on `track` with the capture pushed up to `minutes` after the track starts.
fn pushed<'a>(track: &'a Track, capture: &Path, minutes: i64) -> Session<'a> {
    let options = AnalyzeOptions {
        track: Some(track),
        ..AnalyzeOptions::default()
    };
    let mut session = Session::new(&options, None, "test");
    push_until(
        &mut session,
        capture,
        Some(track.fixes()[0].time_us + minutes * MIN),
    );
    session
}

/// [`screen`] in `lang` on a terminal of `size` (columns, rows).
fn screen_in(minutes: i64, keys: &[KeyCode], lang: Lang, size: (u16, u16)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut session = pushed(&track, &capture, minutes);
    let mut app = replay_app(lang, None, dir.path().into());
    for &k in keys {
        let snap = session.snapshot();
        app.key(k, &mut session, &snap);
    }
    draw_in(&app, &session.snapshot(), size)
}

fn draw(app: &App, snap: &Snapshot) -> String {
    draw_in(app, snap, (110, 30))
}

fn draw_in(app: &App, snap: &Snapshot, (columns, rows): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(columns, rows)).unwrap();
    terminal.draw(|f| app.draw(f, snap)).unwrap();
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|row| {
            // A wide character covers the cell after it, as on a terminal.
            let mut line = String::new();
            let mut covered = false;
            for c in row {
                if !std::mem::take(&mut covered) {
                    line.push_str(c.symbol());
                    covered = panes::width(c.symbol()) == 2;
                }
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn table_before_the_alert() {
    let s = screen(20, &[]);
    assert!(!s.contains("is following you"));
    insta::assert_snapshot!(s);
}

#[test]
fn alert_banner_once_it_follows() {
    let s = screen(66, &[]);
    assert!(s.contains("is following you"));
    insta::assert_snapshot!(s);
}

#[test]
fn detail_pane_with_reasons_and_raw_data() {
    let s = screen(66, &[KeyCode::Enter]);
    assert!(s.contains("raw: "));
    insta::assert_snapshot!(s);
}

#[test]
fn find_mode() {
    let s = screen(66, &[KeyCode::Char('f')]);
    assert!(s.contains("last heard"));
    insta::assert_snapshot!(s);
}

#[test]
fn help_screen() {
    insta::assert_snapshot!(screen(66, &[KeyCode::Char('?')]));
}

/// Each pane of the commute 45 minutes in, at `size`, in both languages: the table, map and
/// timeline one at a time (Tab) on a small terminal, all three on a large one.
fn panes_at(size: (u16, u16), tabs: usize, name: &str) {
    for lang in Lang::ALL {
        // On the last walk, before the office becomes a stay: its label would sit under the
        // north arrow at this size.
        let s = screen_in(60, &vec![KeyCode::Tab; tabs], lang, size);
        let (map, timeline, radio) = match lang {
            Lang::Ja => (
                " 地図 · AirTag · apple_find_my-",
                " 時系列 · AirTag · apple_find_my-",
                "受信 ",
            ),
            Lang::En => (
                " map · AirTag · apple_find_my-",
                " timeline · AirTag · apple_find_my-",
                "radio ",
            ),
        };
        let checking = lang.t("checking");
        assert!(
            s.contains(checking) && s.contains("commute_airtag-synthetic.btsnoop"),
            "{s}"
        );
        let split = size.0 >= 120;
        if split || tabs == 1 {
            assert!(
                s.contains(map) && s.contains('├') && s.contains(lang.t("north")),
                "{s}"
            );
        }
        if split || tabs == 2 {
            assert!(
                s.contains(timeline) && s.contains(radio) && s.contains("09:00:00"),
                "{s}"
            );
        }
        if split || tabs == 0 {
            assert!(s.contains(lang.t("live-col-tracker")), "{s}");
        }
        insta::assert_snapshot!(format!("{name}_{}x{}_{}", size.0, size.1, lang.code()), s);
    }
}

#[test]
fn table_map_and_timeline_one_at_a_time_at_80x24() {
    for (tabs, name) in ["table", "map", "timeline"].into_iter().enumerate() {
        panes_at((80, 24), tabs, name);
    }
}

#[test]
fn table_map_and_timeline_at_160x45() {
    panes_at((160, 45), 0, "all");
}

#[test]
fn tiny_and_odd_terminals_draw_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut session = pushed(&track, &capture, 70);
    let mut app = replay_app(Lang::Ja, None, dir.path().into());
    for _ in 0..3 {
        for size in [
            (1, 1),
            (12, 5),
            (20, 8),
            (40, 12),
            (119, 35),
            (120, 36),
            (300, 100),
        ] {
            draw_in(&app, &session.snapshot(), size);
        }
        let snap = session.snapshot();
        app.key(KeyCode::Tab, &mut session, &snap);
    }
}

#[test]
fn map_focused_and_zoomed_at_160x45() {
    let keys = [KeyCode::Tab, KeyCode::Char('+'), KeyCode::Char('+')];
    for lang in Lang::ALL {
        let s = screen_in(66, &keys, lang, (160, 45));
        assert!(s.contains(&lang.fill("zoom", &[("factor", &"4")])), "{s}");
        insta::assert_snapshot!(format!("map_zoomed_160x45_{}", lang.code()), s);
    }
}

#[test]
fn the_session_keeps_spans_of_listening_and_of_gps_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let start = track.fixes()[0].time_us;
    let mut session = pushed(&track, &capture, 70);
    // The adapter went down for ten minutes; the track has ended long before a day later.
    let off = LinkState::Down(Message::as_is("adapter powered off"));
    session.listening(start + 71 * MIN, &off, None);
    session.listening(start + 81 * MIN, &LinkState::Up, None);
    session.tick(start + 24 * 60 * MIN);
    let snap = session.snapshot();
    let radio: Vec<(i64, i64)> = snap.radio.spans().map(|s| (s.first_us, s.last_us)).collect();
    assert_eq!(radio.len(), 2, "{radio:?}");
    assert!(radio[0].0 <= start + MIN && radio[0].1 >= start + 69 * MIN);
    assert_eq!(radio[1], (start + 81 * MIN, start + 81 * MIN));
    let gps: Vec<(i64, i64)> = snap.gps.spans().map(|s| (s.first_us, s.last_us)).collect();
    assert_eq!(gps.len(), 1, "{gps:?}");
    assert!(gps[0].1 >= start + 69 * MIN && gps[0].1 < start + 24 * 60 * MIN);
    assert!(!snap.gps.any_in(start + 85 * MIN, start + 24 * 60 * MIN));
    // The latest fix up to now is the track's end; the track shown is thinned.
    assert_eq!(snap.fix, track.fixes().last().copied());
    assert!(snap.track.len() <= MAX_TRACK_POINTS && snap.track.last() == track.fixes().last());
    let follower = &snap.trackers[0];
    assert!(follower.history.buckets().count() > 10);
    assert!(follower.alert_fix.is_some());
}

#[test]
fn status_line_names_the_database_and_its_last_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    store.add_note("before", None, 1).unwrap();
    let anchor = store.anchor_now(2).unwrap();
    let (session, _) = scanned(&mut store, &track, &capture);
    let utc = FixedOffset::east_opt(0).unwrap();
    let adapter = |exact| Listener::Adapter {
        name: "hci0".into(),
        state: crate::scan::LinkState::Down(Message::as_is("powered off")),
        exact,
    };
    let app_with = |listener| {
        App::new(
            Purpose::Scan,
            "hci0".into(),
            listener,
            Lang::En,
            utc,
            None,
            dir.path().into(),
        )
    };
    let app = app_with(adapter(false));
    let s = draw_in(&app, &session.snapshot(), (200, 40));
    for part in [
        "checking: adapter hci0: down (powered off) · reconstructed (BlueZ D-Bus) ·",
        " adv/s · GPS fix ",
        &format!("evidence.sqlite · last anchor {}", anchor.code),
    ] {
        assert!(s.contains(part), "{part:?} not in\n{s}");
    }
    // Through the HCI monitor the view says the bytes are the controller's, as received.
    let s = draw_in(&app_with(adapter(true)), &session.snapshot(), (200, 40));
    assert!(
        s.contains("adapter hci0: down (powered off) · exact bytes (HCI monitor) ·"),
        "{s}"
    );
    // On a small terminal the line wraps between its parts: the code is still there, whole.
    let small = draw_in(&app, &session.snapshot(), (80, 24));
    assert!(small.contains(&format!("last anchor {}", anchor.code)), "{small}");
}

#[test]
fn mine_note_and_report_act_on_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    let (mut session, _) = scanned(&mut store, &track, &capture);
    let allow = dir.path().join("allow.txt");
    let reports = dir.path().join("reports");
    let mut app = replay_app(Lang::En, Some(allow.clone()), reports.clone());
    let mut press = |keys: &[KeyCode], session: &mut Session<'_>| {
        for &k in keys {
            let snap = session.snapshot();
            app.key(k, session, &snap);
        }
    };
    let follower = session.snapshot().trackers[0].tracker.id.clone();

    press(&[KeyCode::Char('r')], &mut session);
    for lang in ["ja", "en"] {
        let html =
            std::fs::read_to_string(reports.join(&follower).join(format!("report-{lang}.html"))).unwrap();
        assert!(html.contains(&follower));
    }
    let note: Vec<KeyCode> = "under the seat".chars().map(KeyCode::Char).collect();
    press(
        &[&[KeyCode::Char('n')], &note[..], &[KeyCode::Enter]].concat(),
        &mut session,
    );
    press(&[KeyCode::Char('m'), KeyCode::Char('y')], &mut session);
    assert_eq!(std::fs::read_to_string(&allow).unwrap(), format!("{follower}\n"));
    let snap = session.snapshot();
    assert!(!draw(&app, &snap).contains("is following you"));

    assert!(session.finish(1).store_error.is_none());
    let data = store.report_data(None, 2).unwrap();
    assert_eq!(data.notes[0].text, format!("{follower}: under the seat"));
}

/// A mark that could not be kept in the evidence does not silence the alarm.
#[test]
fn a_mark_the_evidence_did_not_keep_is_taken_back() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let path = dir.path().join("evidence.sqlite");
    let mut store = Store::open(&path, Mode::Create).unwrap();
    let (mut session, _) = scanned(&mut store, &track, &capture);
    let follower = session.snapshot().trackers[0].tracker.clone();
    assert!(follower.alarms());
    // Someone with the laptop silences every later record while tagwatch runs.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TRIGGER t BEFORE INSERT ON records BEGIN SELECT RAISE(IGNORE); END;")
        .unwrap();
    assert!(session.mark_own(&follower.id, 0).is_err());
    let now = session.snapshot().trackers[0].tracker.clone();
    assert!(now.id == follower.id && now.own.is_none() && now.alarms());
}

#[test]
fn m_asks_first_marks_once_and_keeps_the_alert_in_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    let (mut session, alerts) = scanned(&mut store, &track, &capture);
    assert_eq!(alerts.len(), 1, "the follower alerted before it was marked");
    let allow = dir.path().join("allow.txt");
    // A list that does not end in a newline, with another tracker on it.
    std::fs::write(&allow, "tile-00000000  # keys").unwrap();
    let mut app = replay_app(Lang::En, Some(allow.clone()), dir.path().into());
    let mut press = |key, session: &mut Session<'_>| {
        let snap = session.snapshot();
        app.key(key, session, &snap);
        draw(&app, &session.snapshot())
    };
    let follower = session.snapshot().trackers[0].tracker.clone();
    assert!(follower.following() && follower.own.is_none());

    // `m` asks; anything but y leaves everything as it was.
    let asked = press(KeyCode::Char('m'), &mut session);
    assert!(
        asked.contains(&format!(
            "Mark AirTag {} as yours? It will not alert again. y/n",
            follower.id
        )),
        "{asked}"
    );
    assert!(asked.contains("is following you"));
    let declined = press(KeyCode::Char('n'), &mut session);
    assert!(
        declined.contains("not marked") && declined.contains("is following you"),
        "{declined}"
    );
    assert_eq!(std::fs::read_to_string(&allow).unwrap(), "tile-00000000  # keys");
    assert!(session.snapshot().trackers[0].tracker.own.is_none());

    // y marks it: no banner, "mine", one line added, the verdict unchanged.
    let marked = press(KeyCode::Char('m'), &mut session);
    assert!(marked.contains("y/n"));
    let marked = press(KeyCode::Char('y'), &mut session);
    assert!(!marked.contains("is following you"), "{marked}");
    assert!(marked.contains("mine"), "{marked}");
    let listed = format!("tile-00000000  # keys\n{}\n", follower.id);
    assert_eq!(std::fs::read_to_string(&allow).unwrap(), listed);
    let now = session
        .snapshot()
        .trackers
        .into_iter()
        .find(|v| v.tracker.id == follower.id)
        .unwrap()
        .tracker;
    assert!(now.following() && now.alert_at_us == follower.alert_at_us);
    assert_eq!(now.own.as_ref().map(|o| o.how()).as_deref(), Some("live view m"));

    // Again: nothing to confirm, nothing added.
    let again = press(KeyCode::Char('m'), &mut session);
    assert!(again.contains("marked as yours already"), "{again}");
    press(KeyCode::Char('y'), &mut session);
    assert_eq!(std::fs::read_to_string(&allow).unwrap(), listed);

    // An id the file lists already is not added twice (a new session on the same list).
    assert!(!crate::correlate::append_id(&allow, &follower.id).unwrap());
    assert_eq!(std::fs::read_to_string(&allow).unwrap(), listed);

    assert!(session.finish(1).store_error.is_none());
    let data = store.report_data(None, 2).unwrap();
    let [annotation] = data.annotations.as_slice() else {
        panic!("one annotation expected: {:?}", data.annotations)
    };
    assert_eq!(
        (
            annotation.tracker_id.as_str(),
            annotation.what.as_str(),
            annotation.how.as_str()
        ),
        (follower.id.as_str(), "own", "live view m")
    );
    let kept = data.trackers.iter().find(|t| t.id == follower.id).unwrap();
    assert!(kept.following && kept.own && kept.alert_at_us == follower.alert_at_us);
    assert_eq!(kept.marked_own_at_us, Some(annotation.time_us));
}

#[test]
fn ring_and_identify_from_the_view_are_kept_as_notes() {
    use crate::interact::act::{Action, Done, Report, Target};
    use crate::interact::{InteractError, RingOutcome, SoundProtocol};
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    let (mut session, _) = scanned(&mut store, &track, &capture);
    let utc = FixedOffset::east_opt(0).unwrap();
    let follower = session.snapshot().trackers[0].clone();
    let press = |app: &mut App, session: &mut Session<'_>, key| {
        let snap = session.snapshot();
        app.key(key, session, &snap);
    };

    // A replay has no adapter to ring with.
    let mut replay = App::new(
        Purpose::Scan,
        "replay".into(),
        replay_input(),
        Lang::En,
        utc,
        None,
        dir.path().into(),
    );
    press(&mut replay, &mut session, KeyCode::Char('s'));
    assert!(draw(&replay, &session.snapshot()).contains("ring needs a Bluetooth adapter"));

    // Live: the tracker the view shows is the one asked for; answers come on a thread.
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let interactor = Arc::new(move |action: Action, target: Target| {
        seen.lock().unwrap().push((action, target.clone()));
        let done = match action {
            Action::Ring => Done::Rang(RingOutcome {
                protocol: SoundProtocol::FindMyNonOwner,
                confirmed: true,
                completed: true,
            }),
            Action::Identify => return Err(InteractError::OutOfRange),
        };
        let heard = crate::model::OwnedAdvertisement {
            time_us: 0,
            address: target.address,
            addr_type: crate::model::AddrType::Random,
            rssi: Some(-50),
            pdu: crate::model::PduKind::Unknown,
            data: vec![2, 1, 6],
        };
        Ok(Report {
            family: target.family.clone().unwrap(),
            target,
            heard,
            done,
        })
    });
    let mut app = App::new(
        Purpose::Scan,
        "hci0".into(),
        Listener::Adapter {
            name: "hci0".into(),
            state: crate::scan::LinkState::Up,
            exact: false,
        },
        Lang::En,
        utc,
        None,
        dir.path().into(),
    )
    .with_interactor(interactor);
    let wait_for = |app: &mut App, session: &mut Session<'_>, text: &str| {
        for _ in 0..200 {
            app.poll(session);
            let screen = draw(app, &session.snapshot());
            if screen.contains(text) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{text:?} never shown");
    };
    press(&mut app, &mut session, KeyCode::Char('f'));
    assert!(draw(&app, &session.snapshot()).contains("s: play its sound"));
    press(&mut app, &mut session, KeyCode::Char('s'));
    wait_for(
        &mut app,
        &mut session,
        "played its sound (Find My non-owner sound) and finished (kept in",
    );
    press(&mut app, &mut session, KeyCode::Char('i'));
    wait_for(&mut app, &mut session, "identify: the tracker is out of range");

    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].0, Action::Ring);
    assert_eq!(
        asked[0].1,
        Target {
            address: follower.address,
            family: Some(follower.tracker.family.to_string()),
            tracker_id: Some(follower.tracker.id.clone()),
        }
    );
    assert!(session.finish(1).store_error.is_none());
    let notes = store.report_data(None, 2).unwrap().notes;
    assert_eq!(notes.len(), 1, "only what was done is kept: {notes:?}");
    assert!(
        notes[0]
            .text
            .contains(&format!("(tracker {})", follower.tracker.id))
    );
}

/// Pushes one advertisement of `data` from a device numbered `i`.
fn push(session: &mut Session<'_>, i: u64, data: &[u8]) {
    use crate::model::{AddrType, PduKind};
    session.push(&Advertisement {
        // 2026-01-15: an unset clock's 1970 would be dropped as implausible.
        time_us: 1_768_464_000_000_000 + i as i64 * 1000,
        address: BdAddr([(i >> 8) as u8, i as u8, 0, 0, 0, 0xC0]),
        addr_type: AddrType::Random,
        rssi: Some(-70),
        pdu: PduKind::AdvNonconnInd,
        data,
    });
}

#[test]
fn live_state_stays_bounded_in_a_crowd() {
    use crate::synth::payload;
    let options = AnalyzeOptions::default();
    let mut session = Session::new(&options, None, "crowd");
    let crowd = MAX_LIVE as u64 + 100;
    for i in 0..crowd {
        push(&mut session, i, &payload::tile(&i.to_le_bytes()));
        push(&mut session, i, &payload::apple_nearby_info(i as u8));
    }
    for i in 0..RSSI_HISTORY as u64 * 2 {
        push(&mut session, crowd + i, &payload::tile(&[7; 8]));
    }
    // Phones near their owners, each rotating its address: counted, never held.
    let held = session.trackers.held();
    for i in 0..crowd {
        push(&mut session, i, &payload::apple_find_my_near_owner(0x00, i as u8));
    }
    assert_eq!(session.trackers.held(), held);
    let snap = session.snapshot();
    assert_eq!(snap.trackers.len(), MAX_LIVE);
    assert_eq!(snap.bystanders, crowd * 2);
    let busy = snap.trackers.iter().find(|v| v.tracker.sightings > 1).unwrap();
    assert_eq!(busy.rssi.len(), RSSI_HISTORY);
}

#[test]
fn pace_maps_capture_time_to_wall_time() {
    let mut pace = Pace::new(10.0);
    assert_eq!(pace.wait(5_000_000), Duration::ZERO);
    let wait = pace.wait(15_000_000);
    assert!(
        wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    let mut fast = Pace::new(0.0);
    fast.wait(0);
    assert_eq!(fast.wait(3_600_000_000), Duration::ZERO);
    assert_eq!(fast.clock_us(), None);
}

#[test]
fn a_live_session_keeps_each_change_of_its_radio_and_positions_in_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.sqlite");
    let mut store = Store::open(&db, Mode::Create).unwrap();
    let t0 = 1_800_000_000 * 1_000_000;
    let recorder = Recorder::begin(&mut store, "sweep", &["bluetooth hci0".into()], t0).unwrap();
    let options = AnalyzeOptions::default();
    let mut session = Session::new(&options, None, "bluetooth hci0").with_recorder(recorder);
    let absent = LinkState::Down(Message::as_is("no Bluetooth adapter"));
    // The scanner retries every few seconds: the same fault, then reconnecting, again and
    // again, is one change; the position is unknown throughout (no gpsd, no track).
    for s in 0..=300 {
        let now = t0 + s * 1_000_000;
        session.tick(now);
        let radio = if s % 3 == 1 {
            &LinkState::Reconnecting
        } else {
            &absent
        };
        session.listening(now, radio, None);
    }
    let outcome = session.finish(t0 + 300 * 1_000_000);
    assert!(outcome.store_error.is_none(), "{:?}", outcome.store_error);
    let listening = outcome.listening.unwrap();
    assert_eq!(listening.changes.len(), 2, "{:?}", listening.changes);
    assert!(listening.not_checked());
    let radio = listening.radio();
    assert!(radio.never_up());
    assert_eq!(
        radio.statement(Lang::En, &crate::present::utc_span),
        "not checked: no Bluetooth adapter for the whole 5 min"
    );
    // Kept as records, read back by the report with the session's times, and verified.
    let data = store.report_data(None, 0).unwrap();
    assert!(data.verification.intact(), "{:?}", data.verification);
    let [kept] = data.listening.as_slice() else {
        panic!("one session's listening: {:?}", data.listening);
    };
    assert_eq!(
        (kept.kind.as_str(), kept.ended_us),
        ("sweep", Some(t0 + 300 * 1_000_000))
    );
    assert_eq!(kept.changes, listening.changes);
    assert_eq!(kept.listening().radio(), radio);
    assert_eq!(
        kept.listening().positions().by_cause()[0].0,
        listening::Cause::NoPositionSource
    );
}

#[test]
fn alerts_reach_the_desktop_only_while_the_view_is_behind_and_a_failure_is_said_once() {
    use super::desktop::{Desktop, Focus};
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let options = AnalyzeOptions {
        track: Some(&track),
        ..AnalyzeOptions::default()
    };
    let mut session = Session::new(&options, None, "push");
    let alerts: Vec<Event> = push_until(&mut session, &capture, None)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(alerts.len(), 1);
    let shown = Arc::new(Mutex::new(Vec::new()));
    let log = shown.clone();
    let mut app = replay_app(Lang::En, None, dir.path().into()).with_desktop(Desktop::with(Box::new(
        move |_, body| {
            log.lock().unwrap().push(body.to_string());
            Err("org.freedesktop.DBus.Error.ServiceUnknown".to_string())
        },
    )));
    app.focus(Focus::Focused);
    app.alerts(&alerts);
    app.focus(Focus::Unfocused);
    app.alerts(&alerts);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut screen = String::new();
    while !screen.contains("desktop notifications off") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.poll(&mut session);
        screen = draw_in(&app, &session.snapshot(), (160, 45));
    }
    assert!(
        screen.contains("desktop notifications off: org.freedesktop"),
        "{screen}"
    );
    assert_eq!(
        *shown.lock().unwrap(),
        [alerts[0].line(Lang::En)],
        "only while behind"
    );
    // Off for the rest of the session: not tried again.
    app.alerts(&alerts);
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(shown.lock().unwrap().len(), 1);
}

#[test]
fn esc_clears_an_applied_filter_and_a_message_gives_way_to_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut session = pushed(&track, &capture, 45);
    let mut app = replay_app(Lang::En, None, dir.path().into());
    let press = |key, session: &mut Session<'_>, app: &mut App| {
        let snap = session.snapshot();
        app.key(key, session, &snap);
        draw(app, &session.snapshot())
    };
    // A filter that matches nothing, applied with Enter: the title says so and the table is empty.
    for key in [
        KeyCode::Char('/'),
        KeyCode::Char('z'),
        KeyCode::Char('q'),
        KeyCode::Enter,
    ] {
        press(key, &mut session, &mut app);
    }
    let filtered = draw(&app, &session.snapshot());
    assert!(
        filtered.contains("filter \"zq\"") && !filtered.contains("> AirTag"),
        "{filtered}"
    );
    // Esc with nothing open clears it.
    let cleared = press(KeyCode::Esc, &mut session, &mut app);
    assert!(
        !cleared.contains("filter \"") && cleared.contains("> AirTag"),
        "{cleared}"
    );

    // A message shows in place of the keys, then gives way to them as the session goes on.
    let said = press(KeyCode::Char('m'), &mut session, &mut app);
    assert!(said.contains("y/n"), "{said}");
    let said = press(KeyCode::Char('n'), &mut session, &mut app);
    assert!(said.contains("not marked") && !said.contains("q quit"), "{said}");
    push_until(&mut session, &capture, Some(track.fixes()[0].time_us + 46 * MIN));
    app.poll(&mut session);
    let later = draw(&app, &session.snapshot());
    assert!(
        !later.contains("not marked") && later.contains("q quit"),
        "{later}"
    );
}

const DAY_US: i64 = 24 * 3600 * 1_000_000;

/// Day 1: the commute analysed into `store` (with `allow`); its follower.
fn day_one(store: &mut Store, capture: &Path, track: &Track, allow: &crate::correlate::Allowlist) -> Tracker {
    let options = AnalyzeOptions {
        track: Some(track),
        allow,
        ..AnalyzeOptions::default()
    };
    let recorder = Recorder::begin(store, "analyze", &["day 1".into()], 0).unwrap();
    let analysis = analyze_files(&[capture.to_path_buf()], &options, Some(recorder), |_| {});
    assert!(analysis.store_error.is_none());
    let [follower] = analysis
        .trackers
        .iter()
        .filter(|t| t.following())
        .collect::<Vec<_>>()[..]
    else {
        panic!("the commute has one follower")
    };
    follower.clone()
}

/// The same walk a day later.
fn next_day(track: &Track) -> Track {
    let fixes = track.fixes().iter().map(|f| Fix {
        time_us: f.time_us + DAY_US,
        ..*f
    });
    Track::from_fixes(fixes.collect())
}

/// Day 2's live session on `store` up to the follower's first sighting (a second after it).
fn day_two<'a>(store: &'a mut Store, capture: &Path, track: &'a Track, follower: &Tracker) -> Session<'a> {
    let options = AnalyzeOptions {
        track: Some(track),
        ..AnalyzeOptions::default()
    };
    let recorder = Recorder::begin(store, "scan", &["day 2".into()], 0).unwrap();
    let mut session = Session::new(&options, None, "day 2").with_recorder(recorder);
    let first = follower.first_seen_us + DAY_US;
    assert!(push_later(&mut session, capture, Some(first + 1_000_000), DAY_US).is_empty());
    session
}

fn view<'s>(snap: &'s Snapshot, id: &str) -> &'s Tracker {
    &snap.trackers.iter().find(|v| v.tracker.id == id).unwrap().tracker
}

/// Issue 13: a live scan reads the evidence's history when it begins, not when it ends.
#[test]
fn a_tag_that_followed_yesterday_shows_its_days_from_its_first_sighting_and_in_its_alert() {
    use crate::correlate::Reason;
    use crate::correlate::verdict::Risk;
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    let follower = day_one(&mut store, &capture, &track, &Default::default());
    let track = next_day(&track);

    let mut session = day_two(&mut store, &capture, &track, &follower);
    let snap = session.snapshot();
    let now = view(&snap, &follower.id);
    assert!(!now.following(), "a second after its first sighting today");
    let days = &now.history.as_ref().expect("yesterday, from the start").days;
    let dates: Vec<&str> = days.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(dates.len(), 2, "{dates:?}");
    assert!(days[0].following && !days[1].following, "{days:?}");
    assert!(
        now.reasons
            .iter()
            .any(|r| matches!(r, Reason::HeardOnDays { .. })),
        "{:?}",
        now.reasons
    );

    // When it follows again today, the alert says so at once: following on two days.
    let alerts = push_later(&mut session, &capture, None, DAY_US);
    let [(_, Event::Following(alert))] = alerts.as_slice() else {
        panic!("one alert expected: {alerts:?}")
    };
    assert_eq!(alert.id, follower.id);
    assert_eq!(alert.risk, Risk::High, "{:?}", alert.reasons);
    assert!(alert.reasons.iter().any(|r| matches!(
        r,
        Reason::HeardOnDays {
            following_days: 2,
            ..
        }
    )));
    // Without the evidence the same alert knows only today: the history is what says it.
    let options = AnalyzeOptions {
        track: Some(&track),
        ..AnalyzeOptions::default()
    };
    let mut alone = Session::new(&options, None, "no store");
    let alerts = push_later(&mut alone, &capture, None, DAY_US);
    let [(_, Event::Following(alone))] = alerts.as_slice() else {
        panic!("one alert expected: {alerts:?}")
    };
    assert!(alone.history.is_none());
    assert!(
        !alone
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::HeardOnDays { .. }))
    );

    let outcome = session.finish(1);
    assert!(outcome.store_error.is_none());
    let last = outcome.trackers.iter().find(|t| t.id == follower.id).unwrap();
    assert_eq!(last.risk, Risk::High);
}

#[test]
fn a_tag_marked_as_hers_yesterday_is_hers_from_its_first_sighting_and_never_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (capture, track) = commute(dir.path());
    let mut store = Store::open(&dir.path().join("evidence.sqlite"), Mode::Create).unwrap();
    let id = day_one(&mut store, &capture, &track, &Default::default()).id;
    let mut allow = crate::correlate::Allowlist::default();
    allow.insert_id(&id);
    // Marked as hers on day 1 (analysed again, with the allow list).
    let follower = day_one(&mut store, &capture, &track, &allow);
    assert!(follower.own.is_some());
    let track = next_day(&track);

    // Day 2, without the allow list: hers from the start, and no alert all day.
    let mut session = day_two(&mut store, &capture, &track, &follower);
    let snap = session.snapshot();
    let own = view(&snap, &id)
        .own
        .as_ref()
        .expect("hers from its first sighting");
    assert_eq!(own.earlier.as_deref(), Some(id.as_str()));
    assert_eq!(
        snap.trackers.last().unwrap().tracker.id,
        id,
        "listed after the others"
    );
    let alerts = push_later(&mut session, &capture, None, DAY_US);
    assert!(alerts.is_empty(), "{alerts:?}");
    let snap = session.snapshot();
    let now = view(&snap, &id);
    assert!(now.following() && !now.alarms());
    assert!(session.finish(1).trackers.iter().all(|t| !t.alarms()));
}
