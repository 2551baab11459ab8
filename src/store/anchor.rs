//! Anchors in the chain: the record that keeps one, and checking the chain against an anchor
//! kept elsewhere (see [`crate::anchor`] for the code).
//!
//! An `anchor` record says "the chain had `records` records, the last with hash `head`, at
//! `time_us`". It follows the record it anchors, normally at once (seq `records + 1`); with a
//! timestamp, other records may have been stored while the authority answered.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, chain, push, read_head};
use crate::anchor::Code;
use crate::i18n::{Lang, Localised, Message};

/// The payload of an `anchor` record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnchorRecord {
    /// The records anchored: `head` is the hash of record number `records`.
    pub records: u64,
    /// That record's hash, hex.
    pub head: String,
    pub time_us: i64,
    /// The short code, as printed.
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
}

/// An RFC 3161 timestamp token over the head (see [`crate::anchor::tsa`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timestamp {
    /// The authority's URL.
    pub tsa: String,
    /// The token (CMS SignedData), DER, base64.
    pub token: String,
}

/// The last record of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub records: u64,
    pub hash: [u8; 32],
}

/// What the chain says about an anchor.
#[derive(Clone, Debug, PartialEq)]
pub struct AnchorCheck {
    /// Records in the chain now.
    pub records: u64,
    /// The hash of the anchored record, as the chain has it (zeros if it has no such record).
    pub anchored_hash: [u8; 32],
    /// Sessions begun after the anchored record.
    pub sessions_since: u64,
    /// The anchor record that kept this anchor.
    pub kept: Option<AnchorRecord>,
    /// The first record that does not link to the one before, if any.
    pub broken: Option<Message>,
    /// Why the chain does not extend the anchor; `None`: it does.
    pub problem: Option<Message>,
}

/// Why no anchor was kept.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum AnchorError {
    Store(#[from] StoreError),
    Empty,
    /// The chain does not verify up to the head: an anchor would vouch for changed records.
    Broken(Message),
}

impl Localised for AnchorError {
    fn text(&self, lang: Lang) -> String {
        match self {
            AnchorError::Store(e) => e.text(lang),
            AnchorError::Empty => Message::new("anchor-empty").text(lang),
            AnchorError::Broken(problem) => Message::new("anchor-broken")
                .nested("problem", problem.clone())
                .text(lang),
        }
    }
}

impl Store {
    /// The chain's last record; `None` for an empty store.
    pub fn chain_head(&self) -> Result<Option<ChainHead>, StoreError> {
        let head = read_head(&self.conn).map_err(|e| self.err(e))?;
        chain_head(&self.path, head.seq, head.hash)
    }

    /// The latest anchor record in the chain (None: never anchored).
    pub fn last_anchor(&self) -> Result<Option<AnchorRecord>, StoreError> {
        let payload: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT payload FROM records WHERE kind = ?1 ORDER BY seq DESC LIMIT 1",
                [chain::ANCHOR],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        payload
            .map(|p| {
                serde_json::from_slice(&p).map_err(|e| StoreError::Damaged {
                    path: self.path.clone(),
                    detail: format!("an anchor record does not parse: {e}"),
                })
            })
            .transpose()
    }

    /// Keeps an anchor of the chain as it stands.
    pub fn anchor_now(&mut self, time_us: i64) -> Result<AnchorRecord, AnchorError> {
        let head = self.chain_head()?.ok_or(AnchorError::Empty)?;
        self.keep_anchor(head, time_us, None)
    }

    /// Keeps an anchor of `head`, read before (for a timestamp taken in between).
    pub fn add_anchor(
        &mut self,
        head: ChainHead,
        time_us: i64,
        timestamp: Option<Timestamp>,
    ) -> Result<AnchorRecord, AnchorError> {
        self.keep_anchor(head, time_us, timestamp)
    }

    /// Walks the chain up to the anchored head, so that an anchor is only ever kept of a chain
    /// that verifies, then appends the anchor record. The walk reads a snapshot without the
    /// write lock: it grows with the evidence, and a scan writing meanwhile must not wait for
    /// it. Records appended during the walk simply follow the anchored one.
    fn keep_anchor(
        &mut self,
        anchored: ChainHead,
        time_us: i64,
        timestamp: Option<Timestamp>,
    ) -> Result<AnchorRecord, AnchorError> {
        let code = Code::new(anchored.records, &anchored.hash);
        let check = {
            let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
            walk(&tx, &code).map_err(|e| self.err(e))?
        };
        if let Some(problem) = check.broken.or(check.problem) {
            return Err(AnchorError::Broken(problem));
        }
        let record = AnchorRecord {
            records: anchored.records,
            head: hex::encode(anchored.hash),
            time_us,
            code: code.short().to_string(),
            timestamp,
        };
        let payload = super::payload_of(chain::ANCHOR, &record)?;
        self.write(|tx, head| push(tx, head, chain::ANCHOR, &payload).map(drop))?;
        Ok(record)
    }

    /// Walks the chain from the first record and checks that it extends the anchor `code`:
    /// record `code.records` exists, its hash starts with the code's digits and every record up
    /// to it links to the one before. The records after it must link too. Other checks
    /// (attachments, payloads, the file) are [`Store::verify`]'s.
    pub fn check_anchor(&self, code: &Code) -> Result<AnchorCheck, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut check = walk(&tx, code).map_err(|e| self.err(e))?;
        // tagwatch keeps the anchor record before it shows the code.
        if check.problem.is_none() && check.kept.is_none() {
            check.problem = Some(Message::new("anchor-problem-not-kept").count("n", code.records));
        }
        Ok(check)
    }
}

fn chain_head(path: &Path, seq: u64, hash: Vec<u8>) -> Result<Option<ChainHead>, StoreError> {
    if seq == 0 {
        return Ok(None);
    }
    let hash = hash.try_into().map_err(|_| StoreError::Damaged {
        path: path.to_path_buf(),
        detail: format!("record {seq}: its hash is not 32 bytes (run verify)"),
    })?;
    Ok(Some(ChainHead { records: seq, hash }))
}

fn walk(conn: &Connection, code: &Code) -> rusqlite::Result<AnchorCheck> {
    let n = code.records;
    let mut check = AnchorCheck {
        records: 0,
        anchored_hash: [0; 32],
        sessions_since: 0,
        kept: None,
        broken: None,
        problem: None,
    };
    let mut stmt = conn.prepare("SELECT seq, kind, payload, prev_hash, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut prev = chain::GENESIS.to_vec();
    let mut expected = 1u64;
    let mut broken = None;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)?;
        let columns = (
            row.get::<_, String>(1),
            row.get::<_, Vec<u8>>(2),
            row.get::<_, Vec<u8>>(3),
            row.get::<_, Vec<u8>>(4),
        );
        let problem = match columns {
            _ if seq != expected as i64 => Some(
                Message::new("chain-gap")
                    .with("seq", seq)
                    .with("before", expected - 1),
            ),
            (Ok(kind), Ok(payload), Ok(prev_hash), Ok(hash)) => {
                if prev_hash != prev {
                    Some(Message::new("chain-link").with("seq", seq))
                } else if hash != chain::record_hash(&prev_hash, expected, &kind, &payload) {
                    Some(Message::new("chain-hash").with("seq", seq))
                } else {
                    note_after_anchor(&mut check, code, expected, &kind, &payload, &hash);
                    prev = hash;
                    None
                }
            }
            _ => Some(Message::new("chain-column").with("seq", seq)),
        };
        if let Some(problem) = problem {
            broken = Some((expected, problem));
            break;
        }
        expected += 1;
    }
    check.records = expected - 1;
    check.broken = broken.as_ref().map(|(_, problem)| problem.clone());
    check.problem = match broken {
        Some((at, problem)) if at <= n => {
            Some(Message::new("anchor-problem-changed").nested("problem", problem))
        }
        None if check.records < n => Some(
            Message::new("anchor-problem-cut")
                .count("records", check.records)
                .count("n", n)
                .count("cut", n - check.records),
        ),
        _ if !code.matches(&check.anchored_hash) => Some(
            Message::new("anchor-problem-rewritten")
                .with("n", n)
                .with(
                    "found",
                    &hex::encode_upper(check.anchored_hash)[..code.head.len()],
                )
                .with("head", &code.head),
        ),
        Some((_, problem)) => Some(
            Message::new("anchor-problem-after")
                .count("n", n)
                .nested("problem", problem),
        ),
        None => None,
    };
    Ok(check)
}

/// Takes note of what a verified record says about the anchor: the anchored hash, sessions
/// and the anchor record after it.
fn note_after_anchor(
    check: &mut AnchorCheck,
    code: &Code,
    seq: u64,
    kind: &str,
    payload: &[u8],
    hash: &[u8],
) {
    let n = code.records;
    if seq == n {
        check.anchored_hash = hash.try_into().unwrap_or([0; 32]);
    } else if seq > n && kind == chain::SESSION_START {
        check.sessions_since += 1;
    } else if seq > n
        && kind == chain::ANCHOR
        && check.kept.is_none()
        && let Ok(chain::Item::Anchor(a)) = chain::Item::parse(kind, payload)
        && a.records == n
        && a.head.eq_ignore_ascii_case(&hex::encode(check.anchored_hash))
    {
        check.kept = Some(a);
    }
}
