//! Presenting results: a table for people, JSON for programs.

pub mod json;
pub mod list;
pub mod safe_json;
pub mod table;
pub mod wrap;

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};

use crate::classify::{Classifier, OwnerState};
use crate::correlate::verdict::Risk;
use crate::coverage::Span;
use crate::evidence::TrackerRecord;
use crate::i18n::Lang;

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

/// A span of time for people: "2026-01-15 08:00-08:40" (seconds when it is short), the
/// date again when it ends on another day. In local time, as the table's times.
pub fn local_span(span: Span) -> String {
    span_in(span, &Local)
}

/// [`local_span`] in UTC, saying so: for JSON, which is read anywhere.
pub fn utc_span(span: Span) -> String {
    span_in(span, &Utc) + " UTC"
}

fn span_in<Tz: TimeZone>(span: Span, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let (first, last) = (
        utc(span.first_us).with_timezone(tz),
        utc(span.last_us).with_timezone(tz),
    );
    let time = if span.length_us() < 10 * 60 * 1_000_000 {
        "%H:%M:%S"
    } else {
        "%H:%M"
    };
    if first.date_naive() == last.date_naive() {
        format!(
            "{} {}-{}",
            first.format("%Y-%m-%d"),
            first.format(time),
            last.format(time)
        )
    } else {
        let day = format!("%Y-%m-%d {time}");
        format!("{} - {}", first.format(&day), last.format(&day))
    }
}

/// The verdict in the one set of words every output uses (the table, the live view, the sweep,
/// `list`): "mine", "FOLLOWING (high risk)", "low risk", "-" (`risk` as [`Risk::as_str`] spells it).
/// The product as a short name in `lang` ("AirTag", "Find Hub タグ"): the model if known,
/// else the family's name.
pub fn product(r: &TrackerRecord, lang: Lang) -> String {
    let name = r.model.as_deref().unwrap_or_else(|| {
        Classifier::builtin()
            .family(&r.family)
            .map_or(r.family.as_str(), |f| f.name.as_str())
    });
    lang.name(name).to_string()
}

pub fn verdict_text(lang: Lang, own: bool, following: bool, risk: &str) -> String {
    if own {
        lang.t("verdict-mine").to_string()
    } else if following {
        lang.fill("verdict-following", &[("risk", &risk_text(lang, risk))])
    } else if risk != Risk::None.as_str() {
        lang.fill("verdict-risk", &[("risk", &risk_text(lang, risk))])
    } else {
        lang.t("verdict-quiet").to_string()
    }
}

/// "high", "medium", "low", "none" in `lang`.
pub fn risk_text(lang: Lang, risk: &str) -> &'static str {
    match risk {
        "high" => lang.t("risk_high"),
        "medium" => lang.t("risk_medium"),
        "low" => lang.t("risk_low"),
        _ => lang.t("risk_none"),
    }
}

/// What a tracker says about its owner, in a word or two.
pub fn owner_text(lang: Lang, state: OwnerState) -> &'static str {
    match state {
        OwnerState::Separated => lang.t("owner-separated"),
        OwnerState::NearOwner => lang.t("owner-near"),
        OwnerState::Unknown => lang.t("owner-unknown"),
    }
}

/// A count with thousands separated: 5,324.
pub fn grouped(n: u64) -> String {
    crate::i18n::group_digits(&n.to_string())
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
    fn spans_durations_and_counts_read_as_people_write_them() {
        let at = |h: i64, m: i64| 1_768_464_000_000_000 + (h * 60 + m) * 60_000_000;
        let span = |a, b| Span {
            first_us: a,
            last_us: b,
        };
        assert_eq!(utc_span(span(at(0, 0), at(2, 40))), "2026-01-15 08:00-10:40 UTC");
        assert_eq!(
            utc_span(span(at(0, 0), at(0, 0) + 5_000_000)),
            "2026-01-15 08:00:00-08:00:05 UTC"
        );
        assert_eq!(
            utc_span(span(at(0, 0), at(20, 0))),
            "2026-01-15 08:00 - 2026-01-16 04:00 UTC"
        );
        let duration = |us| Lang::En.duration(us);
        assert_eq!(duration(at(2, 40) - at(0, 0)), "2 h 40 min");
        assert_eq!(duration(185_000_000), "3 min 5 s");
        assert_eq!(duration(40_000_000), "40 s");
        assert_eq!(duration(3_600_000_000), "1 h");
        assert_eq!(Lang::Ja.duration(at(2, 40) - at(0, 0)), "2時間40分");
        assert_eq!(
            (grouped(5324), grouped(999), grouped(1_000_000)),
            ("5,324".into(), "999".into(), "1,000,000".into())
        );
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
