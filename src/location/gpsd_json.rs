//! gpsd's JSON reports, one object per line: shared by the file reader (logs from
//! `gpspipe -w`) and the live client in `gpsd.rs`.

use serde_json::Value;

use super::{At, Builder, Fix, ReadReport, Skip, Track, time::parse_datetime};
use crate::i18n::Message;

/// What one gpsd report line means for the track.
#[derive(Debug, PartialEq)]
pub(super) enum Report {
    Fix(Fix),
    /// A 2D/3D TPV without a time: a position we cannot place on the track.
    Undated,
    /// Other classes, and TPVs without a fix (mode < 2 or no lat/lon).
    NoFix,
}

/// Parses one line of gpsd JSON; an error is a line that is not a gpsd report.
pub(super) fn parse_report(line: &str) -> Result<Report, Message> {
    let v: Value =
        serde_json::from_str(line).map_err(|e| Message::new("record-bad-json").with("detail", e))?;
    let class = v
        .get("class")
        .and_then(Value::as_str)
        .ok_or_else(|| Message::new("record-no-class"))?;
    if class != "TPV" {
        return Ok(Report::NoFix);
    }
    let mode = v.get("mode").and_then(Value::as_u64).unwrap_or(0);
    let (Some(lat), Some(lon)) = (
        v.get("lat").and_then(Value::as_f64),
        v.get("lon").and_then(Value::as_f64),
    ) else {
        return Ok(Report::NoFix);
    };
    if mode < 2 {
        return Ok(Report::NoFix);
    }
    let Some(time) = v.get("time").and_then(Value::as_str) else {
        return Ok(Report::Undated);
    };
    let time_us = parse_datetime(time).ok_or_else(|| super::bad_value("field-time", time))?;
    let accuracy_m = v
        .get("eph")
        .and_then(Value::as_f64)
        .filter(|e| e.is_finite() && *e >= 0.0);
    Ok(Report::Fix(Fix {
        time_us,
        lat,
        lon,
        accuracy_m,
    }))
}

/// Reads a gpsd JSON log. Lines that are not JSON objects (raw NMEA mixed in by
/// `gpspipe -r -w`, comments) are ignored.
pub fn parse_gpsd_json(text: &str) -> (Track, ReadReport) {
    let mut b = Builder::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let at = At::Line(i + 1);
        match parse_report(line) {
            Ok(Report::Fix(fix)) => b.push(fix, at),
            Ok(Report::Undated) => b.skip(Skip::Undated, at, Message::new("record-tpv-no-time")),
            Ok(Report::NoFix) => {}
            Err(problem) => b.skip(Skip::Malformed, at, problem),
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports() {
        let tpv = r#"{"class":"TPV","mode":3,"time":"2014-12-31T03:07:19.000Z","ept":0.005,"lat":-37.784788333,"lon":175.314896667,"eph":20.900}"#;
        let Ok(Report::Fix(f)) = parse_report(tpv) else {
            panic!()
        };
        assert_eq!(f.time_us, 1_419_995_239_000_000);
        assert_eq!(
            (f.lat, f.lon, f.accuracy_m),
            (-37.784788333, 175.314896667, Some(20.9))
        );
        assert_eq!(parse_report(r#"{"class":"TPV","mode":1}"#), Ok(Report::NoFix));
        assert_eq!(
            parse_report(r#"{"class":"TPV","mode":1,"lat":1,"lon":2,"time":"2020-01-01T00:00:00Z"}"#),
            Ok(Report::NoFix)
        );
        assert_eq!(
            parse_report(r#"{"class":"TPV","mode":2,"lat":1,"lon":2}"#),
            Ok(Report::Undated)
        );
        assert_eq!(
            parse_report(r#"{"class":"SKY","lat":1,"lon":2}"#),
            Ok(Report::NoFix)
        );
        assert!(parse_report(r#"{"mode":2}"#).is_err());
        assert!(parse_report(r#"{"class":"TPV","mode":2,"lat":1,"lon":2,"time":"soon"}"#).is_err());
        assert!(parse_report("{not json").is_err());
    }

    #[test]
    fn file_skips_and_counts() {
        let text = "$GPRMC,ignored*00\n\
            {\"class\":\"VERSION\",\"release\":\"3.25\"}\n\
            {\"class\":\"TPV\",\"mode\":2,\"time\":\"2020-01-01T00:00:01Z\",\"lat\":1.0,\"lon\":2.0}\n\
            {\"class\":\"TPV\",\"mode\":2,\"time\":\"2020-01-01T00:00:00Z\",\"lat\":1.0,\"lon\":2.0}\n\
            {\"class\":\"TPV\",\"mode\":3,\"time\":\"2020-01-01T00:00:02Z\",\"lat\":95.0,\"lon\":2.0}\n\
            {\"class\":\"TPV\",\"mode\":3,\"time\":\"2020-01-01T00:00:03Z\",\"lat\":1.5,\"lon\":2.5}\n\
            {broken\n";
        let (t, r) = parse_gpsd_json(text);
        // The TPV out of order is put in its place.
        let lats: Vec<f64> = t.fixes().iter().map(|f| f.lat).collect();
        assert_eq!(lats, [1.0, 1.0, 1.5]);
        let s = &r.skipped;
        assert_eq!((s.bad_coordinates, s.malformed, s.total()), (1, 1, 2));
        assert_eq!(r.first_problem.unwrap().at, At::Line(5));
    }
}
