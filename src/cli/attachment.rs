//! `attachment get`: a file kept with a note, written back out after its SHA-256 is checked
//! against the one in the note's record.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use tagwatch::i18n::Arg;
use tagwatch::present;

use super::args::DbArgs;
use super::{output_failed, store_failed};

#[derive(Subcommand)]
pub(crate) enum Attachment {
    /// Write the file kept with note RECORD (its number as the report shows it) to FILE,
    /// after checking its SHA-256 against the note.
    Get {
        /// The note's record number.
        record: u64,
        /// Where to write it; `-` for standard output. An existing file is not overwritten.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

impl Attachment {
    pub(crate) fn run(&self) -> ExitCode {
        let Attachment::Get { record, output, db } = self;
        let store = match db.open_read_only() {
            Ok(s) => s,
            Err(code) => return code,
        };
        let (note, data) = match store.attachment(*record) {
            Ok(found) => found,
            Err(e) => return store_failed(&e),
        };
        let written = if output == std::path::Path::new("-") {
            std::io::stdout().write_all(&data)
        } else {
            tagwatch::files::create_new(output)
                .and_then(|mut f| f.write_all(&data).and_then(|()| f.sync_all()))
        };
        match written {
            Ok(()) => {
                let name = present::neutralise(note.attachment_name.as_deref().unwrap_or("-"));
                let values: [(&str, &dyn Arg); 4] = [
                    ("file", &name),
                    ("bytes", &data.len()),
                    ("sha", &note.attachment_sha256.as_deref().unwrap_or("")),
                    ("record", record),
                ];
                eprintln!("{}", super::lang().fill("attachment-written", &values));
                ExitCode::SUCCESS
            }
            Err(e) => output_failed(output, &e),
        }
    }
}
