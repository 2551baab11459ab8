//! The evidence database: an SQLite file holding a hash chain of records (see [`chain`]).
//!
//! Only tracker data comes in: there is no API for other advertisements, only their count per
//! session. Every write is one transaction, committed with `synchronous=FULL` in WAL mode, so a
//! call that returned has its records on disk.

pub mod anchor;
pub mod chain;
mod known;
mod recorder;
mod tracks;
mod verify;

pub use recorder::Recorder;
pub use verify::{Problem, ProblemKind, UnclosedSession, VerifyReport};

use crate::i18n::{Lang, Localised, Message};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::evidence::{
    AnnotationRecord, NoteRecord, Placement, ReportData, SessionListening, SessionRecord, SightingRecord,
    Source, TrackPoint, TrackerRecord,
};
use chain::{InSession, Item, SessionEnd, SessionStart, TrackRef};

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
#[error("{}", self.text(Lang::En))]
pub enum StoreError {
    /// `what` is the catalogue id of what failed (`store-cannot-open`).
    Io {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    /// A note's attachment that cannot be read, is not a regular file or is too large.
    Attachment(#[from] crate::files::FileError),
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    NotTagwatch {
        path: PathBuf,
    },
    NewerSchema {
        path: PathBuf,
        found: i32,
    },
    Damaged {
        path: PathBuf,
        detail: String,
    },
    ReadOnly {
        path: PathBuf,
    },
    Missing {
        path: PathBuf,
    },
    NoFolder {
        path: PathBuf,
    },
    UnknownSchema {
        path: PathBuf,
        objects: String,
    },
    NotKept {
        path: PathBuf,
        detail: String,
    },
    ChangedWhileRead {
        path: PathBuf,
    },
    SessionKind(String),
    UnknownSession(i64),
    UnknownTracker(String),
    NoAttachment {
        seq: u64,
        detail: String,
    },
    Unstorable {
        kind: &'static str,
        detail: String,
    },
}

impl Localised for StoreError {
    /// Details from SQLite and the checks of the chain stay in English, inside the worded frame.
    fn text(&self, lang: Lang) -> String {
        let on = |key, path: &Path| Message::new(key).with("path", path.display());
        match self {
            StoreError::Io { path, what, source } => on("store-io", path)
                .nested("what", Message::new(what))
                .nested("why", Message::io(source)),
            StoreError::Attachment(e) => Message::new("store-attachment").with("error", e.text(lang)),
            StoreError::Sqlite { path, source } => on("store-sqlite", path).with("detail", source),
            StoreError::NotTagwatch { path } => on("store-not-tagwatch", path),
            StoreError::NewerSchema { path, found } => on("store-newer-schema", path)
                .with("found", found)
                .with("known", SCHEMA_VERSION),
            StoreError::Damaged { path, detail } => on("store-damaged", path).with("detail", detail),
            StoreError::ReadOnly { path } => on("store-read-only", path),
            StoreError::Missing { path } => on("store-missing", path),
            StoreError::NoFolder { path } => on("store-no-folder", path)
                .with("folder", path.parent().unwrap_or(path).display())
                .with(
                    "own",
                    Store::default_path().parent().unwrap_or(Path::new(".")).display(),
                ),
            StoreError::UnknownSchema { path, objects } => {
                on("store-unknown-schema", path).with("objects", objects)
            }
            StoreError::NotKept { path, detail } => on("store-not-kept", path).with("detail", detail),
            StoreError::ChangedWhileRead { path } => on("store-changed-while-read", path),
            StoreError::SessionKind(kind) => {
                Message::new("store-session-kind").with("kind", format!("{kind:?}"))
            }
            StoreError::UnknownSession(id) => Message::new("store-unknown-session").with("id", id),
            StoreError::UnknownTracker(id) => {
                Message::new("store-unknown-tracker").with("id", format!("{id:?}"))
            }
            StoreError::NoAttachment { seq, detail } => Message::new("store-no-attachment")
                .with("seq", seq)
                .with("detail", detail),
            StoreError::Unstorable { kind, detail } => Message::new("store-unstorable")
                .with("kind", kind)
                .with("detail", detail),
        }
        .text(lang)
    }
}

/// How [`Store::open`] treats a path with no database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Create it (`analyze`, `scan`, `sweep`, and `ring`/`identify`, which keep a note); its
    /// folder must exist, unless it is tagwatch's own data folder.
    Create,
    /// It must exist (`note`): a missing file is [`StoreError::Missing`].
    Existing,
}

/// A file's size and modification time, to notice a writer behind an immutable reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        Ok(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
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
    /// Opened with `immutable=1` (read-only, no log beside it): the file as it was then.
    immutable: Option<FileStamp>,
}

impl Store {
    /// Where the evidence is kept unless told otherwise.
    pub fn default_path() -> PathBuf {
        match dirs::data_dir() {
            Some(dir) => dir.join("tagwatch").join("evidence.sqlite"),
            None => PathBuf::from("tagwatch-evidence.sqlite"),
        }
    }

    /// Opens the store at `path` for writing. With [`Mode::Create`] a missing file is created
    /// (mode 0600), and a missing folder only if it is tagwatch's own data folder. An existing
    /// file that is not a tagwatch database, or holds schema objects tagwatch did not create,
    /// is an error and is never written to.
    pub fn open(path: &Path, mode: Mode) -> Result<Store, StoreError> {
        let io = |what, source| StoreError::Io {
            path: path.to_path_buf(),
            what,
            source,
        };
        if path.is_dir() {
            return Err(io("store-cannot-open", std::io::ErrorKind::IsADirectory.into()));
        }
        let created = match mode {
            Mode::Existing if !path.exists() => {
                return Err(StoreError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Mode::Existing => false,
            Mode::Create => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                    if Some(dir) != Store::default_path().parent() {
                        return Err(StoreError::NoFolder {
                            path: path.to_path_buf(),
                        });
                    }
                    create_private_dir(dir).map_err(|e| io("store-cannot-create-folder", e))?;
                }
                // Creating the file ourselves (never truncating) gives it mode 0600 before
                // any evidence is in it.
                match crate::files::create_new(path).and_then(|_| set_private(path)) {
                    Ok(()) => true,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                    Err(e) => return Err(io("store-cannot-create", e)),
                }
            }
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut store = Store::connect(path, path.as_os_str(), flags, None)?;
        let fresh = store.check_identity()?;
        if fresh && mode == Mode::Existing {
            return Err(StoreError::NotTagwatch {
                path: store.path.clone(),
            });
        }
        if !fresh {
            store.refuse_unknown_schema()?;
        }
        if store.conn.is_readonly("main").map_err(|e| store.err(e))? {
            return Err(StoreError::ReadOnly {
                path: store.path.clone(),
            });
        }
        store.switch_to_wal()?;
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
                set_private(&side_file(path, suffix)).map_err(|e| io("store-cannot-set-mode", e))?;
            }
        }
        Ok(store)
    }

    /// Opens an existing store without ever writing to it or beside it, so that a
    /// write-protected copy verifies and the file's bytes stay as they are. A database with
    /// no `-wal` beside it (closed cleanly, or copied) is read as immutable, which needs no
    /// `-shm`; one with a `-wal` (in use, or left by a crash) is read through that log.
    /// Unknown schema objects are not refused here: [`Store::verify`] reports them.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        if path.is_dir() {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                what: "store-cannot-open",
                source: std::io::Error::other("it is a folder, not a file"),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let store = if side_file(path, "-wal").exists() {
            Store::connect(path, path.as_os_str(), flags, None)?
        } else {
            let stamp = FileStamp::of(path).map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                what: "store-cannot-read",
                source,
            })?;
            let uri = immutable_uri(path).map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                what: "store-cannot-open",
                source,
            })?;
            Store::connect(
                path,
                uri.as_ref(),
                flags | OpenFlags::SQLITE_OPEN_URI,
                Some(stamp),
            )?
        };
        if store.check_identity()? {
            // An empty file: nothing to read, and nothing is set up in read-only mode.
            return Err(StoreError::NotTagwatch {
                path: store.path.clone(),
            });
        }
        Ok(store)
    }

    fn connect(
        path: &Path,
        name: &std::ffi::OsStr,
        flags: OpenFlags,
        immutable: Option<FileStamp>,
    ) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(name, flags).map_err(|e| sql_error(path, e))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            open_sessions: HashSet::new(),
            immutable,
        };
        // Before the first read: another tagwatch may be setting the file up right now.
        store.conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| store.err(e))?;
        // Nothing in a file from elsewhere gets to run with the program's trust.
        store
            .conn
            .pragma_update(None, "trusted_schema", "OFF")
            .map_err(|e| store.err(e))?;
        Ok(store)
    }

    /// Whether the file is a tagwatch database (`Ok(false)`) or an empty one to set up
    /// (`Ok(true)`); this only reads, in one snapshot (another tagwatch may be setting the
    /// file up right now).
    fn check_identity(&self) -> Result<bool, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let read = |sql: &str| -> Result<i64, StoreError> {
            tx.query_row(sql, [], |r| r.get(0)).map_err(|e| self.err(e))
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

    /// WAL mode, kept in the file. Switching a new file needs it to itself for a moment, and
    /// SQLite does not wait for that: another tagwatch setting up the same file answers busy
    /// until it is done, so retry for as long as a write would wait.
    fn switch_to_wal(&self) -> Result<(), StoreError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            let journal = self
                .conn
                .pragma_query_value(None, "journal_mode", |r| r.get::<_, String>(0))
                .and_then(|mode| match mode.eq_ignore_ascii_case("wal") {
                    true => Ok(mode),
                    false => self
                        .conn
                        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)),
                });
            match journal {
                Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
                Ok(mode) => return Err(self.damaged(format!("cannot switch to WAL (journal mode {mode})"))),
                Err(e)
                    if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
    }

    fn refuse_unknown_schema(&self) -> Result<(), StoreError> {
        let objects = verify::unknown_schema_objects(&self.conn).map_err(|e| self.err(e))?;
        if objects.is_empty() {
            Ok(())
        } else {
            Err(StoreError::UnknownSchema {
                path: self.path.clone(),
                objects: objects.join("; "),
            })
        }
    }

    /// Sets up a new database. The write lock comes first and emptiness is checked again
    /// under it: of several processes creating the same file at once, one creates the schema
    /// and the others find it made.
    fn create_schema(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write_tx()?;
        let read = |sql: &str| tx.query_row(sql, [], |r| r.get::<_, i64>(0));
        let empty = read("SELECT count(*) FROM sqlite_schema")
            .and_then(|tables| Ok(tables == 0 && read("PRAGMA application_id")? == 0))
            .map_err(|e| sql_error(&path, e))?;
        if empty {
            tx.execute_batch(SCHEMA)
                .and_then(|()| tx.pragma_update(None, "application_id", APPLICATION_ID))
                .and_then(|()| tx.pragma_update(None, "user_version", SCHEMA_VERSION))
                .map_err(|e| sql_error(&path, e))?;
        }
        tx.commit().map_err(|e| sql_error(&path, e))?;
        if !empty {
            self.check_identity()?;
            self.refuse_unknown_schema()?;
        }
        Ok(())
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
        self.begin_session_with(kind, sources, started_us, &BTreeMap::new())
    }

    /// Starts a session that keeps the `settings` it judges with (for the report's provenance).
    pub fn begin_session_with(
        &mut self,
        kind: &str,
        sources: &[Source],
        started_us: i64,
        settings: &BTreeMap<String, String>,
    ) -> Result<i64, StoreError> {
        if !matches!(kind, "analyze" | "scan" | "sweep") {
            return Err(StoreError::SessionKind(kind.to_string()));
        }
        let start = SessionStart {
            kind: kind.to_string(),
            sources: sources.to_vec(),
            started_us,
            tool: Some(chain::tool()),
            settings: settings.clone(),
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

    /// Keeps a change of what a live session could do (its radio listening or not, its
    /// positions known or not) as it happens: a power cut later loses none of it.
    pub fn add_coverage(
        &mut self,
        session: i64,
        change: &crate::listening::Change,
    ) -> Result<u64, StoreError> {
        self.append_in_session(chain::COVERAGE, session, change)
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

    /// Keeps that this session's track is one an earlier session kept (see [`tracks`]).
    pub fn add_track_ref(&mut self, session: i64, track: &TrackRef) -> Result<u64, StoreError> {
        self.append_in_session(chain::TRACK_REF, session, track)
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
        let note = NoteRecord {
            time_us,
            text: text.to_string(),
            ..NoteRecord::default()
        };
        self.add_note_record(note, attachment)
    }

    /// Stores `note` (its time, text and the fields it has), with a copy of the attached
    /// file's bytes: the note's attachment name, size and SHA-256 are set from the file.
    pub fn add_note_record(
        &mut self,
        mut note: NoteRecord,
        attachment: Option<&Path>,
    ) -> Result<NoteRecord, StoreError> {
        let data = attachment
            .map(|p| crate::files::read_regular(p, crate::files::ATTACHMENT))
            .transpose()?;
        note.seq = None;
        note.attachment_name = attachment
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        note.attachment_sha256 = data.as_ref().map(|d| hex::encode(Sha256::digest(d)));
        note.attachment_size = data.as_ref().map(|d| d.len() as u64);
        let payload = payload_of(chain::NOTE, &note)?;
        self.write(|tx, head| {
            let seq = push(tx, head, chain::NOTE, &payload)?;
            if let Some(data) = &data {
                let changed = tx.execute(
                    "INSERT INTO attachments (seq, data) VALUES (?1, ?2)",
                    params![seq as i64, data],
                )?;
                if changed != 1 {
                    return Err(rusqlite::Error::StatementChangedRows(changed));
                }
            }
            Ok(())
        })?;
        Ok(note)
    }

    /// The file attached to note `seq`, checked against the SHA-256 its note keeps: the note
    /// and the bytes, or an error naming what does not match.
    pub fn attachment(&self, seq: u64) -> Result<(NoteRecord, Vec<u8>), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let row: Option<(String, Vec<u8>)> = tx
            .query_row(
                "SELECT kind, payload FROM records WHERE seq = ?1",
                [seq as i64],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let no_attachment = |detail: &str| StoreError::NoAttachment {
            seq,
            detail: detail.to_string(),
        };
        let note = match row.map(|(kind, payload)| Item::parse(&kind, &payload)) {
            Some(Ok(Item::Note(n))) => *n,
            Some(Ok(_)) => return Err(no_attachment("that record is not a note")),
            Some(Err(e)) => return Err(self.damaged(format!("record {seq}: {e}"))),
            None => return Err(no_attachment("there is no such record")),
        };
        let Some(expected) = note.attachment_sha256.clone() else {
            return Err(no_attachment("that note has no attached file"));
        };
        let data: Option<Vec<u8>> = tx
            .query_row("SELECT data FROM attachments WHERE seq = ?1", [seq as i64], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        drop(tx);
        self.check_unchanged()?;
        let data = data.ok_or_else(|| self.damaged(format!("record {seq}: the attached file is missing")))?;
        let actual = hex::encode(Sha256::digest(&data));
        if actual != expected {
            return Err(self.damaged(format!(
                "record {seq}: the attached file's SHA-256 is {actual}, its note says {expected}"
            )));
        }
        Ok((note, data))
    }

    /// Appends one record per item in one transaction; returns the last seq.
    fn append<T: Serialize>(&mut self, kind: &'static str, items: &[T]) -> Result<u64, StoreError> {
        let payloads = items
            .iter()
            .map(|item| payload_of(kind, item))
            .collect::<Result<Vec<_>, _>>()?;
        self.write(|tx, head| {
            for payload in &payloads {
                push(tx, head, kind, payload)?;
            }
            Ok(())
        })
    }

    /// Runs `f` in one write transaction from the chain's head, then makes sure what it wrote
    /// is what is there: a planted trigger or another program that drops, changes or adds
    /// rows is an error, never silence. Returns the last seq.
    fn write(
        &mut self,
        f: impl FnOnce(&Connection, &mut Head) -> rusqlite::Result<()>,
    ) -> Result<u64, StoreError> {
        let path = self.path.clone();
        let sql = |e| sql_error(&path, e);
        let tx = self.write_tx()?;
        let mut head = read_head(&tx).map_err(sql)?;
        let start = head.seq;
        f(&tx, &mut head).map_err(sql)?;
        let stored = read_head(&tx).map_err(sql)?;
        if (stored.seq, &stored.hash) != (head.seq, &head.hash) {
            // Dropping the transaction rolls it back: nothing of this write is kept.
            return Err(StoreError::NotKept {
                path: path.clone(),
                detail: format!(
                    "record {} was written, but the last record is {}",
                    head.seq, stored.seq
                ),
            });
        }
        tx.commit().map_err(sql)?;
        if head.seq != start {
            let kept: Option<Vec<u8>> = self
                .conn
                .query_row(
                    "SELECT hash FROM records WHERE seq = ?1",
                    [head.seq as i64],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if kept.as_deref() != Some(&head.hash[..]) {
                return Err(StoreError::NotKept {
                    path,
                    detail: format!("record {} is not there after its commit", head.seq),
                });
            }
        }
        Ok(head.seq)
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

    /// Recomputes the hash chain and checks the attachments, the schema and the SQLite file
    /// itself; reports every damaged range and every session that never closed.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        // One read transaction: count, head and checks see the same snapshot.
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let report = verify::verify_chain(&tx).map_err(|e| self.err(e))?;
        drop(tx);
        self.check_unchanged()?;
        Ok(report)
    }

    /// An immutable reader cannot see a writer: if one came, what was read may be torn.
    fn check_unchanged(&self) -> Result<(), StoreError> {
        match self.immutable {
            Some(stamp)
                if side_file(&self.path, "-wal").exists()
                    || FileStamp::of(&self.path).ok() != Some(stamp) =>
            {
                Err(StoreError::ChangedWhileRead {
                    path: self.path.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// What a report shows: the trackers (`tracker`, or all with a stored verdict; the latest
    /// verdict of each), their sightings in time order (with `None`, every stored sighting,
    /// also of trackers whose session ended before a verdict), the track of the sessions they
    /// were seen in, all notes, their annotations, every anchor, and what verify finds (its chain head and
    /// length, never read back from the last row), all from one snapshot. A broken chain is not
    /// an error here: the caller decides, and a report of it says so on every page.
    ///
    /// A sighting is listed once however often its capture was analysed, under the tracker id
    /// and with the position the latest placement gave it (an analysis that places it as the
    /// evidence already does adds no placement; one without a track keeps the position an
    /// earlier one gave). A track is listed once however many sessions referred to it.
    pub fn report_data(&self, tracker: Option<&str>, now_us: i64) -> Result<ReportData, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let verification = verify::verify_chain(&tx).map_err(|e| self.err(e))?;
        let mut stmt = tx
            .prepare("SELECT seq, kind, payload FROM records ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;

        let wanted = |id: &str| tracker.is_none_or(|t| t == id);
        let mut verdicts: BTreeMap<String, TrackerRecord> = BTreeMap::new();
        let mut all_sightings = Vec::new();
        let mut tracks: HashMap<i64, Vec<TrackPoint>> = HashMap::new();
        // Sessions whose track an earlier session kept: (session, the one that kept it).
        let mut track_refs: Vec<(i64, i64)> = Vec::new();
        let mut sessions_seen = HashSet::new();
        let mut notes = Vec::new();
        let mut annotations = Vec::new();
        let mut anchors = Vec::new();
        let mut sessions: Vec<SessionRecord> = Vec::new();
        // What each live session could do, by session.
        let mut coverage: HashMap<i64, Vec<crate::listening::Change>> = HashMap::new();
        // Sightings a later session placed again, with that session.
        let mut placed: Vec<(usize, i64)> = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
            let kind: String = row.get(1).map_err(|e| self.err(e))?;
            let payload: Vec<u8> = row.get(2).map_err(|e| self.err(e))?;
            // Listed among the verification's problems.
            let Ok(item) = Item::parse(&kind, &payload) else {
                continue;
            };
            match item {
                // Kept until the verdicts are known: a clone's sightings are stored under the
                // ids of the one-off keys it was gathered from.
                Item::Sighting(s) => all_sightings.push((s.session, seq, s.record)),
                Item::Tracker(t) if wanted(&t.record.id) => {
                    sessions_seen.insert(t.session);
                    verdicts.insert(t.record.id.clone(), t.record);
                }
                Item::Track(t) => tracks.entry(t.session).or_default().extend(t.record),
                Item::TrackRef(r) => track_refs.push((r.session, r.record.stored_in)),
                Item::Note(n) => notes.push(NoteRecord {
                    seq: Some(seq as u64),
                    ..*n
                }),
                Item::SessionStart(start) => sessions.push(SessionRecord {
                    id: seq,
                    kind: start.kind,
                    started_us: start.started_us,
                    ended_us: None,
                    sources: start.sources,
                    tool: start.tool,
                    settings: start.settings,
                }),
                Item::SessionEnd(end) => {
                    if let Some(s) = sessions.iter_mut().find(|s| s.id == end.session) {
                        s.ended_us = Some(end.ended_us);
                    }
                }
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
                Item::Anchor(a) => anchors.push(a),
                Item::Coverage(c) => coverage.entry(c.session).or_default().push(c.record),
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
        let tracks_seen: HashSet<i64> = track_refs
            .iter()
            .filter(|(session, _)| sessions_seen.contains(session))
            .map(|&(_, stored_in)| stored_in)
            .chain(sessions_seen.iter().copied())
            .collect();
        let mut track: Vec<TrackPoint> = tracks
            .into_iter()
            .filter(|(session, _)| tracks_seen.contains(session))
            .flat_map(|(_, points)| points)
            .collect();
        track.sort_by_key(|p| p.time_us);
        // The same track in two sessions (kept twice before tracks were referred to) is one path.
        track.dedup();
        // The sessions that kept a coverage change; a report on one tracker shows the sessions
        // it was seen in, the whole report all of them.
        let listening: Vec<SessionListening> = sessions
            .iter()
            .filter(|s| tracker.is_none() || sessions_seen.contains(&s.id))
            .filter_map(|s| {
                Some(SessionListening {
                    session: s.id,
                    kind: s.kind.clone(),
                    started_us: s.started_us,
                    ended_us: s.ended_us,
                    changes: coverage.remove(&s.id).filter(|c| !c.is_empty())?,
                })
            })
            .collect();
        let images = pictures(&tx, &notes).map_err(|e| self.err(e))?;
        let mut trackers: Vec<TrackerRecord> = verdicts.into_values().collect();
        trackers.sort_by(|a, b| (a.first_seen_us, &a.id).cmp(&(b.first_seen_us, &b.id)));
        let data = ReportData {
            trackers,
            sightings: sightings.into_iter().map(|(_, _, s)| s).collect(),
            track,
            notes,
            annotations,
            anchors,
            listening,
            verification,
            generated_us: now_us,
            sessions,
            database: Some(self.path.display().to_string()),
            images,
        };
        self.check_unchanged()?;
        Ok(data)
    }

    /// The latest stored verdict of every tracker entry, to recognise the same tags on a later
    /// day (see [`crate::correlate::history`]). Records that do not parse are verify's to report.
    pub fn tracker_records(&self) -> Result<Vec<TrackerRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT payload FROM records WHERE kind = ?1 ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([chain::TRACKER]).map_err(|e| self.err(e))?;
        let mut latest: BTreeMap<String, TrackerRecord> = BTreeMap::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let payload: Vec<u8> = row.get(0).map_err(|e| self.err(e))?;
            if let Ok(Item::Tracker(t)) = Item::parse(chain::TRACKER, &payload) {
                latest.insert(t.record.id.clone(), t.record);
            }
        }
        Ok(latest.into_values().collect())
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

/// A report shows at most this many attached pictures, each at most [`MAX_PICTURE`] bytes.
const MAX_PICTURES: usize = 24;
const MAX_PICTURE: usize = 4 << 20;

/// The attached pictures of `notes` whose bytes match their note's SHA-256 (one that does not
/// is left out; verify names it).
fn pictures(conn: &Connection, notes: &[NoteRecord]) -> rusqlite::Result<BTreeMap<u64, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT data FROM attachments WHERE seq = ?1")?;
    for n in notes {
        let (Some(seq), Some(sha)) = (n.seq, &n.attachment_sha256) else {
            continue;
        };
        if out.len() == MAX_PICTURES || n.attachment_size.is_some_and(|s| s > MAX_PICTURE as u64) {
            continue;
        }
        let data: Option<Vec<u8>> = stmt.query_row([seq as i64], |r| r.get(0)).optional()?;
        if let Some(data) = data.filter(|d| d.len() <= MAX_PICTURE && crate::report::image_type(d).is_some())
            && hex::encode(Sha256::digest(&data)) == *sha
        {
            out.insert(seq, data);
        }
    }
    Ok(out)
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
    let changed = conn
        .prepare_cached(
            "INSERT INTO records (seq, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![seq as i64, kind, payload, head.hash, hash])?;
    // A `RAISE(IGNORE)` trigger makes an insert a silent no-op ([`sql_error`] says so).
    if changed != 1 {
        return Err(rusqlite::Error::StatementChangedRows(changed));
    }
    *head = Head {
        seq,
        hash: hash.to_vec(),
    };
    Ok(seq)
}

/// Names the path; damage, foreign files and writes that did not take effect get their own,
/// clearer errors.
fn sql_error(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    if let rusqlite::Error::StatementChangedRows(changed) = e {
        return StoreError::NotKept {
            path,
            detail: format!("an insert changed {changed} rows, not 1"),
        };
    }
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

/// `path` with `suffix` appended: its `-wal` and `-shm` files.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut side = path.as_os_str().to_owned();
    side.push(suffix);
    PathBuf::from(side)
}

/// `file:///absolute/path?immutable=1`, every byte but the plainest percent-encoded.
fn immutable_uri(path: &Path) -> std::io::Result<std::ffi::OsString> {
    let absolute = std::path::absolute(path)?;
    let mut uri = String::from("file://");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1&mode=ro");
    Ok(uri.into())
}
