//! The `analyze` pipeline: read captures, classify every advertisement, gather trackers.

use std::path::{Path, PathBuf};

use crate::capture::{self, AdvertisementSource, CaptureError, Format, ReadStats};
use crate::classify::{Classification, Classifier};
use crate::correlate::verdict::Rules;
use crate::correlate::{Allowlist, NamedPlace, Sighted, Tracker, Trackers};
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
}

/// Progress is reported in bytes read across all captures, about every this many records.
const PROGRESS_EVERY: u64 = 4096;

/// Analyses `paths` as one session (the `recorder`'s sources, in the same order). `progress`
/// receives the bytes read so far.
///
/// The files are read in the order given, not sorted by time: a tracker's rotation is linked
/// across two files only when they come in recording order (see `correlate`).
pub fn analyze_files(
    paths: &[PathBuf],
    options: &AnalyzeOptions<'_>,
    mut recorder: Option<Recorder<'_>>,
    mut progress: impl FnMut(u64),
) -> Analysis {
    let classifier = Classifier::builtin();
    let mut trackers = options.trackers(None);
    let mut captures = Vec::new();
    let mut done_bytes = 0;
    for (i, path) in paths.iter().enumerate() {
        if let Some(r) = recorder.as_mut() {
            r.reading(i);
        }
        let summary = match capture::open(path) {
            Err(error) => CaptureSummary {
                path: path.clone(),
                format: error.format,
                stats: ReadStats::default(),
                error: Some(error),
            },
            Ok(mut cap) => {
                let source = path.display().to_string();
                let result = feed_with(
                    cap.source.as_mut(),
                    classifier,
                    &mut trackers,
                    |pos| progress(done_bytes + pos),
                    |adv, class, sighted| {
                        if let Some(r) = recorder.as_mut() {
                            r.sighting(adv, class, &sighted, &source);
                        }
                    },
                );
                done_bytes += cap.size.unwrap_or(cap.source.position());
                progress(done_bytes);
                CaptureSummary {
                    path: path.clone(),
                    format: Some(cap.format),
                    stats: cap.source.stats(),
                    error: result.err(),
                }
            }
        };
        captures.push(summary);
    }
    let other_advertisements = trackers.other_advertisements;
    let trackers = trackers.into_sorted();
    let store_error = recorder.and_then(|r| {
        let ended_us = chrono::Utc::now().timestamp_micros();
        r.finish(options.track, &trackers, other_advertisements, ended_us)
            .err()
    });
    Analysis {
        other_advertisements,
        trackers,
        captures,
        located: options.track.is_some(),
        store_error,
    }
}

/// Runs every advertisement of `source` through the classifier into `trackers`.
pub fn feed(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    mut progress: impl FnMut(u64),
) -> Result<(), CaptureError> {
    feed_with(source, classifier, trackers, &mut progress, |_, _, _| {})
}

/// [`feed`], handing every tracker sighting (with its classification and the entry it
/// joined) to `on_tracker`: how the evidence store gets them. Bystanders never reach it.
pub fn feed_with(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    mut progress: impl FnMut(u64),
    mut on_tracker: impl FnMut(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) -> Result<(), CaptureError> {
    let mut records = 0u64;
    let mut sink = |adv: &Advertisement<'_>| add_one(adv, classifier, trackers, &mut on_tracker);
    while source.next_record(&mut sink)? {
        records += 1;
        if records.is_multiple_of(PROGRESS_EVERY) {
            progress(source.position());
        }
    }
    Ok(())
}

/// Classifies one advertisement into `trackers`, handing a tracker sighting to
/// `on_tracker`: the step [`feed_with`] and the live session share.
pub fn add_one(
    adv: &Advertisement<'_>,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    on_tracker: impl FnOnce(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) {
    let class = classifier.classify(adv.data);
    if let Some(sighted) = trackers.add(adv, class.as_ref()) {
        on_tracker(adv, class.as_ref().expect("only trackers are sighted"), sighted);
    }
}

/// Total size of the files, for a progress bar (files that cannot be read count as 0).
pub fn total_size(paths: &[PathBuf]) -> u64 {
    paths.iter().map(|p: &PathBuf| file_len(p)).sum()
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}
