//! The `tagwatch` command line. Thin: the work is done in the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chrono::FixedOffset;
use tagwatch::analyze::{Analysis, AnalyzeOptions, analyze_files, total_size};
use tagwatch::capture::{self, JsonlWriter};
use tagwatch::correlate::verdict::Sensitivity;
use tagwatch::correlate::{Allowlist, NamedPlace};
use tagwatch::evidence::{ReportData, Source};
use tagwatch::interact::act::{self, Action};
use tagwatch::live::ui::{self, App, Purpose};
use tagwatch::live::{self, Feed, Replay, Session};
use tagwatch::location::{self, DEFAULT_MAX_GAP_US, PositionSource, Track};
use tagwatch::present;
use tagwatch::report::{self, Lang};
use tagwatch::scan::{self, AdapterFeed, LivePosition};
use tagwatch::store::{Recorder, Store, StoreError};
use tagwatch::synth::scenario::Container;
use tagwatch::synth::{labelled, scenario};

/// Exit code for unreadable or damaged input.
const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "tagwatch",
    version,
    about = "Find Bluetooth location trackers that move with you, and keep the evidence."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find the trackers in one or more captures (btsnoop, pcap, pcapng, tagwatch JSON Lines).
    Analyze(AnalyzeArgs),
    /// Watch the trackers around you live: alerts when one starts following you.
    Scan(LiveArgs),
    /// Check a car or a room: every tracker present, strongest first; kept as a sweep record.
    Sweep {
        /// How long to listen: 90s, 2m, 1h (plain numbers are seconds).
        #[arg(long, default_value = "2m", value_parser = parse_duration)]
        duration: i64,
        #[command(flatten)]
        live: LiveArgs,
    },
    /// Check the evidence database's hash chain: every record since the first, unchanged.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make a tracker play its sound, where its maker lets a non-owner do so (Find My, DULT,
    /// Pebblebee); kept as a note in the evidence.
    Ring(InteractArgs),
    /// Read a DULT tracker's maker, model and identifier (for the police); kept as a note.
    Identify(InteractArgs),
    /// Add a note to the evidence ("found it under the car seat"), with a photo or file.
    Note {
        text: String,
        /// A file to keep with the note (its SHA-256 goes into the chain).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write the evidence report: a self-contained HTML page per language (prints to PDF).
    Report {
        /// Only this tracker (its id as `analyze` prints it) [default: every stored tracker].
        #[arg(long, value_name = "ID")]
        tracker: Option<String>,
        /// Report language, ja or en; repeat for both [default: both].
        #[arg(long)]
        lang: Vec<Lang>,
        /// Show local times at this UTC offset, e.g. +09:00 [default: this computer's zone].
        #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
        utc_offset: Option<FixedOffset>,
        /// Folder to write into (created if missing).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Export the stored sightings: CSV, GeoJSON and KML (QGIS, Google Earth) or JSON.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Only this tracker [default: every stored tracker].
        #[arg(long, value_name = "ID")]
        tracker: Option<String>,
        /// The file to write; `-` for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write synthetic data for demos, tests and benchmarks.
    Synth {
        #[command(subcommand)]
        what: Synth,
    },
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Capture files, read as one session. The format is recognised from the content.
    #[arg(required = true)]
    captures: Vec<PathBuf>,
    /// Output: an aligned table for people or JSON for programs.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    store: StoreArgs,
    /// List phones, computers and headphones near their owners too (the table hides them).
    #[arg(long)]
    all: bool,
}

/// `scan` and `sweep`.
#[derive(Args)]
struct LiveArgs {
    /// The Bluetooth adapter by its BlueZ name, e.g. hci1 [default: the first one].
    #[arg(long, value_name = "NAME", conflicts_with = "replay")]
    adapter: Option<String>,
    /// gpsd to take your position from [default: localhost:2947 if gpsd answers there].
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["replay", "tracks"])]
    gpsd: Option<String>,
    /// Play a recorded capture (any format) instead of listening: for demos and tests.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Replay at this many times real time; 0 plays as fast as possible.
    #[arg(long, default_value_t = 1.0, requires = "replay")]
    speed: f64,
    /// Also write every advertisement heard to this capture (tagwatch JSON Lines).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// No live view: alerts as lines on standard error, the result on standard output.
    #[arg(long)]
    headless: bool,
    /// With --headless: run this command (`sh -c`) for each alert, the alert as JSON on its
    /// standard input.
    #[arg(long, value_name = "CMD", requires = "headless")]
    on_alert: Option<String>,
    /// Where `r` in the live view writes evidence reports, a folder per tracker.
    #[arg(long, value_name = "DIR", default_value = "tagwatch-reports")]
    report_dir: PathBuf,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    store: StoreArgs,
}

/// How trackers are judged: shared by `analyze`, `scan` and `sweep`.
#[derive(Args)]
struct JudgeArgs {
    /// Where you were (GPX, NMEA 0183, CSV or gpsd JSON; repeat for several files, merged
    /// into one track): gives each tracker its places and the distance it went with you.
    #[arg(long = "track", value_name = "FILE")]
    tracks: Vec<PathBuf>,
    /// A sighting farther than this from every fix of the track has no position.
    #[arg(long, value_name = "SECONDS", default_value_t = (DEFAULT_MAX_GAP_US / 1_000_000) as u32)]
    max_gap: u32,
    /// How readily to say a tracker follows you (README: "How tagwatch decides").
    #[arg(long, value_enum, default_value_t = SensitivityArg::Medium)]
    sensitivity: SensitivityArg,
    /// Your own trackers, listed but never alerted: one address, tagwatch id or
    /// identity:HEX per line.
    #[arg(long, value_name = "FILE")]
    allow: Option<PathBuf>,
    /// Name a place, e.g. `--place home=35.6812,139.7671` or `work=35.68,139.70,300` (radius in
    /// metres, 150 if left out); repeatable.
    #[arg(long = "place", value_name = "NAME=LAT,LON[,RADIUS]", value_parser = NamedPlace::parse)]
    places: Vec<NamedPlace>,
    /// A file of named places, one NAME=LAT,LON[,RADIUS] per line.
    #[arg(long = "places", value_name = "FILE")]
    places_file: Option<PathBuf>,
}

/// What [`JudgeArgs`] name, read.
struct Judge {
    track: Option<Track>,
    allow: Allowlist,
    named_places: Vec<NamedPlace>,
}

impl JudgeArgs {
    /// Reads the track, allow list and places. `allow_may_be_missing`: the live view creates
    /// the allow list when a tracker is first marked as mine.
    fn load(&self, allow_may_be_missing: bool) -> Result<Judge, ExitCode> {
        // Without the track or allow list the verdicts would silently be wrong: stop first.
        let track = match self.tracks.as_slice() {
            [] => None,
            tracks => Some(location::read_tracks(tracks).map_err(|e| bad_input(&e))?),
        };
        let allow = match &self.allow {
            Some(path) if !allow_may_be_missing || path.exists() => {
                Allowlist::read(path).map_err(|e| bad_input(&e))?
            }
            _ => Allowlist::default(),
        };
        let mut named_places = self.places.clone();
        if let Some(path) = &self.places_file {
            named_places.extend(NamedPlace::read_file(path).map_err(|e| bad_input(&e))?);
        }
        Ok(Judge {
            track,
            allow,
            named_places,
        })
    }

    fn options<'a>(&self, judge: &'a Judge) -> AnalyzeOptions<'a> {
        AnalyzeOptions {
            track: judge.track.as_ref(),
            max_gap_us: i64::from(self.max_gap) * 1_000_000,
            rules: Sensitivity::from(self.sensitivity).rules(),
            allow: &judge.allow,
            named_places: &judge.named_places,
        }
    }
}

/// "90s", "2m", "1h", "120" (seconds) as microseconds.
fn parse_duration(s: &str) -> Result<i64, String> {
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 90s, 2m or 1h"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{s:?}: the unit is s, m or h")),
    };
    n.checked_mul(seconds * 1_000_000)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// Where evidence goes, for the commands that gather it.
#[derive(Args)]
struct StoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only look: keep nothing in the evidence database.
    #[arg(long)]
    no_store: bool,
}

impl StoreArgs {
    /// The evidence store, unless `--no-store`.
    fn open(&self) -> Result<Option<Store>, ExitCode> {
        if self.no_store {
            Ok(None)
        } else {
            self.db.open().map(Some)
        }
    }
}

#[derive(Args)]
struct InteractArgs {
    /// The tracker: its address (AA:BB:CC:DD:EE:FF) or its id from the evidence (as
    /// `analyze` prints it; its latest address is used).
    target: String,
    /// The Bluetooth adapter by its BlueZ name, e.g. hci1 [default: the first one].
    #[arg(long, value_name = "NAME")]
    adapter: Option<String>,
    /// How long to listen for the tracker before giving up: 30s, 2m (plain numbers are
    /// seconds) [default: 15s, as the live view's `s` and `i`].
    #[arg(long, default_value = "15s", hide_default_value = true, value_parser = parse_duration)]
    listen: i64,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct DbArgs {
    /// The evidence database [default: tagwatch/evidence.sqlite in your data folder].
    #[arg(long, value_name = "PATH", env = "TAGWATCH_DB")]
    db: Option<PathBuf>,
}

impl DbArgs {
    fn open(&self) -> Result<Store, ExitCode> {
        let path = self.db.clone().unwrap_or_else(Store::default_path);
        Store::open(&path).map_err(|e| {
            eprintln!("error: {}", present::neutralise(&e.to_string()));
            eprintln!("(give another place with --db PATH, or --no-store to only look)");
            ExitCode::FAILURE
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SensitivityArg {
    Low,
    Medium,
    High,
}

impl From<SensitivityArg> for Sensitivity {
    fn from(s: SensitivityArg) -> Self {
        match s {
            SensitivityArg::Low => Sensitivity::Low,
            SensitivityArg::Medium => Sensitivity::Medium,
            SensitivityArg::High => Sensitivity::High,
        }
    }
}

#[derive(Subcommand)]
enum Synth {
    /// One tracker of each family among a few bystanders (a btsnoop capture).
    Demo(CaptureArgs),
    /// The demo in a crowd of phones: load for benchmarks.
    Crowd {
        #[command(flatten)]
        capture: CaptureArgs,
        /// Extra iPhones around.
        #[arg(long, default_value_t = 400)]
        phones: usize,
    },
    /// Distinct devices passing by, a thousand new ones a second (half of them separated
    /// AirTags, each with its own key, the rest iPhones): load for memory and hostile-input
    /// checks.
    PassersBy {
        /// How many devices.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(short, long)]
        output: PathBuf,
        /// Write a pcap instead of a btsnoop.
        #[arg(long)]
        pcap: bool,
    },
    /// A labelled day for judging the following detector: NAME-synthetic.btsnoop,
    /// NAME-synthetic.gpx and NAME-labels.json.
    Scenario {
        /// A scenario, or `all`.
        #[arg(value_parser = PossibleValuesParser::new(labelled::NAMES.into_iter().chain(["all"])))]
        name: String,
        /// Directory to write into (created if missing).
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Args)]
struct CaptureArgs {
    /// Where to write the capture; name it `*-synthetic.*` so nobody takes it for real data.
    #[arg(short, long)]
    output: PathBuf,
    /// Length of the scenario.
    #[arg(long, default_value_t = 10)]
    minutes: i64,
    /// Write a pcap (LE link layer with radio header) instead of a btsnoop.
    #[arg(long)]
    pcap: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Geojson,
    Kml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Scan(args) => live(&args, Purpose::Scan),
        Command::Sweep { duration, live: args } => live(
            &args,
            Purpose::Sweep {
                duration_us: duration,
            },
        ),
        Command::Verify { db } => verify(&db),
        Command::Report {
            tracker,
            lang,
            utc_offset,
            output,
            db,
        } => report(tracker.as_deref(), &lang, utc_offset, &output, &db),
        Command::Export {
            format,
            tracker,
            output,
            db,
        } => export(format, tracker.as_deref(), &output, &db),
        Command::Ring(args) => interact(Action::Ring, &args),
        Command::Identify(args) => interact(Action::Identify, &args),
        Command::Note { text, file, db } => note(&text, file.as_deref(), &db),
        Command::Synth { what } => match what {
            Synth::Demo(c) => synth(scenario::demo(SYNTH_START_US, c.minutes), &c),
            Synth::Crowd { capture: c, phones } => {
                synth(scenario::crowd(SYNTH_START_US, c.minutes, phones), &c)
            }
            Synth::PassersBy { count, output, pcap } => {
                let c = CaptureArgs {
                    output,
                    minutes: 0,
                    pcap,
                };
                synth(scenario::passers_by(SYNTH_START_US, count), &c)
            }
            Synth::Scenario { name, output } => synth_labelled(&name, &output),
        },
    }
}

/// Synthetic scenarios start at a fixed time so the same command writes the same bytes.
const SYNTH_START_US: i64 = 1_768_464_000_000_000; // 2026-01-15T08:00:00Z

fn synth((start, end, emitters): (i64, i64, Vec<scenario::Emitter>), args: &CaptureArgs) -> ExitCode {
    let output = &args.output;
    let container = if args.pcap {
        Container::Pcap
    } else {
        Container::Btsnoop
    };
    let written = std::fs::File::create(output)
        .map(std::io::BufWriter::new)
        .and_then(|file| scenario::write_capture(file, container, start, end, &emitters));
    match written {
        Ok(count) => {
            eprintln!("wrote {count} synthetic advertisements to {}", output.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

fn synth_labelled(name: &str, dir: &std::path::Path) -> ExitCode {
    let names = if name == "all" {
        &labelled::NAMES[..]
    } else {
        std::slice::from_ref(&name)
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for name in names {
        match labelled::write(name, dir) {
            Ok(w) => eprintln!(
                "wrote {name}: {} synthetic advertisements, {} fixes over {} min to {}",
                w.advertisements,
                w.fixes,
                (w.end_us - w.start_us) / 60_000_000,
                dir.display()
            ),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn analyze(args: &AnalyzeArgs) -> ExitCode {
    let judge = match args.judge.load(false) {
        Ok(j) => j,
        Err(code) => return code,
    };
    // Open the store before the long part, so a wrong path is said at once.
    let mut store = match args.store.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Only a store needs the captures' digests (to recognise one analysed before).
    let sources: Vec<Source> = match store {
        Some(_) => args.captures.iter().map(|p| Source::capture(p)).collect(),
        None => Vec::new(),
    };
    let recorder = match begin(store.as_mut(), "analyze", &sources) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let options = args.judge.options(&judge);
    let captures = &args.captures;
    let bar = progress_bar(total_size(captures));
    let analysis = analyze_files(captures, &options, recorder, |pos| bar.set_position(pos));
    bar.finish_and_clear();

    let mut out = std::io::BufWriter::new(anstream::stdout());
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = match args.format {
        OutputFormat::Table => present::table::write(&analysis, args.all, &mut out),
        OutputFormat::Json => present::json::write(&analysis, &mut out),
    }
    .and_then(|()| out.flush());
    drop(out);

    for error in analysis.captures.iter().filter_map(|c| c.error.as_ref()) {
        eprintln!("error: {}", present::neutralise(&error.to_string()));
    }
    if let Some(e) = &analysis.store_error {
        return store_failed(e);
    }
    if let (Some(store), OutputFormat::Table) = (&store, args.format) {
        eprintln!(
            "Evidence kept in {}: check it with `tagwatch verify`, write a report with `tagwatch report -o DIR`.",
            present::neutralise(&store.path().display().to_string())
        );
    }
    if analysis.has_errors() {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

/// Begins a session of `kind` in the store, if there is one.
fn begin<'s>(
    store: Option<&'s mut Store>,
    kind: &str,
    sources: &[Source],
) -> Result<Option<Recorder<'s>>, ExitCode> {
    store
        .map(|store| Recorder::begin(store, kind, sources, chrono::Utc::now().timestamp_micros()))
        .transpose()
        .map_err(|e| store_failed(&e))
}

/// `scan` and `sweep`: a live session on a replayed capture, with the live view or headless.
fn live(args: &LiveArgs, purpose: Purpose) -> ExitCode {
    let judge = match args.judge.load(true) {
        Ok(j) => j,
        Err(code) => return code,
    };
    // A replayed capture, or the adapter with positions from gpsd (unless a track is given).
    let (mut replay, mut adapter, mut gps) = (None, None, None);
    let source = match &args.replay {
        Some(path) => {
            let mut feed = match capture::open(path) {
                Ok(cap) => Replay::new(cap.source, args.speed),
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
                gps = match scan::live_gps(args.gpsd.as_deref(), max_gap_us) {
                    Ok(g) => g,
                    Err(e) => return bad_input(&format!("cannot start following gpsd: {e}")),
                };
            }
            let link = gps.as_ref().map(LivePosition::link);
            match AdapterFeed::start(args.adapter.clone(), link, args.headless) {
                Ok(feed) => adapter = Some(feed),
                Err(e) => return bad_input(&format!("cannot start scanning: {e}")),
            }
            format!("bluetooth {}", args.adapter.as_deref().unwrap_or("adapter"))
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
    let recorder = match begin(store.as_mut(), kind, &[stored_source]) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let options = args.judge.options(&judge);
    let positions = gps.map(|g| Box::new(g) as Box<dyn PositionSource>);
    let mut session = Session::new(&options, positions, &source);
    if let Some(r) = recorder {
        session = session.with_recorder(r);
    }
    if let Some(record) = &args.record {
        match std::fs::File::create(record)
            .and_then(|f| JsonlWriter::new(Box::new(std::io::BufWriter::new(f)) as Box<dyn Write>))
        {
            Ok(w) => session = session.with_capture(w, record),
            Err(e) => {
                eprintln!("error: {}: {e}", record.display());
                return ExitCode::FAILURE;
            }
        }
    }
    if args.headless {
        // A service is stopped with SIGTERM: end the session cleanly, evidence written.
        let signalled = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            if let Err(e) = signal_hook::flag::register(signal, signalled.clone()) {
                eprintln!("error: cannot handle signals: {e}");
                return ExitCode::FAILURE;
            }
        }
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
            eprintln!("{}", e.line());
            if let Some(cmd) = &args.on_alert {
                match live::run_alert_hook(cmd, e) {
                    Ok(hook) => hooks.push(hook),
                    Err(err) => eprintln!("error: --on-alert: {err}"),
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
            feed.describe(),
            tz,
            args.judge.allow.clone(),
            args.report_dir.clone(),
        );
        if adapter_feed {
            let name = args.adapter.clone();
            app = app.with_interactor(std::sync::Arc::new(move |action, target| {
                act::act(action, &target, name.as_deref(), act::LISTEN)
            }));
        }
        if let Err(e) = ui::run(&mut app, &mut session, feed) {
            eprintln!("error: terminal: {e}");
            return ExitCode::FAILURE;
        }
    }
    let snapshot = session.snapshot();
    let outcome = session.finish(chrono::Utc::now().timestamp_micros());
    let mut out = anstream::stdout();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = match purpose {
        Purpose::Sweep { .. } => out.write_all((ui::sweep_lines(&snapshot).join("\n") + "\n").as_bytes()),
        Purpose::Scan => present::table::write(
            &Analysis {
                located: judge.track.is_some(),
                trackers: outcome.trackers,
                captures: Vec::new(),
                other_advertisements: outcome.other_advertisements,
                store_error: None,
            },
            false,
            &mut out,
        ),
    };
    if let Some(e) = &outcome.capture_error {
        eprintln!("error: --record: {e}; the capture is incomplete");
    }
    if let Some(n) = adapter.as_ref().map(AdapterFeed::dropped).filter(|&n| n > 0) {
        eprintln!("{n} advertisements dropped: this computer did not keep up");
    }
    if let Some(e) = &outcome.store_error {
        return store_failed(e);
    }
    match replay.and_then(|r| r.error) {
        Some(e) => bad_input(&e),
        None => ExitCode::SUCCESS,
    }
}

/// What the store holds for `tracker` (or all), or the exit code of the failure.
fn report_data(db: &DbArgs, tracker: Option<&str>) -> Result<ReportData, ExitCode> {
    let store = db.open()?;
    store
        .report_data(tracker, chrono::Utc::now().timestamp_micros())
        .map_err(|e| store_failed(&e))
}

fn report(
    tracker: Option<&str>,
    langs: &[Lang],
    offset: Option<FixedOffset>,
    dir: &std::path::Path,
    db: &DbArgs,
) -> ExitCode {
    let data = match report_data(db, tracker) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let langs = if langs.is_empty() { &Lang::ALL[..] } else { langs };
    for &lang in langs {
        let written = match offset {
            Some(tz) => report::write_report(dir, &data, lang, &tz),
            None => report::write_report(dir, &data, lang, &chrono::Local),
        };
        match written {
            Ok(path) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("error: {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn export(format: ExportFormat, tracker: Option<&str>, output: &std::path::Path, db: &DbArgs) -> ExitCode {
    let data = match report_data(db, tracker) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let text = match format {
        ExportFormat::Csv => report::to_csv(&data),
        ExportFormat::Geojson => report::to_geojson(&data),
        ExportFormat::Kml => report::to_kml(&data),
        ExportFormat::Json => report::to_json(&data),
    };
    let written = if output == std::path::Path::new("-") {
        std::io::stdout().write_all(text.as_bytes())
    } else {
        report::write_private(output, text.as_bytes())
    };
    match written {
        // A reader that stopped early (`| head`) is not a failure.
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

/// Exit code of `verify` when the chain is broken: the evidence may have been changed.
const EXIT_BROKEN: u8 = 3;

fn verify(db: &DbArgs) -> ExitCode {
    let store = match db.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = match store.verify() {
        Ok(r) => r,
        Err(e) => return store_failed(&e),
    };
    let path = store.path().display();
    match result.first_broken {
        None => {
            println!(
                "{path}: intact: {} records, chain head {}",
                result.records, result.head
            );
            ExitCode::SUCCESS
        }
        Some(b) => {
            println!(
                "{path}: BROKEN at record {} ({}): {}",
                b.seq,
                b.kind,
                present::neutralise(&b.problem)
            );
            println!("The records before it are intact: {}.", b.seq.saturating_sub(1));
            ExitCode::from(EXIT_BROKEN)
        }
    }
}

fn note(text: &str, file: Option<&std::path::Path>, db: &DbArgs) -> ExitCode {
    let mut store = match db.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.add_note(text, file, chrono::Utc::now().timestamp_micros()) {
        Ok(n) => {
            match (&n.attachment_name, &n.attachment_sha256) {
                (Some(name), Some(sha)) => {
                    println!("note stored with {} (SHA-256 {sha})", present::neutralise(name))
                }
                _ => println!("note stored"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => store_failed(&e),
    }
}

/// `ring` and `identify`: resolve the target, hear it, connect, act, keep the result.
fn interact(action: Action, args: &InteractArgs) -> ExitCode {
    let mut store = match args.store.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let now = chrono::Utc::now().timestamp_micros();
    let evidence = match store.as_ref().map(|s| s.report_data(None, now)).transpose() {
        Ok(e) => e,
        Err(e) => return store_failed(&e),
    };
    let target = match act::resolve(&args.target, evidence.as_ref()) {
        Ok(t) => t,
        Err(e) => return bad_input(&e),
    };
    if action == Action::Identify {
        eprintln!(
            "A DULT tracker gives its identifier only for 5 minutes after the physical action its \
             maker describes (often: hold its button for a few seconds). Do that first."
        );
    }
    let listen = std::time::Duration::from_micros(args.listen as u64);
    eprintln!(
        "listening for {} for up to {} s ...",
        target.address,
        listen.as_secs()
    );
    let report = match act::act(action, &target, args.adapter.as_deref(), listen) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", present::neutralise(&e.to_string()));
            if let (Some(note), Some(store)) = (act::refusal_note(action, &target, &e), store.as_mut()) {
                match store.add_note(&note, None, chrono::Utc::now().timestamp_micros()) {
                    Ok(_) => eprintln!("the refusal is kept in the evidence ({})", store.path().display()),
                    Err(e) => return store_failed(&e),
                }
            }
            return ExitCode::FAILURE;
        }
    };
    println!("{}", present::neutralise(&report.summary()));
    let note = report.note_text();
    if action == Action::Identify {
        for line in note.lines() {
            println!("  {}", present::neutralise(line));
        }
    }
    if let Some(store) = store.as_mut() {
        match store.add_note(&note, None, chrono::Utc::now().timestamp_micros()) {
            Ok(_) => println!("kept in the evidence ({})", store.path().display()),
            Err(e) => return store_failed(&e),
        }
    }
    ExitCode::SUCCESS
}

/// The evidence store failed; what it had acknowledged stays.
fn store_failed(e: &StoreError) -> ExitCode {
    eprintln!(
        "error: evidence store: {}; what was stored before this is kept",
        present::neutralise(&e.to_string())
    );
    ExitCode::FAILURE
}

fn bad_input(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {}", present::neutralise(&e.to_string()));
    ExitCode::from(EXIT_BAD_INPUT)
}

/// A byte-based progress bar on stderr; indicatif hides it when stderr is not a terminal.
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .expect("template is valid"),
    );
    bar
}
