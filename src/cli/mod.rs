//! The `tagwatch` command line: one file per command, each thin over the library; this one
//! parses the arguments, dispatches, and holds what every command says on failure.

mod analyze;
mod anchor;
mod args;
mod attachment;
mod help;
mod interact;
mod list;
mod live;
mod note;
mod report;
mod synth;
mod usage;
mod verify;

use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use tagwatch::analyze::Outcome;
use tagwatch::coverage::Coverage;
use tagwatch::evidence::Source;
use tagwatch::exit;
use tagwatch::i18n::{self, Lang, Localised};
use tagwatch::interact::act::Action;
use tagwatch::live::ui::Purpose;
use tagwatch::present;
use tagwatch::store::{Recorder, Store, StoreError};

#[derive(Parser)]
#[command(
    name = "tagwatch",
    version,
    about = "Find Bluetooth location trackers that move with you, and keep the evidence."
)]
struct Cli {
    /// Language of messages and help, ja or en [default: TAGWATCH_LANG, else ja in a Japanese
    /// locale (LC_ALL, LC_MESSAGES, LANG), else en]. For `report`, the report's languages:
    /// repeat for both [default: both].
    #[arg(long, global = true, value_name = "LANG")]
    lang: Vec<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find the trackers in one or more captures (btsnoop, an Android bug report zip, Apple
    /// PacketLogger, pcap, pcapng, tagwatch JSON Lines).
    Analyze(analyze::AnalyzeArgs),
    /// Watch the trackers around you live: alerts when one starts following you.
    Scan(live::LiveArgs),
    /// Check a car or a room: every tracker present, strongest first; kept as a sweep record.
    Sweep(live::SweepArgs),
    /// Check the evidence database's hash chain: every record since the first, unchanged.
    Verify(verify::VerifyArgs),
    /// Give the chain head away: a short code and a QR code to photograph or send, which
    /// later proves the evidence up to now unchanged (`verify --anchor`); kept as a record.
    Anchor(anchor::AnchorArgs),
    /// Make a tracker play its sound, where its maker lets a non-owner do so (Find My, DULT,
    /// Pebblebee); kept as a note in the evidence.
    Ring(interact::InteractArgs),
    /// Read a DULT tracker's maker, model and identifier (for the police); kept as a note.
    Identify(interact::InteractArgs),
    /// Add a note to the evidence ("found it under the car seat"), with a photo or file.
    Note(note::NoteArgs),
    /// Get a file kept with a note back out (a photo, a screenshot), checked against its SHA-256.
    #[command(subcommand)]
    Attachment(attachment::Attachment),
    /// Write the evidence report: a self-contained HTML page per language (prints to PDF).
    Report(report::ReportArgs),
    /// Export the stored sightings: CSV, GeoJSON and KML (QGIS, Google Earth) or JSON.
    Export(report::ExportArgs),
    /// Show what the evidence database holds: sessions, sweeps, trackers (id, model, verdict,
    /// days seen), notes and anchors. Reads only; never creates a database.
    List(args::DbArgs),
    /// Write synthetic data for demos, tests and benchmarks.
    #[command(subcommand)]
    Synth(synth::Synth),
}

/// The language asked for (`--lang`, first one) or from the environment: set before the
/// arguments are parsed, so what parsing says is in it too.
static LANG: OnceLock<Lang> = OnceLock::new();
/// Every `--lang` given.
static LANGS_ASKED: OnceLock<Vec<Lang>> = OnceLock::new();

/// The language of what the command writes for people.
pub(crate) fn lang() -> Lang {
    LANG.get().copied().unwrap_or_else(|| i18n::from_env(None))
}

/// Every `--lang` given, in order (for `report`: the languages to write).
pub(crate) fn langs_asked() -> &'static [Lang] {
    LANGS_ASKED.get().map_or(&[], Vec::as_slice)
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The help is written before the arguments are parsed, so `--lang` is looked for first.
    let lang = i18n::from_env(help::lang_in(&argv));
    let _ = LANG.set(lang);
    let command = help::localise(Cli::command(), lang);
    let parsed = command
        .clone()
        .try_get_matches_from(&argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage::early_exit(&e, lang, &usage::path(&command, &argv)),
    };
    let _ = LANGS_ASKED.set(cli.lang);
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Scan(args) => live::run(&args, Purpose::Scan),
        Command::Sweep(args) => args.run(),
        Command::Verify(args) => args.run(),
        Command::Anchor(args) => args.run(),
        Command::Ring(args) => interact::run(Action::Ring, &args),
        Command::Identify(args) => interact::run(Action::Identify, &args),
        Command::Note(args) => args.run(),
        Command::Attachment(what) => what.run(),
        Command::Report(args) => args.run(),
        Command::Export(args) => args.run(),
        Command::List(db) => list::run(&db),
        Command::Synth(what) => what.run(),
    }
}

/// The exit code of a result read to its end: nothing heard is not an all-clear.
pub(crate) fn outcome_code(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::NothingHeard => ExitCode::from(exit::NOT_CHECKED),
        Outcome::Following | Outcome::Trackers | Outcome::NoTrackers => ExitCode::from(exit::OK),
    }
}

/// The coverage warnings (a track that misses the time heard, a capture that held nothing)
/// on stderr, whatever the output format.
pub(crate) fn warn(coverage: &Coverage) {
    for w in &coverage.warnings {
        warning(&w.text(lang(), &present::local_span));
    }
}

/// What to do about a Bluetooth fault reported as `why`: the one step for its cause (which
/// service to start, which command powers the adapter, which group to join), else all of them.
pub(crate) fn bluetooth_hint(why: &str, lang: tagwatch::i18n::Lang) -> String {
    tagwatch::listening::hint(tagwatch::listening::Cause::of_radio(why), lang)
        .unwrap_or_else(|| lang.t("hint_bluetooth_all").to_string())
}

/// Begins a session of `kind` in the store, if there is one, keeping the `settings` it judges
/// with.
pub(crate) fn begin<'s>(
    store: Option<&'s mut Store>,
    kind: &str,
    sources: &[Source],
    settings: &std::collections::BTreeMap<String, String>,
) -> Result<Option<Recorder<'s>>, ExitCode> {
    let now = chrono::Utc::now().timestamp_micros();
    store
        .map(|store| Recorder::begin_with(store, kind, sources, now, settings))
        .transpose()
        .map_err(|e| store_failed(&e))
}

/// The evidence store failed; what it had acknowledged stays.
pub(crate) fn store_failed(e: &StoreError) -> ExitCode {
    let text = present::neutralise(&e.text(lang()));
    match e {
        // The command named something the evidence does not hold: nothing failed in the store.
        StoreError::UnknownTracker(_) => {
            error(&text);
            ExitCode::from(exit::UNKNOWN_TRACKER)
        }
        // A record number that names no attached file: the command line is wrong.
        StoreError::NoAttachment { .. } => {
            error(&text);
            ExitCode::from(exit::USAGE)
        }
        _ => {
            eprintln!("{}", lang().fill("cli-store-failed", &[("error", &text)]));
            ExitCode::from(exit::DATABASE)
        }
    }
}

/// An output that could not be written, named (neutralised): exit 8.
pub(crate) fn output_failed(path: &std::path::Path, e: &dyn std::fmt::Display) -> ExitCode {
    error(&format!(
        "{}: {e}",
        present::neutralise(&path.display().to_string())
    ));
    ExitCode::from(exit::OUTPUT)
}

/// A warning on standard error, after "warning:" in the chosen language.
pub(crate) fn warning(text: &str) {
    eprintln!("{}", lang().fill("cli-warning", &[("text", &text)]));
}

/// An error on standard error, after "error:" in the chosen language.
pub(crate) fn error(text: &str) {
    eprintln!("{}", lang().fill("cli-error", &[("text", &text)]));
}

/// An input that cannot be read, worded in the chosen language: exit 2.
pub(crate) fn bad_input(e: &dyn Localised) -> ExitCode {
    error(&present::neutralise(&e.text(lang())));
    ExitCode::from(exit::BAD_INPUT)
}

/// A byte-based progress bar on stderr; indicatif hides it when stderr is not a terminal.
pub(crate) fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .expect("template is valid"),
    );
    bar
}
