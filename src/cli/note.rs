//! `note`: the person's own words, and a file, added to the evidence: when and where it
//! happened, what kind of event it was, the tracker it is about and what identifies it.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Local, NaiveDateTime, TimeZone};
use clap::Args;

use tagwatch::evidence::{Identification, NoteCategory, NoteRecord};
use tagwatch::present;
use tagwatch::store::{Mode, StoreError};

use super::args::DbArgs;
use super::report::suggest_ids;
use super::{bad_input, store_failed};

#[derive(Args)]
pub(crate) struct NoteArgs {
    /// What to note, in your own words (quote it: "found it under the car seat").
    text: String,
    /// A file to keep with the note, e.g. a photo of the tag (its SHA-256 goes into the chain;
    /// the report shows pictures and `tagwatch attachment get` writes it back out).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// When it happened, if not now: 2026-01-15T08:40:00+09:00, or "2026-01-15 08:40" in this
    /// computer's zone. The time it was recorded is kept as well.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<i64>,
    /// Where it happened, in your words ("car park at work, under the rear bumper").
    #[arg(long, value_name = "PLACE")]
    place: Option<String>,
    /// What kind of event it is.
    #[arg(long, value_enum)]
    category: Option<NoteCategory>,
    /// The tracker it is about (its id as `tagwatch list` shows it).
    #[arg(long, value_name = "ID")]
    tracker: Option<String>,
    /// The serial number read off the tag or Apple's NFC page.
    #[arg(long, value_name = "SERIAL")]
    serial: Option<String>,
    /// The owner's phone number as shown masked on Apple's NFC page ("•••• ••• 1234").
    #[arg(long, value_name = "DIGITS")]
    phone: Option<String>,
    /// Where the serial or phone digits were read ("Apple NFC page", "on the tag",
    /// "iPhone alert screen").
    #[arg(long, value_name = "WHERE")]
    read_from: Option<String>,
    #[command(flatten)]
    db: DbArgs,
}

/// An RFC 3339 time, or a plain date and time in this computer's zone, as microseconds UTC;
/// what is wrong in the command's language (clap puts the value and the option before it).
fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_micros());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp_micros())
                .ok_or_else(|| super::lang().t("time-nonexistent").to_string());
        }
    }
    Err(super::lang().t("time-invalid").to_string())
}

impl NoteArgs {
    pub(crate) fn run(&self) -> ExitCode {
        let mut store = match self.db.open(Mode::Existing) {
            Ok(s) => s,
            Err(code) => return code,
        };
        let now_us = chrono::Utc::now().timestamp_micros();
        if let Some(id) = &self.tracker {
            // A note about a tracker the evidence does not hold would link to nothing.
            if let Err(e) = store.report_data(Some(id), now_us) {
                let code = store_failed(&e);
                if let (StoreError::UnknownTracker(_), Ok(all)) = (&e, store.report_data(None, now_us)) {
                    suggest_ids(id, &all);
                }
                return code;
            }
        }
        let note = NoteRecord {
            time_us: now_us,
            text: self.text.clone(),
            event_us: self.at,
            place: self.place.clone(),
            category: self.category,
            tracker_id: self.tracker.clone(),
            identification: Identification {
                serial: self.serial.clone(),
                owner_phone: self.phone.clone(),
                read_from: self.read_from.clone(),
            },
            ..NoteRecord::default()
        };
        match store.add_note_record(note, self.file.as_deref()) {
            Ok(n) => {
                match (&n.attachment_name, &n.attachment_sha256) {
                    (Some(name), Some(sha)) => println!(
                        "{}",
                        super::lang().fill(
                            "note-stored-with",
                            &[("file", &present::neutralise(name)), ("sha", sha)]
                        )
                    ),
                    _ => println!("{}", super::lang().t("note-stored")),
                }
                ExitCode::SUCCESS
            }
            Err(e @ StoreError::Attachment(_)) => bad_input(&e),
            Err(e) => store_failed(&e),
        }
    }
}
