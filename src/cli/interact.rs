//! `ring` and `identify`.

use std::process::ExitCode;

use clap::Args;

use tagwatch::exit;
use tagwatch::interact::act::{self, Action};
use tagwatch::present;

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
    // What its family cannot do is said at once, before the radio.
    if let Err(e) = act::refused(action, &target) {
        eprintln!("error: {}", present::neutralise(&e.to_string()));
        return ExitCode::from(exit::TRACKER_FAILED);
    }
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
                eprintln!(
                    "{}",
                    bluetooth_hint(&e.to_string(), tagwatch::i18n::from_env(None))
                );
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
        match store.add_note_record(report.note(chrono::Utc::now().timestamp_micros()), None) {
            Ok(_) => println!("kept in the evidence ({})", store.path().display()),
            Err(e) => return store_failed(&e),
        }
    }
    ExitCode::SUCCESS
}
