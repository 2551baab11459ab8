//! What the database holds, by session: for `tagwatch list`.

use super::chain::Item;
use super::{Store, StoreError};

/// A session as `list` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSummary {
    /// The `seq` of its start record.
    pub id: i64,
    /// `analyze`, `scan` or `sweep`.
    pub kind: String,
    pub started_us: i64,
    /// `None`: it never closed (tagwatch was stopped, or it is still running).
    pub ended_us: Option<i64>,
    pub sources: Vec<String>,
}

impl Store {
    /// Every session, in the order they began. Records that do not parse are left to
    /// `verify` to name.
    pub fn sessions(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, kind, payload FROM records ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut sessions: Vec<SessionSummary> = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
            let kind: String = row.get(1).map_err(|e| self.err(e))?;
            let payload: Vec<u8> = row.get(2).map_err(|e| self.err(e))?;
            match Item::parse(&kind, &payload) {
                Ok(Item::SessionStart(s)) => sessions.push(SessionSummary {
                    id: seq,
                    kind: s.kind,
                    started_us: s.started_us,
                    ended_us: None,
                    sources: s.sources.into_iter().map(|s| s.path).collect(),
                }),
                Ok(Item::SessionEnd(e)) => {
                    if let Some(s) = sessions.iter_mut().find(|s| s.id == e.session) {
                        s.ended_us = Some(e.ended_us);
                    }
                }
                _ => {}
            }
        }
        drop(rows);
        self.check_unchanged()?;
        Ok(sessions)
    }
}
