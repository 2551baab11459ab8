//! GPX 1.0 and 1.1: track, route and waypoints that carry a `<time>`; and a GPX 1.1
//! writer for the tracks of synthetic scenarios.

use std::io::{self, Write};

use chrono::{DateTime, SecondsFormat};
use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

use super::nmea::HDOP_TO_METRES;
use super::time::parse_datetime;
use super::{At, Builder, Fix, ParseError, ReadReport, Skip, Track, bad_value};
use crate::i18n::Message;

/// A point being read: its attributes and the child text we need.
struct Point {
    at: At,
    lat: Option<f64>,
    lon: Option<f64>,
    time: Option<String>,
    hdop: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Child {
    None,
    Time,
    Hdop,
}

fn start_point(e: &BytesStart, at: At) -> Point {
    let mut p = Point {
        at,
        lat: None,
        lon: None,
        time: None,
        hdop: None,
    };
    for a in e.attributes().flatten() {
        let v = a.value.trim().parse::<f64>().ok();
        match a.key.local_name().as_ref() {
            "lat" => p.lat = v,
            "lon" => p.lon = v,
            _ => {}
        }
    }
    p
}

fn finish_point(b: &mut Builder, p: Point) {
    let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
        return b.skip(Skip::Malformed, p.at, Message::new("record-gpx-no-lat-lon"));
    };
    let Some(time) = p.time else {
        return b.skip(Skip::Undated, p.at, Message::new("record-gpx-no-time"));
    };
    let Some(time_us) = parse_datetime(&time) else {
        return b.skip(Skip::Malformed, p.at, bad_value("field-gpx-time", &time));
    };
    let accuracy_m = p
        .hdop
        .and_then(|h| h.trim().parse::<f64>().ok())
        .filter(|h| h.is_finite() && *h > 0.0);
    b.push(
        Fix {
            time_us,
            lat,
            lon,
            accuracy_m: accuracy_m.map(|h| h * HDOP_TO_METRES),
        },
        p.at,
    );
}

fn is_point(name: &str) -> bool {
    matches!(name, "trkpt" | "rtept" | "wpt")
}

/// Reads all points in document order; broken XML or a missing `<gpx>` root is fatal.
pub fn parse_gpx(text: &str) -> Result<(Track, ReadReport), ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut b = Builder::new();
    let mut point: Option<Point> = None;
    let mut child = Child::None;
    let mut seen_root = false;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| ParseError {
            at: At::Byte(reader.error_position()),
            problem: Message::new("track-broken-xml").with("detail", e),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                if e.local_name().as_ref() != "gpx" {
                    return Err(ParseError {
                        at: At::Byte(pos),
                        problem: Message::new("track-not-gpx-root"),
                    });
                }
                seen_root = true;
            }
            Event::Start(e) => {
                let name = e.local_name();
                if is_point(name.as_ref()) {
                    point = Some(start_point(&e, At::Byte(pos)));
                } else if point.is_some() {
                    child = match name.as_ref() {
                        "time" => Child::Time,
                        "hdop" => Child::Hdop,
                        _ => Child::None,
                    };
                }
            }
            Event::Empty(e) if is_point(e.local_name().as_ref()) => {
                finish_point(&mut b, start_point(&e, At::Byte(pos)));
            }
            Event::Text(t) => {
                if let Some(p) = point.as_mut() {
                    match child {
                        Child::Time => p.time = Some(t.to_string()),
                        Child::Hdop => p.hdop = Some(t.to_string()),
                        Child::None => {}
                    }
                }
            }
            Event::End(e) => {
                child = Child::None;
                if is_point(e.local_name().as_ref())
                    && let Some(p) = point.take()
                {
                    finish_point(&mut b, p);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(ParseError {
            at: At::Byte(0),
            problem: Message::new("track-no-gpx"),
        });
    }
    Ok(b.finish())
}

/// Writes `fixes` as one GPX 1.1 track named `name`. Seven decimals (about 1 cm) are what
/// loggers write; times are RFC 3339 UTC, with a fraction only when there is one.
pub fn write_gpx<W: Write>(mut w: W, fixes: &[Fix], name: &str) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gpx version="1.1" creator="tagwatch" xmlns="http://www.topografix.com/GPX/1/1">"#
    )?;
    writeln!(w, "  <trk><name>{}</name><trkseg>", escape(name))?;
    for f in fixes {
        let time = DateTime::from_timestamp_micros(f.time_us)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "time out of range"))?
            .to_rfc3339_opts(SecondsFormat::AutoSi, true);
        write!(
            w,
            r#"    <trkpt lat="{:.7}" lon="{:.7}"><time>{time}</time>"#,
            f.lat, f.lon
        )?;
        if let Some(a) = f.accuracy_m {
            write!(w, "<hdop>{}</hdop>", a / HDOP_TO_METRES)?;
        }
        writeln!(w, "</trkpt>")?;
    }
    writeln!(w, "  </trkseg></trk>\n</gpx>")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPX11: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <metadata><time>2001-01-01T00:00:00Z</time></metadata>
  <wpt lat="50.0" lon="8.0"><name>no time</name></wpt>
  <trk><trkseg>
    <trkpt lat="50.1" lon="8.1"><ele>100</ele><time>2020-07-29T09:16:05Z</time><hdop>1.5</hdop></trkpt>
    <trkpt lat="50.2" lon="8.2"><time>2020-07-29T09:16:06.500Z</time></trkpt>
    <trkpt lat="95" lon="8.2"><time>2020-07-29T09:16:07Z</time></trkpt>
    <trkpt lat="x" lon="8.2"><time>2020-07-29T09:16:08Z</time></trkpt>
  </trkseg></trk>
</gpx>"#;

    #[test]
    fn gpx_1_1_track() {
        let (t, r) = parse_gpx(GPX11).unwrap();
        let f = t.fixes();
        assert_eq!(f.len(), 2, "{r}");
        assert_eq!(
            (f[0].time_us, f[0].lat, f[0].lon),
            (1_596_014_165_000_000, 50.1, 8.1)
        );
        assert_eq!(f[0].accuracy_m, Some(1.5 * HDOP_TO_METRES));
        assert_eq!(f[1].time_us, 1_596_014_166_500_000);
        let s = &r.skipped;
        assert_eq!((s.undated, s.bad_coordinates, s.malformed), (1, 1, 1));
    }

    #[test]
    fn gpx_1_0_routes_waypoints_and_prefixes() {
        let text = r#"<gpx:gpx version="1.0" xmlns:gpx="http://www.topografix.com/GPX/1/0">
  <gpx:wpt lat="-33.5" lon="151.25"><gpx:time>2007-04-08T09:53:05Z</gpx:time></gpx:wpt>
  <rte><rtept lat="-33.6" lon="151.3"><time>2007-04-08T09:53:06Z</time></rtept></rte>
  <wpt lat="1" lon="2"/>
</gpx:gpx>"#;
        let (t, r) = parse_gpx(text).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t.fixes()[0].lat, -33.5);
        assert_eq!(r.skipped.undated, 1);
    }

    #[test]
    fn written_track_reads_back() {
        let fixes = [
            Fix {
                time_us: 1_768_464_000_000_000,
                lat: 35.681_236_7,
                lon: 139.767_125_1,
                accuracy_m: None,
            },
            Fix {
                time_us: 1_768_464_005_250_000,
                lat: -33.856_784_4,
                lon: -151.215_296_5,
                accuracy_m: Some(7.5),
            },
        ];
        let mut out = Vec::new();
        write_gpx(&mut out, &fixes, "a <walk> & a ride").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.gpx");
        std::fs::write(&path, &out).unwrap();
        let back = crate::location::read_track(&path).unwrap();
        assert_eq!(back.len(), fixes.len());
        for (a, b) in fixes.iter().zip(back.fixes()) {
            assert_eq!(a.time_us, b.time_us);
            assert!(
                (a.lat - b.lat).abs() < 1e-7 && (a.lon - b.lon).abs() < 1e-7,
                "{b:?}"
            );
            match (a.accuracy_m, b.accuracy_m) {
                (None, None) => {}
                (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9),
                other => panic!("accuracy {other:?}"),
            }
        }
    }

    #[test]
    fn broken_xml_names_byte_offset() {
        let e = parse_gpx("<gpx><trk><trkpt lat=\"1\" lon=\"2\"></trk></gpx>").unwrap_err();
        assert!(matches!(e.at, At::Byte(n) if n > 0), "{e}");
        assert!(e.problem.to_string().contains("XML"));
        assert!(
            parse_gpx("<kml></kml>")
                .unwrap_err()
                .problem
                .to_string()
                .contains("not <gpx>")
        );
        assert!(parse_gpx("").is_err());
    }
}
