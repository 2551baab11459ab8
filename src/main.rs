//! The `tagwatch` command line. Thin: the work is done in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use chrono::FixedOffset;
use tagwatch::analyze::{self, Analysis, AnalyzeOptions, Outcome, analyze_files, total_size};
use tagwatch::anchor::{self as anchors, Code};
use tagwatch::capture::{self, JsonlWriter};
use tagwatch::correlate::verdict::Sensitivity;
use tagwatch::correlate::{Allowlist, NamedPlace};
use tagwatch::coverage::{self, Coverage, TrackRead};
use tagwatch::evidence::{ReportData, Source};
use tagwatch::exit;
use tagwatch::interact::act::{self, Action};
use tagwatch::live::ui::{self, App, Purpose};
use tagwatch::live::{self, Feed, Replay, Session};
use tagwatch::location::{DEFAULT_MAX_GAP_US, PositionSource, Track};
use tagwatch::present;
use tagwatch::report::{self, Lang};
use tagwatch::scan::{self, AdapterFeed, LivePosition};
use tagwatch::store::anchor::{AnchorError, Timestamp};
use tagwatch::store::{Mode, Recorder, Store, StoreError};
use tagwatch::synth::scenario::Container;
use tagwatch::synth::{labelled, scenario};

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
    /// Find the trackers in one or more captures (btsnoop, an Android bug report zip, Apple
    /// PacketLogger, pcap, pcapng, tagwatch JSON Lines).
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
        /// Also prove the chain extends this anchor code (from `tagwatch anchor` or a
        /// session's end): the records it vouches for are unchanged. Repeatable.
        #[arg(long = "anchor", value_name = "CODE")]
        anchors: Vec<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Give the chain head away: a short code and a QR code to photograph or send, which
    /// later proves the evidence up to now unchanged (`verify --anchor`); kept as a record.
    Anchor {
        /// Also have this RFC 3161 timestamp authority sign the head with its time.
        #[arg(long, value_name = "URL")]
        tsa: Option<String>,
        /// Show the QR code [default: when standard output is a terminal].
        #[arg(long, overrides_with = "no_qr")]
        qr: bool,
        /// Never show the QR code.
        #[arg(long, overrides_with = "qr")]
        no_qr: bool,
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
        /// Write it even if the evidence does not verify; every page then says so and where
        /// the chain breaks.
        #[arg(long)]
        even_if_broken: bool,
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
        /// Write it even if the evidence does not verify; its `verification` field then says
        /// so and where the chain breaks.
        #[arg(long)]
        even_if_broken: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Show what the evidence database holds: sessions, sweeps, trackers (id, model, verdict,
    /// days seen), notes and anchors. Reads only; never creates a database.
    List {
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
    #[command(flatten)]
    on_anchor: OnAnchor,
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
    /// Language of the live view's map, timeline and status line, ja or en [default:
    /// TAGWATCH_LANG, else ja in a Japanese locale, else en].
    #[arg(long)]
    lang: Option<Lang>,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    on_anchor: OnAnchor,
}

/// How trackers are judged: shared by `analyze`, `scan` and `sweep`.
#[derive(Args)]
struct JudgeArgs {
    /// Where you were (GPX, NMEA 0183, CSV, gpsd JSON, Google's Records.json or Timeline.json;
    /// repeat for several files, merged into one track): gives each tracker its places and the
    /// distance it went with you.
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
    track_files: Vec<TrackRead>,
    allow: Allowlist,
    named_places: Vec<NamedPlace>,
}

impl JudgeArgs {
    /// Reads the track, allow list and places. `allow_may_be_missing`: the live view creates
    /// the allow list when a tracker is first marked as mine.
    fn load(&self, allow_may_be_missing: bool) -> Result<Judge, ExitCode> {
        // Without the track or allow list the verdicts would silently be wrong: stop first.
        let (track, track_files) = match self.tracks.as_slice() {
            [] => (None, Vec::new()),
            tracks => {
                let (track, files) = coverage::read_tracks(tracks).map_err(|e| bad_input(&e))?;
                (Some(track), files)
            }
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
            track_files,
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
            track_files: &judge.track_files,
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
            self.db.open(Mode::Create).map(Some)
        }
    }
}

/// Where a session's closing anchor goes (`analyze`, `scan`, `sweep`).
#[derive(Args)]
struct OnAnchor {
    /// Run this command (`sh -c`) with the session's closing anchor as JSON on its standard
    /// input, to send it away (mail, a messenger, someone you trust); README "Anchors".
    #[arg(long, value_name = "CMD", conflicts_with = "no_store")]
    on_anchor: Option<String>,
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
    fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(Store::default_path)
    }

    /// The store to write to: `Create` for the commands that gather evidence, `Existing` for
    /// `note`.
    fn open(&self, mode: Mode) -> Result<Store, ExitCode> {
        Store::open(&self.path(), mode).map_err(|e| {
            cannot_open(&e);
            if mode == Mode::Create {
                eprintln!("(give another place with --db PATH, or --no-store to only look)");
            }
            ExitCode::from(exit::DATABASE)
        })
    }

    /// The store to read, never written to: `verify`, `report`, `export`.
    fn open_read_only(&self) -> Result<Store, ExitCode> {
        Store::open_read_only(&self.path()).map_err(|e| {
            cannot_open(&e);
            ExitCode::from(exit::DATABASE)
        })
    }
}

fn cannot_open(e: &StoreError) {
    eprintln!("error: {}", present::neutralise(&e.to_string()));
    if matches!(e, StoreError::Missing { .. }) {
        eprintln!("(give the database with --db PATH or TAGWATCH_DB)");
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
    #[arg(long, conflicts_with = "nordic")]
    pcap: bool,
    /// Write a pcap as the nRF Sniffer records it, with its header in this version (0-3).
    #[arg(long, value_name = "VERSION", value_parser = clap::value_parser!(u8).range(0..=3))]
    nordic: Option<u8>,
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are asked for; anything else is a usage error, never 2
            // (which means an input could not be read).
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    match cli.command {
        Command::Analyze(args) => analyze(&args),
        Command::Scan(args) => live(&args, Purpose::Scan),
        Command::Sweep { duration, live: args } => live(
            &args,
            Purpose::Sweep {
                duration_us: duration,
            },
        ),
        Command::Verify { anchors, db } if anchors.is_empty() => verify(&db),
        Command::Verify { anchors, db } => verify_anchors(&anchors, &db),
        Command::Anchor { tsa, qr, no_qr, db } => {
            let qr = qr || (!no_qr && std::io::stdout().is_terminal());
            anchor(tsa.as_deref(), qr, &db)
        }
        Command::Report {
            tracker,
            lang,
            utc_offset,
            output,
            even_if_broken,
            db,
        } => report(
            tracker.as_deref(),
            &lang,
            utc_offset,
            &output,
            even_if_broken,
            &db,
        ),
        Command::Export {
            format,
            tracker,
            output,
            even_if_broken,
            db,
        } => export(format, tracker.as_deref(), &output, even_if_broken, &db),
        Command::Ring(args) => interact(Action::Ring, &args),
        Command::Identify(args) => interact(Action::Identify, &args),
        Command::Note { text, file, db } => note(&text, file.as_deref(), &db),
        Command::List { db } => list(&db),
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
                    nordic: None,
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
    let container = match (args.pcap, args.nordic) {
        (_, Some(version)) => Container::Nordic(version),
        (true, None) => Container::Pcap,
        (false, None) => Container::Btsnoop,
    };
    let written = std::fs::File::create(output)
        .map(std::io::BufWriter::new)
        .and_then(|file| scenario::write_capture(file, container, start, end, &emitters));
    match written {
        Ok(count) => {
            eprintln!("wrote {count} synthetic advertisements to {}", output.display());
            ExitCode::SUCCESS
        }
        Err(e) => output_failed(output, &e),
    }
}

fn synth_labelled(name: &str, dir: &std::path::Path) -> ExitCode {
    let names = if name == "all" {
        &labelled::NAMES[..]
    } else {
        std::slice::from_ref(&name)
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return output_failed(dir, &e);
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
                return ExitCode::from(exit::OUTPUT);
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
    // Every capture is checked before any is analysed or stored: a result that left one out
    // would be an all-clear for what was never checked.
    let unreadable = analyze::check_captures(&args.captures);
    if !unreadable.is_empty() {
        for e in &unreadable {
            eprintln!("error: {}", present::neutralise(&e.to_string()));
        }
        return ExitCode::from(exit::BAD_INPUT);
    }
    // Open the store before the long part, so a wrong path is said at once.
    let mut store = match args.store.open() {
        Ok(s) => s,
        Err(code) => return code,
    };
    // Only a store needs the captures' digests (to recognise one analysed before).
    let sources: Vec<Source> = match store {
        Some(_) => analyze::members(&args.captures)
            .iter()
            .map(Source::member)
            .collect(),
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
    warn(&analysis.coverage);
    if let Some(e) = &analysis.store_error {
        return store_failed(e);
    }
    if let (Some(store), OutputFormat::Table) = (&store, args.format) {
        eprintln!(
            "Evidence kept in {}: check it with `tagwatch verify`, write a report with `tagwatch report -o DIR`.",
            present::neutralise(&store.path().display().to_string())
        );
    }
    if let Err(code) = session_anchor(store.as_mut(), &args.on_anchor) {
        return code;
    }
    if analysis.has_errors() {
        ExitCode::from(exit::BAD_INPUT)
    } else if analysis.coverage.unreadable_records > 0 && analysis.outcome() != Outcome::Following {
        // What records tagwatch could not interpret held was not checked: no all-clear.
        ExitCode::from(exit::NOT_CHECKED)
    } else {
        outcome_code(analysis.outcome())
    }
}

/// The exit code of a result read to its end: nothing heard is not an all-clear.
fn outcome_code(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::NothingHeard => ExitCode::from(exit::NOT_CHECKED),
        Outcome::Following | Outcome::Trackers | Outcome::NoTrackers => ExitCode::from(exit::OK),
    }
}

/// The coverage warnings (a track that misses the time heard, a capture that held nothing)
/// on stderr, whatever the output format.
fn warn(coverage: &Coverage) {
    for w in &coverage.warnings {
        eprintln!("warning: {}", w.text(&present::local_span));
    }
}

/// What to check when BlueZ cannot be used.
const BLUETOOTH_HINT: &str = "Is bluetoothd running (`systemctl start bluetooth`)? Is the adapter \
    powered (`bluetoothctl power on`)? May your user use it (the `bluetooth` group, or root)?";

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
                gps = match scan::live_gps(args.gpsd.as_deref(), max_gap_us) {
                    Ok(g) => g,
                    Err(e) => return bad_input(&format!("cannot start following gpsd: {e}")),
                };
            }
            let link = gps.as_ref().map(LivePosition::link);
            match AdapterFeed::start(args.adapter.clone(), link, args.headless) {
                Ok(feed) => adapter = Some(feed),
                Err(e) => {
                    eprintln!("error: cannot start scanning: {e}");
                    eprintln!("{BLUETOOTH_HINT}");
                    return ExitCode::from(exit::NO_BLUETOOTH);
                }
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
    // What can fail before the session begins does, so no session is left open.
    let recording = match &args.record {
        Some(record) => match tagwatch::files::create_new(record)
            .and_then(|f| JsonlWriter::new(Box::new(std::io::BufWriter::new(f)) as Box<dyn Write>))
        {
            Ok(w) => Some((w, record)),
            Err(e) => {
                eprintln!(
                    "error: --record {}: {e}",
                    present::neutralise(&record.display().to_string())
                );
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
                eprintln!("error: cannot handle signals: {e}");
                return ExitCode::from(exit::ENVIRONMENT);
            }
        }
    }
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
            feed.listener(),
            live::messages::lang(args.lang),
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
            eprintln!("error: terminal: {e} (without a terminal, use --headless)");
            failure = Some(ExitCode::from(exit::ENVIRONMENT));
        }
    }
    let snapshot = session.snapshot();
    let outcome = session.finish(chrono::Utc::now().timestamp_micros());
    let replay_error = replay.and_then(|r| r.error);
    let mut coverage = outcome.coverage;
    coverage.incomplete = replay_error.is_some();
    let result = Analysis {
        located: judge.track.is_some(),
        trackers: outcome.trackers,
        captures: Vec::new(),
        other_advertisements: outcome.other_advertisements,
        store_error: None,
        coverage,
    };
    let mut out = anstream::stdout();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = match purpose {
        Purpose::Sweep { .. } => {
            let mut text: String = ui::sweep_lines(&snapshot)
                .iter()
                .map(|l| format!("{l}\n"))
                .collect();
            text.push_str(&present::table::statement(&result));
            out.write_all(text.as_bytes())
        }
        Purpose::Scan => present::table::write(&result, false, &mut out),
    };
    warn(&result.coverage);
    if let Some(e) = &outcome.capture_error {
        eprintln!("error: --record: {e}; the capture is incomplete");
    }
    if let Some(n) = adapter.as_ref().map(AdapterFeed::dropped).filter(|&n| n > 0) {
        eprintln!("{n} advertisements dropped: this computer did not keep up");
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
    match replay_error {
        Some(e) => bad_input(&e),
        None => outcome_code(result.outcome()),
    }
}

/// What the store holds for `tracker` (or all), read only and verified first: a chain that
/// does not verify is refused (exit 3) unless `even_if_broken`.
fn report_data(db: &DbArgs, tracker: Option<&str>, even_if_broken: bool) -> Result<ReportData, ExitCode> {
    let store = db.open_read_only()?;
    let now_us = chrono::Utc::now().timestamp_micros();
    let data = store.report_data(tracker, now_us).map_err(|e| {
        let code = store_failed(&e);
        if let (StoreError::UnknownTracker(id), Ok(all)) = (&e, store.report_data(None, now_us)) {
            suggest_ids(id, &all);
        }
        code
    })?;
    let path = present::neutralise(&store.path().display().to_string());
    if !data.verification.intact() {
        let problems = &data.verification.problems;
        eprintln!("{}: the evidence does not verify:", path);
        for p in problems {
            eprintln!("  {}", present::neutralise(&p.to_string()));
        }
        if !even_if_broken {
            eprintln!(
                "error: refused; give --even-if-broken to write it anyway, marked as broken \
                 on every page"
            );
            return Err(ExitCode::from(exit::BROKEN));
        }
        eprintln!("writing it anyway (--even-if-broken), marked as broken");
    }
    Ok(data)
}

/// The stored ids near a mistyped one, and where to see them all.
fn suggest_ids(id: &str, all: &ReportData) {
    let near = present::list::nearest(id, all.trackers.iter().map(|t| t.id.as_str()));
    if !near.is_empty() {
        eprintln!("did you mean: {}?", present::neutralise(&near.join(", ")));
    }
    eprintln!("(`tagwatch list` shows every stored tracker)");
}

/// `list`: what the database holds, read only.
fn list(db: &DbArgs) -> ExitCode {
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let listed = store.sessions().and_then(|sessions| {
        let data = store.report_data(None, chrono::Utc::now().timestamp_micros())?;
        Ok((sessions, data))
    });
    let (sessions, data) = match listed {
        Ok(l) => l,
        Err(e) => return store_failed(&e),
    };
    let mut out = std::io::BufWriter::new(anstream::stdout());
    let _ = present::list::write(&sessions, &data, &mut out).and_then(|()| out.flush());
    if !data.verification.intact() {
        eprintln!("warning: the evidence does not verify: run `tagwatch verify`");
    }
    ExitCode::SUCCESS
}

fn report(
    tracker: Option<&str>,
    langs: &[Lang],
    offset: Option<FixedOffset>,
    dir: &std::path::Path,
    even_if_broken: bool,
    db: &DbArgs,
) -> ExitCode {
    let data = match report_data(db, tracker, even_if_broken) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return output_failed(dir, &e);
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
                eprintln!("error: {}", present::neutralise(&e.to_string()));
                return ExitCode::from(exit::OUTPUT);
            }
        }
    }
    ExitCode::SUCCESS
}

fn export(
    format: ExportFormat,
    tracker: Option<&str>,
    output: &std::path::Path,
    even_if_broken: bool,
    db: &DbArgs,
) -> ExitCode {
    let data = match report_data(db, tracker, even_if_broken) {
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
        tagwatch::files::write_atomic(output, text.as_bytes())
    };
    match written {
        // A reader that stopped early (`| head`) is not a failure.
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => output_failed(output, &e),
    }
}

/// Checks the chain read-only; prints every damaged range and every session never closed.
fn verify(db: &DbArgs) -> ExitCode {
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result = match store.verify() {
        Ok(r) => r,
        Err(e) => return store_failed(&e),
    };
    let path = present::neutralise(&store.path().display().to_string());
    for s in &result.unclosed_sessions {
        println!("warning: {}", present::neutralise(&s.to_string()));
    }
    if result.intact() {
        println!(
            "{path}: intact: {} records, chain head {}",
            result.records, result.head
        );
        return ExitCode::SUCCESS;
    }
    let n = result.problems.len();
    println!(
        "{path}: BROKEN: {n} problem{} in {} records (chain head as the file is now: {})",
        if n == 1 { "" } else { "s" },
        result.records,
        result.head
    );
    for p in &result.problems {
        println!("  {}", present::neutralise(&p.to_string()));
    }
    ExitCode::from(exit::BROKEN)
}

/// `verify --anchor`: the plain check, then whether the chain extends each anchor.
fn verify_anchors(texts: &[String], db: &DbArgs) -> ExitCode {
    let mut codes = Vec::new();
    for text in texts {
        match Code::parse(text) {
            Ok(code) => codes.push(code),
            Err(e) => {
                eprintln!("error: --anchor {}", present::neutralise(&e));
                return ExitCode::from(exit::USAGE);
            }
        }
    }
    let store = match db.open_read_only() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plain = verify(db);
    let mut all_hold = true;
    for code in &codes {
        let check = match store.check_anchor(code) {
            Ok(c) => c,
            // Damage to the file: the plain check above has said where.
            Err(e @ StoreError::Damaged { .. }) => {
                println!(
                    "anchor {}: cannot be checked: {}",
                    code.short(),
                    present::neutralise(&e.to_string())
                );
                all_hold = false;
                continue;
            }
            Err(e) => return store_failed(&e),
        };
        let (holds, lines) = anchors::explain(code, &check);
        for line in lines {
            println!("{line}");
        }
        all_hold &= holds;
    }
    if all_hold {
        plain
    } else {
        ExitCode::from(exit::BROKEN)
    }
}

/// `anchor`: keeps an anchor of the chain as it stands and shows it to be kept elsewhere.
fn anchor(tsa: Option<&str>, qr: bool, db: &DbArgs) -> ExitCode {
    let mut store = match db.open(Mode::Existing) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let head = match store.chain_head() {
        Ok(Some(head)) => head,
        Ok(None) => return anchor_failed(&AnchorError::Empty),
        Err(e) => return store_failed(&e),
    };
    let mut exit_code = ExitCode::SUCCESS;
    let timestamp = tsa.and_then(|url| match anchors::tsa::stamp(url, &head.hash) {
        Ok(stamp) => {
            use base64::Engine;
            Some(Timestamp {
                tsa: url.to_string(),
                token: base64::engine::general_purpose::STANDARD.encode(&stamp.token),
            })
        }
        Err(e) => {
            eprintln!(
                "error: timestamp authority {}: {}; the anchor is kept without a timestamp",
                present::neutralise(url),
                present::neutralise(&e.to_string())
            );
            exit_code = ExitCode::from(exit::BAD_INPUT);
            None
        }
    });
    match store.add_anchor(head, chrono::Utc::now().timestamp_micros(), timestamp) {
        Ok(record) => {
            for line in anchors::describe(&record, &head, store.path()) {
                println!("{line}");
            }
            if qr && let Some(qr) = anchors::qr(&Code::new(head.records, &head.hash)) {
                // Light modules in bright white on black, whatever the terminal's colours
                // (without colour: its text colour, right on a dark background).
                let style = anstyle::Style::new()
                    .fg_color(Some(anstyle::AnsiColor::BrightWhite.into()))
                    .bg_color(Some(anstyle::AnsiColor::Black.into()));
                for line in qr.lines() {
                    anstream::println!("{style}{line}{style:#}");
                }
            }
            println!(
                "Keep the code where this computer cannot reach it (a photo, a message to someone \
                 you trust, paper): `tagwatch verify --anchor CODE` then proves these {} records \
                 unchanged.",
                present::grouped(head.records)
            );
            exit_code
        }
        Err(e) => anchor_failed(&e),
    }
}

/// Keeps an anchor at the end of a session, says it, and hands it to `--on-anchor`.
fn session_anchor(store: Option<&mut Store>, hook: &OnAnchor) -> Result<(), ExitCode> {
    let Some(store) = store else {
        return Ok(());
    };
    let anchor = match store.anchor_now(chrono::Utc::now().timestamp_micros()) {
        Ok(a) => a,
        // A broken chain is told, not fatal: the session's result stands.
        Err(e @ AnchorError::Broken(_)) => {
            eprintln!("warning: anchor: {}", present::neutralise(&e.to_string()));
            return Ok(());
        }
        Err(e) => return Err(anchor_failed(&e)),
    };
    eprintln!(
        "anchor: {}; keep this code away from this computer: `tagwatch verify --anchor CODE` then proves the first {} records unchanged",
        anchor.code,
        present::grouped(anchor.records)
    );
    if let Some(command) = &hook.on_anchor {
        let json = anchors::hook_json(&anchor, store.path());
        if let Err(e) = anchors::run_hook(command, &json, anchors::HOOK_WAIT) {
            eprintln!("error: --on-anchor: {e}; the anchor is kept in the evidence all the same");
        }
    }
    Ok(())
}

fn anchor_failed(e: &AnchorError) -> ExitCode {
    match e {
        AnchorError::Store(e) => store_failed(e),
        AnchorError::Empty => {
            eprintln!("error: {e}");
            ExitCode::from(exit::DATABASE)
        }
        AnchorError::Broken(_) => {
            eprintln!("error: {}", present::neutralise(&e.to_string()));
            ExitCode::from(exit::BROKEN)
        }
    }
}

fn note(text: &str, file: Option<&std::path::Path>, db: &DbArgs) -> ExitCode {
    let mut store = match db.open(Mode::Existing) {
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
        Err(e @ StoreError::Attachment(_)) => bad_input(&e),
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
        Err(e) => {
            eprintln!("error: {}", present::neutralise(&e));
            return ExitCode::from(exit::UNKNOWN_TRACKER);
        }
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
            if e.bluetooth_unavailable() {
                eprintln!("{BLUETOOTH_HINT}");
                return ExitCode::from(exit::NO_BLUETOOTH);
            }
            if let (Some(note), Some(store)) = (act::refusal_note(action, &target, &e), store.as_mut()) {
                match store.add_note(&note, None, chrono::Utc::now().timestamp_micros()) {
                    Ok(_) => eprintln!("the refusal is kept in the evidence ({})", store.path().display()),
                    Err(e) => return store_failed(&e),
                }
            }
            return ExitCode::from(exit::TRACKER_FAILED);
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
    match e {
        StoreError::UnknownTracker(_) => ExitCode::from(exit::UNKNOWN_TRACKER),
        _ => ExitCode::from(exit::DATABASE),
    }
}

/// An output that could not be written, named (neutralised): exit 8.
fn output_failed(path: &std::path::Path, e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {}: {e}", present::neutralise(&path.display().to_string()));
    ExitCode::from(exit::OUTPUT)
}

fn bad_input(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {}", present::neutralise(&e.to_string()));
    ExitCode::from(exit::BAD_INPUT)
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
