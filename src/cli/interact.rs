//! `ring` and `identify`.

use std::process::ExitCode;

use clap::Args;

use tagwatch::exit;
use tagwatch::i18n::{Arg, Localised};
use tagwatch::interact::act::{self, Action};
use tagwatch::present;
use tagwatch::store::Store;

use super::args::{StoreArgs, parse_duration};
use super::{bluetooth_hint, store_failed};

#[derive(Args)]
pub(crate) struct InteractArgs {
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

/// `ring` and `identify`: resolve the target, hear it, connect, act, keep the result.
pub(crate) fn run(action: Action, args: &InteractArgs) -> ExitCode {
    let lang = super::lang();
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
            super::error(&e.text(&present::neutralise(&args.target), lang));
            return ExitCode::from(exit::UNKNOWN_TRACKER);
        }
    };
    // What its family cannot do is said at once, before the radio.
    if let Err(e) = act::refused(action, &target) {
        super::error(&present::neutralise(&e.text(lang)));
        return ExitCode::from(exit::TRACKER_FAILED);
    }
    if action == Action::Identify {
        eprintln!("{}", lang.t("identify-first"));
    }
    let listen = std::time::Duration::from_micros(args.listen as u64);
    let values: [(&str, &dyn Arg); 2] = [
        ("address", &target.address.to_string()),
        ("seconds", &listen.as_secs()),
    ];
    eprintln!("{}", lang.fill("interact-listening", &values));
    let report = match act::act(action, &target, args.adapter.as_deref(), listen) {
        Ok(r) => r,
        Err(e) => {
            super::error(&present::neutralise(&e.text(lang)));
            if e.bluetooth_unavailable() {
                eprintln!(
                    "{}",
                    bluetooth_hint(&e.to_string(), tagwatch::i18n::from_env(None))
                );
                return ExitCode::from(exit::NO_BLUETOOTH);
            }
            if let (Some(note), Some(store)) = (act::refusal_note(action, &target, &e), store.as_mut()) {
                match store.add_note(&note, None, chrono::Utc::now().timestamp_micros()) {
                    Ok(_) => eprintln!(
                        "{}",
                        lang.fill("interact-refusal-kept", &[("path", &shown(store))])
                    ),
                    Err(e) => return store_failed(&e),
                }
            }
            return ExitCode::from(exit::TRACKER_FAILED);
        }
    };
    println!("{}", present::neutralise(&report.summary(lang)));
    let note = report.note_text();
    if action == Action::Identify {
        for line in note.lines() {
            println!("  {}", present::neutralise(line));
        }
    }
    if let Some(store) = store.as_mut() {
        match store.add_note_record(report.note(chrono::Utc::now().timestamp_micros()), None) {
            Ok(_) => println!("{}", lang.fill("interact-kept", &[("path", &shown(store))])),
            Err(e) => return store_failed(&e),
        }
    }
    ExitCode::SUCCESS
}

/// The store's path as it may be shown.
fn shown(store: &Store) -> String {
    present::neutralise(&store.path().display().to_string())
}
