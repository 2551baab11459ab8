//! The user's own trackers (`--allow FILE`): listed like any other, never alerted.
//!
//! One entry per line: an address (`AA:BB:CC:DD:EE:FF`), a tagwatch id as `analyze` prints
//! it (`samsung_smarttag-1a2b3c4d`), or `identity:HEX` for an identity the tracker
//! advertises (a SmartTag privacy id, an FMDN EID, a Tile id). `#` starts a comment.

use std::collections::HashSet;
use std::path::Path;

use crate::files::{self, FileError};
use crate::model::BdAddr;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allowlist {
    addresses: HashSet<BdAddr>,
    ids: HashSet<String>,
    identities: HashSet<Vec<u8>>,
}

/// An allow list that cannot be used: unreadable (see [`crate::files`]), or a line that is
/// none of the accepted forms.
#[derive(Debug, thiserror::Error)]
pub enum AllowError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: line {line}: {problem}")]
    Line {
        path: String,
        line: usize,
        problem: String,
    },
}

impl Allowlist {
    /// Reads an allow list: a regular file of at most [`files::LIST`].
    pub fn read(path: &Path) -> Result<Self, AllowError> {
        let bytes = files::read_regular(path, files::LIST)?;
        Self::parse(&String::from_utf8_lossy(&bytes)).map_err(|(line, problem)| AllowError::Line {
            path: path.display().to_string(),
            line,
            problem,
        })
    }

    /// Parses the text of an allow list; an error gives the 1-based line and the problem.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut list = Allowlist::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(hex) = line.strip_prefix("identity:") {
                let bytes =
                    hex::decode(hex.trim()).map_err(|e| (n + 1, format!("identity is not hex: {e}")))?;
                list.identities.insert(bytes);
            } else if let Some(address) = BdAddr::parse(line).filter(|_| line.len() == 17) {
                list.addresses.insert(address);
            } else if line.contains('-') && line.is_ascii() && !line.contains(char::is_whitespace) {
                list.ids.insert(line.to_string());
            } else {
                return Err((
                    n + 1,
                    format!("{line:?} is not an address, a tagwatch id or identity:HEX"),
                ));
            }
        }
        Ok(list)
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.ids.is_empty() && self.identities.is_empty()
    }

    /// Adds a tagwatch id, as a line `id` of the file would.
    pub fn insert_id(&mut self, id: &str) {
        self.ids.insert(id.to_string());
    }

    /// Whether a sighting of the entry `id` from `address` advertising `identity` is listed.
    pub fn allows(&self, id: &str, address: BdAddr, identity: Option<&[u8]>) -> bool {
        self.addresses.contains(&address)
            || self.ids.contains(id)
            || identity.is_some_and(|i| self.identities.contains(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_ids_and_identities() {
        let list = Allowlist::parse(
            "# my things\nC4:12:34:56:78:9A\n\nsamsung_smarttag-1a2b3c4d  # keys\nidentity:53bddab1f1e0d0aa\n",
        )
        .unwrap();
        let addr = BdAddr::parse("C4:12:34:56:78:9A").unwrap();
        assert!(list.allows("tile-00000000", addr, None));
        assert!(list.allows("samsung_smarttag-1a2b3c4d", BdAddr::default(), None));
        let id = hex::decode("53bddab1f1e0d0aa").unwrap();
        assert!(list.allows("x-1", BdAddr::default(), Some(&id)));
        assert!(!list.allows("samsung_smarttag-00000000", BdAddr::default(), Some(b"other")));
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = Allowlist::parse("C4:12:34:56:78:9A\nmy keys\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(Allowlist::parse("identity:zz").is_err());
    }
}
