//! Argument groups several commands share, and what they name, read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use tagwatch::analyze::AnalyzeOptions;
use tagwatch::correlate::verdict::Sensitivity;
use tagwatch::correlate::{Allowlist, NamedPlace};
use tagwatch::coverage::{self, TrackRead};
use tagwatch::exit;
use tagwatch::location::{DEFAULT_MAX_GAP_US, Track};
use tagwatch::present;
use tagwatch::store::{Mode, Store, StoreError};

use super::bad_input;

/// How trackers are judged: shared by `analyze`, `scan` and `sweep`.
#[derive(Args)]
pub(crate) struct JudgeArgs {
    /// Where you were (GPX, NMEA 0183, CSV, gpsd JSON, Google's Records.json or Timeline.json;
    /// repeat for several files, merged into one track): gives each tracker its places and the
    /// distance it went with you.
    #[arg(long = "track", value_name = "FILE")]
    tracks: Vec<PathBuf>,
    /// A sighting farther than this from every fix of the track has no position.
    #[arg(long, value_name = "SECONDS", default_value_t = (DEFAULT_MAX_GAP_US / 1_000_000) as u32)]
    pub(crate) max_gap: u32,
    /// How readily to say a tracker follows you (README: "How tagwatch decides").
    #[arg(long, value_enum, default_value_t = SensitivityArg::Medium)]
    sensitivity: SensitivityArg,
    /// Your own trackers, listed but never alerted: one address, tagwatch id or
    /// identity:HEX per line.
    #[arg(long, value_name = "FILE", env = "TAGWATCH_ALLOW")]
    pub(crate) allow: Option<PathBuf>,
    /// Name a place, e.g. `--place home=35.6812,139.7671` or `work=35.68,139.70,300` (radius in
    /// metres, 150 if left out); repeatable.
    #[arg(long = "place", value_name = "NAME=LAT,LON[,RADIUS]", value_parser = NamedPlace::parse)]
    places: Vec<NamedPlace>,
    /// A file of named places, one NAME=LAT,LON[,RADIUS] per line.
    #[arg(long = "places", value_name = "FILE")]
    places_file: Option<PathBuf>,
}

/// What [`JudgeArgs`] name, read.
pub(crate) struct Judge {
    pub(crate) track: Option<Track>,
    track_files: Vec<TrackRead>,
    allow: Allowlist,
    named_places: Vec<NamedPlace>,
}

impl JudgeArgs {
    /// Reads the track, allow list and places. `allow_may_be_missing`: the live view creates
    /// the allow list when a tracker is first marked as mine.
    pub(crate) fn load(&self, allow_may_be_missing: bool) -> Result<Judge, ExitCode> {
        // Without the track or allow list the verdicts would silently be wrong: stop first.
        let (track, track_files) = match self.tracks.as_slice() {
            [] => (None, Vec::new()),
            tracks => {
                let (track, files) = coverage::read_tracks(tracks).map_err(|e| bad_input(&e))?;
                (Some(track), files)
            }
        };
        let allow = match &self.allow {
            Some(path) if !allow_may_be_missing || path.exists() => {
                Allowlist::read(path).map_err(|e| bad_input(&e))?
            }
            _ => Allowlist::default(),
        };
        let mut named_places = self.places.clone();
        if let Some(path) = &self.places_file {
            named_places.extend(NamedPlace::read_file(path).map_err(|e| bad_input(&e))?);
        }
        Ok(Judge {
            track,
            track_files,
            allow,
            named_places,
        })
    }

    pub(crate) fn options<'a>(&self, judge: &'a Judge) -> AnalyzeOptions<'a> {
        AnalyzeOptions {
            track: judge.track.as_ref(),
            max_gap_us: i64::from(self.max_gap) * 1_000_000,
            rules: Sensitivity::from(self.sensitivity).rules(),
            allow: &judge.allow,
            named_places: &judge.named_places,
            track_files: &judge.track_files,
        }
    }
}

/// "90s", "2m", "1h", "120" (seconds) as microseconds.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 90s, 2m or 1h"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{s:?}: the unit is s, m or h")),
    };
    n.checked_mul(seconds * 1_000_000)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// Where evidence goes, for the commands that gather it.
#[derive(Args)]
pub(crate) struct StoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only look: keep nothing in the evidence database.
    #[arg(long)]
    no_store: bool,
}

impl StoreArgs {
    /// The evidence store, unless `--no-store`.
    pub(crate) fn open(&self) -> Result<Option<Store>, ExitCode> {
        if self.no_store {
            Ok(None)
        } else {
            self.db.open(Mode::Create).map(Some)
        }
    }
}

/// Where a session's closing anchor goes (`analyze`, `scan`, `sweep`).
#[derive(Args)]
pub(crate) struct OnAnchor {
    /// Run this command (`sh -c`) with the session's closing anchor as JSON on its standard
    /// input, to send it away (mail, a messenger, someone you trust); README "Anchors".
    #[arg(long, value_name = "CMD", conflicts_with = "no_store")]
    pub(crate) on_anchor: Option<String>,
}

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

#[derive(Args)]
pub(crate) struct DbArgs {
    /// The evidence database [default: tagwatch/evidence.sqlite in your data folder].
    #[arg(long, value_name = "PATH", env = "TAGWATCH_DB")]
    db: Option<PathBuf>,
}

impl DbArgs {
    pub(crate) fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(Store::default_path)
    }

    /// The store to write to: `Create` for the commands that gather evidence, `Existing` for
    /// `note`.
    pub(crate) fn open(&self, mode: Mode) -> Result<Store, ExitCode> {
        Store::open(&self.path(), mode).map_err(|e| {
            cannot_open(&e);
            if mode == Mode::Create {
                eprintln!("(give another place with --db PATH, or --no-store to only look)");
            }
            ExitCode::from(exit::DATABASE)
        })
    }

    /// The store to read, never written to: `verify`, `report`, `export`.
    pub(crate) fn open_read_only(&self) -> Result<Store, ExitCode> {
        Store::open_read_only(&self.path()).map_err(|e| {
            cannot_open(&e);
            ExitCode::from(exit::DATABASE)
        })
    }
}

pub(crate) fn cannot_open(e: &StoreError) {
    eprintln!("error: {}", present::neutralise(&e.to_string()));
    if matches!(e, StoreError::Missing { .. }) {
        eprintln!("(give the database with --db PATH or TAGWATCH_DB)");
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SensitivityArg {
    Low,
    Medium,
    High,
}

impl From<SensitivityArg> for Sensitivity {
    fn from(s: SensitivityArg) -> Self {
        match s {
            SensitivityArg::Low => Sensitivity::Low,
            SensitivityArg::Medium => Sensitivity::Medium,
            SensitivityArg::High => Sensitivity::High,
        }
    }
}
