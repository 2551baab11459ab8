//! The `tagwatch` command line. Thin: the work is done in the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use tagwatch::analyze::{analyze_files, total_size};
use tagwatch::present;
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
    Analyze {
        /// Capture files, read as one session. The format is recognised from the content.
        #[arg(required = true)]
        captures: Vec<PathBuf>,
        /// Output: an aligned table for people or JSON for programs.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Write synthetic data for demos, tests and benchmarks.
    Synth {
        #[command(subcommand)]
        what: Synth,
    },
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
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze { captures, format } => analyze(&captures, format),
        Command::Synth { what } => match what {
            Synth::Demo(c) => synth(scenario::demo(SYNTH_START_US, c.minutes), &c.output),
            Synth::Crowd { capture: c, phones } => {
                synth(scenario::crowd(SYNTH_START_US, c.minutes, phones), &c.output)
            }
            Synth::Scenario { name, output } => synth_labelled(&name, &output),
        },
    }
}

/// Synthetic scenarios start at a fixed time so the same command writes the same bytes.
const SYNTH_START_US: i64 = 1_768_464_000_000_000; // 2026-01-15T08:00:00Z

fn synth((start, end, emitters): (i64, i64, Vec<scenario::Emitter>), output: &std::path::Path) -> ExitCode {
    let written = std::fs::File::create(output)
        .map(std::io::BufWriter::new)
        .and_then(|file| scenario::write_btsnoop(file, start, end, &emitters));
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

fn analyze(captures: &[PathBuf], format: OutputFormat) -> ExitCode {
    let bar = progress_bar(total_size(captures));
    let analysis = analyze_files(captures, |pos| bar.set_position(pos));
    bar.finish_and_clear();

    let text = match format {
        OutputFormat::Table => present::table::render(&analysis),
        OutputFormat::Json => present::json::render(&analysis) + "\n",
    };
    let mut out = anstream::stdout();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = out.write_all(text.as_bytes());

    for error in analysis.captures.iter().filter_map(|c| c.error.as_ref()) {
        eprintln!("error: {}", present::neutralise(&error.to_string()));
    }
    if analysis.has_errors() {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
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
