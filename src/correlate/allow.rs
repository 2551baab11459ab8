//! The user's own trackers (`--allow FILE`): listed like any other, never alerted.
//!
//! One entry per line: an address (`AA:BB:CC:DD:EE:FF`), a tagwatch id as `analyze` prints
//! it (`samsung_smarttag-1a2b3c4d`), or `identity:HEX` for an identity the tracker
//! advertises (a SmartTag privacy id, an FMDN EID, a Tile id). `#` starts a comment.

use std::collections::HashMap;
use std::path::Path;

use crate::files::{self, FileError};
use crate::i18n::{Lang, Localised, Message};
use crate::model::BdAddr;

/// Each entry with the 1-based line it is on (0: added by the live view's `m`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Allowlist {
    /// The file it was read from, to say which list marked a tracker.
    file: Option<String>,
    addresses: HashMap<BdAddr, usize>,
    ids: HashMap<String, usize>,
    identities: HashMap<Vec<u8>, usize>,
}

/// Why a tracker is the user's own: how it was marked and the facts that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Own {
    /// The allow list file and line that matched; `None`: marked in the live view.
    pub file: Option<String>,
    pub line: Option<usize>,
    /// The address and advertised identity of the sighting that matched.
    pub address: BdAddr,
    pub identity: Option<Vec<u8>>,
    /// Marked on an earlier day as this entry of the same tag (see [`super::history`]).
    pub earlier: Option<String>,
}

impl Own {
    /// "live view m", "allow list FILE line 3", in English for the JSON and the evidence.
    pub fn how(&self) -> String {
        super::reason::marked_how(Lang::En, self.file.as_deref(), self.line, self.earlier.as_deref())
    }
}

/// An allow list (or a places file) that cannot be used: unreadable (see [`crate::files`]),
/// or a line that is none of the accepted forms.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.text(Lang::En))]
pub enum AllowError {
    File(#[from] FileError),
    Line {
        path: String,
        line: usize,
        problem: Message,
    },
}

impl Localised for AllowError {
    fn text(&self, lang: Lang) -> String {
        match self {
            AllowError::File(e) => e.text(lang),
            AllowError::Line { path, line, problem } => Message::new("allow-line")
                .with("path", path)
                .with("line", line)
                .nested("problem", problem.clone())
                .text(lang),
        }
    }
}

impl Allowlist {
    /// Reads an allow list: a regular file of at most [`files::LIST`].
    pub fn read(path: &Path) -> Result<Self, AllowError> {
        let bytes = files::read_regular(path, files::LIST)?;
        let mut list =
            Self::parse(&String::from_utf8_lossy(&bytes)).map_err(|(line, problem)| AllowError::Line {
                path: path.display().to_string(),
                line,
                problem,
            })?;
        list.file = Some(path.display().to_string());
        Ok(list)
    }

    /// Parses the text of an allow list; an error gives the 1-based line and the problem.
    pub fn parse(text: &str) -> Result<Self, (usize, Message)> {
        let mut list = Allowlist::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(hex) = line.strip_prefix("identity:") {
                let bytes = hex::decode(hex.trim())
                    .map_err(|e| (n + 1, Message::new("allow-not-hex").with("detail", e)))?;
                list.identities.entry(bytes).or_insert(n + 1);
            } else if let Some(address) = BdAddr::parse(line).filter(|_| line.len() == 17) {
                list.addresses.entry(address).or_insert(n + 1);
            } else if line.contains('-') && line.is_ascii() && !line.contains(char::is_whitespace) {
                list.ids.entry(line.to_string()).or_insert(n + 1);
            } else {
                return Err((
                    n + 1,
                    Message::new("allow-bad-line").with("line", format!("{line:?}")),
                ));
            }
        }
        Ok(list)
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.ids.is_empty() && self.identities.is_empty()
    }

    /// Adds a tagwatch id (marked in the live view), as a line `id` of the file would.
    pub fn insert_id(&mut self, id: &str) {
        self.ids.entry(id.to_string()).or_insert(0);
    }

    /// Takes back [`Allowlist::insert_id`]; an id the file lists stays.
    pub fn remove_id(&mut self, id: &str) {
        if self.ids.get(id) == Some(&0) {
            self.ids.remove(id);
        }
    }

    /// Whether the id is listed as a line of its own.
    pub fn lists_id(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Whether a sighting of the entry `id` from `address` advertising `identity` is listed,
    /// and by which line.
    pub fn allows(&self, id: &str, address: BdAddr, identity: Option<&[u8]>) -> Option<Own> {
        let line = self
            .addresses
            .get(&address)
            .or_else(|| self.ids.get(id))
            .or_else(|| identity.and_then(|i| self.identities.get(i)))?;
        let (file, line) = match *line {
            0 => (None, None),
            n => (self.file.clone(), Some(n)),
        };
        Some(Own {
            file,
            line,
            address,
            identity: identity.map(<[u8]>::to_vec),
            earlier: None,
        })
    }
}

/// Adds the line `id` to the allow list at `path` (created if missing) unless it lists it
/// already; returns whether it was added. Read and written like every other file tagwatch
/// names: a regular file within its cap, replaced whole (0600), never through a link.
pub fn append_id(path: &Path, id: &str) -> std::io::Result<bool> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let text = match files::read_regular(path, files::LIST) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(FileError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(other(&e)),
    };
    let listed =
        Allowlist::parse(&text).map_err(|(line, problem)| other(&format!("line {line}: {problem}")))?;
    if listed.lists_id(id) {
        return Ok(false);
    }
    // A last line without its newline must not run into the new one.
    let gap = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    files::write_atomic(path, format!("{text}{gap}{id}\n").as_bytes())?;
    Ok(true)
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
        let line = |own: Option<Own>| own.map(|o| o.how());
        assert_eq!(
            line(list.allows("tile-00000000", addr, None)),
            Some("allow list line 2".into())
        );
        assert_eq!(
            line(list.allows("samsung_smarttag-1a2b3c4d", BdAddr::default(), None)),
            Some("allow list line 4".into())
        );
        let id = hex::decode("53bddab1f1e0d0aa").unwrap();
        let own = list.allows("x-1", BdAddr::default(), Some(&id)).unwrap();
        assert_eq!((own.line, own.identity), (Some(5), Some(id)));
        assert!(
            list.allows("samsung_smarttag-00000000", BdAddr::default(), Some(b"other"))
                .is_none()
        );
        let mut list = list;
        list.insert_id("tile-00000000");
        assert_eq!(
            line(list.allows("tile-00000000", BdAddr::default(), None)),
            Some("live view m".into())
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = Allowlist::parse("C4:12:34:56:78:9A\nmy keys\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(Allowlist::parse("identity:zz").is_err());
    }
}

#[cfg(all(test, unix))]
mod append_tests {
    use super::*;

    #[test]
    fn append_id_writes_privately_once_and_never_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allow.txt");
        assert!(append_id(&path, "tile-1a2b3c4d").unwrap());
        assert!(!append_id(&path, "tile-1a2b3c4d").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "tile-1a2b3c4d\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let target = dir.path().join("kept-elsewhere.txt");
        std::fs::write(&target, "# my list\n").unwrap();
        let link = dir.path().join("linked.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        // Read through the link is allowed (a list kept elsewhere); written through, never.
        let err = append_id(&link, "tile-1a2b3c4d").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "# my list\n");
    }
}
