//! CSV exports from phone loggers (SensorLog, GPSLogger...) whose header names
//! the time, latitude and longitude columns.

use super::time::{parse_datetime, parse_unix_seconds};
use super::{At, Builder, Fix, ParseError, ReadReport, Skip, Track, bad_value};
use crate::i18n::Message;

// Column names, lower case, best first: SensorLog has both the fix time
// (`locationTimestamp_since1970`) and the later logging time; the fix time is the truth.
const TIME: &[&str] = &[
    "locationtimestamp_since1970(s)",
    "timestamp",
    "time",
    "datetime",
    "date_time",
    "utc",
    "loggingtime(txt)",
];
const LAT: &[&str] = &["lat", "latitude", "locationlatitude(wgs84)"];
const LON: &[&str] = &["lon", "lng", "long", "longitude", "locationlongitude(wgs84)"];
const ACCURACY: &[&str] = &[
    "accuracy",
    "accuracy(m)",
    "horizontalaccuracy",
    "horizontal_accuracy",
    "locationhorizontalaccuracy(m)",
    "hacc",
    "eph",
];

struct Columns {
    sep: char,
    time: usize,
    lat: usize,
    lon: usize,
    accuracy: Option<usize>,
}

/// The separator is whichever of `,` `;` tab the header uses most.
fn columns(header: &str) -> Option<Columns> {
    let sep = [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| header.matches(*c).count())?;
    let names: Vec<String> = split(header, sep)
        .iter()
        .map(|n| n.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let find = |wanted: &[&str]| wanted.iter().find_map(|w| names.iter().position(|n| n == w));
    Some(Columns {
        sep,
        time: find(TIME)?,
        lat: find(LAT)?,
        lon: find(LON)?,
        accuracy: find(ACCURACY),
    })
}

pub(super) fn is_header(line: &str) -> bool {
    columns(line).is_some()
}

/// Splits one line, honouring `"quoted, fields"` with `""` escapes.
fn split(line: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let cur = out.last_mut().expect("never empty");
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(String::new()),
            c => cur.push(c),
        }
    }
    out
}

/// A number is Unix seconds; anything else must be a date-time.
fn parse_time(s: &str) -> Option<i64> {
    parse_unix_seconds(s).or_else(|| parse_datetime(s))
}

pub fn parse_csv(text: &str) -> Result<(Track, ReadReport), ParseError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("");
    let cols = columns(header).ok_or_else(|| ParseError {
        at: At::Line(1),
        problem: Message::new("track-csv-header"),
    })?;
    let mut b = Builder::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let at = At::Line(i + 1);
        let fields = split(line, cols.sep);
        let get = |c: usize| fields.get(c).map(|s| s.trim()).unwrap_or("");
        let Some(time_us) = parse_time(get(cols.time)) else {
            b.skip(Skip::Malformed, at, bad_value("field-time", get(cols.time)));
            continue;
        };
        let (Ok(lat), Ok(lon)) = (get(cols.lat).parse::<f64>(), get(cols.lon).parse::<f64>()) else {
            b.skip(
                Skip::Malformed,
                at,
                bad_value("field-position", &format!("{}, {}", get(cols.lat), get(cols.lon))),
            );
            continue;
        };
        // Loggers write -1 (or leave it empty) when there is no estimate.
        let accuracy_m = cols
            .accuracy
            .and_then(|c| get(c).parse::<f64>().ok())
            .filter(|a| a.is_finite() && *a >= 0.0);
        b.push(
            Fix {
                time_us,
                lat,
                lon,
                accuracy_m,
            },
            at,
        );
    }
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensorlog_columns_and_times() {
        let text = "loggingTime(txt),loggingSample(N),locationTimestamp_since1970(s),locationLatitude(WGS84),locationLongitude(WGS84),locationHorizontalAccuracy(m)\n\
            2020-07-29 11:16:06.152 +0200,1,1596014165.059988,50.11379283857542,8.679008698098993,10\n\
            2020-07-29 11:16:08.160 +0200,2,1596014167.064705,50.11379166510898,8.679009620108342,-1\n\
            2020-07-29 11:16:09.160 +0200,3,1596014167.064705,50.2,8.7,5\n\
            2020-07-29 11:16:10.160 +0200,4,,50.2,8.7,5\n\
            2020-07-29 11:16:11.160 +0200,5,1596014170,NaN,8.7,5\n\n";
        let (t, r) = parse_csv(text).unwrap();
        let f = t.fixes();
        assert_eq!(f.len(), 2, "{r}");
        assert_eq!(f[0].time_us, 1_596_014_165_059_988);
        assert_eq!(
            (f[0].lat, f[0].lon, f[0].accuracy_m),
            (50.11379283857542, 8.679008698098993, Some(10.0))
        );
        // A repeated fix time refines the previous fix; -1 means unknown accuracy.
        assert_eq!((f[1].lat, f[1].accuracy_m), (50.2, Some(5.0)));
        assert_eq!((r.skipped.malformed, r.skipped.bad_coordinates), (1, 1));
        assert_eq!(r.first_problem.as_ref().unwrap().at, At::Line(5));
    }

    #[test]
    fn short_names_quotes_semicolons_and_datetimes() {
        let text =
            "\"Time\";\"Lat\";\"Lng\"\n\"2020-07-29T09:16:06Z\";\"50,5\";8\n2020-07-29 09:16:07;50.5;8.5\n";
        let (t, r) = parse_csv(text).unwrap();
        assert_eq!(t.len(), 1, "{r}");
        assert_eq!(t.fixes()[0].time_us, 1_596_014_167_000_000);
        assert_eq!(r.skipped.malformed, 1);
        assert_eq!(split("a,\"b,\"\"c\"\"\",d", ','), ["a", "b,\"c\"", "d"]);
    }

    #[test]
    fn header_must_name_columns() {
        let e = parse_csv("when,where\n1,2\n").unwrap_err();
        assert_eq!(e.at, At::Line(1));
        assert!(e.problem.to_string().contains("latitude"));
        assert!(is_header("timestamp,longitude,latitude"));
        assert!(!is_header("timestamp,lat"));
    }
}
