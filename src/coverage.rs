//! What a result covers: how long the input was heard, how many advertisements and tracker
//! sightings, how many got a position, what the tracks held. A statement about trackers is
//! only worth what was checked, so every result carries this.

use std::path::{Path, PathBuf};

use crate::classify::Classification;
use crate::correlate::Sighted;
use crate::i18n::{Lang, Localised, Message};
use crate::location::{self, Track, TrackError, TrackFormat};

/// From one moment to another (UTC microseconds), both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub first_us: i64,
    pub last_us: i64,
}

impl Span {
    pub fn of(track: &Track) -> Option<Span> {
        let fixes = track.fixes();
        Some(Span {
            first_us: fixes.first()?.time_us,
            last_us: fixes.last()?.time_us,
        })
    }

    pub fn length_us(&self) -> i64 {
        self.last_us.saturating_sub(self.first_us)
    }

    fn add(span: &mut Option<Span>, time_us: i64) {
        match span {
            Some(s) => {
                s.first_us = s.first_us.min(time_us);
                s.last_us = s.last_us.max(time_us);
            }
            None => {
                *span = Some(Span {
                    first_us: time_us,
                    last_us: time_us,
                })
            }
        }
    }
}

/// One `--track` file as read: its format, fixes, and what was skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackRead {
    pub path: PathBuf,
    pub format: TrackFormat,
    pub fixes: usize,
    pub skipped: usize,
    /// The first skipped record and why ("line 12: bad checksum").
    pub first_problem: Option<location::ParseError>,
    pub span: Option<Span>,
}

/// Reads the `--track` files and merges them into one track (see [`Track::merge`]); the
/// first that cannot be read is the error.
pub fn read_tracks(paths: &[PathBuf]) -> Result<(Track, Vec<TrackRead>), TrackError> {
    let mut tracks = Vec::with_capacity(paths.len());
    let mut reads = Vec::with_capacity(paths.len());
    for path in paths {
        let file = location::read_track_file(path)?;
        reads.push(TrackRead {
            path: path.clone(),
            format: file.format,
            fixes: file.report.fixes,
            skipped: file.report.skipped.total(),
            first_problem: file.report.first_problem.clone(),
            span: Span::of(&file.track),
        });
        tracks.push(file.track);
    }
    Ok((Track::merge(tracks), reads))
}

/// Something the person must know about what the result covers.
#[derive(Clone, Debug, PartialEq)]
pub enum Warning {
    /// The track and the advertisements heard do not meet in time: no sighting was placed.
    TrackOutside { track: Span, heard: Span },
    /// The track covers only part of the time heard.
    TrackPartial { track: Span, heard: Span },
    /// One capture among several held no advertisement.
    CaptureHeardNothing { path: PathBuf },
    /// Records of a capture could not be interpreted: what they held was not checked.
    CaptureNotUnderstood {
        path: PathBuf,
        records: u64,
        reason: Message,
    },
    /// Advertisements dated outside 2000-2100 were dropped: the clock is not set.
    ImplausibleTimes { count: u64 },
}

impl Warning {
    /// The warning in `lang` (JSON: English); `span` writes a time span (local for a table,
    /// UTC for JSON).
    pub fn text(&self, lang: Lang, span: &dyn Fn(Span) -> String) -> String {
        let path_of = |path: &std::path::Path| crate::present::neutralise(&path.display().to_string());
        match self {
            Warning::TrackOutside { track, heard } => lang.fill(
                "warning-track-outside",
                &[("track", &span(*track)), ("heard", &span(*heard))],
            ),
            Warning::TrackPartial { track, heard } => lang.fill(
                "warning-track-partial",
                &[("track", &span(*track)), ("heard", &span(*heard))],
            ),
            Warning::CaptureHeardNothing { path } => {
                lang.fill("warning-heard-nothing", &[("path", &path_of(path))])
            }
            Warning::ImplausibleTimes { count } => lang.fill("warning-implausible-times", &[("n", count)]),
            Warning::CaptureNotUnderstood {
                path,
                records,
                reason,
            } => lang.fill(
                "warning-not-understood",
                &[
                    ("path", &path_of(path)),
                    ("n", records),
                    ("reason", &reason.text(lang)),
                ],
            ),
        }
    }
}

/// What a result covers; built as advertisements arrive, completed by [`Coverage::finish`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Advertisements heard, trackers and everything else.
    pub advertisements: u64,
    /// From the first advertisement to the last (None when nothing was heard).
    pub heard: Option<Span>,
    /// Sightings of trackers (phones, computers and headphones near their owners not
    /// counted: they are the people around).
    pub tracker_sightings: u64,
    /// Of those, how many got a position.
    pub placed_sightings: u64,
    /// How long a live session ran, the radio up or not (None for captures).
    pub ran_us: Option<i64>,
    /// The track the sightings were placed on (a file or gpsd), if any.
    pub track: Option<Span>,
    /// Fixes in that track.
    pub track_fixes: usize,
    /// The `--track` files, as read.
    pub track_files: Vec<TrackRead>,
    /// Reading stopped early somewhere: the result covers only what was read.
    pub incomplete: bool,
    /// Advertisements dated outside 2000-2100 ([`crate::model::PLAUSIBLE_TIME_US`]) that
    /// reached the analysis (a live scan's clock): dropped, never kept.
    pub implausible_times: u64,
    /// Records read but not understood (an unknown header version, link type ...): what they
    /// held was not checked.
    pub unreadable_records: u64,
    pub warnings: Vec<Warning>,
}

impl Coverage {
    /// Counts one advertisement heard at `time_us`.
    pub fn heard(&mut self, time_us: i64) {
        self.advertisements += 1;
        Span::add(&mut self.heard, time_us);
    }

    /// Counts an advertisement dropped for its time.
    pub fn implausible_time(&mut self) {
        self.implausible_times += 1;
    }

    /// Adds what `part` heard (counted in another thread): advertisements, their span and
    /// those dropped for their time.
    pub fn add_heard(&mut self, part: &Coverage) {
        self.advertisements += part.advertisements;
        self.implausible_times += part.implausible_times;
        if let Some(span) = part.heard {
            Span::add(&mut self.heard, span.first_us);
            Span::add(&mut self.heard, span.last_us);
        }
    }

    /// Counts one tracker sighting.
    pub fn sighted(&mut self, class: &Classification<'_, '_>, sighted: &Sighted<'_>) {
        if !class.bystander() {
            self.tracker_sightings += 1;
            self.placed_sightings += u64::from(sighted.position.is_some());
        }
    }

    /// Adds what the track covers and warns where it does not meet the time heard. A
    /// sighting up to `max_gap_us` beyond the track's ends still gets a position.
    pub fn finish(&mut self, track: Option<&Track>, files: &[TrackRead], max_gap_us: i64) {
        if self.implausible_times > 0 {
            self.warnings.push(Warning::ImplausibleTimes {
                count: self.implausible_times,
            });
        }
        self.track = track.and_then(Span::of);
        self.track_fixes = track.map_or(0, Track::len);
        self.track_files = files.to_vec();
        let (Some(track), Some(heard)) = (self.track, self.heard) else {
            return;
        };
        let gap = max_gap_us.max(0);
        let starts_late = track.first_us.saturating_sub(gap) > heard.first_us;
        let ends_early = track.last_us.saturating_add(gap) < heard.last_us;
        if track.last_us.saturating_add(gap) < heard.first_us
            || track.first_us.saturating_sub(gap) > heard.last_us
        {
            self.warnings.push(Warning::TrackOutside { track, heard });
        } else if starts_late || ends_early {
            self.warnings.push(Warning::TrackPartial { track, heard });
        }
    }

    /// Warns about records of a capture that could not be interpreted.
    pub fn capture_not_understood(&mut self, path: &Path, records: u64, reason: Message) {
        self.unreadable_records += records;
        self.warnings.push(Warning::CaptureNotUnderstood {
            path: path.to_path_buf(),
            records,
            reason,
        });
    }

    /// Warns about a capture that held nothing, when others did or may have.
    pub fn capture_heard_nothing(&mut self, path: &Path) {
        self.warnings.push(Warning::CaptureHeardNothing {
            path: path.to_path_buf(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Fix;

    const MIN: i64 = 60_000_000;

    fn track(from_min: i64, to_min: i64) -> Track {
        Track::from_fixes(
            (from_min..=to_min)
                .map(|m| Fix {
                    time_us: m * MIN,
                    lat: 35.0,
                    lon: 139.0,
                    accuracy_m: None,
                })
                .collect(),
        )
    }

    fn heard(from_min: i64, to_min: i64) -> Coverage {
        let mut c = Coverage::default();
        c.heard(from_min * MIN);
        c.heard(to_min * MIN);
        c
    }

    #[test]
    fn a_track_elsewhere_in_time_or_short_of_the_capture_is_a_warning() {
        let mut c = heard(100, 200);
        c.finish(Some(&track(0, 50)), &[], 2 * MIN);
        assert!(
            matches!(c.warnings[..], [Warning::TrackOutside { .. }]),
            "{:?}",
            c.warnings
        );
        let mut c = heard(100, 200);
        c.finish(Some(&track(100, 150)), &[], 2 * MIN);
        assert!(
            matches!(c.warnings[..], [Warning::TrackPartial { .. }]),
            "{:?}",
            c.warnings
        );
        // Ends within the gap a sighting may be from the track: covered.
        let mut c = heard(100, 200);
        c.finish(Some(&track(101, 199)), &[], 2 * MIN);
        assert_eq!(c.warnings, []);
        assert_eq!((c.track_fixes, c.track.unwrap().length_us()), (99, 98 * MIN));
    }

    #[test]
    fn nothing_heard_has_no_span_and_no_track_warning() {
        let mut c = Coverage::default();
        c.finish(Some(&track(0, 5)), &[], MIN);
        assert_eq!((c.advertisements, c.heard, c.warnings.len()), (0, None, 0));
    }
}
