//! The `analyze` pipeline: read captures, classify every advertisement, gather trackers.

mod pipeline;

use std::path::PathBuf;

use crate::capture::{self, AdvertisementSource, CaptureError, Format, ReadStats};
use crate::classify::{Classification, Classifier, personal_device_near_owner};
use crate::correlate::advisory::{self, Advisory};
use crate::correlate::verdict::Rules;
use crate::correlate::{Allowlist, NamedPlace, Sighted, Tracker, Trackers};
use crate::coverage::{Coverage, TrackRead};
use crate::location::{DEFAULT_MAX_GAP_US, OnTrack, PositionSource, Track};
use crate::model::Advertisement;
use crate::store::{Recorder, StoreError};

/// How one capture file went.
#[derive(Debug)]
pub struct CaptureSummary {
    pub path: PathBuf,
    pub format: Option<Format>,
    pub stats: ReadStats,
    /// Why reading stopped early, if it did. What was read before still counts.
    pub error: Option<CaptureError>,
}

impl CaptureSummary {
    /// Read to its end without a single advertisement.
    pub fn heard_nothing(&self) -> bool {
        self.stats.advertisements == 0 && self.error.is_none()
    }
}

/// The result of analysing one or more captures together.
#[derive(Debug)]
pub struct Analysis {
    pub trackers: Vec<Tracker>,
    pub captures: Vec<CaptureSummary>,
    /// Advertisements from devices that are not trackers: counted, never kept.
    pub other_advertisements: u64,
    /// Whether a track gave sightings positions (else the trackers have no places).
    pub located: bool,
    /// Why the evidence could not all be stored, if so (what was stored before stays).
    pub store_error: Option<StoreError>,
    /// What the result covers.
    pub coverage: Coverage,
    /// Devices near their owner with the person at places for an hour (not an alert).
    pub advisory: Option<Advisory>,
}

/// What a result says, in one word: the statement the table and JSON lead with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one tracker follows that the user has not marked as their own.
    Following,
    /// Trackers were heard, none following (or only the user's own).
    Trackers,
    /// Advertisements were heard, none from a tracker.
    NoTrackers,
    /// Not a single advertisement: no tracker could have been seen. Not an all-clear.
    NothingHeard,
}

/// How to analyse, beyond which captures.
#[derive(Clone, Copy, Debug)]
pub struct AnalyzeOptions<'a> {
    /// Where the person was; each tracker sighting is placed on it.
    pub track: Option<&'a Track>,
    /// A sighting farther than this from every fix has no position.
    pub max_gap_us: i64,
    /// When a tracker counts as following (from `--sensitivity`).
    pub rules: Rules,
    /// The user's own trackers: never alerted.
    pub allow: &'a Allowlist,
    /// Places the user named (home, work ...).
    pub named_places: &'a [NamedPlace],
    /// The `--track` files behind `track`, for the coverage.
    pub track_files: &'a [TrackRead],
}

impl Default for AnalyzeOptions<'_> {
    fn default() -> Self {
        static NONE: std::sync::LazyLock<Allowlist> = std::sync::LazyLock::new(Allowlist::default);
        AnalyzeOptions {
            track: None,
            max_gap_us: DEFAULT_MAX_GAP_US,
            rules: Rules::default(),
            allow: &NONE,
            named_places: &[],
            track_files: &[],
        }
    }
}

impl<'a> AnalyzeOptions<'a> {
    /// No trackers yet, judged as these options say. Sightings are placed by `positions`,
    /// else on the track.
    pub fn trackers(&self, positions: Option<Box<dyn PositionSource + 'a>>) -> Trackers<'a> {
        let positions = positions.or_else(|| {
            let track = self.track?;
            let on_track = OnTrack {
                track,
                max_gap_us: self.max_gap_us,
            };
            Some(Box::new(on_track) as Box<dyn PositionSource + 'a>)
        });
        let trackers = match positions {
            Some(p) => Trackers::with_positions(p),
            None => Trackers::new(),
        };
        trackers
            .with_rules(self.rules)
            .with_allowlist(self.allow.clone())
            .with_named_places(self.named_places.to_vec())
    }
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.captures.iter().any(|c| c.error.is_some())
    }

    /// The trackers a person is shown: phones, computers and headphones near their owners
    /// are the people around, not trackers to worry about.
    pub fn listed(&self, all: bool) -> impl Iterator<Item = &Tracker> {
        self.trackers
            .iter()
            .filter(move |t| all || !personal_device_near_owner(t.owner_state, t.model))
    }

    pub fn outcome(&self) -> Outcome {
        if self.coverage.advertisements == 0 {
            Outcome::NothingHeard
        } else if self.trackers.iter().any(Tracker::alarms) {
            Outcome::Following
        } else if self.listed(false).next().is_some() {
            Outcome::Trackers
        } else {
            Outcome::NoTrackers
        }
    }
}

/// Opens every capture to check it can be read, before any is analysed: a wrong file must
/// be said before a result that would leave it out. Returns every one that cannot be read.
/// A pipe is left to the analysis: reading it here would consume what the analysis must read.
/// A bug report zip is checked for each snoop log in it.
pub fn check_captures(paths: &[PathBuf]) -> Vec<CaptureError> {
    paths
        .iter()
        .filter(|p| !std::fs::metadata(p).is_ok_and(|m| is_pipe(&m.file_type())))
        .flat_map(|p| match capture::members(p) {
            Ok(members) => members.iter().filter_map(|m| m.open().err()).collect(),
            Err(e) => vec![e],
        })
        .collect()
}

/// The captures `paths` hold, in the order [`analyze_files`] reads them (a bug report zip's
/// snoop logs oldest first): the sources a recorder is begun with. A path that cannot be
/// looked into stands for itself (reading it says why).
pub fn members(paths: &[PathBuf]) -> Vec<capture::Member> {
    paths
        .iter()
        .flat_map(|p| capture::members(p).unwrap_or_else(|_| vec![capture::Member::file(p)]))
        .collect()
}

#[cfg(unix)]
fn is_pipe(t: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    t.is_fifo() || t.is_socket()
}

#[cfg(not(unix))]
fn is_pipe(_: &std::fs::FileType) -> bool {
    false
}

/// Progress is reported in bytes read across all captures, about every this many records.
const PROGRESS_EVERY: u64 = 4096;

/// How many threads analyse a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// Reading, classifying and correlating one after another.
    One,
    /// Reading and classifying in a thread of their own, beside correlation (see
    /// `pipeline`): the same result, sooner.
    Two,
}

impl Threads {
    /// Two where the machine has two cores or more.
    pub fn available() -> Threads {
        match std::thread::available_parallelism().map_or(1, |n| n.get()) {
            1 => Threads::One,
            _ => Threads::Two,
        }
    }
}

/// Analyses `paths` as one session (the `recorder`'s sources are their [`members`], in the
/// same order). `progress` receives the bytes read so far.
///
/// The files are read in the order given, not sorted by time: a tracker's rotation is linked
/// across two files only when they come in recording order (see `correlate`).
pub fn analyze_files(
    paths: &[PathBuf],
    options: &AnalyzeOptions<'_>,
    recorder: Option<Recorder<'_>>,
    progress: impl FnMut(u64),
) -> Analysis {
    analyze_files_in(Threads::available(), paths, options, recorder, progress)
}

/// [`analyze_files`] in this many threads: the result is the same either way.
pub fn analyze_files_in(
    threads: Threads,
    paths: &[PathBuf],
    options: &AnalyzeOptions<'_>,
    mut recorder: Option<Recorder<'_>>,
    mut progress: impl FnMut(u64),
) -> Analysis {
    let classifier = Classifier::builtin();
    let mut trackers = options.trackers(None);
    let mut coverage = Coverage::default();
    let mut captures = Vec::new();
    let mut done_bytes = 0;
    for (i, member) in members(paths).iter().enumerate() {
        if let Some(r) = recorder.as_mut() {
            r.reading(i);
        }
        let path = member.name();
        let summary = match member.open() {
            Err(error) => CaptureSummary {
                path,
                format: error.format,
                stats: ReadStats::default(),
                error: Some(error),
            },
            Ok(mut cap) => {
                let name = path.display().to_string();
                let done = done_bytes;
                let read_to = |pos: u64| progress(done + pos);
                let on_tracker =
                    |adv: &Advertisement<'_>, class: &Classification<'static, '_>, sighted: Sighted<'_>| {
                        if let Some(r) = recorder.as_mut() {
                            r.sighting(adv, class, &sighted, &name);
                        }
                    };
                let (source, t, c) = (cap.source.as_mut(), &mut trackers, &mut coverage);
                let result = match threads {
                    Threads::One => feed_with(source, classifier, t, c, read_to, on_tracker),
                    Threads::Two => pipeline::feed(source, classifier, t, c, read_to, on_tracker),
                };
                // A pipe's size is 0, and a file may grow while it is read: the bar only moves on.
                done_bytes += cap.size.unwrap_or(0).max(cap.source.position());
                progress(done_bytes);
                CaptureSummary {
                    path,
                    format: Some(cap.format),
                    stats: cap.source.stats(),
                    error: result.err(),
                }
            }
        };
        captures.push(summary);
    }
    // Among captures that heard something, one that heard nothing is easy to miss.
    if coverage.advertisements > 0 {
        for c in captures.iter().filter(|c| c.heard_nothing()) {
            coverage.capture_heard_nothing(&c.path);
        }
    }
    for c in captures.iter().filter(|c| c.stats.unreadable > 0) {
        // The first record not understood gave the reason.
        if let Some(reason) = c.stats.unreadable_reason {
            coverage.capture_not_understood(&c.path, c.stats.unreadable, reason.message());
        }
    }
    coverage.incomplete = captures.iter().any(|c| c.error.is_some());
    coverage.finish(options.track, options.track_files, options.max_gap_us);
    let other_advertisements = trackers.other_advertisements;
    let mut trackers = trackers.into_sorted();
    if let Some(r) = recorder.as_mut() {
        r.recall_history(&mut trackers, &options.rules, options.named_places);
    }
    let advisory = advisory::in_person(&options.rules, &trackers);
    let store_error = recorder.and_then(|r| {
        let ended_us = chrono::Utc::now().timestamp_micros();
        r.finish(options.track, &trackers, other_advertisements, ended_us)
            .err()
    });
    Analysis {
        other_advertisements,
        advisory,
        trackers,
        captures,
        located: options.track.is_some(),
        store_error,
        coverage,
    }
}

/// Runs every advertisement of `source` through the classifier into `trackers`.
pub fn feed(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    mut progress: impl FnMut(u64),
) -> Result<(), CaptureError> {
    let mut coverage = Coverage::default();
    feed_with(
        source,
        classifier,
        trackers,
        &mut coverage,
        &mut progress,
        |_, _, _| {},
    )
}

/// [`feed`], handing every tracker sighting (with its classification and the entry it
/// joined) to `on_tracker`: how the evidence store gets them. Bystanders never reach it.
/// `coverage` counts what was heard.
pub fn feed_with(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    coverage: &mut Coverage,
    mut progress: impl FnMut(u64),
    mut on_tracker: impl FnMut(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) -> Result<(), CaptureError> {
    let mut records = 0u64;
    let mut sink = |adv: &Advertisement<'_>| add_one(adv, classifier, trackers, coverage, &mut on_tracker);
    while source.next_record(&mut sink)? {
        records += 1;
        if records.is_multiple_of(PROGRESS_EVERY) {
            progress(source.position());
        }
    }
    Ok(())
}

/// Classifies one advertisement into `trackers`, counting it in `coverage` and handing a
/// tracker sighting to `on_tracker`: the step [`feed_with`] and the live session share.
pub fn add_one(
    adv: &Advertisement<'_>,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    coverage: &mut Coverage,
    on_tracker: impl FnOnce(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) {
    if heard(adv.time_us, coverage) {
        let class = classifier.classify(adv.data);
        correlate(adv, class.as_ref(), trackers, coverage, on_tracker);
    }
}

/// Counts an advertisement heard at `time_us` in `coverage`; false when its time is implausible.
fn heard(time_us: i64, coverage: &mut Coverage) -> bool {
    // Captures drop these as damaged records; a live adapter's time is this computer's clock,
    // which on a Raspberry Pi without network can start at 1970.
    if !crate::model::PLAUSIBLE_TIME_US.contains(&time_us) {
        coverage.implausible_time();
        return false;
    }
    coverage.heard(time_us);
    true
}

/// Adds a heard advertisement and its classification to `trackers`, handing a tracker
/// sighting to `on_tracker` and counting it in `coverage`.
fn correlate(
    adv: &Advertisement<'_>,
    class: Option<&Classification<'static, '_>>,
    trackers: &mut Trackers<'_>,
    coverage: &mut Coverage,
    on_tracker: impl FnOnce(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) {
    if let Some(sighted) = trackers.add(adv, class) {
        let class = class.expect("only trackers are sighted");
        coverage.sighted(class, &sighted);
        on_tracker(adv, class, sighted);
    }
}

/// Total size of the captures, for a progress bar (a bug report's logs inflated; what cannot
/// be read counts as 0).
pub fn total_size(paths: &[PathBuf]) -> u64 {
    members(paths).iter().map(capture::Member::size).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AddrType, BdAddr, PduKind};

    /// A live adapter's times come from this computer's clock, which may be unset (1970).
    #[test]
    fn advertisements_dated_outside_the_plausible_range_are_dropped_and_warned_about() {
        // A separated AirTag's advertisement.
        let data = hex::decode("1eff4c0012191000112233445566778899aabbccddeeff00112233445566770000").unwrap();
        let mut trackers = AnalyzeOptions::default().trackers(None);
        let mut coverage = Coverage::default();
        for time_us in [0, 1_768_464_000_000_000] {
            let adv = Advertisement {
                time_us,
                address: BdAddr([0xC0, 1, 2, 3, 4, 5]),
                addr_type: AddrType::Random,
                rssi: Some(-60),
                pdu: PduKind::AdvNonconnInd,
                data: &data,
            };
            add_one(
                &adv,
                Classifier::builtin(),
                &mut trackers,
                &mut coverage,
                |_, _, _| {},
            );
        }
        assert_eq!((coverage.implausible_times, coverage.advertisements), (1, 1));
        assert_eq!(trackers.into_sorted()[0].sightings, 1);
        coverage.finish(None, &[], 0);
        assert_eq!(
            coverage.warnings,
            [crate::coverage::Warning::ImplausibleTimes { count: 1 }]
        );
    }
}
