//! `analyze`: the trackers in captures, judged, shown and kept.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use tagwatch::analyze::{self, Outcome, analyze_files, total_size};
use tagwatch::evidence::Source;
use tagwatch::exit;
use tagwatch::i18n::Localised;
use tagwatch::present;

use super::anchor::session_anchor;
use super::args::{JudgeArgs, OnAnchor, StoreArgs};
use super::{begin, outcome_code, progress_bar, store_failed, warn};

#[derive(Args)]
pub(crate) struct AnalyzeArgs {
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
    /// Show the in-person advisory under the table: devices near their owner that have been
    /// with you at several places for an hour (JSON always has it).
    #[arg(long)]
    advisory: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
}

pub(crate) fn run(args: &AnalyzeArgs) -> ExitCode {
    let judge = match args.judge.load(false) {
        Ok(j) => j,
        Err(code) => return code,
    };
    // Every capture is checked before any is analysed or stored: a result that left one out
    // would be an all-clear for what was never checked.
    let unreadable = analyze::check_captures(&args.captures);
    if !unreadable.is_empty() {
        for e in &unreadable {
            super::error(&present::neutralise(&e.text(super::lang())));
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
    let recorder = match begin(store.as_mut(), "analyze", &sources, &args.judge.settings()) {
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
        OutputFormat::Table => present::table::write(
            &analysis,
            args.all,
            super::lang(),
            present::table::terminal_width(),
            &mut out,
        )
        .and_then(|()| match analysis.advisory.as_ref().filter(|_| args.advisory) {
            Some(a) => writeln!(out, "\n{}", present::neutralise(&a.describe(super::lang()))),
            None => Ok(()),
        }),
        OutputFormat::Json => present::json::write(&analysis, &mut out),
    }
    .and_then(|()| out.flush());
    drop(out);

    for error in analysis.captures.iter().filter_map(|c| c.error.as_ref()) {
        super::error(&present::neutralise(&error.text(super::lang())));
    }
    warn(&analysis.coverage);
    if let Some(e) = &analysis.store_error {
        return store_failed(e);
    }
    if let (Some(store), OutputFormat::Table) = (&store, args.format) {
        let path = present::neutralise(&store.path().display().to_string());
        eprintln!("{}", super::lang().fill("analyze-kept", &[("path", &path)]));
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
