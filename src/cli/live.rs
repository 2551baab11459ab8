//! `scan` and `sweep`: a live session with the live view or headless.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, ValueEnum};

use tagwatch::analyze::{Analysis, Outcome};
use tagwatch::capture::{self, JsonlWriter, MonitorWriter};
use tagwatch::correlate::advisory;
use tagwatch::evidence::{HEARD_EXACT, HEARD_RECONSTRUCTED, Source};
use tagwatch::exit;
use tagwatch::i18n::Message;
use tagwatch::interact::act;
use tagwatch::listening::Cause;
use tagwatch::live::ui::{self, App, Purpose};
use tagwatch::live::{self, CaptureSink, Feed, Replay, Session};
use tagwatch::location::PositionSource;
use tagwatch::present;
use tagwatch::scan::{self, AdapterFeed, LivePosition, Monitor};

use super::anchor::session_anchor;
use super::args::{JudgeArgs, OnAnchor, StoreArgs, parse_duration};
use super::{bad_input, begin, bluetooth_hint, error, outcome_code, store_failed, warn};

/// `scan` and `sweep`.
#[derive(Args)]
pub(crate) struct LiveArgs {
    /// The Bluetooth adapter by its BlueZ name, e.g. hci1 [default: the first one].
    #[arg(long, value_name = "NAME", conflicts_with = "replay")]
    adapter: Option<String>,
    /// gpsd to take your position from [default: localhost:2947 if gpsd answers there].
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["replay", "tracks"], env = "TAGWATCH_GPSD")]
    gpsd: Option<String>,
    /// Play a recorded capture (any format) instead of listening: for demos and tests.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Replay at this many times real time; 0 plays as fast as possible.
    #[arg(long, default_value_t = 1.0, requires = "replay")]
    speed: f64,
    /// Where the advertisements come from. `monitor`: the kernel's HCI monitor channel, the
    /// exact bytes the adapter received, every report (Linux; needs CAP_NET_RAW: `sudo setcap
    /// cap_net_raw+ep $(command -v tagwatch)`, or the packaged service). `bluez`: what BlueZ
    /// rebuilds from them over D-Bus, labelled "reconstructed". Scanning is switched on
    /// through BlueZ either way [default: monitor where it can be opened, else bluez].
    #[arg(long, value_enum, conflicts_with = "replay")]
    source: Option<SourceArg>,
    /// Monitor frames from this Unix socket, as a btsnoop 2001 stream, instead of the
    /// kernel's channel. Hidden: it exists so the tests and the benchmark can run the exact
    /// path of `--source monitor` without a radio; a person listens with the kernel's.
    #[arg(long, value_name = "PATH", hide = true, conflicts_with_all = ["replay", "source"])]
    monitor_socket: Option<PathBuf>,
    /// Also write what is heard to this capture: with the HCI monitor the adapter's frames as
    /// btsnoop 2001 (Wireshark, btmon and `analyze` open it), else every advertisement as
    /// tagwatch JSON Lines.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// No live view: alerts as lines on standard error, the result on standard output.
    #[arg(long)]
    headless: bool,
    /// With --headless: run this command (`sh -c`) for each alert, the alert as JSON on its
    /// standard input.
    #[arg(long, value_name = "CMD", requires = "headless", env = "TAGWATCH_ON_ALERT")]
    on_alert: Option<String>,
    /// Where `r` in the live view writes evidence reports, a folder per tracker.
    #[arg(long, value_name = "DIR", default_value = "tagwatch-reports")]
    report_dir: PathBuf,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    on_anchor: OnAnchor,
}

/// `--source`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SourceArg {
    Monitor,
    Bluez,
}

/// The HCI monitor to read, or None to listen through BlueZ over D-Bus: `--source`, else the
/// monitor where the kernel lets tagwatch open it (saying so, and how, when it does not).
fn open_monitor(args: &LiveArgs) -> Result<Option<Monitor>, ExitCode> {
    if let Some(path) = &args.monitor_socket {
        let shown = present::neutralise(&path.display().to_string());
        #[cfg(unix)]
        let connected = std::os::unix::net::UnixStream::connect(path);
        #[cfg(not(unix))]
        let connected: std::io::Result<std::fs::File> = Err(std::io::ErrorKind::Unsupported.into());
        return match connected.and_then(|s| Monitor::stream(Box::new(s), path)) {
            Ok(m) => Ok(Some(m)),
            Err(e) => Err(bad_input(
                &Message::new("live-monitor-socket-failed")
                    .with("path", shown)
                    .nested("why", Message::io(&e)),
            )),
        };
    }
    let lang = super::lang();
    let why = |e: &std::io::Error| present::neutralise(&e.to_string());
    match (args.source, Monitor::kernel()) {
        (Some(SourceArg::Bluez), _) => Ok(None),
        (_, Ok(m)) => Ok(Some(m)),
        (Some(SourceArg::Monitor), Err(e)) => {
            eprintln!("{}", lang.fill("monitor_refused", &[("why", &why(&e))]));
            eprintln!("{}", lang.t("monitor_hint"));
            Err(ExitCode::from(exit::NO_BLUETOOTH))
        }
        // Elsewhere than Linux BlueZ's way is the only one: nothing to say.
        (None, Err(e)) if e.kind() == std::io::ErrorKind::Unsupported => Ok(None),
        (None, Err(e)) => {
            eprintln!("{}", lang.fill("monitor_fallback", &[("why", &why(&e))]));
            eprintln!("{}", lang.t("monitor_hint"));
            Ok(None)
        }
    }
}

/// `sweep`: a scan for a fixed time, then every tracker heard.
#[derive(Args)]
pub(crate) struct SweepArgs {
    /// How long to listen: 90s, 2m, 1h (plain numbers are seconds).
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    duration: i64,
    #[command(flatten)]
    live: LiveArgs,
}

impl SweepArgs {
    pub(crate) fn run(&self) -> ExitCode {
        run(
            &self.live,
            Purpose::Sweep {
                duration_us: self.duration,
            },
        )
    }
}

/// `scan` and `sweep`: a live session on a replayed capture, with the live view or headless.
pub(crate) fn run(args: &LiveArgs, purpose: Purpose) -> ExitCode {
    let lang = super::lang();
    let judge = match args.judge.load(true) {
        Ok(j) => j,
        Err(code) => return code,
    };
    // A replayed capture, or the adapter with positions from gpsd (unless a track is given).
    let (mut replay, mut adapter, mut gps) = (None, None, None);
    // Whether the advertisements are the bytes the adapter received (the HCI monitor).
    let mut exact = false;
    let source = match &args.replay {
        Some(path) => {
            let mut feed = match capture::open(path) {
                Ok(cap) => Replay::new(cap.source, args.speed).from_file(path),
                Err(e) => return bad_input(&e),
            };
            if let Purpose::Sweep { duration_us } = purpose {
                feed = feed.for_length(duration_us);
            }
            replay = Some(feed);
            path.display().to_string()
        }
        None => {
            let max_gap_us = i64::from(args.judge.max_gap) * 1_000_000;
            if judge.track.is_none() {
                gps = match scan::live_gps(args.gpsd.as_deref(), max_gap_us, lang) {
                    Ok(g) => g,
                    Err(e) => {
                        let code =
                            bad_input(&Message::new("live-gpsd-failed").nested("why", Message::io(&e)));
                        if let Some(hint) = tagwatch::listening::hint(Cause::NoGpsd, lang) {
                            eprintln!("{hint}");
                        }
                        return code;
                    }
                };
            }
            let monitor = match open_monitor(args) {
                Ok(m) => m,
                Err(code) => return code,
            };
            // The evidence says how the bytes were heard: exactly, or rebuilt by BlueZ.
            let how = match (&monitor, &args.monitor_socket) {
                (Some(_), Some(path)) => format!("monitor frames from {} {HEARD_EXACT}", path.display()),
                (Some(_), None) => format!("HCI monitor {HEARD_EXACT}"),
                (None, _) => format!("BlueZ D-Bus {HEARD_RECONSTRUCTED}"),
            };
            exact = monitor.is_some();
            let link = gps.as_ref().map(LivePosition::link);
            let log = args.headless.then_some(lang);
            match AdapterFeed::start(args.adapter.clone(), link, log, monitor) {
                Ok(feed) => adapter = Some(feed),
                Err(e) => {
                    let why = present::neutralise(&e.to_string());
                    error(&lang.fill("live-scan-failed", &[("why", &why)]));
                    eprintln!("{}", bluetooth_hint(&e.to_string(), lang));
                    return ExitCode::from(exit::NO_BLUETOOTH);
                }
            }
            format!(
                "bluetooth {}, {how}",
                args.adapter.as_deref().unwrap_or("adapter")
            )
        }
    };
    let adapter_feed = adapter.is_some();
    let feed: &mut dyn Feed = match (replay.as_mut(), adapter.as_mut()) {
        (Some(r), _) => r,
        (None, Some(a)) => a,
        (None, None) => unreachable!("one of them was started"),
    };
    let mut store = match args.store.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let kind = match purpose {
        Purpose::Scan => "scan",
        Purpose::Sweep { .. } => "sweep",
    };
    let stored_source = match (&args.replay, &store) {
        (Some(path), Some(_)) => Source::capture(path),
        _ => Source::from(source.as_str()),
    };
    // What can fail before the session begins does, so no session is left open.
    let recording = match &args.record {
        Some(record) => match tagwatch::files::create_new(record).and_then(|f| {
            let w = Box::new(std::io::BufWriter::new(f)) as Box<dyn Write>;
            Ok(match exact {
                true => Box::new(MonitorWriter::new(w)?) as Box<dyn CaptureSink>,
                false => Box::new(JsonlWriter::new(w)?),
            })
        }) {
            Ok(w) => Some((w, record)),
            Err(e) => {
                let file = present::neutralise(&record.display().to_string());
                error(&lang.fill("live-error-record", &[("file", &file), ("error", &e.to_string())]));
                return ExitCode::from(exit::OUTPUT);
            }
        },
        None => None,
    };
    // A service is stopped with SIGTERM: end the session cleanly, evidence written.
    let signalled = Arc::new(AtomicBool::new(false));
    if args.headless {
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            if let Err(e) = signal_hook::flag::register(signal, signalled.clone()) {
                error(&lang.fill("live-error-signals", &[("error", &e.to_string())]));
                return ExitCode::from(exit::ENVIRONMENT);
            }
        }
    }
    let recorder = match begin(store.as_mut(), kind, &[stored_source], &args.judge.settings()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let options = args.judge.options(&judge);
    let positions = gps.map(|g| Box::new(g) as Box<dyn PositionSource>);
    let mut session = Session::new(&options, positions, &source);
    if let Some(r) = recorder {
        session = session.with_recorder(r);
    }
    if let Some((writer, record)) = recording {
        session = session.with_capture(writer, record);
    }
    // Set when the live view fails: the session is still finished, its evidence kept.
    let mut failure = None;
    if args.headless {
        let sweep_end = |s: &Session<'_>| {
            signalled.load(Ordering::Relaxed)
                || match purpose {
                    Purpose::Sweep { duration_us } => {
                        s.started_us().is_some_and(|t| s.now_us() - t >= duration_us)
                    }
                    Purpose::Scan => false,
                }
        };
        let mut hooks = Vec::new();
        live::run_headless(&mut session, feed, sweep_end, |e| {
            eprintln!("{}", e.line(lang));
            if let Some(cmd) = &args.on_alert {
                match live::run_alert_hook(cmd, e) {
                    Ok(hook) => hooks.push(hook),
                    Err(err) => error(&lang.fill("live-error-on-alert", &[("error", &err.to_string())])),
                }
            }
        });
        // Give running hooks a moment to take their alert before the scan exits.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while hooks.iter().any(|h| !h.is_finished()) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    } else {
        let tz = *chrono::Local::now().offset();
        let mut app = App::new(
            purpose,
            feed.describe(lang),
            feed.listener(),
            lang,
            tz,
            args.judge.allow.clone(),
            args.report_dir.clone(),
        );
        // A laptop's desktop gets the alerts too while the terminal is behind other windows.
        app = app.with_desktop(live::desktop::Desktop::default());
        if adapter_feed {
            let name = args.adapter.clone();
            app = app.with_interactor(std::sync::Arc::new(move |action, target| {
                act::act(action, &target, name.as_deref(), act::LISTEN)
            }));
        }
        if let Err(e) = ui::run(&mut app, &mut session, feed) {
            error(&lang.fill("live-error-terminal", &[("error", &e.to_string())]));
            failure = Some(ExitCode::from(exit::ENVIRONMENT));
        }
    }
    let snapshot = session.snapshot();
    let outcome = session.finish(chrono::Utc::now().timestamp_micros());
    let replay_error = replay.and_then(|r| r.error);
    let monitor_error = adapter
        .as_ref()
        .and_then(AdapterFeed::failure)
        .map(str::to_string);
    let mut coverage = outcome.coverage;
    coverage.incomplete = replay_error.is_some() || monitor_error.is_some();
    let result = Analysis {
        located: judge.track.is_some(),
        advisory: advisory::in_person(&options.rules, &outcome.trackers),
        trackers: outcome.trackers,
        captures: Vec::new(),
        other_advertisements: outcome.other_advertisements,
        store_error: None,
        coverage,
    };
    let mut out = anstream::stdout();
    // A closed pipe (`| head`) is not an error worth reporting.
    // Where the evidence is, last, so a person who stops here knows.
    let stored = match &store {
        Some(s) => lang.fill(
            "live-stored",
            &[("db", &present::neutralise(&s.path().display().to_string()))],
        ),
        None => lang.t("live-not-stored").to_string(),
    };
    let _ = match purpose {
        Purpose::Sweep { .. } => {
            let mut text = ui::sweep_table(&snapshot, lang);
            text.push_str(&present::table::statement(&result, lang));
            text.push_str(&stored);
            text.push('\n');
            out.write_all(text.as_bytes())
        }
        Purpose::Scan => {
            present::table::write(&result, false, lang, present::table::terminal_width(), &mut out).and_then(
                |()| {
                    // The recap of a scan: its alerts again, and where the evidence is.
                    let mut recap = format!(
                        "\n{}\n",
                        lang.fill("live-recap-alerts", &[("n", &snapshot.events.len())])
                    );
                    for e in &snapshot.events {
                        recap.push_str(&e.line(lang));
                        recap.push('\n');
                    }
                    recap.push_str(&stored);
                    recap.push('\n');
                    out.write_all(recap.as_bytes())
                },
            )
        }
    };
    // What was listened to, when: time the radio was down is not checked, whatever was heard.
    if let Some(listening) = &outcome.listening {
        let (radio, positions) = (listening.radio(), listening.positions());
        let _ = writeln!(out, "{}", radio.statement(lang, &present::local_span))
            .and_then(|()| writeln!(out, "{}", positions.statement(lang, &present::local_span)));
        for hint in radio
            .hints(lang)
            .into_iter()
            .chain(positions.hints(lang).into_iter().take(1))
        {
            eprintln!("{hint}");
        }
    }
    warn(&result.coverage);
    if let Some(e) = &outcome.capture_error {
        error(&lang.fill("live-error-record-incomplete", &[("error", &e.to_string())]));
    }
    if let Some(n) = adapter.as_ref().map(AdapterFeed::dropped).filter(|&n| n > 0) {
        eprintln!("{}", lang.fill("live-dropped", &[("n", &n)]));
    }
    if let Some(e) = &outcome.store_error {
        return store_failed(e);
    }
    if let Err(code) = session_anchor(store.as_mut(), &args.on_anchor) {
        return code;
    }
    if let Some(code) = failure {
        return code;
    }
    if let Some(why) = monitor_error {
        // Frames from a socket are an input like a capture; the kernel's are the radio's.
        if args.monitor_socket.is_some() {
            return bad_input(&Message::new("live-monitor-socket-stopped").with("why", why));
        }
        let why = present::neutralise(&why);
        error(&lang.fill("live-monitor-stopped", &[("why", &why)]));
        eprintln!("{}", bluetooth_hint(&why, lang));
        return ExitCode::from(exit::NO_BLUETOOTH);
    }
    let outcome_now = result.outcome();
    match replay_error {
        Some(e) => bad_input(&e),
        // An alert stands; anything less is only as good as the time listened.
        None if outcome_now != Outcome::Following
            && outcome.listening.as_ref().is_some_and(|l| l.not_checked()) =>
        {
            ExitCode::from(exit::NOT_CHECKED)
        }
        None => outcome_code(outcome_now),
    }
}
