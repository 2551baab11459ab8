//! `anchor`, and the anchor kept at the end of every session.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;

use tagwatch::anchor::{self as anchors, Code};
use tagwatch::exit;
use tagwatch::i18n::{Arg, Localised};
use tagwatch::present;
use tagwatch::store::anchor::{AnchorError, Timestamp};
use tagwatch::store::{Mode, Store};

use super::args::{DbArgs, OnAnchor};
use super::store_failed;

#[derive(Args)]
pub(crate) struct AnchorArgs {
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
}

impl AnchorArgs {
    pub(crate) fn run(&self) -> ExitCode {
        let qr = self.qr || (!self.no_qr && std::io::stdout().is_terminal());
        anchor(self.tsa.as_deref(), qr, &self.db)
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
            let values: [(&str, &dyn Arg); 2] = [
                ("url", &present::neutralise(url)),
                ("error", &present::neutralise(&e.text(super::lang()))),
            ];
            super::error(&super::lang().fill("anchor-tsa-failed", &values));
            exit_code = ExitCode::from(exit::BAD_INPUT);
            None
        }
    });
    match store.add_anchor(head, chrono::Utc::now().timestamp_micros(), timestamp) {
        Ok(record) => {
            for line in anchors::describe(&record, &head, store.path(), super::lang()) {
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
            println!("{}", super::lang().fill("anchor-keep", &[("n", &head.records)]));
            exit_code
        }
        Err(e) => anchor_failed(&e),
    }
}

/// Keeps an anchor at the end of a session, says it, and hands it to `--on-anchor`.
pub(crate) fn session_anchor(store: Option<&mut Store>, hook: &OnAnchor) -> Result<(), ExitCode> {
    let Some(store) = store else {
        return Ok(());
    };
    let anchor = match store.anchor_now(chrono::Utc::now().timestamp_micros()) {
        Ok(a) => a,
        // A broken chain is told, not fatal: the session's result stands.
        Err(e @ AnchorError::Broken(_)) => {
            let text = super::lang().fill(
                "anchor-not-kept",
                &[("error", &present::neutralise(&e.text(super::lang())))],
            );
            eprintln!("{}", super::lang().fill("cli-warning", &[("text", &text)]));
            return Ok(());
        }
        Err(e) => return Err(anchor_failed(&e)),
    };
    eprintln!(
        "{}",
        super::lang().fill(
            "anchor-session",
            &[("code", &anchor.code), ("n", &anchor.records)]
        )
    );
    if let Some(command) = &hook.on_anchor {
        let json = anchors::hook_json(&anchor, store.path());
        if let Err(e) = anchors::run_hook(command, &json, anchors::HOOK_WAIT) {
            let error = present::neutralise(&e.text(super::lang()));
            super::error(&super::lang().fill("anchor-hook-failed", &[("error", &error)]));
        }
    }
    Ok(())
}

fn anchor_failed(e: &AnchorError) -> ExitCode {
    match e {
        AnchorError::Store(e) => store_failed(e),
        AnchorError::Empty => {
            super::error(&e.text(super::lang()));
            ExitCode::from(exit::DATABASE)
        }
        AnchorError::Broken(_) => {
            super::error(&present::neutralise(&e.text(super::lang())));
            ExitCode::from(exit::BROKEN)
        }
    }
}
