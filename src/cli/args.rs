//! Argument groups several commands share, and what they name, read.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use tagwatch::analyze::AnalyzeOptions;
use tagwatch::correlate::verdict::Sensitivity;
use tagwatch::correlate::{Allowlist, NamedPlace};
use tagwatch::coverage::{self, TrackRead};
use tagwatch::exit;
use tagwatch::i18n::Localised;
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

impl JudgeArgs {
    /// The settings as the evidence keeps them: each file with its size and SHA-256, so the
    /// report can say exactly what the verdicts were made with.
    pub(crate) fn settings(&self) -> BTreeMap<String, String> {
        let file = |path: &std::path::Path| {
            let s = tagwatch::evidence::Source::capture(path);
            match (s.size, s.sha256) {
                (Some(size), Some(sha)) => {
                    format!("{} ({} bytes, SHA-256 {sha})", s.path, present::grouped(size))
                }
                _ => format!("{} (unreadable)", s.path),
            }
        };
        let mut settings = BTreeMap::new();
        let sensitivity = self
            .sensitivity
            .to_possible_value()
            .map(|v| v.get_name().to_string());
        settings.insert("sensitivity".to_string(), sensitivity.unwrap_or_default());
        settings.insert("max_gap_s".to_string(), self.max_gap.to_string());
        let tracks: Vec<String> = self.tracks.iter().map(|p| file(p)).collect();
        if !tracks.is_empty() {
            settings.insert("track".to_string(), tracks.join("; "));
        }
        if let Some(allow) = &self.allow {
            settings.insert("allow_list".to_string(), file(allow));
        }
        if let Some(places) = &self.places_file {
            settings.insert("places_file".to_string(), file(places));
        }
        if !self.places.is_empty() {
            let places: Vec<String> = self
                .places
                .iter()
                .map(|p| format!("{}={},{},{}", p.name, p.lat, p.lon, p.radius_m))
                .collect();
            settings.insert("places".to_string(), places.join("; "));
        }
        settings
    }
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

/// "90s", "2m", "1h", "120" (seconds) as microseconds; what is wrong in the command's
/// language (clap puts the value and the option before it).
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let wrong = |key| super::lang().t(key).to_string();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = number.parse().map_err(|_| wrong("duration-invalid"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(wrong("duration-unit")),
    };
    n.checked_mul(seconds * 1_000_000)
        .ok_or_else(|| wrong("duration-too-long"))
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
                eprintln!("{}", super::lang().t("store-other-place-hint"));
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
    super::error(&present::neutralise(&e.text(super::lang())));
    if matches!(e, StoreError::Missing { .. }) {
        eprintln!("{}", super::lang().t("store-missing-hint"));
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
