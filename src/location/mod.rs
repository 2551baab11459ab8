//! Where the person was: GPS tracks read from files or gpsd, so each tracker
//! sighting can be given a position and we can tell whether a tracker moves along.
//!
//! Every reader recognises its format by content (exported files are often
//! misnamed) and skips bad records with a count instead of failing the whole file.

mod csv;
pub mod gpsd;
mod gpsd_json;
mod gpx;
mod nmea;
mod time;
mod track;

use std::fmt;
use std::path::{Path, PathBuf};

pub use csv::parse_csv;
pub use gpsd_json::parse_gpsd_json;
pub use gpx::{parse_gpx, write_gpx};
pub use nmea::parse_nmea;
pub use track::{DEFAULT_MAX_GAP_US, Fix, OnTrack, PositionSource, Track, distance_m};

/// The track formats we can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackFormat {
    Gpx,
    Nmea,
    Csv,
    GpsdJson,
}

impl fmt::Display for TrackFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrackFormat::Gpx => "GPX",
            TrackFormat::Nmea => "NMEA 0183",
            TrackFormat::Csv => "CSV",
            TrackFormat::GpsdJson => "gpsd JSON",
        })
    }
}

/// Where in the input something went wrong: text formats count lines (from 1),
/// XML counts bytes (from 0) because a GPX file may be one long line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Line(usize),
    Byte(u64),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Line(n) => write!(f, "line {n}"),
            At::Byte(n) => write!(f, "byte {n}"),
        }
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
    /// Times going backwards: the track must stay ordered.
    pub backwards: usize,
}

impl Skipped {
    pub fn total(&self) -> usize {
        self.malformed + self.bad_checksum + self.bad_coordinates + self.undated + self.backwards
    }
}

/// What a reader did with its input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadReport {
    /// Fixes in the resulting track.
    pub fixes: usize,
    pub skipped: Skipped,
    /// The first skipped record, so a user can see why data went missing.
    pub first_problem: Option<(At, String)>,
}

impl fmt::Display for ReadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} fixes, {} records skipped",
            self.fixes,
            self.skipped.total()
        )?;
        if let Some((at, problem)) = &self.first_problem {
            write!(f, " (first at {at}: {problem})")?;
        }
        Ok(())
    }
}

/// A problem that stops a whole file from being read (as opposed to one record).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct ParseError {
    pub at: At,
    pub problem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "{}: not a recognised track (expected GPX, NMEA 0183, gpsd JSON, or CSV with a header naming time, latitude and longitude columns)",
        path.display()
    )]
    UnknownFormat { path: PathBuf },
    #[error("{}: {format}: {error}", path.display())]
    Parse {
        path: PathBuf,
        format: TrackFormat,
        error: ParseError,
    },
    #[error("{}: {format}: no usable fix: {report}", path.display())]
    NoFix {
        path: PathBuf,
        format: TrackFormat,
        report: ReadReport,
    },
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
    let bytes = std::fs::read(path).map_err(|source| TrackError::Io {
        path: path.into(),
        source,
    })?;
    // Logs from serial ports can hold stray binary; such lines fail their own checks.
    let text = String::from_utf8_lossy(&bytes);
    let format = detect(&text).ok_or_else(|| TrackError::UnknownFormat { path: path.into() })?;
    let parsed = match format {
        TrackFormat::Gpx => parse_gpx(&text),
        TrackFormat::Nmea => Ok(parse_nmea(&text)),
        TrackFormat::Csv => parse_csv(&text),
        TrackFormat::GpsdJson => Ok(parse_gpsd_json(&text)),
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
            report,
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

/// Collects fixes in order, applying the skip rules every format shares.
struct Builder {
    fixes: Vec<Fix>,
    report: ReadReport,
}

#[derive(Clone, Copy, Debug)]
enum Skip {
    Malformed,
    BadChecksum,
    BadCoordinates,
    Undated,
    Backwards,
}

impl Builder {
    fn new() -> Self {
        Builder {
            fixes: Vec::new(),
            report: ReadReport::default(),
        }
    }

    fn skip(&mut self, why: Skip, at: At, problem: impl Into<String>) {
        let s = &mut self.report.skipped;
        *match why {
            Skip::Malformed => &mut s.malformed,
            Skip::BadChecksum => &mut s.bad_checksum,
            Skip::BadCoordinates => &mut s.bad_coordinates,
            Skip::Undated => &mut s.undated,
            Skip::Backwards => &mut s.backwards,
        } += 1;
        self.report
            .first_problem
            .get_or_insert_with(|| (at, problem.into()));
    }

    /// A record with the same time as the previous fix refines it (receivers send
    /// GGA and RMC for one epoch; gpsd sends several TPVs): the later position
    /// wins, as in gpsd, and an accuracy already known is kept.
    fn push(&mut self, fix: Fix, at: At) {
        if !fix.has_valid_position() {
            let msg = format!("coordinates out of range: {}, {}", fix.lat, fix.lon);
            return self.skip(Skip::BadCoordinates, at, msg);
        }
        match self.fixes.last_mut() {
            Some(last) if fix.time_us < last.time_us => {
                self.skip(Skip::Backwards, at, "time goes backwards");
            }
            Some(last) if fix.time_us == last.time_us => {
                *last = Fix {
                    accuracy_m: fix.accuracy_m.or(last.accuracy_m),
                    ..fix
                };
            }
            _ => self.fixes.push(fix),
        }
    }

    fn finish(mut self) -> (Track, ReadReport) {
        let track = Track::from_fixes(self.fixes);
        self.report.fixes = track.len();
        (track, self.report)
    }
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
    fn builder_merges_same_time_and_counts_backwards() {
        let mut b = Builder::new();
        let f = |t, lat, acc| Fix {
            time_us: t,
            lat,
            lon: 1.0,
            accuracy_m: acc,
        };
        b.push(f(10, 1.0, Some(5.0)), At::Line(1));
        b.push(f(10, 2.0, None), At::Line(2));
        b.push(f(5, 3.0, None), At::Line(3));
        b.push(f(20, f64::NAN, None), At::Line(4));
        b.push(f(20, 4.0, None), At::Line(5));
        let (t, r) = b.finish();
        assert_eq!(t.fixes(), &[f(10, 2.0, Some(5.0)), f(20, 4.0, None)]);
        assert_eq!(r.fixes, 2);
        assert_eq!(r.skipped.backwards, 1);
        assert_eq!(r.skipped.bad_coordinates, 1);
        assert_eq!(r.first_problem, Some((At::Line(3), "time goes backwards".into())));
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
        assert!(matches!(read_track(&missing), Err(TrackError::Io { .. })));
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
        }
    }
}
