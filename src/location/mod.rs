//! Where the person was: GPS tracks read from files or gpsd, so each tracker
//! sighting can be given a position and we can tell whether a tracker moves along.
//!
//! Every reader recognises its format by content (exported files are often
//! misnamed) and skips bad records with a count instead of failing the whole file.
//! Fixes are sorted by time, whatever order the file has them in; then the fixes a
//! receiver got wrong (a date years ahead, a multipath jump) are dropped and counted.

mod csv;
mod google;
pub mod gpsd;
mod gpsd_json;
mod gpx;
mod nmea;
mod time;
mod track;

use crate::i18n::{Lang, Localised, Message};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::files::{self, FileError};
use crate::model::PLAUSIBLE_TIME_US;

pub use csv::parse_csv;
pub use google::{parse_google_records, parse_google_timeline};
pub use gpsd_json::parse_gpsd_json;
pub use gpx::{parse_gpx, write_gpx};
pub use nmea::parse_nmea;
pub use track::{
    DEFAULT_MAX_GAP_US, Fix, MAX_SPEED_M_S, OnTrack, Outliers, PositionSource, STRETCH_GAP_US,
    TIME_OUTLIER_MAX_FIXES, Track, distance_m,
};

/// The track formats we can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackFormat {
    Gpx,
    Nmea,
    Csv,
    GpsdJson,
    /// Google Takeout's `Records.json`.
    GoogleRecords,
    /// The Timeline export of Google Maps on the phone (`Timeline.json`).
    GoogleTimeline,
}

impl fmt::Display for TrackFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrackFormat::Gpx => "GPX",
            TrackFormat::Nmea => "NMEA 0183",
            TrackFormat::Csv => "CSV",
            TrackFormat::GpsdJson => "gpsd JSON",
            TrackFormat::GoogleRecords => "Google location history (Records.json)",
            TrackFormat::GoogleTimeline => "Google Timeline export",
        })
    }
}

/// Where in the input something went wrong: text formats count lines (from 1),
/// XML counts bytes (from 0) because a GPX file may be one long line, and a JSON document
/// counts the records of its arrays (from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Line(usize),
    Byte(u64),
    Record(usize),
}

impl At {
    /// "line 12", "12 行目".
    pub fn text(self, lang: Lang) -> String {
        let (key, n) = match self {
            At::Line(n) => ("at-line", n as u64),
            At::Byte(n) => ("at-byte", n),
            At::Record(n) => ("at-record", n as u64),
        };
        Message::new(key).with("n", n).text(lang)
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Records that were dropped, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Unparsable records (bad numbers, missing fields, broken JSON...).
    pub malformed: usize,
    /// NMEA sentences whose `*hh` checksum does not match.
    pub bad_checksum: usize,
    /// NaN or out-of-range latitude/longitude.
    pub bad_coordinates: usize,
    /// A position with no usable time (e.g. a GGA before the first dated RMC).
    pub undated: usize,
    /// A time outside [`PLAUSIBLE_TIME_US`] (before 2000, from 2100): a damaged record.
    pub implausible_time: usize,
    /// Fixes in a short stretch far in time from the rest of the track
    /// (see [`TIME_OUTLIER_MAX_FIXES`]).
    pub time_outliers: usize,
    /// Fixes that jump away and back faster than [`MAX_SPEED_M_S`].
    pub impossible_jumps: usize,
}

impl Skipped {
    pub fn total(&self) -> usize {
        self.malformed
            + self.bad_checksum
            + self.bad_coordinates
            + self.undated
            + self.implausible_time
            + self.time_outliers
            + self.impossible_jumps
    }
}

/// What a reader did with its input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadReport {
    /// Fixes in the resulting track.
    pub fixes: usize,
    pub skipped: Skipped,
    /// The first skipped record, so a user can see why data went missing.
    pub first_problem: Option<ParseError>,
}

impl Localised for ReadReport {
    /// "3 fixes, 2 records skipped (first at line 4: ...)".
    fn text(&self, lang: Lang) -> String {
        let s = &self.skipped;
        let mut text = Message::new("track-read")
            .count("fixes", self.fixes as u64)
            .count("skipped", s.total() as u64)
            .text(lang);
        if s.time_outliers + s.impossible_jumps > 0 {
            let outliers = Message::new("track-read-outliers")
                .with("outliers", s.time_outliers)
                .with("jumps", s.impossible_jumps);
            text.push_str(&outliers.text(lang));
        }
        if let Some(first) = &self.first_problem {
            let first = Message::new("track-read-first")
                .with("at", first.at.text(lang))
                .nested("problem", first.problem.clone());
            text.push_str(&first.text(lang));
        }
        text
    }
}

impl fmt::Display for ReadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// A problem that stops a whole file from being read (as opposed to one record).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub struct ParseError {
    pub at: At,
    pub problem: Message,
}

impl Localised for ParseError {
    fn text(&self, lang: Lang) -> String {
        Message::new("track-at")
            .with("at", self.at.text(lang))
            .nested("problem", self.problem.clone())
            .text(lang)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum TrackError {
    /// Missing, not a regular file, or larger than [`files::TRACK`].
    File(#[from] FileError),
    UnknownFormat {
        path: PathBuf,
        json: bool,
    },
    Parse {
        path: PathBuf,
        format: TrackFormat,
        error: ParseError,
    },
    NoFix {
        path: PathBuf,
        format: TrackFormat,
        report: Box<ReadReport>,
    },
}

impl Localised for TrackError {
    fn text(&self, lang: Lang) -> String {
        let (key, path, format, detail) = match self {
            TrackError::File(e) => return e.text(lang),
            TrackError::UnknownFormat { path, json: false } => ("track-unknown", path, None, None),
            TrackError::UnknownFormat { path, json: true } => ("track-unknown-json", path, None, None),
            TrackError::Parse { path, format, error } => {
                ("track-broken", path, Some(format), Some(error.text(lang)))
            }
            TrackError::NoFix { path, format, report } => {
                ("track-no-fix", path, Some(format), Some(report.text(lang)))
            }
        };
        let mut message = Message::new(key).with("path", path.display());
        if let (Some(format), Some(detail)) = (format, detail) {
            message = message.with("format", format).with("detail", detail);
        }
        message.text(lang)
    }
}

/// A track together with how it was read.
#[derive(Clone, Debug)]
pub struct TrackFile {
    pub track: Track,
    pub format: TrackFormat,
    pub report: ReadReport,
}

/// Reads a GPS track in any supported format.
pub fn read_track(path: &Path) -> Result<Track, TrackError> {
    read_track_file(path).map(|f| f.track)
}

/// Like [`read_track`], also saying which format it was and what was skipped.
pub fn read_track_file(path: &Path) -> Result<TrackFile, TrackError> {
    let bytes = files::read_regular(path, files::TRACK)?;
    // Logs from serial ports can hold stray binary; such lines fail their own checks.
    let text = String::from_utf8_lossy(&bytes);
    let format = detect(&text).ok_or_else(|| TrackError::UnknownFormat {
        path: path.into(),
        json: text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with(['{', '[']),
    })?;
    let parsed = match format {
        TrackFormat::Gpx => parse_gpx(&text),
        TrackFormat::Nmea => Ok(parse_nmea(&text)),
        TrackFormat::Csv => parse_csv(&text),
        TrackFormat::GpsdJson => Ok(parse_gpsd_json(&text)),
        TrackFormat::GoogleRecords => parse_google_records(&text),
        TrackFormat::GoogleTimeline => parse_google_timeline(&text),
    };
    let (track, report) = parsed.map_err(|error| TrackError::Parse {
        path: path.into(),
        format,
        error,
    })?;
    if track.is_empty() {
        return Err(TrackError::NoFix {
            path: path.into(),
            format,
            report: Box::new(report),
        });
    }
    Ok(TrackFile {
        track,
        format,
        report,
    })
}

/// Lines looked at when sniffing: enough to pass gpsd's comment header.
const SNIFF_LINES: usize = 64;

/// Guesses the format from the text itself.
pub fn detect(text: &str) -> Option<TrackFormat> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        let head: String = text.chars().take(4096).collect();
        return head.contains("gpx").then_some(TrackFormat::Gpx);
    }
    if let Some(timeline) = google::detect(text) {
        return Some(if timeline {
            TrackFormat::GoogleTimeline
        } else {
            TrackFormat::GoogleRecords
        });
    }
    let mut nmea = false;
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(SNIFF_LINES)
    {
        // gpspipe -r -w interleaves raw NMEA with the JSON reports; the JSON wins.
        if line.starts_with('{') && line.contains("\"class\"") {
            return Some(TrackFormat::GpsdJson);
        }
        nmea |= line.starts_with('$');
    }
    if nmea {
        return Some(TrackFormat::Nmea);
    }
    let header = text.lines().next()?;
    csv::is_header(header).then_some(TrackFormat::Csv)
}

/// Collects fixes in file order, applying the skip rules every format shares; sorting and
/// dropping outliers happen once all are read.
struct Builder {
    fixes: Vec<Fix>,
    /// Where each fix was read.
    ats: Vec<At>,
    report: ReadReport,
}

#[derive(Clone, Copy, Debug)]
enum Skip {
    Malformed,
    BadChecksum,
    BadCoordinates,
    Undated,
    ImplausibleTime,
}

impl Builder {
    fn new() -> Self {
        Builder {
            fixes: Vec::new(),
            ats: Vec::new(),
            report: ReadReport::default(),
        }
    }

    fn skip(&mut self, why: Skip, at: At, problem: Message) {
        let s = &mut self.report.skipped;
        *match why {
            Skip::Malformed => &mut s.malformed,
            Skip::BadChecksum => &mut s.bad_checksum,
            Skip::BadCoordinates => &mut s.bad_coordinates,
            Skip::Undated => &mut s.undated,
            Skip::ImplausibleTime => &mut s.implausible_time,
        } += 1;
        self.report
            .first_problem
            .get_or_insert(ParseError { at, problem });
    }

    /// A record with the same time as the previous fix refines it (receivers send
    /// GGA and RMC for one epoch; gpsd sends several TPVs): the later position
    /// wins, as in gpsd, and an accuracy already known is kept.
    fn push(&mut self, fix: Fix, at: At) {
        if !fix.has_valid_position() {
            let msg = Message::new("record-out-of-range")
                .with("lat", fix.lat)
                .with("lon", fix.lon);
            return self.skip(Skip::BadCoordinates, at, msg);
        }
        if !PLAUSIBLE_TIME_US.contains(&fix.time_us) {
            let msg = Message::new("record-implausible-time").with("time", shown_time(fix.time_us));
            return self.skip(Skip::ImplausibleTime, at, msg);
        }
        match self.fixes.last_mut() {
            Some(last) if fix.time_us == last.time_us => {
                *last = Fix {
                    accuracy_m: fix.accuracy_m.or(last.accuracy_m),
                    ..fix
                };
                *self.ats.last_mut().expect("one per fix") = at;
            }
            _ => {
                self.fixes.push(fix);
                self.ats.push(at);
            }
        }
    }

    /// An error estimate for the fix at `time_us`, sent on its own (NMEA GST): it replaces
    /// the one the fix came with, which was only derived from HDOP.
    fn refine_accuracy(&mut self, time_us: i64, accuracy_m: f64) {
        if let Some(last) = self.fixes.last_mut().filter(|f| f.time_us == time_us) {
            last.accuracy_m = Some(accuracy_m);
        }
    }

    fn finish(mut self) -> (Track, ReadReport) {
        let times: Vec<i64> = self.fixes.iter().map(|f| f.time_us).collect();
        let (track, outliers) = Track::without_outliers(std::mem::take(&mut self.fixes));
        let s = &mut self.report.skipped;
        s.time_outliers = outliers.time.len();
        s.impossible_jumps = outliers.jumps.len();
        self.report.fixes = track.len();
        if self.report.first_problem.is_none() {
            self.report.first_problem = first_outlier(&times, &self.ats, &outliers);
        }
        (track, self.report)
    }
}

/// The outlier read first and where it was read, from the times and places of the fixes in
/// file order (a later record of the same instant wins, as in [`Track::from_fixes`]).
fn first_outlier(times: &[i64], ats: &[At], outliers: &Outliers) -> Option<ParseError> {
    let index: HashMap<i64, usize> = times.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let time = outliers.time.iter().map(|f| {
        let why = Message::new("record-time-outlier").with("time", shown_time(f.time_us));
        (f, why)
    });
    let jumps = outliers.jumps.iter().map(|f| {
        let why = Message::new("record-jump")
            .with("lat", format!("{:.5}", f.lat))
            .with("lon", format!("{:.5}", f.lon))
            .with("time", shown_time(f.time_us))
            .with("speed", MAX_SPEED_M_S);
        (f, why)
    });
    time.chain(jumps)
        .filter_map(|(f, why)| Some((*index.get(&f.time_us)?, why)))
        .min_by_key(|(i, _)| *i)
        .map(|(i, problem)| ParseError { at: ats[i], problem })
}

/// A value of a record that cannot be read: `what` is its `field-` message ("bad time \"x\"").
fn bad_value(what: &'static str, value: &str) -> Message {
    Message::new("record-bad")
        .nested("what", Message::new(what))
        .with("value", format!("{value:?}"))
}

/// A time as RFC 3339 UTC, or the raw microseconds where chrono cannot show it.
fn shown_time(time_us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(time_us).map_or_else(
        || format!("{time_us} µs"),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(
            detect("\u{feff}<?xml version=\"1.0\"?>\n<gpx>"),
            Some(TrackFormat::Gpx)
        );
        assert_eq!(detect("<html></html>"), None);
        assert_eq!(detect("# gpsd log\n$GPRMC,1*00\n"), Some(TrackFormat::Nmea));
        assert_eq!(
            detect("$GPGGA,x*00\n{\"class\":\"TPV\",\"mode\":1}\n"),
            Some(TrackFormat::GpsdJson)
        );
        assert_eq!(detect("Time,Lat,Lng\n1,2,3\n"), Some(TrackFormat::Csv));
        assert_eq!(detect("a,b,c\n1,2,3\n"), None);
        assert_eq!(detect(""), None);
    }

    #[test]
    fn builder_merges_same_time_and_sorts() {
        let mut b = Builder::new();
        let f = |t, lat, acc| Fix {
            time_us: t,
            lat,
            lon: 1.0,
            accuracy_m: acc,
        };
        let t0 = PLAUSIBLE_TIME_US.start;
        b.push(f(t0 + 10, 1.0, Some(5.0)), At::Line(1));
        b.push(f(t0 + 10, 1.00001, None), At::Line(2));
        b.push(f(t0 + 5, 1.00002, None), At::Line(3));
        b.push(f(t0 + 20, f64::NAN, None), At::Line(4));
        b.push(f(t0 + 20, 1.00003, None), At::Line(5));
        b.push(f(t0 - 1, 1.0, None), At::Line(6));
        b.push(f(PLAUSIBLE_TIME_US.end, 1.0, None), At::Line(7));
        b.push(f(i64::MAX, 1.0, None), At::Line(8));
        let (t, r) = b.finish();
        assert_eq!(
            t.fixes(),
            &[
                f(t0 + 5, 1.00002, None),
                f(t0 + 10, 1.00001, Some(5.0)),
                f(t0 + 20, 1.00003, None)
            ]
        );
        assert_eq!(r.fixes, 3);
        assert_eq!(r.skipped.bad_coordinates, 1);
        assert_eq!(r.skipped.implausible_time, 3, "1999, 2100 and i64::MAX");
        assert_eq!(r.skipped.total(), 4);
        assert_eq!(r.first_problem.unwrap().at, At::Line(4));
    }

    /// A walk north at 1.4 m/s, a fix a second from 2026-01-15 08:00 UTC.
    fn walk(seconds: i64) -> Vec<Fix> {
        (0..seconds)
            .map(|s| Fix {
                time_us: 1_768_464_000_000_000 + s * 1_000_000,
                lat: 35.0 + s as f64 * 1.4 / 111_195.0,
                lon: 139.0,
                accuracy_m: None,
            })
            .collect()
    }

    fn build(fixes: &[Fix]) -> (Track, ReadReport) {
        let mut b = Builder::new();
        for (i, f) in fixes.iter().enumerate() {
            b.push(*f, At::Line(i + 1));
        }
        b.finish()
    }

    #[test]
    fn a_fix_years_ahead_is_dropped_and_named_not_the_rest() {
        let clean = walk(600);
        let mut fixes = clean.clone();
        // Line 101: a date five years ahead, as a receiver's bad RMC gives.
        fixes[100].time_us += 5 * 365 * 86_400_000_000;
        let (t, r) = build(&fixes);
        assert_eq!(t.len(), 599, "{r}");
        assert_eq!((r.skipped.time_outliers, r.skipped.total()), (1, 1));
        assert!(t.fixes().iter().all(|f| f.time_us < fixes[100].time_us));
        let first = r.first_problem.clone().unwrap();
        let why = first.problem.to_string();
        assert_eq!(first.at, At::Line(101));
        assert!(
            why.contains("2031-01-14T08:01:40Z") && why.contains("more than a day"),
            "{why}"
        );
        assert!(
            r.to_string().contains("(time outliers: 1, impossible jumps: 0)"),
            "{r}"
        );
    }

    #[test]
    fn a_multipath_jump_is_dropped_and_named() {
        let mut fixes = walk(60);
        // 5 km east for one second, then back.
        fixes[30].lon += 5_000.0 / (111_195.0 * 35f64.to_radians().cos());
        let (t, r) = build(&fixes);
        assert_eq!((t.len(), r.skipped.impossible_jumps), (59, 1), "{r}");
        assert_eq!(r.first_problem.unwrap().at, At::Line(31));
        assert!(t.fixes().iter().all(|f| f.lon == 139.0));
    }

    #[test]
    fn read_track_errors_name_file_and_problem() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("walk.txt");
        std::fs::write(&p, "$GPRMC,120000,V,,,,,,,010120,,,N*00\n").unwrap();
        let e = read_track(&p).unwrap_err().to_string();
        assert!(
            e.contains("walk.txt") && e.contains("NMEA 0183") && e.contains("no usable fix"),
            "{e}"
        );
        assert!(e.contains("line 1") && e.contains("checksum"), "{e}");
        std::fs::write(&p, "hello\n").unwrap();
        assert!(matches!(read_track(&p), Err(TrackError::UnknownFormat { .. })));
        let missing = dir.path().join("missing.gpx");
        assert!(matches!(
            read_track(&missing),
            Err(TrackError::File(FileError::Io { .. }))
        ));
        let e = read_track(dir.path()).unwrap_err().to_string();
        assert!(e.ends_with("not a regular file (a folder)"), "{e}");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Sentences with valid checksums but arbitrary fields reach the field parsers.
    fn sentence() -> impl Strategy<Value = String> {
        (
            "(GP|GN|GL)(RMC|GGA|GLL)",
            proptest::collection::vec("[0-9A-Z.\\-]{0,12}", 0..16),
        )
            .prop_map(|(addr, fields)| {
                let body = format!("{addr},{}", fields.join(","));
                let ck = body.bytes().fold(0u8, |a, b| a ^ b);
                format!("${body}*{ck:02X}")
            })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = detect(&text);
            let _ = parse_nmea(&text);
            let _ = parse_gpsd_json(&text);
            let _ = parse_csv(&text);
            let _ = parse_gpx(&text);
            let _ = parse_csv(&format!("time,lat,lon,accuracy\n{text}"));
            let _ = parse_gpx(&format!("<gpx><trkpt {text}</gpx>"));
            let _ = parse_gpsd_json(&format!("{{\"class\":\"TPV\",\"mode\":3,{text}"));
        }

        #[test]
        fn checksummed_nmea_never_panics_and_stays_ordered(lines in proptest::collection::vec(sentence(), 0..40)) {
            let (t, r) = parse_nmea(&lines.join("\n"));
            prop_assert_eq!(r.fixes, t.len());
            prop_assert!(t.fixes().windows(2).all(|w| w[0].time_us < w[1].time_us));
            prop_assert!(t.fixes().iter().all(Fix::has_valid_position));
            prop_assert!(t.fixes().iter().all(|f| PLAUSIBLE_TIME_US.contains(&f.time_us)));
        }
    }
}
