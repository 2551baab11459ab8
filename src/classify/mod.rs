//! Signature matching: decide from the advertising data whether an advertisement comes
//! from a tracker, which family and model, and what state it reports.
//!
//! The knowledge lives in `signatures/*.toml` (one file per family, embedded at build
//! time); this module only interprets those files.

use serde::{Deserialize, Serialize};

/// Whether the tracker says it is with its owner.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerState {
    Separated,
    NearOwner,
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
    /// The finding network a DULT accessory belongs to.
    pub network: Option<&'c str>,
}
