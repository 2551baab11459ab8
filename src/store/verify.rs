//! Checking the evidence database: every record of the hash chain, its attachments, the
//! SQLite file itself and its schema. Every damaged range is reported, not only the first.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use rusqlite::{Connection, ErrorCode, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SCHEMA;
use super::chain::{self, Item};
use crate::i18n::{Lang, Localised, Message};

/// What [`super::Store::verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Rows in the chain.
    pub records: u64,
    /// The last row's hash, hex (empty for an empty store).
    pub head: String,
    /// Everything that does not verify, in record order; empty means intact.
    pub problems: Vec<Problem>,
    /// Sessions begun and never ended: a warning, not a break (a power cut does it too).
    pub unclosed_sessions: Vec<UnclosedSession>,
}

impl VerifyReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line: "intact: …" or "BROKEN: <every problem>", with the record count and head.
    pub fn summary(&self) -> String {
        let facts = format!("{} records, chain head {}", self.records, self.head);
        if self.intact() {
            return format!("intact: {facts}");
        }
        let problems: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        format!("BROKEN: {} ({facts})", problems.join("; "))
    }
}

/// What is wrong with a range of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The SQLite file is damaged (its integrity check failed, or reading it did).
    Database,
    /// A table, index, trigger or view tagwatch did not create, or one of its own changed.
    SchemaObject,
    /// The record's hash does not match its content.
    ContentChanged,
    /// Its `prev_hash` is not the hash of the record before.
    LinkBroken,
    /// Record numbers `first..=last` are not there.
    Missing,
    /// A record numbered below 1: not part of the chain.
    OutOfNumbering,
    /// The payload does not parse as its kind, or a column has the wrong type.
    Unreadable,
    AttachmentMissing,
    AttachmentChanged,
    /// An attachment stored under record `first` that no note refers to.
    StrayAttachment,
}

/// Consecutive records with the same problem. `first` and `last` are 0 for problems of the
/// whole file (`Database`, `SchemaObject`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub first: i64,
    pub last: i64,
    /// The parse error, the schema object, SQLite's message; empty where the kind says it all.
    pub detail: String,
}

/// Worded as the report words it (report.ftl), for the report and `verify` alike.
impl Localised for Problem {
    fn text(&self, lang: Lang) -> String {
        let range = if self.first == self.last {
            Message::new("range_one").with("n", self.first)
        } else {
            Message::new("range_many")
                .with("first", self.first)
                .with("last", self.last)
        };
        let key = match self.kind {
            ProblemKind::Database => "problem_database",
            ProblemKind::SchemaObject => "problem_schema_object",
            ProblemKind::ContentChanged => "problem_content_changed",
            ProblemKind::LinkBroken => "problem_link_broken",
            ProblemKind::Missing if self.first == 1 => "problem_missing_start",
            ProblemKind::Missing => {
                // i128: the numbers may come from a forged record at the ends of i64.
                let (first, last) = (i128::from(self.first), i128::from(self.last));
                let count = u64::try_from(last - first + 1).unwrap_or(u64::MAX);
                return Message::new("problem_missing")
                    .with("after", first - 1)
                    .count("count", count)
                    .text(lang);
            }
            ProblemKind::OutOfNumbering => "problem_out_of_numbering",
            ProblemKind::Unreadable => "problem_unreadable",
            ProblemKind::AttachmentMissing => "problem_attachment_missing",
            ProblemKind::AttachmentChanged => "problem_attachment_changed",
            ProblemKind::StrayAttachment => "problem_stray_attachment",
        };
        Message::new(key)
            .nested("range", range)
            .with("detail", &self.detail)
            .text(lang)
    }
}

/// English, for logs and the exports' metadata.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// A session with a `session_start` and no `session_end`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnclosedSession {
    pub session: i64,
    /// `analyze`, `scan` or `sweep`.
    pub kind: String,
    pub started_us: i64,
    /// No session began after it: the end of the chain may have been cut here.
    pub last: bool,
}

impl Localised for UnclosedSession {
    fn text(&self, lang: Lang) -> String {
        let began = chrono::DateTime::from_timestamp_micros(self.started_us).map_or_else(
            || self.started_us.to_string(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
        let why = match self.last {
            true => "verify-unclosed-last",
            false => "verify-unclosed-earlier",
        };
        Message::new("verify-unclosed")
            .with("session", self.session)
            .with("kind", &self.kind)
            .with("began", began)
            .nested("why", Message::new(why))
            .text(lang)
    }
}

impl fmt::Display for UnclosedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Problems gathered record by record, consecutive ones of a kind merged into one range.
#[derive(Default)]
struct Findings(Vec<Problem>);

impl Findings {
    fn push(&mut self, kind: ProblemKind, seq: i64, detail: impl Into<String>) {
        let last_of_kind = self.0.iter_mut().rev().find(|p| p.kind == kind);
        match last_of_kind {
            Some(p) if seq != 0 && p.last.checked_add(1) == Some(seq) => p.last = seq,
            _ => self.0.push(Problem {
                kind,
                first: seq,
                last: seq,
                detail: detail.into(),
            }),
        }
    }
}

/// Walks the whole chain in one read transaction (the caller's). Damage to the file that
/// stops the walk is a finding, as is everything else wrong; only other SQLite errors fail.
pub(super) fn verify_chain(conn: &Connection) -> rusqlite::Result<VerifyReport> {
    let mut report = VerifyReport::default();
    let mut found = Findings::default();
    match walk(conn, &mut report, &mut found) {
        Ok(()) => {}
        Err(e) if is_damage(&e) => found.push(ProblemKind::Database, 0, e.to_string()),
        // A table dropped or changed behind tagwatch's back: already a finding.
        Err(e) if found.0.iter().any(|p| p.kind == ProblemKind::SchemaObject) => found.push(
            ProblemKind::SchemaObject,
            0,
            format!("the records cannot be read: {e}"),
        ),
        Err(e) => return Err(e),
    }
    report.problems = found.0;
    report.problems.sort_by_key(|p| p.first);
    Ok(report)
}

fn walk(conn: &Connection, report: &mut VerifyReport, found: &mut Findings) -> rusqlite::Result<()> {
    let check: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    if check != "ok" {
        found.push(
            ProblemKind::Database,
            0,
            format!("SQLite integrity_check failed: {check}"),
        );
    }
    for object in unknown_schema_objects(conn)? {
        found.push(ProblemKind::SchemaObject, 0, object);
    }
    let (records, head) = conn.query_row(
        "SELECT count(*), (SELECT hash FROM records ORDER BY seq DESC LIMIT 1) FROM records",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get_ref(1)?.as_bytes().ok().map(hex::encode),
            ))
        },
    )?;
    report.records = records as u64;
    report.head = head.unwrap_or_default();

    let mut attachment_of = conn.prepare("SELECT data FROM attachments WHERE seq = ?1")?;
    let mut stmt = conn.prepare("SELECT seq, kind, payload, prev_hash, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    // The last record in the chain's numbering, and its hash if it could be read.
    let (mut prev_seq, mut prev_hash) = (0i64, Some(chain::GENESIS.to_vec()));
    let mut notes_with_attachment = HashSet::new();
    let mut open_sessions = BTreeMap::new();
    let mut latest_start = None;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        if seq < 1 {
            found.push(ProblemKind::OutOfNumbering, seq, "");
            continue;
        }
        let gap = seq > prev_seq + 1;
        if gap {
            found.0.push(Problem {
                kind: ProblemKind::Missing,
                first: prev_seq + 1,
                last: seq - 1,
                detail: String::new(),
            });
        }
        // A column of the wrong type is tampering too, not an error of verify.
        let (kind, payload, stored_prev, hash) = match (
            row.get::<_, String>(1),
            row.get::<_, Vec<u8>>(2),
            row.get::<_, Vec<u8>>(3),
            row.get::<_, Vec<u8>>(4),
        ) {
            (Ok(k), Ok(p), Ok(ph), Ok(h)) => (k, p, ph, h),
            (.., hash) => {
                found.push(ProblemKind::Unreadable, seq, "a column has the wrong type");
                (prev_seq, prev_hash) = (seq, hash.ok());
                continue;
            }
        };
        // After a gap the link cannot hold: the missing records explain it.
        if !gap && prev_hash.as_ref().is_some_and(|h| *h != stored_prev) {
            found.push(ProblemKind::LinkBroken, seq, "");
        }
        if hash != chain::record_hash(&stored_prev, seq as u64, &kind, &payload) {
            found.push(ProblemKind::ContentChanged, seq, "");
        }
        match Item::parse(&kind, &payload) {
            Err(problem) => found.push(ProblemKind::Unreadable, seq, problem),
            Ok(Item::SessionStart(start)) => {
                open_sessions.insert(seq, start);
                latest_start = Some(seq);
            }
            Ok(Item::SessionEnd(end)) => {
                open_sessions.remove(&end.session);
            }
            Ok(Item::Note(note)) => {
                if let Some(sha) = note.attachment_sha256 {
                    notes_with_attachment.insert(seq);
                    let data: Option<Vec<u8>> = attachment_of.query_row([seq], |r| r.get(0)).optional()?;
                    match data {
                        None => found.push(ProblemKind::AttachmentMissing, seq, ""),
                        Some(d) if hex::encode(Sha256::digest(&d)) != sha => {
                            found.push(ProblemKind::AttachmentChanged, seq, "")
                        }
                        Some(_) => {}
                    }
                }
            }
            Ok(_) => {}
        }
        (prev_seq, prev_hash) = (seq, Some(hash));
    }
    // An attachment no note vouches for was added behind the chain's back.
    let mut stmt = conn.prepare("SELECT seq FROM attachments ORDER BY seq")?;
    for seq in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        let seq = seq?;
        if !notes_with_attachment.contains(&seq) {
            found.push(ProblemKind::StrayAttachment, seq, "");
        }
    }
    report.unclosed_sessions = open_sessions
        .into_iter()
        .map(|(session, start)| UnclosedSession {
            session,
            kind: start.kind,
            started_us: start.started_us,
            last: Some(session) == latest_start,
        })
        .collect();
    Ok(())
}

/// A row of `sqlite_schema`: type, name, table, SQL (whitespace collapsed).
type SchemaRow = (String, String, String, Option<String>);

fn schema_rows(conn: &Connection) -> rusqlite::Result<Vec<SchemaRow>> {
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")?;
    stmt.query_map([], |r| {
        let sql: Option<String> = r.get(3)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            sql.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        ))
    })?
    .collect()
}

/// Exactly what [`SCHEMA`] creates, read back from a database made with it.
fn expected_schema() -> &'static [SchemaRow] {
    static EXPECTED: OnceLock<Vec<SchemaRow>> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        // SCHEMA is a constant; an in-memory database cannot fail to take it.
        let conn = Connection::open_in_memory().expect("in-memory SQLite");
        conn.execute_batch(SCHEMA).expect("SCHEMA is valid");
        schema_rows(&conn).expect("reading a fresh schema")
    })
}

/// Every schema object tagwatch did not create, every one of its own that was changed and
/// every one missing, as "trigger t on records: not created by tagwatch".
pub(super) fn unknown_schema_objects(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let expected = expected_schema();
    let found = schema_rows(conn)?;
    let same_object = |a: &SchemaRow, b: &SchemaRow| a.0 == b.0 && a.1 == b.1;
    let mut objects = Vec::new();
    for row in &found {
        let (kind, name, table, _) = row;
        match expected.iter().find(|e| same_object(e, row)) {
            Some(e) if e == row => {}
            Some(_) => objects.push(format!("{kind} {name}: not as tagwatch created it")),
            None if kind == "table" || name == table => {
                objects.push(format!("{kind} {name}: not created by tagwatch"))
            }
            None => objects.push(format!("{kind} {name} on {table}: not created by tagwatch")),
        }
    }
    for e in expected {
        if !found.iter().any(|row| same_object(e, row)) {
            objects.push(format!("{} {}: missing", e.0, e.1));
        }
    }
    Ok(objects)
}

pub(super) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: ProblemKind, first: i64, last: i64) -> Problem {
        Problem {
            kind,
            first,
            last,
            detail: String::new(),
        }
    }

    #[test]
    fn consecutive_records_merge_into_ranges_per_kind() {
        let mut found = Findings::default();
        for seq in 120..=130 {
            found.push(ProblemKind::ContentChanged, seq, "");
            if seq == 125 {
                found.push(ProblemKind::LinkBroken, seq, "");
            }
        }
        found.push(ProblemKind::ContentChanged, 140, "");
        assert_eq!(
            found.0,
            [
                problem(ProblemKind::ContentChanged, 120, 130),
                problem(ProblemKind::LinkBroken, 125, 125),
                problem(ProblemKind::ContentChanged, 140, 140),
            ]
        );
    }

    #[test]
    fn problems_read_as_ranges() {
        for (kind, first, last, text) in [
            (
                ProblemKind::ContentChanged,
                120,
                130,
                "records 120-130: content changed (its hash does not match)",
            ),
            (
                ProblemKind::Missing,
                400,
                411,
                "after record 399: 12 records missing",
            ),
            (
                ProblemKind::Missing,
                1,
                4,
                "records 1-4: missing (the beginning of the chain)",
            ),
            (
                ProblemKind::StrayAttachment,
                7,
                7,
                "record 7: an attached file that no note refers to",
            ),
        ] {
            assert_eq!(problem(kind, first, last).to_string(), text);
        }
    }

    #[test]
    fn the_schema_tagwatch_creates_is_not_unknown() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        assert!(unknown_schema_objects(&conn).unwrap().is_empty());
        conn.execute_batch("CREATE TEMP TRIGGER x BEFORE INSERT ON records BEGIN SELECT 1; END;")
            .unwrap();
        conn.execute_batch("CREATE TRIGGER t AFTER DELETE ON attachments BEGIN SELECT 1; END;")
            .unwrap();
        assert_eq!(
            unknown_schema_objects(&conn).unwrap(),
            ["trigger t on attachments: not created by tagwatch"]
        );
    }
}
