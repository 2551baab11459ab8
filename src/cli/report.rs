//! `report` and `export`: the stored evidence, verified first, written for people or programs.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::FixedOffset;
use clap::{Args, ValueEnum};

use tagwatch::evidence::ReportData;
use tagwatch::exit;
use tagwatch::i18n::{Lang, Localised};
use tagwatch::present;
use tagwatch::report;
use tagwatch::store::StoreError;

use super::args::DbArgs;
use super::{output_failed, store_failed};

/// The zone of the times a report or export shows.
#[derive(Args)]
struct ZoneArgs {
    /// Show times at this UTC offset, e.g. +09:00 [default: where the positions are (Japan:
    /// JST), else this computer's zone].
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    utc_offset: Option<FixedOffset>,
}

impl ZoneArgs {
    /// The zone for `data`; warns when the positions and this computer disagree and no
    /// offset was given.
    fn zone(&self, data: &ReportData) -> report::Zone {
        let machine = report::Zone::machine_offset();
        if self.utc_offset.is_none()
            && let Some(warning) = report::Zone::disagreement(data, machine, super::lang())
        {
            super::warning(&warning);
        }
        report::Zone::choose(data, self.utc_offset, machine)
    }
}

#[derive(Args)]
pub(crate) struct ReportArgs {
    /// Only this tracker (its id as `analyze` prints it) [default: every stored tracker].
    #[arg(long, value_name = "ID")]
    tracker: Option<String>,
    #[command(flatten)]
    zone: ZoneArgs,
    /// Folder to write into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Write it even if the evidence does not verify; every page then says so and where
    /// the chain breaks.
    #[arg(long)]
    even_if_broken: bool,
    #[command(flatten)]
    db: DbArgs,
}

impl ReportArgs {
    pub(crate) fn run(&self) -> ExitCode {
        let data = match report_data(&self.db, self.tracker.as_deref(), self.even_if_broken) {
            Ok(d) => d,
            Err(code) => return code,
        };
        let dir = &self.output;
        if let Err(e) = std::fs::create_dir_all(dir) {
            return output_failed(dir, &e);
        }
        let langs = match super::langs_asked() {
            [] => &Lang::ALL[..],
            asked => asked,
        };
        let zone = self.zone.zone(&data);
        for &lang in langs {
            match report::write_report(dir, &data, lang, &zone) {
                Ok(path) => println!("{}", path.display()),
                Err(e) => {
                    super::error(&present::neutralise(&e.to_string()));
                    return ExitCode::from(exit::OUTPUT);
                }
            }
        }
        ExitCode::SUCCESS
    }
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// The file format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Only this tracker [default: every stored tracker].
    #[arg(long, value_name = "ID")]
    tracker: Option<String>,
    /// The file to write; `-` for standard output.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    zone: ZoneArgs,
    /// Write it even if the evidence does not verify; its `verification` field then says
    /// so and where the chain breaks.
    #[arg(long)]
    even_if_broken: bool,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Geojson,
    Kml,
    Json,
}

impl ExportArgs {
    pub(crate) fn run(&self) -> ExitCode {
        let data = match report_data(&self.db, self.tracker.as_deref(), self.even_if_broken) {
            Ok(d) => d,
            Err(code) => return code,
        };
        let zone = self.zone.zone(&data);
        let text = match self.format {
            ExportFormat::Csv => report::to_csv(&data, &zone),
            ExportFormat::Geojson => report::to_geojson(&data, &zone),
            ExportFormat::Kml => report::to_kml(&data, &zone),
            ExportFormat::Json => report::to_json(&data, &zone),
        };
        let output = &self.output;
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
}

/// What the store holds for `tracker` (or all), read only and verified first: a chain that
/// does not verify is refused (exit 3) unless `even_if_broken`.
pub(crate) fn report_data(
    db: &DbArgs,
    tracker: Option<&str>,
    even_if_broken: bool,
) -> Result<ReportData, ExitCode> {
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
    let lang = super::lang();
    if !data.verification.intact() {
        let problems = &data.verification.problems;
        eprintln!("{}", lang.fill("report-not-verified", &[("path", &path)]));
        for p in problems {
            eprintln!("  {}", present::neutralise(&p.text(lang)));
        }
        if !even_if_broken {
            super::error(lang.t("report-refused"));
            return Err(ExitCode::from(exit::BROKEN));
        }
        eprintln!("{}", lang.t("report-anyway"));
    }
    Ok(data)
}

/// The stored ids near a mistyped one, and where to see them all.
pub(crate) fn suggest_ids(id: &str, all: &ReportData) {
    let near = present::list::nearest(id, all.trackers.iter().map(|t| t.id.as_str()));
    let lang = super::lang();
    if !near.is_empty() {
        let near = present::neutralise(&near.join(lang.t("separator-list")));
        eprintln!("{}", lang.fill("cli-did-you-mean", &[("ids", &near)]));
    }
    eprintln!("{}", lang.t("cli-list-hint"));
}
