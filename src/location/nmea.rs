//! NMEA 0183 logs: RMC gives date, time and position; GGA (with HDOP) and GLL
//! carry only the time of day and are dated from the last valid RMC; GST gives the error
//! of the fix of its time in metres.

use chrono::NaiveDate;

use super::{At, Builder, Fix, ReadReport, Skip, Track};
use crate::i18n::Message;

/// gpsd reports eph = HDOP x 19 m (95 % confidence); using the same factor keeps
/// NMEA fixes comparable with fixes read from gpsd.
pub(super) const HDOP_TO_METRES: f64 = 19.0;

const DAY_US: i64 = 86_400_000_000;

/// GST gives 1-sigma errors in latitude and longitude; gpsd's eph is a 95 % radius, which
/// for a circular error is 2.45 sigma: eph = 2.45 x sqrt((lat² + lon²) / 2).
const SIGMA_TO_EPH: f64 = 2.4477 / std::f64::consts::SQRT_2;

/// Reads every RMC/GGA/GLL/GST sentence with any talker id. Sentences with a bad checksum
/// or bad fields are skipped and counted; other lines are ignored.
pub fn parse_nmea(text: &str) -> (Track, ReadReport) {
    let mut b = Builder::new();
    // Date and time of day of the last valid RMC.
    let mut last_rmc: Option<(NaiveDate, i64)> = None;
    for (i, line) in text.lines().enumerate() {
        let at = At::Line(i + 1);
        let line = line.trim();
        if !line.starts_with('$') {
            continue;
        }
        let fields = match checked_fields(line) {
            Ok(f) => f,
            Err((why, problem)) => {
                b.skip(why, at, problem);
                continue;
            }
        };
        let kind = match fields[0].get(2..) {
            Some(k) if fields[0].len() == 5 => k,
            _ => continue,
        };
        let result = match kind {
            "RMC" => rmc(&fields).map(|r| {
                r.map(|(fix, date, tod)| {
                    last_rmc = Some((date, tod));
                    fix
                })
            }),
            "GGA" => gga(&fields, last_rmc),
            "GLL" => gll(&fields, last_rmc),
            "GST" => {
                match gst(&fields, last_rmc) {
                    Ok(Some((time_us, accuracy_m))) => b.refine_accuracy(time_us, accuracy_m),
                    Ok(None) => {}
                    Err((why, problem)) => b.skip(why, at, sentence("GST", problem)),
                }
                continue;
            }
            _ => continue,
        };
        match result {
            Ok(Some(fix)) => b.push(fix, at),
            Ok(None) => {}
            Err((why, problem)) => b.skip(why, at, sentence(kind, problem)),
        }
    }
    b.finish()
}

type SentenceResult<T> = Result<T, (Skip, Message)>;

/// What is wrong with a sentence of a kind ("RMC: bad date").
fn sentence(kind: &str, problem: Message) -> Message {
    Message::new("record-sentence")
        .with("kind", kind)
        .nested("problem", problem)
}

/// Verifies `$...*hh` and splits the body into fields.
fn checked_fields(line: &str) -> SentenceResult<Vec<&str>> {
    let malformed = |key| (Skip::Malformed, Message::new(key));
    let star = line.rfind('*').ok_or_else(|| malformed("record-no-checksum"))?;
    let body = &line[1..star];
    let given = line[star + 1..].trim();
    if given.len() != 2 {
        return Err(malformed("record-checksum-not-two"));
    }
    let given = u8::from_str_radix(given, 16).map_err(|_| malformed("record-checksum-not-hex"))?;
    let computed = body.bytes().fold(0u8, |acc, b| acc ^ b);
    if given != computed {
        return Err((
            Skip::BadChecksum,
            Message::new("record-checksum")
                .with("given", format!("{given:02X}"))
                .with("computed", format!("{computed:02X}")),
        ));
    }
    Ok(body.split(',').collect())
}

/// RMC: a fix with its date, or None when the receiver says it has none
/// (status V, or mode indicator N). Only valid RMCs update the date, since a
/// receiver without a fix may still report an unset clock.
fn rmc(f: &[&str]) -> SentenceResult<Option<(Fix, NaiveDate, i64)>> {
    if f.len() < 10 {
        return Err(fields(f, 10));
    }
    if f[2] != "A" || f.get(12).is_some_and(|m| *m == "N") {
        return Ok(None);
    }
    let tod = time_of_day(f[1])?;
    let date = date(f[9])?;
    let (lat, lon) = lat_lon(f[3], f[4], f[5], f[6])?;
    let time_us = days_since_epoch(date) * DAY_US + tod;
    Ok(Some((
        Fix {
            time_us,
            lat,
            lon,
            accuracy_m: None,
        },
        date,
        tod,
    )))
}

/// GGA: a fix unless quality is 0.
fn gga(f: &[&str], last_rmc: Option<(NaiveDate, i64)>) -> SentenceResult<Option<Fix>> {
    if f.len() < 9 {
        return Err(fields(f, 9));
    }
    if f[6].is_empty() || f[6] == "0" {
        return Ok(None);
    }
    let tod = time_of_day(f[1])?;
    let (lat, lon) = lat_lon(f[2], f[3], f[4], f[5])?;
    let accuracy_m = f[8]
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0)
        .map(|h| h * HDOP_TO_METRES);
    Ok(Some(Fix {
        time_us: dated(tod, last_rmc)?,
        lat,
        lon,
        accuracy_m,
    }))
}

/// GST: the time and the error estimate (metres, as gpsd's eph) of the fix of that time;
/// None when the receiver leaves the sigmas empty.
fn gst(f: &[&str], last_rmc: Option<(NaiveDate, i64)>) -> SentenceResult<Option<(i64, f64)>> {
    if f.len() < 8 {
        return Err(fields(f, 8));
    }
    let (Ok(lat), Ok(lon)) = (f[6].parse::<f64>(), f[7].parse::<f64>()) else {
        return Ok(None);
    };
    let eph = SIGMA_TO_EPH * lat.hypot(lon);
    if !eph.is_finite() || eph <= 0.0 {
        return Ok(None);
    }
    Ok(Some((dated(time_of_day(f[1])?, last_rmc)?, eph)))
}

/// GLL: a fix unless status is V or the mode indicator is N. Chart plotters send
/// it after GGA with a slightly different rounding; gpsd lets it win, so do we.
fn gll(f: &[&str], last_rmc: Option<(NaiveDate, i64)>) -> SentenceResult<Option<Fix>> {
    if f.len() < 7 {
        return Err(fields(f, 7));
    }
    if f[6] != "A" || f.get(7).is_some_and(|m| *m == "N") {
        return Ok(None);
    }
    let tod = time_of_day(f[5])?;
    let (lat, lon) = lat_lon(f[1], f[2], f[3], f[4])?;
    Ok(Some(Fix {
        time_us: dated(tod, last_rmc)?,
        lat,
        lon,
        accuracy_m: None,
    }))
}

/// Puts a time of day on the last RMC's date. A time of day far from that RMC's
/// means midnight passed between them.
fn dated(tod: i64, last_rmc: Option<(NaiveDate, i64)>) -> SentenceResult<i64> {
    let Some((date, rmc_tod)) = last_rmc else {
        return Err((Skip::Undated, Message::new("record-no-rmc")));
    };
    let mut day = days_since_epoch(date);
    if tod < rmc_tod - DAY_US / 2 {
        day += 1;
    } else if tod > rmc_tod + DAY_US / 2 {
        day -= 1;
    }
    Ok(day * DAY_US + tod)
}

fn days_since_epoch(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// A sentence with fewer fields than its kind has.
fn fields(f: &[&str], need: usize) -> (Skip, Message) {
    let problem = Message::new("record-fields")
        .with("n", f.len())
        .with("need", need);
    (Skip::Malformed, problem)
}

/// A field (`field-WHAT`) whose value cannot be read.
fn bad(what: &'static str, value: &str) -> (Skip, Message) {
    (Skip::Malformed, super::bad_value(what, value))
}

/// `hhmmss[.sss]` to microseconds since midnight.
fn time_of_day(s: &str) -> SentenceResult<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.len() != 6 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("field-time", s));
    }
    let num = |r: std::ops::Range<usize>| whole[r].parse::<i64>().unwrap_or(99);
    let (h, m, sec) = (num(0..2), num(2..4), num(4..6));
    // 60 is a leap second.
    if h > 23 || m > 59 || sec > 60 {
        return Err(bad("field-time", s));
    }
    let micros = super::time::parse_unix_seconds(&format!("0.{frac}")).ok_or_else(|| bad("field-time", s))?;
    Ok(((h * 60 + m) * 60 + sec) * 1_000_000 + micros)
}

/// `ddmmyy`; two-digit years 80-99 are 19xx as in the NMEA spec's GPS era.
fn date(s: &str) -> SentenceResult<NaiveDate> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("field-date", s));
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let yy = num(4..6) as i32;
    let year = if yy >= 80 { 1900 + yy } else { 2000 + yy };
    NaiveDate::from_ymd_opt(year, num(2..4), num(0..2)).ok_or_else(|| bad("field-date", s))
}

fn lat_lon(lat: &str, ns: &str, lon: &str, ew: &str) -> SentenceResult<(f64, f64)> {
    let lat = match ns {
        "N" => degrees(lat)?,
        "S" => -degrees(lat)?,
        _ => return Err(bad("field-lat-hemisphere", ns)),
    };
    let lon = match ew {
        "E" => degrees(lon)?,
        "W" => -degrees(lon)?,
        _ => return Err(bad("field-lon-hemisphere", ew)),
    };
    Ok((lat, lon))
}

/// `DDDMM.mmmm` to decimal degrees; the minutes are the two digits before the point.
fn degrees(s: &str) -> SentenceResult<f64> {
    let dot = s.find('.').unwrap_or(s.len());
    if dot < 2 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad("field-coordinate", s));
    }
    let deg: f64 = if dot == 2 {
        0.0
    } else {
        s[..dot - 2].parse().map_err(|_| bad("field-coordinate", s))?
    };
    let min: f64 = s[dot - 2..].parse().map_err(|_| bad("field-coordinate", s))?;
    if min >= 60.0 {
        return Err(bad("field-minutes", s));
    }
    Ok(deg + min / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the correct checksum, so tests can write sentences by hand.
    fn s(body: &str) -> String {
        let ck = body.bytes().fold(0u8, |a, b| a ^ b);
        format!("${body}*{ck:02X}\n")
    }

    fn us(rfc3339: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn real_checksums_and_coordinates() {
        // From gpsd's bu353s4.log; gpsd reports -37.784788333, 175.314896667, eph 20.9.
        let text = "$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D\n\
                    $GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\n";
        let (t, r) = parse_nmea(text);
        assert_eq!(r.skipped.undated, 1, "{r}");
        assert_eq!(t.len(), 1);
        let f = t.fixes()[0];
        assert_eq!(f.time_us, us("2014-12-31T03:07:19Z"));
        assert!((f.lat - -37.784788333).abs() < 1e-9 && (f.lon - 175.314896667).abs() < 1e-9);
        assert_eq!(f.accuracy_m, None);
        // Corrupt one digit: the checksum no longer matches and the fix is gone.
        let (t, r) =
            parse_nmea(&text.replace("3747.0873,S,17518.8938,E,0.69", "3747.0874,S,17518.8938,E,0.69"));
        assert_eq!((t.len(), r.skipped.bad_checksum, r.skipped.undated), (0, 1, 1));
    }

    #[test]
    fn hemispheres_and_minutes() {
        assert!((degrees("4807.038").unwrap() - (48.0 + 7.038 / 60.0)).abs() < 1e-12);
        assert!((degrees("01131.000").unwrap() - 11.516_666_666_666_667).abs() < 1e-12);
        assert_eq!(degrees("0030.0").unwrap(), 0.5);
        assert!(degrees("4860.0").is_err() && degrees("-12.0").is_err() && degrees("1").is_err());
        assert_eq!(
            lat_lon("4807.038", "N", "01131.000", "E").unwrap().0,
            degrees("4807.038").unwrap()
        );
        let (la, lo) = lat_lon("3000.00", "S", "04500.00", "W").unwrap();
        assert_eq!((la, lo), (-30.0, -45.0));
        assert!(lat_lon("3000.00", "X", "04500.00", "W").is_err());
    }

    #[test]
    fn any_talker_status_v_and_malformed() {
        let text = [
            s("GNRMC,120000.00,A,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,A"),
            s("GLRMC,120001.00,V,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,N"),
            s("GPRMC,120002.00,A,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,N"),
            s("GPRMC,120003.00,A,50xx.0000,N,00800.0000,E,0.0,0.0,290720,,,A"),
            s("GPRMC,1200"),
            "$GPRMC,120004.00,A,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,A\n".into(),
            "# a gpsd comment\n{\"class\":\"TPV\"}\n".into(),
            s("BDGGA,120005.00,5001.0000,N,00800.0000,E,2,08,0.5,0,M,0,M,,"),
            s("GPGGA,120006.00,5001.0000,N,00800.0000,E,0,08,0.5,0,M,0,M,,"),
            s("GPGLL,5002.0000,N,00800.0000,W,120007.00,A,A"),
            s("GPGLL,5002.0000,N,00800.0000,W,120008.00,V,N"),
            s("GPGLL,5002.0000,N,00800.0000,W"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        let times: Vec<i64> = t.fixes().iter().map(|f| f.time_us).collect();
        assert_eq!(
            times,
            [
                us("2020-07-29T12:00:00Z"),
                us("2020-07-29T12:00:05Z"),
                us("2020-07-29T12:00:07Z")
            ]
        );
        assert_eq!(t.fixes()[1].accuracy_m, Some(0.5 * HDOP_TO_METRES));
        assert_eq!((t.fixes()[2].lat, t.fixes()[2].lon), (50.0 + 2.0 / 60.0, -8.0));
        // Bad latitude, short RMC, no checksum, short GLL.
        assert_eq!(r.skipped.malformed, 4, "{r}");
        assert_eq!(r.skipped.total(), 4);
    }

    #[test]
    fn gst_sets_the_error_of_the_fix_of_its_time() {
        let text = [
            s("GPRMC,120000.00,A,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,A"),
            s("GPGGA,120000.00,5000.0000,N,00800.0000,E,1,08,2.0,0,M,0,M,,"),
            // 1-sigma 6 m north, 8 m east: eph 2.45 x sqrt((36 + 64) / 2) = 17.3 m.
            s("GPGST,120000.00,10.0,9.0,5.0,30.0,6.0,8.0,12.0"),
            // Empty sigmas and a GST of no fix change nothing.
            s("GPRMC,120001.00,A,5000.0000,N,00800.0000,E,0.0,0.0,290720,,,A"),
            s("GPGST,120001.00,,,,,,,"),
            s("GPGST,120009.00,1.0,1.0,1.0,0.0,1.0,1.0,1.0"),
            s("GPGST,1200"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        let acc: Vec<Option<f64>> = t.fixes().iter().map(|f| f.accuracy_m).collect();
        assert!((acc[0].unwrap() - 17.31).abs() < 0.01, "{acc:?}");
        assert_eq!(acc[1], None);
        assert_eq!((r.skipped.malformed, r.skipped.total()), (1, 1), "{r}");
    }

    #[test]
    fn gga_before_first_rmc_is_undated_then_merged_with_rmc() {
        let text = [
            s("GPGGA,235958.00,1000.0000,N,02000.0000,E,1,08,2.0,0,M,0,M,,"),
            s("GPRMC,235959.00,A,1000.0000,N,02000.0000,E,0.0,0.0,311214,,,A"),
            s("GPGGA,235959.00,1000.0001,N,02000.0000,E,1,08,2.0,0,M,0,M,,"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        assert_eq!(r.skipped.undated, 1);
        assert_eq!(t.len(), 1);
        let f = t.fixes()[0];
        assert_eq!(f.time_us, us("2014-12-31T23:59:59Z"));
        assert_eq!(f.accuracy_m, Some(2.0 * HDOP_TO_METRES));
        assert!(
            (f.lat - (10.0 + 0.0001 / 60.0)).abs() < 1e-12,
            "the later sentence wins"
        );
    }

    #[test]
    fn date_rolls_over_at_midnight_and_year_end() {
        let text = [
            s("GPRMC,235959.50,A,1000.0000,N,02000.0000,E,0.0,0.0,311225,,,A"),
            s("GPGGA,000000.50,1000.0000,N,02000.0000,E,1,08,1.0,0,M,0,M,,"),
            s("GPRMC,000001.50,A,1000.0000,N,02000.0000,E,0.0,0.0,010126,,,A"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        assert_eq!(r.skipped.total(), 0, "{r}");
        let times: Vec<i64> = t.fixes().iter().map(|f| f.time_us).collect();
        assert_eq!(
            times,
            [
                us("2025-12-31T23:59:59.5Z"),
                us("2026-01-01T00:00:00.5Z"),
                us("2026-01-01T00:00:01.5Z")
            ]
        );
    }

    #[test]
    fn dates_before_2000_are_implausible() {
        // 99 is 1999 (a receiver's unset clock, or a GPS week rollover): not a real time now.
        let text = [
            s("GPRMC,235959.50,A,1000.0000,N,02000.0000,E,0.0,0.0,311299,,,A"),
            s("GPGGA,000000.50,1000.0000,N,02000.0000,E,1,08,1.0,0,M,0,M,,"),
            s("GPRMC,000001.50,A,1000.0000,N,02000.0000,E,0.0,0.0,010100,,,A"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        assert_eq!((t.len(), r.skipped.implausible_time), (2, 1), "{r}");
        assert_eq!(t.fixes()[0].time_us, us("2000-01-01T00:00:00.5Z"));
    }

    #[test]
    fn one_rmc_dated_years_ahead_loses_only_its_own_epochs() {
        // A receiver sends GGA then RMC each second; one RMC carries a wrong year, and the
        // next GGA is dated from it. Before, every later fix was skipped as going backwards.
        let mut text = String::new();
        for sec in 0..30 {
            let date = if sec == 10 { "150131" } else { "150126" };
            let lat = format!("3500.{:04}", sec * 10);
            text += &s(&format!(
                "GPGGA,0800{sec:02}.00,{lat},N,13900.0000,E,1,08,1.0,0,M,0,M,,"
            ));
            text += &s(&format!(
                "GPRMC,0800{sec:02}.00,A,{lat},N,13900.0000,E,0.0,0.0,{date},,,A"
            ));
        }
        let (t, r) = parse_nmea(&text);
        // The first GGA is undated; 10:RMC and 11:GGA are in 2031.
        assert_eq!((r.skipped.undated, r.skipped.time_outliers), (1, 2), "{r}");
        assert_eq!(t.len(), 30, "{r}");
        assert_eq!(t.fixes()[29].time_us, us("2026-01-15T08:00:29Z"));
    }

    #[test]
    fn backwards_is_sorted_and_out_of_range_is_counted() {
        let text = [
            s("GPRMC,120010,A,1000.0000,N,02000.0000,E,0.0,0.0,010120,,,A"),
            s("GPRMC,120009,A,1000.0000,N,02000.0000,E,0.0,0.0,010120,,,A"),
            s("GPRMC,120011,A,9100.0000,N,02000.0000,E,0.0,0.0,010120,,,A"),
            s("GPRMC,120012,A,1000.0000,N,18100.0000,W,0.0,0.0,010120,,,A"),
            s("GPRMC,120013,A,1000.0000,N,02000.0000,E,0.0,0.0,320120,,,A"),
        ]
        .concat();
        let (t, r) = parse_nmea(&text);
        let times: Vec<i64> = t.fixes().iter().map(|f| f.time_us).collect();
        assert_eq!(times, [us("2020-01-01T12:00:09Z"), us("2020-01-01T12:00:10Z")]);
        assert_eq!((r.skipped.bad_coordinates, r.skipped.malformed), (2, 1));
    }
}
