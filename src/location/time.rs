//! Timestamp parsing shared by the readers. Everything becomes UTC microseconds.

use chrono::{DateTime, NaiveDateTime};

/// RFC 3339 (`2014-12-31T03:07:19.000Z`) or `YYYY-MM-DD[ T]HH:MM:SS[.fff][ ][+zzzz]`;
/// without an offset the time is taken as UTC, which is what GPS loggers write.
pub(super) fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.timestamp_micros());
        }
    }
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    None
}

/// Unix seconds with an optional fraction, parsed exactly (no float rounding).
pub(super) fn parse_unix_seconds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let mut micros: i64 = 0;
    for (i, b) in frac.bytes().take(6).enumerate() {
        micros += i64::from(b - b'0') * 10_i64.pow(5 - i as u32);
    }
    let secs: i64 = int.parse().ok()?;
    let us = secs.checked_mul(1_000_000)?.checked_add(micros)?;
    Some(if neg { -us } else { us })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = 1_596_014_165_059_988;
        assert_eq!(parse_unix_seconds("1596014165.059988"), Some(t));
        assert_eq!(parse_unix_seconds("1596014165.0599889"), Some(t));
        assert_eq!(parse_unix_seconds("1596014165"), Some(1_596_014_165_000_000));
        assert_eq!(parse_unix_seconds("-1.5"), Some(-1_500_000));
        assert_eq!(parse_unix_seconds("1e9"), None);
        assert_eq!(parse_unix_seconds("99999999999999999999"), None);
        let base = 1_596_014_166_152_000; // 2020-07-29 09:16:06.152 UTC
        assert_eq!(parse_datetime("2020-07-29 11:16:06.152 +0200"), Some(base));
        assert_eq!(parse_datetime("2020-07-29T09:16:06.152Z"), Some(base));
        assert_eq!(parse_datetime("2020-07-29 09:16:06.152"), Some(base));
        assert_eq!(parse_datetime("2020-07-29 11:16:06.152+02:00"), Some(base));
        assert_eq!(parse_datetime("2020-07-29 09:16:06"), Some(base - 152_000));
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
