//! The evidence database: an SQLite file holding a hash chain of records (see [`chain`]).
//!
//! Only tracker data comes in: there is no API for other advertisements, only their count per
//! session. Every write is one transaction, committed with `synchronous=FULL` in WAL mode, so a
//! call that returned has its records on disk.

pub mod chain;
mod known;
mod recorder;

pub use recorder::Recorder;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::evidence::{
    AnnotationRecord, NoteRecord, Placement, ReportData, SightingRecord, Source, TrackPoint, TrackerRecord,
};
use chain::{InSession, Item, SessionEnd, SessionStart};

/// `PRAGMA application_id` of a tagwatch evidence database ("tgwe").
const APPLICATION_ID: i32 = 0x7467_7765;
/// `PRAGMA user_version`: the schema below.
const SCHEMA_VERSION: i32 = 1;

const SCHEMA: &str = "
CREATE TABLE records (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload BLOB NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE TABLE attachments (
    seq INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
";

/// How long a write waits for another process that holds the database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {what}: {source}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("{}: not a tagwatch evidence database (left untouched)", path.display())]
    NotTagwatch { path: PathBuf },
    #[error("{}: made by a newer tagwatch (schema {found}, this one knows {SCHEMA_VERSION})", path.display())]
    NewerSchema { path: PathBuf, found: i32 },
    #[error("{}: the database is damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("{}: the database is read-only", path.display())]
    ReadOnly { path: PathBuf },
    #[error("unknown session kind {0:?} (analyze, scan or sweep)")]
    SessionKind(String),
    #[error("session {0} was not begun by this store or has ended")]
    UnknownSession(i64),
    #[error("no tracker {0:?} in the evidence database")]
    UnknownTracker(String),
    #[error("cannot store a {kind} record: {detail}")]
    Unstorable { kind: &'static str, detail: String },
}

/// What [`Store::verify`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Rows in the chain.
    pub records: u64,
    /// The last row's hash, hex (empty for an empty store).
    pub head: String,
    /// The first record that does not verify; `None` means the whole store verified.
    pub first_broken: Option<BrokenRecord>,
}

/// A record that failed verification. `seq` 0 with kind `sqlite` is damage to the database
/// file itself (SQLite's integrity check), not to one record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokenRecord {
    pub seq: u64,
    pub kind: String,
    pub problem: String,
}

/// The last record of the chain.
struct Head {
    seq: u64,
    hash: Vec<u8>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Sessions begun through this handle and not ended: the only ones it appends to.
    open_sessions: HashSet<i64>,
}

impl Store {
    /// Where the evidence is kept unless told otherwise.
    pub fn default_path() -> PathBuf {
        match dirs::data_dir() {
            Some(dir) => dir.join("tagwatch").join("evidence.sqlite"),
            None => PathBuf::from("tagwatch-evidence.sqlite"),
        }
    }

    /// Opens the store at `path`, creating it (and its folder) if there is no file there. An
    /// existing file that is not a tagwatch database is an error and is never written to.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let io = |what, source| StoreError::Io {
            path: path.to_path_buf(),
            what,
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| io("cannot create its folder", e))?;
        }
        // Creating the file ourselves (never truncating) tells a new store from an old one and
        // gives it mode 0600 before any evidence is in it.
        let created = match create_private_file(path) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(io("cannot create", e)),
        };
        if path.is_dir() {
            return Err(io(
                "cannot open",
                std::io::Error::other("it is a folder, not a file"),
            ));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sql_error(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            open_sessions: HashSet::new(),
        };
        // Before the first read: another tagwatch may be setting the file up right now.
        store.conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| store.err(e))?;
        let fresh = store.check_identity()?;
        if store.conn.is_readonly("main").map_err(|e| store.err(e))? {
            return Err(StoreError::ReadOnly {
                path: store.path.clone(),
            });
        }
        let mode: String = store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(|e| store.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(store.damaged(format!("cannot switch to WAL (journal mode {mode})")));
        }
        // FULL: a commit is on disk when it returns, power loss included.
        store
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| store.err(e))?;
        if fresh {
            store.create_schema()?;
        }
        if created {
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_owned();
                side.push(suffix);
                set_private(Path::new(&side)).map_err(|e| io("cannot set mode 0600", e))?;
            }
        }
        Ok(store)
    }

    /// Whether the file is a tagwatch database (`Ok(false)`) or an empty one to set up
    /// (`Ok(true)`); this only reads.
    fn check_identity(&self) -> Result<bool, StoreError> {
        let read = |sql: &str| -> Result<i64, StoreError> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let app_id = read("PRAGMA application_id")?;
        let version = read("PRAGMA user_version")?;
        let tables = read("SELECT count(*) FROM sqlite_schema")?;
        match (app_id, tables) {
            (0, 0) => Ok(true),
            (id, _) if id == i64::from(APPLICATION_ID) => {
                if version > i64::from(SCHEMA_VERSION) {
                    Err(StoreError::NewerSchema {
                        path: self.path.clone(),
                        found: version as i32,
                    })
                } else if version < i64::from(SCHEMA_VERSION) {
                    Err(self.damaged(format!("schema version {version}")))
                } else {
                    Ok(false)
                }
            }
            _ => Err(StoreError::NotTagwatch {
                path: self.path.clone(),
            }),
        }
    }

    fn create_schema(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(|e| sql_error(&self.path, e))?;
        tx.execute_batch(SCHEMA)
            .and_then(|()| tx.pragma_update(None, "application_id", APPLICATION_ID))
            .and_then(|()| tx.pragma_update(None, "user_version", SCHEMA_VERSION))
            .and_then(|()| tx.commit())
            .map_err(|e| sql_error(&self.path, e))
    }

    /// The file this store is kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a session (`analyze`, `scan` or `sweep` of `sources`); returns its id.
    pub fn begin_session(
        &mut self,
        kind: &str,
        sources: &[Source],
        started_us: i64,
    ) -> Result<i64, StoreError> {
        if !matches!(kind, "analyze" | "scan" | "sweep") {
            return Err(StoreError::SessionKind(kind.to_string()));
        }
        let start = SessionStart {
            kind: kind.to_string(),
            sources: sources.to_vec(),
            started_us,
        };
        let seq = self.append(chain::SESSION_START, std::slice::from_ref(&start))?;
        let id = seq as i64;
        self.open_sessions.insert(id);
        Ok(id)
    }

    /// Stores tracker sightings, one record each, in one transaction; returns the seq of the
    /// last record written (the chain's length).
    pub fn add_sightings(&mut self, session: i64, sightings: &[SightingRecord]) -> Result<u64, StoreError> {
        self.check_session(session)?;
        let records: Vec<_> = sightings
            .iter()
            .map(|record| InSession { session, record })
            .collect();
        self.append(chain::SIGHTING, &records)
    }

    /// Stores, in one record, where this session places sightings already kept (of a capture
    /// analysed before): the tracker they now belong to and the person's position.
    pub fn add_placements(&mut self, session: i64, placements: &[Placement]) -> Result<u64, StoreError> {
        self.append_in_session(chain::PLACEMENT, session, placements)
    }

    /// Keeps the digest of the capture this session wrote (`--record`): analysing it later
    /// refers to this session's sightings instead of storing them again.
    pub fn add_recorded(&mut self, session: i64, capture: &Source) -> Result<u64, StoreError> {
        self.append_in_session(chain::RECORDED, session, capture)
    }

    /// Appends one record of an open session.
    fn append_in_session<T: Serialize>(
        &mut self,
        kind: &'static str,
        session: i64,
        record: T,
    ) -> Result<u64, StoreError> {
        self.check_session(session)?;
        self.append(kind, &[InSession { session, record }])
    }

    /// Appends what the user said about a tracker ("it is my own"); nothing before changes.
    pub fn add_annotation(&mut self, annotation: &AnnotationRecord) -> Result<u64, StoreError> {
        self.append(chain::ANNOTATION, std::slice::from_ref(annotation))
    }

    /// Stores a batch of the person's positions as one record.
    pub fn add_track(&mut self, session: i64, points: &[TrackPoint]) -> Result<u64, StoreError> {
        self.append_in_session(chain::TRACK, session, points)
    }

    /// Stores the verdict on each tracker at the end of a session, one record each. A later
    /// verdict on the same tracker id supersedes this one in reports; both stay in the chain.
    pub fn save_trackers(&mut self, session: i64, trackers: &[TrackerRecord]) -> Result<u64, StoreError> {
        self.check_session(session)?;
        let records: Vec<_> = trackers
            .iter()
            .map(|record| InSession { session, record })
            .collect();
        self.append(chain::TRACKER, &records)
    }

    /// Ends a session; `other_advertisements` counts the non-tracker advertisements it heard.
    pub fn end_session(
        &mut self,
        session: i64,
        ended_us: i64,
        other_advertisements: u64,
    ) -> Result<(), StoreError> {
        self.check_session(session)?;
        let end = SessionEnd {
            session,
            ended_us,
            other_advertisements,
        };
        self.append(chain::SESSION_END, &[end])?;
        self.open_sessions.remove(&session);
        Ok(())
    }

    /// Stores a note, with a copy of the attached file's bytes and their SHA-256.
    pub fn add_note(
        &mut self,
        text: &str,
        attachment: Option<&Path>,
        time_us: i64,
    ) -> Result<NoteRecord, StoreError> {
        let data = attachment
            .map(|p| {
                std::fs::read(p).map_err(|source| StoreError::Io {
                    path: p.to_path_buf(),
                    what: "cannot read the attachment",
                    source,
                })
            })
            .transpose()?;
        let note = NoteRecord {
            time_us,
            text: text.to_string(),
            attachment_name: attachment
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned()),
            attachment_sha256: data.as_ref().map(|d| hex::encode(Sha256::digest(d))),
        };
        let payload = payload_of(chain::NOTE, &note)?;
        let path = self.path.clone();
        let tx = self.write_tx()?;
        (|| {
            let mut head = read_head(&tx)?;
            let seq = push(&tx, &mut head, chain::NOTE, &payload)?;
            if let Some(data) = &data {
                tx.execute(
                    "INSERT INTO attachments (seq, data) VALUES (?1, ?2)",
                    params![seq as i64, data],
                )?;
            }
            tx.commit()
        })()
        .map_err(|e| sql_error(&path, e))?;
        Ok(note)
    }

    /// Appends one record per item in one transaction; returns the last seq.
    fn append<T: Serialize>(&mut self, kind: &'static str, items: &[T]) -> Result<u64, StoreError> {
        let payloads = items
            .iter()
            .map(|item| payload_of(kind, item))
            .collect::<Result<Vec<_>, _>>()?;
        let path = self.path.clone();
        let tx = self.write_tx()?;
        (|| {
            let mut head = read_head(&tx)?;
            for payload in &payloads {
                push(&tx, &mut head, kind, payload)?;
            }
            tx.commit()?;
            Ok(head.seq)
        })()
        .map_err(|e| sql_error(&path, e))
    }

    /// IMMEDIATE takes the write lock before reading the head, so two writers cannot both
    /// extend the same head.
    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error(&path, e))
    }

    fn check_session(&self, session: i64) -> Result<(), StoreError> {
        if self.open_sessions.contains(&session) {
            Ok(())
        } else {
            Err(StoreError::UnknownSession(session))
        }
    }

    /// Recomputes the hash chain and checks the attachments and the SQLite file itself.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        // One read transaction: count, head and checks see the same snapshot.
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        match verify_chain(&tx) {
            Ok(report) => Ok(report),
            Err(e) if is_damage(&e) => Ok(VerifyReport {
                records: 0,
                head: String::new(),
                first_broken: Some(BrokenRecord {
                    seq: 0,
                    kind: "sqlite".to_string(),
                    problem: format!("the database file is damaged: {e}"),
                }),
            }),
            Err(e) => Err(self.err(e)),
        }
    }

    /// What a report shows: the trackers (`tracker`, or all with a stored verdict; the latest
    /// verdict of each), their sightings in
    /// time order (with `None`, every stored sighting, also of trackers whose session ended
    /// before a verdict), the track of the sessions they were seen in, all notes, their
    /// annotations, and the chain head and length.
    ///
    /// A sighting is listed once however often its capture was analysed, under the tracker id
    /// and with the position the latest analysis gave it (an analysis without a track keeps the
    /// position an earlier one gave).
    pub fn report_data(&self, tracker: Option<&str>, now_us: i64) -> Result<ReportData, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let mut stmt = tx
            .prepare("SELECT seq, kind, payload, hash FROM records ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;

        let wanted = |id: &str| tracker.is_none_or(|t| t == id);
        let mut verdicts: BTreeMap<String, TrackerRecord> = BTreeMap::new();
        let mut all_sightings = Vec::new();
        let mut tracks: HashMap<i64, Vec<TrackPoint>> = HashMap::new();
        let mut sessions_seen = HashSet::new();
        let mut notes = Vec::new();
        let mut annotations = Vec::new();
        // Sightings a later session placed again, with that session.
        let mut placed: Vec<(usize, i64)> = Vec::new();
        let mut head: (u64, Vec<u8>) = (0, Vec::new());
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
            let kind: String = row.get(1).map_err(|e| self.err(e))?;
            let payload: Vec<u8> = row.get(2).map_err(|e| self.err(e))?;
            head = (seq as u64, row.get(3).map_err(|e| self.err(e))?);
            let item = Item::parse(&kind, &payload)
                .map_err(|problem| self.damaged(format!("record {seq}: {problem} (run verify)")))?;
            match item {
                // Kept until the verdicts are known: a clone's sightings are stored under the
                // ids of the one-off keys it was gathered from.
                Item::Sighting(s) => all_sightings.push((s.session, seq, s.record)),
                Item::Tracker(t) if wanted(&t.record.id) => {
                    sessions_seen.insert(t.session);
                    verdicts.insert(t.record.id.clone(), t.record);
                }
                Item::Track(t) => tracks.entry(t.session).or_default().extend(t.record),
                Item::Note(n) => notes.push(n),
                Item::Placement(p) => {
                    for placement in p.record {
                        // Rows come in seq order, so the sightings are sorted by seq.
                        let found = all_sightings
                            .binary_search_by_key(&(placement.sighting as i64), |(_, seq, _)| *seq);
                        // tagwatch never refers to anything but a sighting kept before: any
                        // other reference changes nothing.
                        let Ok(i) = found else { continue };
                        let record: &mut SightingRecord = &mut all_sightings[i].2;
                        record.tracker_id = placement.tracker_id;
                        if placement.position.is_some() {
                            record.position = placement.position;
                        }
                        placed.push((i, p.session));
                    }
                }
                Item::Annotation(a) => annotations.push(a),
                _ => {}
            }
        }
        let owner: HashMap<&str, &str> = verdicts
            .values()
            .flat_map(|v| v.member_ids.iter().map(|m| (m.as_str(), v.id.as_str())))
            .collect();
        for (_, _, record) in &mut all_sightings {
            if let Some(clone) = owner.get(record.tracker_id.as_str()) {
                record.tracker_id = clone.to_string();
            }
        }
        for (i, session) in placed {
            if wanted(&all_sightings[i].2.tracker_id) {
                sessions_seen.insert(session);
            }
        }
        annotations.retain(|a: &AnnotationRecord| wanted(&a.tracker_id));
        // Whether it is the user's own is the latest verdict's to say (a later analysis without
        // the allow list alerts again); when it was first marked, the annotations say.
        for a in annotations.iter().filter(|a| a.what == OWN) {
            if let Some(v) = verdicts.get_mut(&a.tracker_id).filter(|v| v.own) {
                v.marked_own_at_us = Some(v.marked_own_at_us.map_or(a.time_us, |t| t.min(a.time_us)));
            }
        }
        let mut sightings = Vec::new();
        for (session, seq, record) in all_sightings {
            if wanted(&record.tracker_id) {
                sessions_seen.insert(session);
                sightings.push((record.time_us, seq, record));
            }
        }
        if let Some(id) = tracker
            && sightings.is_empty()
            && verdicts.is_empty()
        {
            return Err(StoreError::UnknownTracker(id.to_string()));
        }
        // Stable on equal times: the order they were stored in.
        sightings.sort_by_key(|&(time, seq, _)| (time, seq));
        let mut track: Vec<TrackPoint> = tracks
            .into_iter()
            .filter(|(session, _)| sessions_seen.contains(session))
            .flat_map(|(_, points)| points)
            .collect();
        track.sort_by_key(|p| p.time_us);
        // The same track file given to two sessions is one path.
        track.dedup();
        let mut trackers: Vec<TrackerRecord> = verdicts.into_values().collect();
        trackers.sort_by(|a, b| (a.first_seen_us, &a.id).cmp(&(b.first_seen_us, &b.id)));
        Ok(ReportData {
            trackers,
            sightings: sightings.into_iter().map(|(_, _, s)| s).collect(),
            track,
            notes,
            annotations,
            chain_head: hex::encode(&head.1),
            chain_records: head.0,
            generated_us: now_us,
        })
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sql_error(&self.path, e)
    }

    fn damaged(&self, detail: String) -> StoreError {
        StoreError::Damaged {
            path: self.path.clone(),
            detail,
        }
    }
}

/// What an `own` annotation says: the tracker is the user's own.
pub const OWN: &str = "own";

/// Serialises a record, refusing what would not read back (serde_json writes NaN as `null`),
/// since a payload that does not parse would look like tampering forever after.
fn payload_of<T: Serialize>(kind: &'static str, item: &T) -> Result<Vec<u8>, StoreError> {
    let unstorable = |detail: String| StoreError::Unstorable { kind, detail };
    let payload = serde_json::to_vec(item).map_err(|e| unstorable(e.to_string()))?;
    Item::parse(kind, &payload).map_err(|_| unstorable("a number is not finite".to_string()))?;
    Ok(payload)
}

fn read_head(conn: &Connection) -> rusqlite::Result<Head> {
    let head = conn
        .query_row(
            "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(Head {
                    seq: r.get::<_, i64>(0)? as u64,
                    hash: r.get(1)?,
                })
            },
        )
        .optional()?;
    Ok(head.unwrap_or(Head {
        seq: 0,
        hash: chain::GENESIS.to_vec(),
    }))
}

fn push(conn: &Connection, head: &mut Head, kind: &str, payload: &[u8]) -> rusqlite::Result<u64> {
    let seq = head.seq + 1;
    let hash = chain::record_hash(&head.hash, seq, kind, payload);
    conn.prepare_cached(
        "INSERT INTO records (seq, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq as i64, kind, payload, head.hash, hash])?;
    *head = Head {
        seq,
        hash: hash.to_vec(),
    };
    Ok(seq)
}

/// Walks the chain from the first record; stops at the first that does not verify.
fn verify_chain(conn: &Connection) -> rusqlite::Result<VerifyReport> {
    let check: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    let (records, head): (i64, Option<Vec<u8>>) = conn.query_row(
        "SELECT count(*), (SELECT hash FROM records ORDER BY seq DESC LIMIT 1) FROM records",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut report = VerifyReport {
        records: records as u64,
        head: head.map(hex::encode).unwrap_or_default(),
        first_broken: None,
    };
    if check != "ok" {
        report.first_broken = Some(BrokenRecord {
            seq: 0,
            kind: "sqlite".to_string(),
            problem: format!("SQLite integrity_check failed: {check}"),
        });
        return Ok(report);
    }

    let mut attachment_of = conn.prepare("SELECT data FROM attachments WHERE seq = ?1")?;
    let mut stmt = conn.prepare("SELECT seq, kind, payload, prev_hash, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut prev = chain::GENESIS.to_vec();
    let mut expected = 1u64;
    let mut notes_with_attachment = HashSet::new();
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let broken = |kind: &str, problem: String| BrokenRecord {
            seq,
            kind: kind.to_string(),
            problem,
        };
        // A column of the wrong type is tampering too, not an error of verify.
        let (kind, payload, prev_hash, hash) = match (
            row.get::<_, String>(1),
            row.get::<_, Vec<u8>>(2),
            row.get::<_, Vec<u8>>(3),
            row.get::<_, Vec<u8>>(4),
        ) {
            (Ok(k), Ok(p), Ok(ph), Ok(h)) => (k, p, ph, h),
            _ => {
                report.first_broken = Some(broken("?", "a column has the wrong type".into()));
                return Ok(report);
            }
        };
        let problem = if seq != expected {
            Some(format!(
                "seq {seq} follows {}: records are missing or were inserted",
                expected - 1
            ))
        } else if prev_hash != prev {
            Some("prev_hash is not the hash of the record before".to_string())
        } else if hash != chain::record_hash(&prev_hash, seq, &kind, &payload) {
            Some("hash does not match the record's content".to_string())
        } else {
            match Item::parse(&kind, &payload) {
                Err(problem) => Some(problem),
                Ok(Item::Note(note)) => match note.attachment_sha256 {
                    None => None,
                    Some(sha) => {
                        notes_with_attachment.insert(seq);
                        let data: Option<Vec<u8>> =
                            attachment_of.query_row([seq as i64], |r| r.get(0)).optional()?;
                        match data {
                            None => Some("the attachment is missing".to_string()),
                            Some(d) if hex::encode(Sha256::digest(&d)) != sha => {
                                Some("the attachment does not match the SHA-256 in its note".to_string())
                            }
                            Some(_) => None,
                        }
                    }
                },
                Ok(_) => None,
            }
        };
        if let Some(problem) = problem {
            report.first_broken = Some(broken(&kind, problem));
            return Ok(report);
        }
        prev = hash;
        expected += 1;
    }
    // An attachment no note vouches for was added behind the chain's back.
    let mut stmt = conn.prepare("SELECT seq FROM attachments ORDER BY seq")?;
    let stray = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .find(|s| !notes_with_attachment.contains(&(*s as u64)));
    if let Some(seq) = stray {
        report.first_broken = Some(BrokenRecord {
            seq: seq as u64,
            kind: "attachment".to_string(),
            problem: "an attachment that no note refers to".to_string(),
        });
    }
    Ok(report)
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Names the path; damage and foreign files get their own, clearer errors.
fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotTagwatch { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        _ => StoreError::Sqlite { path, source: e },
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates an empty file, failing with `AlreadyExists` rather than touching an existing one.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    set_private(path)
}

/// Mode 0600 (the umask could have left less, never more); a file that is not there is fine.
fn set_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}
