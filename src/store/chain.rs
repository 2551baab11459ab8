//! The hash chain that makes the evidence store tamper-evident.
//!
//! Every stored item is one row of the append-only table
//! `records(seq INTEGER PRIMARY KEY, kind TEXT, payload BLOB, prev_hash BLOB, hash BLOB)`:
//!
//! - `seq` counts from 1 without gaps.
//! - `kind` is one of `session_start`, `session_end`, `sighting`, `track`, `tracker`, `note`,
//!   `anchor`, `placement` (a later session's new position and tracker id for sightings already
//!   kept, by their seq), `track_ref` (a session's track that is already kept, by the SHA-256 of
//!   its points and the session whose `track` records hold them), `annotation` (what the user said about a tracker: "it is my own") and
//!   `recorded` (the capture a scan wrote with `--record`: what it heard, as a file) and
//!   `coverage` (a live session's radio started or stopped listening, or its positions came or
//!   went, and why: see [`crate::listening`]).
//! - `payload` is the record serialised with serde_json (the types below). It is the single
//!   source of truth: reports are made by parsing it, there are no side tables to disagree with
//!   it. The one exception is a note's attachment, whose bytes live in
//!   `attachments(seq, data)` because they can be large; the note's payload holds their SHA-256,
//!   so they are covered by the chain all the same.
//! - `hash = SHA-256(prev_hash || seq as 8 bytes big-endian || kind || 0x00 || payload)` and
//!   `prev_hash` is the previous row's `hash`; the first row's `prev_hash` is 32 zero bytes.
//!
//! Changing any stored byte of a record (its seq, kind, payload or either hash), deleting or
//! inserting a row before the last one, or changing an attachment breaks the chain at that
//! record. Rewriting the whole chain from some record on, or dropping rows from its end, keeps it
//! consistent: that is what the chain head (the last `hash`) and the record count are for — a
//! report or an export shows them, and a later head that does not extend them tells it was done.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::evidence::{
    AnnotationRecord, NoteRecord, Placement, SightingRecord, Source, TrackPoint, TrackerRecord,
};

/// The `prev_hash` of the first record.
pub const GENESIS: [u8; 32] = [0; 32];

pub const SESSION_START: &str = "session_start";
pub const SESSION_END: &str = "session_end";
pub const SIGHTING: &str = "sighting";
pub const TRACK: &str = "track";
pub const TRACKER: &str = "tracker";
pub const NOTE: &str = "note";
/// The chain head as it was given away (see [`super::anchor`]).
pub const ANCHOR: &str = "anchor";
pub const PLACEMENT: &str = "placement";
pub const TRACK_REF: &str = "track_ref";
pub const ANNOTATION: &str = "annotation";
pub const RECORDED: &str = "recorded";
pub const COVERAGE: &str = "coverage";

/// The hash of a record given the hash of the one before it.
pub fn record_hash(prev_hash: &[u8], seq: u64, kind: &str, payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(seq.to_be_bytes());
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(payload);
    h.finalize().into()
}

/// The start of a session; its `seq` is the session's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionStart {
    /// `analyze`, `scan` or `sweep`.
    pub kind: String,
    pub sources: Vec<Source>,
    pub started_us: i64,
    /// What recorded it: tagwatch's version and the system (left out by older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// How it judged: sensitivity, maximum gap, the track, allow list and places files with
    /// their digests (left out by older versions and when there are none).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

/// "tagwatch 0.1.0 (linux x86_64)": this program and the system it runs on.
pub fn tool() -> String {
    format!(
        "tagwatch {} ({} {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionEnd {
    pub session: i64,
    pub ended_us: i64,
    /// Advertisements of non-trackers: only counted, never kept.
    pub other_advertisements: u64,
}

/// A record that belongs to a session: a sighting, a batch of track points, a tracker verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InSession<T> {
    pub session: i64,
    pub record: T,
}

/// A session's track that an earlier session kept already: it is referred to, not kept again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRef {
    /// The SHA-256 of its points (see [`super::tracks::digest`]).
    pub sha256: String,
    /// The session whose `track` records hold the points.
    pub stored_in: i64,
    pub points: u64,
}

/// A record's payload, parsed according to its kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    SessionStart(SessionStart),
    SessionEnd(SessionEnd),
    Sighting(InSession<SightingRecord>),
    Track(InSession<Vec<TrackPoint>>),
    /// Boxed: a verdict with its days and continuity is several times the other records.
    Tracker(Box<InSession<TrackerRecord>>),
    /// Boxed: a note with its place, category and tag readings is the largest of the rest.
    Note(Box<NoteRecord>),
    Anchor(super::anchor::AnchorRecord),
    Placement(InSession<Vec<Placement>>),
    TrackRef(InSession<TrackRef>),
    Annotation(AnnotationRecord),
    Recorded(InSession<Source>),
    Coverage(InSession<crate::listening::Change>),
}

impl Item {
    /// Parses a payload; an unknown kind or a payload that does not fit its kind is an error.
    pub fn parse(kind: &str, payload: &[u8]) -> Result<Item, String> {
        let parsed = match kind {
            SESSION_START => serde_json::from_slice(payload).map(Item::SessionStart),
            SESSION_END => serde_json::from_slice(payload).map(Item::SessionEnd),
            SIGHTING => serde_json::from_slice(payload).map(Item::Sighting),
            TRACK => serde_json::from_slice(payload).map(Item::Track),
            TRACKER => serde_json::from_slice(payload).map(|t| Item::Tracker(Box::new(t))),
            NOTE => serde_json::from_slice(payload).map(|n| Item::Note(Box::new(n))),
            ANCHOR => serde_json::from_slice(payload).map(Item::Anchor),
            PLACEMENT => serde_json::from_slice(payload).map(Item::Placement),
            TRACK_REF => serde_json::from_slice(payload).map(Item::TrackRef),
            ANNOTATION => serde_json::from_slice(payload).map(Item::Annotation),
            RECORDED => serde_json::from_slice(payload).map(Item::Recorded),
            COVERAGE => serde_json::from_slice(payload).map(Item::Coverage),
            other => return Err(format!("unknown kind {other:?}")),
        };
        parsed.map_err(|e| format!("payload is not a valid {kind} record: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_every_part() {
        let base = record_hash(&GENESIS, 1, NOTE, b"{}");
        assert_ne!(base, record_hash(&[1; 32], 1, NOTE, b"{}"));
        assert_ne!(base, record_hash(&GENESIS, 2, NOTE, b"{}"));
        assert_ne!(base, record_hash(&GENESIS, 1, TRACK, b"{}"));
        assert_ne!(base, record_hash(&GENESIS, 1, NOTE, b"{ }"));
        // The 0x00 separator keeps kind and payload apart.
        assert_ne!(
            record_hash(&GENESIS, 1, "ab", b"c"),
            record_hash(&GENESIS, 1, "a", b"bc")
        );
    }

    #[test]
    fn known_answer() {
        // SHA-256 of 32 zero bytes, 00..01, "note", 0x00, "{}", computed independently with
        // `printf` and `sha256sum`.
        let hash = record_hash(&GENESIS, 1, NOTE, b"{}");
        assert_eq!(
            hex::encode(hash),
            "4305314345c3d10fe30f90cf5297267469cb9d0bfbd3cf8cd51105565cb8475c"
        );
    }

    #[test]
    fn parse_rejects_unknown_kind_and_bad_payload() {
        assert!(Item::parse("bogus", b"{}").is_err());
        assert!(Item::parse(SESSION_END, b"{\"session\":1}").is_err());
        assert!(
            Item::parse(
                NOTE,
                b"{\"time_us\":1,\"text\":\"x\",\"attachment_name\":null,\"attachment_sha256\":null}"
            )
            .is_ok()
        );
    }
}
