//! `note`: the person's own words, and a file, added to the evidence.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use tagwatch::present;
use tagwatch::store::{Mode, StoreError};

use super::args::DbArgs;
use super::{bad_input, store_failed};

#[derive(Args)]
pub(crate) struct NoteArgs {
    text: String,
    /// A file to keep with the note (its SHA-256 goes into the chain).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

impl NoteArgs {
    pub(crate) fn run(&self) -> ExitCode {
        note(&self.text, self.file.as_deref(), &self.db)
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
