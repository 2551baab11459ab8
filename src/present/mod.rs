//! Presenting results: a table for people, JSON for programs.

pub mod json;
pub mod table;

use chrono::{DateTime, Local, SecondsFormat, Utc};

/// RFC 3339 in UTC with microseconds, the precision captures carry.
pub fn rfc3339(time_us: i64) -> String {
    utc(time_us).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Local wall-clock time to the second, for people reading a table.
pub fn local_time(time_us: i64) -> String {
    utc(time_us)
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn utc(time_us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(time_us).unwrap_or_default()
}

/// Whether `c` could steer what a reader sees: a control character (terminal escapes among
/// them) or a bidirectional mark, embedding, override or isolate, which can make text read in
/// another order than it is stored ("Trojan Source").
pub fn is_steering(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Replaces steering characters ([`is_steering`]) in text that came from the air or from a
/// file, so it cannot move the cursor, recolour or retitle a terminal, or reorder a line.
pub fn neutralise(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_steering(c) {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_with_microseconds() {
        assert_eq!(rfc3339(1_658_537_548_430_123), "2022-07-23T00:52:28.430123Z");
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(
            neutralise("Tag\u{1b}]0;pwned\u{7}\r\n"),
            "Tag\u{fffd}]0;pwned\u{fffd}\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn bidirectional_controls_are_neutralised() {
        // "home" spelled so that a terminal would show "emoh" reversed; every kind is caught.
        assert_eq!(neutralise("\u{202e}home\u{202c}"), "\u{fffd}home\u{fffd}");
        for c in [
            '\u{200e}', '\u{200f}', '\u{202a}', '\u{202d}', '\u{2066}', '\u{2069}',
        ] {
            assert_eq!(neutralise(&format!("a{c}b")), "a\u{fffd}b", "U+{:04X}", c as u32);
        }
        assert_eq!(neutralise("自宅 café"), "自宅 café");
    }
}
