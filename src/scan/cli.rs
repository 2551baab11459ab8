//! `tagwatch scan`: listen with a Bluetooth adapter, positions from gpsd.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::analyze::{Analysis, AnalyzeOptions};
use crate::capture::JsonlWriter;
use crate::correlate::Allowlist;
use crate::location::{DEFAULT_MAX_GAP_US, PositionSource};
use crate::present;
use crate::store::{Recorder, Store};

use super::{DEFAULT_GPSD, Headless, LivePosition, ScanConfig, Scanner, reachable};

/// The options of `scan` beyond the evidence store.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// The Bluetooth adapter by its BlueZ name, e.g. hci1 [default: the first one].
    #[arg(long, value_name = "NAME")]
    pub adapter: Option<String>,
    /// gpsd to take your position from [default: localhost:2947 if gpsd runs there].
    #[arg(long, value_name = "HOST:PORT")]
    pub gpsd: Option<String>,
    /// A sighting farther than this from the latest GPS fix has no position.
    #[arg(long, value_name = "SECONDS", default_value_t = (DEFAULT_MAX_GAP_US / 1_000_000) as u32)]
    pub max_gap: u32,
    /// Run CMD (with `sh -c`) when a tracker starts following you; it gets the tracker as
    /// one JSON object on standard input.
    #[arg(long, value_name = "CMD")]
    pub on_alert: Option<String>,
    /// No live view: log lines on standard error (for a service).
    #[arg(long)]
    pub headless: bool,
    /// Also write every advertisement heard to this file (tagwatch JSON Lines).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Your own trackers, never alerted: one address, tagwatch id or identity:HEX per line.
    #[arg(long, value_name = "FILE")]
    pub allow: Option<PathBuf>,
}

/// Exit code for a usage problem (as clap uses).
const EXIT_USAGE: u8 = 2;

/// Runs the scan until SIGINT or SIGTERM, keeping tracker sightings in `store` if given.
pub fn run(args: &ScanArgs, store: Option<&mut Store>) -> ExitCode {
    if !args.headless {
        eprintln!("error: the live view is not in this build yet; give --headless");
        return ExitCode::from(EXIT_USAGE);
    }
    let allow = match &args.allow {
        None => Allowlist::default(),
        Some(path) => match Allowlist::read(path) {
            Ok(a) => a,
            Err(e) => return failed(&e),
        },
    };
    let capture = match &args.record {
        None => None,
        Some(path) => match std::fs::File::create(path)
            .and_then(|f| JsonlWriter::new(Box::new(std::io::BufWriter::new(f)) as Box<dyn Write>))
        {
            Ok(w) => Some(w),
            Err(e) => return failed(&format!("{}: {e}", path.display())),
        },
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(signal, stop.clone()) {
            return failed(&format!("cannot handle signals: {e}"));
        }
    }
    let max_gap_us = i64::from(args.max_gap) * 1_000_000;
    let gps = match &args.gpsd {
        Some(addr) => Some(addr.as_str()),
        None if reachable(DEFAULT_GPSD) => Some(DEFAULT_GPSD),
        None => {
            eprintln!("no gpsd at {DEFAULT_GPSD} (give --gpsd HOST:PORT): sightings get no position");
            None
        }
    };
    let gps = match gps.map(|addr| LivePosition::start(addr, max_gap_us)).transpose() {
        Ok(g) => g,
        Err(e) => return failed(&format!("cannot start the gpsd thread: {e}")),
    };
    let gps_link = gps.as_ref().map(LivePosition::link);
    let scanner = Scanner::start(ScanConfig {
        adapter: args.adapter.clone(),
        ..ScanConfig::default()
    });
    let scanner = match scanner {
        Ok(s) => s,
        Err(e) => return failed(&format!("cannot start the scanner thread: {e}")),
    };
    let source = format!("bluetooth {}", args.adapter.as_deref().unwrap_or("adapter"));
    let now = chrono::Utc::now().timestamp_micros();
    let recorder = match store.map(|s| Recorder::begin(s, "scan", std::slice::from_ref(&source), now)) {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => return failed(&e),
    };
    let options = AnalyzeOptions {
        max_gap_us,
        allow: &allow,
        ..AnalyzeOptions::default()
    };
    let positions = gps.map(|g| Box::new(g) as Box<dyn PositionSource>);
    let headless = Headless {
        trackers: options.trackers(positions),
        recorder,
        capture,
        on_alert: args.on_alert.clone(),
        source,
    };
    eprintln!("scanning; stop with Ctrl-C or SIGTERM");
    let outcome = headless.run(scanner.events(), gps_link.as_ref(), &stop);
    let dropped = scanner.dropped();
    drop(scanner);
    if dropped > 0 {
        eprintln!("{dropped} advertisements dropped: this computer did not keep up");
    }
    let table = present::table::render(&Analysis {
        located: gps_link.is_some(),
        trackers: outcome.trackers,
        captures: Vec::new(),
        other_advertisements: outcome.other_advertisements,
        store_error: None,
    });
    // A closed pipe is not worth reporting; anstream drops the colours off a terminal.
    let _ = anstream::stdout().write_all(table.as_bytes());
    if let Some(e) = &outcome.capture_error {
        eprintln!("error: --record: {e}; the capture is incomplete");
    }
    match &outcome.store_error {
        Some(e) => failed(&format!(
            "evidence store: {e}; what was stored before this is kept"
        )),
        None => ExitCode::SUCCESS,
    }
}

fn failed(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {}", present::neutralise(&e.to_string()));
    ExitCode::FAILURE
}
