//! Anchors: the chain head written down where whoever holds the database cannot reach it.
//!
//! A hash chain alone proves nothing to someone who has the file: they can recompute every
//! hash. A chain head that has left the machine (a photo, a message, a timestamp authority's
//! signature) can be checked later: the chain must still hold that head at that record.
//!
//! The anchor code, `TW1-5324-3F9A-2C71-E0B4-D6A8-B1C2-D3E4-7C`:
//! - `TW1`: the format;
//! - `5324`: the records anchored (the anchored head is record 5324's hash);
//! - 24 hex digits (96 bits) of that hash in groups of four, or all 64 in the full form;
//! - two hex check digits: CRC-8 (polynomial 0x07, initial value 0, as CRC-8/SMBUS) of the
//!   ASCII text `TW1-5324-` followed by the head digits, uppercase, without the group dashes.
//!   Any single mistyped character changes it, other typos are missed 1 time in 256.
//!
//! Reading a code ignores case, dashes and spaces between groups, and reads O as 0, I and L as 1.

pub mod tsa;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::i18n::{Arg, Lang, Localised, Message};
use crate::present::neutralise;
use crate::present::wrap::columns;
use crate::store::anchor::{AnchorCheck, AnchorRecord, ChainHead};

/// The format tag every code starts with.
const TAG: &str = "TW1";
/// Hex digits of the head in the short code: 96 bits, beyond any forger's reach.
pub const SHORT_DIGITS: usize = 24;
/// How long a session waits for its `--on-anchor` command.
pub const HOOK_WAIT: Duration = Duration::from_secs(10);

/// An anchor code: a record count and the start (or all) of that record's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub records: u64,
    /// Uppercase hex digits of the head, 24 to 64 of them.
    pub head: String,
}

impl Code {
    /// The full code of a chain head.
    pub fn new(records: u64, head: &[u8; 32]) -> Code {
        Code {
            records,
            head: hex::encode_upper(head),
        }
    }

    /// The code with only the first 96 bits of the head, to write down or read aloud.
    pub fn short(&self) -> Code {
        Code {
            records: self.records,
            head: self.head.chars().take(SHORT_DIGITS).collect(),
        }
    }

    /// Reads a code as a person may have typed it; says what is wrong with it.
    pub fn parse(text: &str) -> Result<Code, CodeError> {
        let upper = text.trim().to_uppercase();
        let rest = upper
            .strip_prefix(TAG)
            .filter(|r| r.starts_with(['-', ' ']))
            .ok_or(CodeError::Tag)?;
        let mut groups = rest.split(['-', ' ']).filter(|g| !g.is_empty());
        let records: u64 = groups
            .next()
            .and_then(|g| g.parse().ok())
            .filter(|&n| n > 0)
            .ok_or(CodeError::Count)?;
        let digits: String = groups
            .flat_map(str::chars)
            .map(|c| match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(CodeError::NotHex(bad));
        }
        let head_len = digits.len().saturating_sub(2);
        if !(SHORT_DIGITS..=64).contains(&head_len) {
            return Err(CodeError::Length(digits.len()));
        }
        let (head, check) = digits.split_at(head_len);
        let code = Code {
            records,
            head: head.to_string(),
        };
        if check != code.check() {
            return Err(CodeError::Check);
        }
        Ok(code)
    }

    fn check(&self) -> String {
        let text = format!("{TAG}-{}-{}", self.records, self.head);
        format!("{:02X}", crc8(text.as_bytes()))
    }

    /// Whether `hash` (of record `records`) is the head this code names.
    pub fn matches(&self, hash: &[u8]) -> bool {
        hex::encode_upper(hash).starts_with(&self.head)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{TAG}-{}", self.records)?;
        for group in self.head.as_bytes().chunks(4) {
            // Hex digits are ASCII, so every chunk is text.
            write!(f, "-{}", String::from_utf8_lossy(group))?;
        }
        write!(f, "-{}", self.check())
    }
}

/// What is wrong with a typed anchor code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// It does not start with `TW1-`.
    Tag,
    /// No record count after the tag.
    Count,
    /// A character that is no hex digit.
    NotHex(char),
    /// Too few or too many hex digits, as counted.
    Length(usize),
    /// The check digits do not match: a character was mistyped.
    Check,
}

impl CodeError {
    /// What is wrong with `code` (as typed), in `lang`.
    pub fn text(self, code: &str, lang: Lang) -> String {
        let code = neutralise(code);
        match self {
            CodeError::Tag => lang.fill("code-tag", &[("code", &code), ("tag", &TAG)]),
            CodeError::Count => lang.fill("code-count", &[("code", &code), ("tag", &TAG)]),
            CodeError::NotHex(c) => lang.fill(
                "code-not-hex",
                &[("code", &code), ("char", &neutralise(&c.to_string()))],
            ),
            CodeError::Length(n) => {
                let values: [(&str, &dyn Arg); 3] = [("code", &code), ("min", &SHORT_DIGITS), ("n", &n)];
                lang.fill("code-length", &values)
            }
            CodeError::Check => lang.fill("code-check", &[("code", &code)]),
        }
    }
}

/// CRC-8/SMBUS: polynomial 0x07, initial 0, no reflection.
fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |crc, &b| {
        (0..8).fold(
            crc ^ b,
            |c, _| if c & 0x80 != 0 { (c << 1) ^ 0x07 } else { c << 1 },
        )
    })
}

/// The full code as a QR code of Unicode half blocks, light modules drawn in the text colour
/// (a dark terminal background stays dark); `None` if it does not fit a QR code.
pub fn qr(code: &Code) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let qr = qrcode::QrCode::new(code.to_string().as_bytes()).ok()?;
    Some(
        qr.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// What `tagwatch anchor` shows of the anchor it kept of `head`, the QR code aside.
pub fn describe(anchor: &AnchorRecord, head: &ChainHead, db: &Path, lang: Lang) -> Vec<String> {
    let db = neutralise(&db.display().to_string());
    let mut fields = vec![
        ("anchor-label-code", anchor.code.clone()),
        ("anchor-label-records", crate::present::grouped(anchor.records)),
        ("anchor-label-head", anchor.head.clone()),
        (
            "anchor-label-full",
            Code::new(head.records, &head.hash).to_string(),
        ),
    ];
    if let Some(stamp) = &anchor.timestamp {
        let time = tsa::check_stored(&stamp.token, &head.hash)
            .map(|t| utc(t.timestamp_micros()))
            .unwrap_or_else(|e| e.to_string());
        let by = lang.fill(
            "anchor-timestamp-by",
            &[("time", &time), ("tsa", &neutralise(&stamp.tsa))],
        );
        fields.push(("anchor-label-timestamp", by));
    }
    let widest = fields
        .iter()
        .map(|(label, _)| columns(lang.t(label)))
        .max()
        .unwrap_or(0);
    let mut lines = vec![lang.fill("anchor-of", &[("db", &db), ("time", &utc(anchor.time_us))])];
    lines.extend(fields.iter().map(|(label, value)| {
        let label = lang.t(label);
        format!("  {label}{} {value}", " ".repeat(widest - columns(label)))
    }));
    lines
}

/// What `--on-anchor` gets on its standard input.
pub fn hook_json(anchor: &AnchorRecord, db: &Path) -> String {
    let time = chrono::DateTime::from_timestamp_micros(anchor.time_us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    serde_json::json!({
        "code": anchor.code,
        "head": anchor.head,
        "records": anchor.records,
        "time": time,
        "db": std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf()).display().to_string(),
    })
    .to_string()
}

/// Runs `sh -c command` with `input` on its standard input and its output on our standard
/// error (standard output may be JSON for a program), waiting up to `wait` for it.
pub fn run_hook(command: &str, input: &str, wait: Duration) -> Result<(), Message> {
    let mut child = Command::new("sh")
        .args(["-c", command])
        .stdin(Stdio::piped())
        .stdout(std::io::stderr())
        .spawn()
        .map_err(|e| Message::new("hook-cannot-start").nested("why", Message::io(&e)))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business; the JSON is far
        // smaller than a pipe's buffer, so this does not block.
        let _ = stdin.write_all(input.as_bytes());
    }
    let deadline = Instant::now() + wait;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(Message::new("hook-failed").with("status", status)),
            Ok(None) if Instant::now() >= deadline => {
                return Err(Message::new("hook-still-running").count("s", wait.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Message::new("hook-cannot-wait").nested("why", Message::io(&e))),
        }
    }
}

/// What `verify --anchor` says about one anchor: its lines and whether the chain extends it.
pub fn explain(code: &Code, check: &AnchorCheck, lang: Lang) -> (bool, Vec<String>) {
    let short = code.short().to_string();
    if let Some(problem) = &check.problem {
        let values: [(&str, &dyn Arg); 2] = [("code", &short), ("problem", &problem.text(lang))];
        return (false, vec![lang.fill("anchor-does-not-hold", &values)]);
    }
    let values: [(&str, &dyn Arg); 4] = [
        ("code", &short),
        ("n", &code.records),
        ("appended", &check.records.saturating_sub(code.records)),
        ("sessions", &check.sessions_since),
    ];
    let mut lines = vec![lang.fill("anchor-holds", &values)];
    let Some(kept) = &check.kept else {
        return (true, lines);
    };
    lines.push(format!(
        "  {}",
        lang.fill("anchor-anchored-at", &[("time", &utc(kept.time_us))])
    ));
    let Some(stamp) = &kept.timestamp else {
        return (true, lines);
    };
    let tsa = neutralise(&stamp.tsa);
    match tsa::check_stored(&stamp.token, &check.anchored_hash) {
        Ok(time) => {
            let time = utc(time.timestamp_micros());
            lines.push(format!(
                "  {}",
                lang.fill("anchor-timestamped", &[("tsa", &tsa), ("time", &time)])
            ));
            (true, lines)
        }
        // The anchor record is kept after the anchored records: they stand, but what came
        // after them was changed.
        Err(e) => {
            let values: [(&str, &dyn Arg); 2] = [("tsa", &tsa), ("error", &e.text(lang))];
            lines.push(format!("  {}", lang.fill("anchor-timestamp-broken", &values)));
            (false, lines)
        }
    }
}

/// A time in microseconds as `2026-01-15 08:00:00 UTC`.
pub fn utc(time_us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(time_us)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("{time_us} µs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_known_answer() {
        // The CRC-8/SMBUS check value of "123456789" (the catalogue's test string).
        assert_eq!(crc8(b"123456789"), 0xF4);
    }

    #[test]
    fn code_round_trip_and_typos() {
        let head: [u8; 32] = std::array::from_fn(|i| i as u8 * 7 + 3);
        let full = Code::new(5324, &head);
        let short = full.short();
        let text = short.to_string();
        assert!(text.starts_with("TW1-5324-030A-1118-"), "{text}");
        assert_eq!(text.len(), "TW1-5324-".len() + 6 * 5 + 2);
        assert_eq!(Code::parse(&text), Ok(short.clone()));
        assert_eq!(Code::parse(&full.to_string()), Ok(full.clone()));
        // Lower case, spaces, no groups, O for 0.
        let loose = text.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(Code::parse(&loose), Ok(short.clone()));
        assert!(short.matches(&head) && full.matches(&head));
        assert!(!short.matches(&[0; 32]));
        // Every single substitution of every character after the tag is caught.
        for (i, c) in text.char_indices().skip(4).filter(|(_, c)| *c != '-') {
            for sub in "0123456789ABCDEF".chars().filter(|&s| s != c) {
                let mut typo = text.clone();
                typo.replace_range(i..i + 1, &sub.to_string());
                assert!(Code::parse(&typo).is_err(), "{typo}");
            }
        }
        for bad in [
            "",
            "TW1",
            "TW2-5324-0000",
            "TW1-x-0000",
            "TW1-0-",
            "TW1-12-ABCD-00",
        ] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }
}
