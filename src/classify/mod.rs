//! Signature matching: decide from the advertising data whether an advertisement comes
//! from a tracker, which family and model, and what state it reports.
//!
//! The knowledge lives in `signatures/*.toml` (one file per family, embedded at build
//! time); this module only interprets those files.

mod matcher;
mod schema;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use matcher::Dispatch;
pub(crate) use matcher::Match;
pub use schema::{SignatureError, VectorDef, VectorKind};

/// Whether the tracker says it is with its owner.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerState {
    Separated,
    NearOwner,
    #[default]
    Unknown,
}

/// What a signature found in one advertisement. `'c` borrows the classifier's tables,
/// `'d` the advertising data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classification<'c, 'd> {
    /// Stable family key: apple_find_my, samsung_smarttag, tile, chipolo, pebblebee, google_fmdn, dult.
    pub family: &'c str,
    /// Model name when the payload tells it (AirTag, AirPods, SmartTag ...).
    pub model: Option<&'c str>,
    pub owner_state: OwnerState,
    /// A mode worth telling a person, e.g. "setup" for an unregistered SmartTag.
    pub mode: Option<&'c str>,
    /// Battery level as the tracker reports it (full, medium, low, critical).
    pub battery: Option<&'c str>,
    /// The bytes that identify the tracker while its current key lasts (Find My public
    /// key part, SmartTag privacy id, FMDN EID, Tile id ...).
    pub identity: Option<&'d [u8]>,
    /// A counter that steps when the identity rotates (SmartTag aging counter).
    pub counter: Option<u32>,
    /// The raw state bytes a tracker keeps across a rotation (Find My status byte, SmartTag
    /// state and flags), to tell which of two candidates rotated: the listed bytes, big endian.
    pub status: Option<u32>,
    /// The finding network a DULT accessory belongs to.
    pub network: Option<&'c str>,
}

impl Classification<'_, '_> {
    /// Phones, computers and headphones near their owner are the people around you, not
    /// evidence: they are counted as trackers are, but never stored or shown.
    pub fn bystander(&self) -> bool {
        personal_device_near_owner(self.owner_state, self.model)
    }
}

/// What a person needs to know about a family, from its signature file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyInfo {
    /// Stable key, e.g. `apple_find_my`.
    pub key: String,
    /// Display name, e.g. "Apple Find My (AirTag and others)".
    pub name: String,
    /// One plain-language paragraph for the person who may be tracked.
    pub description: String,
}

/// A test vector and the file it came from.
#[derive(Clone, Debug)]
pub struct Vector {
    pub file: String,
    /// The family of the file, if it has one; the vector's own `family` overrides it.
    pub file_family: Option<String>,
    pub def: VectorDef,
}

/// The loaded signatures. Build once, then call [`Classifier::classify`] per advertisement.
#[derive(Debug, Default)]
pub struct Classifier {
    families: Vec<FamilyInfo>,
    /// Family keys by index, the form `classify` hands out.
    keys: Box<[Box<str>]>,
    dispatch: Dispatch,
    vectors: Vec<Vector>,
}

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_signatures.rs"));
}

static BUILTIN: OnceLock<(Classifier, Vec<SignatureError>)> = OnceLock::new();

impl Classifier {
    /// The signatures shipped in `signatures/*.toml`, parsed on first use. A file that fails
    /// to load is left out (see [`Classifier::builtin_errors`]) rather than taking the
    /// others down with it; the test suite insists that there are no such files.
    pub fn builtin() -> &'static Classifier {
        &Self::load_builtin().0
    }

    /// Problems with the shipped signature files; empty in any released build.
    pub fn builtin_errors() -> &'static [SignatureError] {
        &Self::load_builtin().1
    }

    /// The shipped files by name and text, as embedded at build time.
    pub fn builtin_sources() -> &'static [(&'static str, &'static str)] {
        builtin::SOURCES
    }

    fn load_builtin() -> &'static (Classifier, Vec<SignatureError>) {
        BUILTIN.get_or_init(|| Self::load(builtin::SOURCES))
    }

    /// Loads signature files given as (file name, TOML text). The first problem found is
    /// returned, naming the file.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Classifier, SignatureError> {
        let (classifier, mut errors) = Self::load(sources);
        match errors.is_empty() {
            true => Ok(classifier),
            false => Err(errors.swap_remove(0)),
        }
    }

    /// Loads every file it can and collects the errors of the others.
    fn load(sources: &[(&str, &str)]) -> (Classifier, Vec<SignatureError>) {
        let mut families = Vec::new();
        let mut patterns = Vec::new();
        let mut vectors = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in sources {
            let err = |problem: String| SignatureError {
                file: file.to_string(),
                problem,
            };
            let def = match schema::parse(text) {
                Ok(def) => def,
                Err(problem) => {
                    errors.push(err(problem));
                    continue;
                }
            };
            let index = families.len();
            if let Some(key) = &def.family {
                if families.iter().any(|f: &FamilyInfo| &f.key == key) {
                    errors.push(err(format!("family {key} is already defined by another file")));
                    continue;
                }
                let compiled: Result<Vec<_>, _> = def
                    .pattern
                    .iter()
                    .enumerate()
                    .map(|(i, p)| schema::compile(index, i, p))
                    .collect();
                match compiled {
                    Ok(c) => patterns.extend(c),
                    Err(problem) => {
                        errors.push(err(problem));
                        continue;
                    }
                }
                families.push(FamilyInfo {
                    key: key.clone(),
                    name: def.name.clone().unwrap_or_default(),
                    description: def.description.clone().unwrap_or_default(),
                });
            }
            vectors.extend(def.vector.into_iter().map(|v| Vector {
                file: file.to_string(),
                file_family: def.family.clone(),
                def: v,
            }));
        }
        let keys = families.iter().map(|f| f.key.as_str().into()).collect();
        let classifier = Classifier {
            families,
            keys,
            dispatch: Dispatch::new(patterns),
            vectors,
        };
        (classifier, errors)
    }

    /// Classifies one advertisement's advertising data (the AD structures). `None` when no
    /// signature matches. Allocates nothing; damaged data ends the walk where the damage
    /// starts, so only structures before it count.
    pub fn classify<'c, 'd>(&'c self, data: &'d [u8]) -> Option<Classification<'c, 'd>> {
        let found = self.find(data)?;
        Some(self.extract(&found, data))
    }

    /// Which signature pattern `data` matches, if any: the costly half of [`Self::classify`].
    pub(crate) fn find(&self, data: &[u8]) -> Option<Match> {
        self.dispatch.find(data)
    }

    /// The classification the pattern `found` in `data` reads from it: the other half.
    /// `data` must be the bytes `found` came from.
    pub(crate) fn extract<'c, 'd>(&'c self, found: &Match, data: &'d [u8]) -> Classification<'c, 'd> {
        self.dispatch.extract(&self.keys, found, data)
    }

    /// The family with this key.
    pub fn family(&self, key: &str) -> Option<&FamilyInfo> {
        self.families.iter().find(|f| f.key == key)
    }

    /// All families, in file order.
    pub fn families(&self) -> &[FamilyInfo] {
        &self.families
    }

    /// The test vectors of all loaded files, in file order.
    pub fn vectors(&self) -> &[Vector] {
        &self.vectors
    }
}

/// Phones, computers and headphones near their owner send Find My frames too: they are the
/// people around you, not evidence, so they are not stored and not listed by default.
pub fn personal_device_near_owner(owner_state: OwnerState, model: Option<&str>) -> bool {
    owner_state == OwnerState::NearOwner && matches!(model, Some("Apple device" | "AirPods"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
family = "demo"
name = "Demo"
description = "A demo tag."
[[pattern]]
ad = "service_data"
id = 0xFEED
"#;

    fn error(file: &str, text: &str) -> SignatureError {
        Classifier::from_sources(&[("good.toml", GOOD), (file, text)]).unwrap_err()
    }

    #[test]
    fn toml_syntax_error_names_the_file() {
        let e = error("broken.toml", "family = ");
        assert_eq!(e.file, "broken.toml");
        assert!(e.to_string().starts_with("signature file broken.toml:"), "{e}");
    }

    #[test]
    fn schema_errors_name_file_and_problem() {
        // Another family, so that only the problem under test is wrong.
        let other = GOOD.replace("\"demo\"", "\"other\"");
        let cases = [
            (
                "family = \"x\"\nname = \"X\"\ndescription = \"d\"",
                "no [[pattern]]",
            ),
            (&other.replace("name = \"Demo\"", ""), "needs a name"),
            (GOOD, "already defined"),
            (&format!("{other}bogus = 1"), "unknown field"),
            (&format!("{other}prefix = \"1\""), "odd number of hex digits"),
            (
                &format!("{other}prefix = \"13\"\nprefix_mask = \"f0\""),
                "outside its mask",
            ),
            (&format!("{other}min_len = 5\nmax_len = 2"), "max_len"),
            (&format!("{other}owner_state = \"lost\""), "owner_state"),
            (&format!("{other}counter = {{ start = 0, len = 5 }}"), "1 to 4"),
            (&format!("{other}status = []"), "status: 0 bytes"),
            (
                &format!("{other}model = {{ byte = 0, mask = 0x0F, values = {{ \"0x10\" = \"x\" }} }}"),
                "outside mask",
            ),
            (
                &other
                    .replace("service_data", "service_uuid")
                    .replace("0xFEED", "0xFEED\nidentity = { start = 0 }"),
                "no value",
            ),
            (
                "[[vector]]\nname = \"v\"\nkind = \"real\"\nsource = \"s\"\nhex = \"\"",
                "tracker = false",
            ),
        ];
        for (text, needle) in cases {
            let e = error("bad.toml", text);
            assert_eq!(e.file, "bad.toml", "{e}");
            assert!(e.problem.contains(needle), "expected {needle:?} in {e}");
        }
    }

    #[test]
    fn families_and_lookup() {
        let c = Classifier::from_sources(&[("good.toml", GOOD)]).unwrap();
        assert_eq!(c.families().len(), 1);
        assert_eq!(c.family("demo").map(|f| f.name.as_str()), Some("Demo"));
        assert!(c.family("nope").is_none());
        let hit = c.classify(&[0x04, 0x16, 0xED, 0xFE, 0x01]).unwrap();
        assert_eq!((hit.family, hit.owner_state), ("demo", OwnerState::Unknown));
    }
}
