//! `synth`: synthetic data for demos, tests and benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use clap::{Args, Subcommand};

use tagwatch::exit;
use tagwatch::i18n::Arg;
use tagwatch::present;
use tagwatch::synth::scenario::Container;
use tagwatch::synth::{labelled, scenario};

use super::output_failed;

#[derive(Subcommand)]
pub(crate) enum Synth {
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
        /// Where to write the capture; name it `*-synthetic.*` so nobody takes it for real data.
        #[arg(short, long)]
        output: PathBuf,
        /// Write a pcap instead of a btsnoop.
        #[arg(long)]
        pcap: bool,
    },
    /// A rush-hour platform and train where a third of all advertisements are from trackers
    /// (strangers' AirTags, SmartTags and Tiles coming and going among iPhones): load for the
    /// tracker-dense benchmark.
    Dense {
        #[command(flatten)]
        capture: CaptureArgs,
        /// How many devices come and go (half of them trackers).
        #[arg(long, default_value_t = 1200)]
        devices: usize,
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
        /// Another draw of the scenario's randomness (GPS noise, strangers, keys); 0 is the
        /// default draw.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

#[derive(Args)]
pub(crate) struct CaptureArgs {
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

impl Synth {
    pub(crate) fn run(self) -> ExitCode {
        match self {
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
            Synth::Dense { capture: c, devices } => {
                synth(scenario::dense(SYNTH_START_US, c.minutes, devices), &c)
            }
            Synth::Scenario { name, output, seed } => synth_labelled(&name, &output, seed),
        }
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
            let file = present::neutralise(&output.display().to_string());
            eprintln!(
                "{}",
                super::lang().fill("synth-wrote", &[("n", &count), ("file", &file)])
            );
            ExitCode::SUCCESS
        }
        Err(e) => output_failed(output, &e),
    }
}

fn synth_labelled(name: &str, dir: &std::path::Path, seed: u64) -> ExitCode {
    let names = if name == "all" {
        &labelled::NAMES[..]
    } else {
        std::slice::from_ref(&name)
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return output_failed(dir, &e);
    }
    for name in names {
        match labelled::write_seeded(name, dir, seed) {
            Ok(w) => {
                let values: [(&str, &dyn Arg); 5] = [
                    ("name", name),
                    ("n", &w.advertisements),
                    ("fixes", &w.fixes),
                    ("minutes", &((w.end_us - w.start_us) / 60_000_000)),
                    ("dir", &present::neutralise(&dir.display().to_string())),
                ];
                eprintln!("{}", super::lang().fill("synth-wrote-scenario", &values));
            }
            Err(e) => {
                super::error(&present::neutralise(&format!("{name}: {e}")));
                return ExitCode::from(exit::OUTPUT);
            }
        }
    }
    ExitCode::SUCCESS
}
