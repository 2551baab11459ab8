//! Why a verdict is what it is: a stable code with its values, which each language words
//! itself (`reason-<code>` in `locales/*/verdict.ftl`). Programs read the code; the JSON
//! keeps the English sentence beside it for those that read the text.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::places::HER_STAY_US;
use super::verdict::Evidence;
use crate::i18n::{Lang, distance};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Heard at `places` distinct places (`stays` of them her stays, some named)
    /// over `with_you_us` with you, the farthest two `distance_m` apart.
    SeenAtPlaces {
        places: usize,
        stays: usize,
        named_places: Vec<String>,
        with_you_us: i64,
        distance_m: f64,
    },
    /// Heard with you for `with_you_us`, but no position to tell whether it moved with you.
    SeenWithoutLocation {
        with_you_us: i64,
    },
    SeparatedFromOwner,
    OwnerUnknown,
    /// Near its owner, so never flagged.
    NotFlaggedNearOwner,
    /// An iPhone, iPad or Mac: flagged only at high sensitivity.
    AppleDeviceHighSensitivityOnly,
    /// A new key for every advertisement, `keys` of them.
    NewKeyEveryAdvertisement {
        keys: u32,
    },
    /// Following: flagged `after_us` after it was first seen.
    Following {
        after_us: i64,
    },
    /// The evidence that decided it follows (what a stranger's tag on the same train lacks).
    DecidedBy {
        evidence: Evidence,
    },
    /// How the entry's identities were told to be one tag (or kept apart).
    Identity {
        note: IdentityNote,
    },
    /// Heard with you on each of `dates`, following you on `following_days` of them.
    HeardOnDays {
        dates: Vec<String>,
        following_days: usize,
    },
    /// Marked as the user's own, from an allow list (`file`, `line`) or the live view, or on
    /// an earlier day as the entry `earlier` of the same tag.
    MarkedOwn {
        file: Option<String>,
        line: Option<usize>,
        #[serde(default)]
        earlier: Option<String>,
    },
}

impl Reason {
    /// The stable code, as in the JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::SeenAtPlaces { .. } => "seen_at_places",
            Reason::SeenWithoutLocation { .. } => "seen_without_location",
            Reason::SeparatedFromOwner => "separated_from_owner",
            Reason::OwnerUnknown => "owner_unknown",
            Reason::NotFlaggedNearOwner => "not_flagged_near_owner",
            Reason::AppleDeviceHighSensitivityOnly => "apple_device_high_sensitivity_only",
            Reason::NewKeyEveryAdvertisement { .. } => "new_key_every_advertisement",
            Reason::Following { .. } => "following",
            Reason::DecidedBy { .. } => "decided_by",
            Reason::MarkedOwn { .. } => "marked_own",
            Reason::Identity { .. } => "identity",
            Reason::HeardOnDays { .. } => "heard_on_days",
        }
    }

    /// The reason as a sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let key = format!("reason-{}", self.code());
        match self {
            Reason::SeenAtPlaces {
                places,
                stays,
                named_places,
                with_you_us,
                distance_m,
            } => {
                let mut details = Vec::new();
                if *stays > 0 {
                    let stay = lang.duration(HER_STAY_US);
                    details.push(lang.fill("reason-stays", &[("n", stays), ("stay", &stay)]));
                }
                if !named_places.is_empty() {
                    details.push(named_places.join(lang.t("separator-list")));
                }
                let details = match details.is_empty() {
                    true => String::new(),
                    false => lang.fill(
                        "reason-details",
                        &[("details", &details.join(lang.t("separator-clauses")))],
                    ),
                };
                lang.fill(
                    &key,
                    &[
                        ("places", places),
                        ("details", &details),
                        ("with_you", &lang.duration(*with_you_us)),
                        ("distance", &distance(*distance_m)),
                    ],
                )
            }
            Reason::SeenWithoutLocation { with_you_us } => {
                lang.fill(&key, &[("with_you", &lang.duration(*with_you_us))])
            }
            Reason::NewKeyEveryAdvertisement { keys } => lang.fill(&key, &[("keys", keys)]),
            Reason::Following { after_us } => lang.fill(&key, &[("after", &lang.duration(*after_us))]),
            Reason::DecidedBy { evidence } => lang.fill(&key, &[("evidence", &evidence.text(lang))]),
            Reason::Identity { note } => note.text(lang),
            Reason::HeardOnDays {
                dates,
                following_days,
            } => lang.fill(
                &key,
                &[
                    ("n", &dates.len()),
                    ("dates", &dates.join(lang.t("separator-list"))),
                    ("following", following_days),
                ],
            ),
            Reason::MarkedOwn { file, line, earlier } => {
                let how = marked_how(lang, file.as_deref(), *line, earlier.as_deref());
                lang.fill(&key, &[("how", &how)])
            }
            Reason::SeparatedFromOwner
            | Reason::OwnerUnknown
            | Reason::NotFlaggedNearOwner
            | Reason::AppleDeviceHighSensitivityOnly => lang.t(&key).to_string(),
        }
    }
}

/// What the identity rules found about an entry's identities: a code with its values, or
/// for records written before the notes had codes, their English sentence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdentityNote {
    Coded(Identity),
    Written(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Identity {
    /// One tag through `identities` identities, linked by the family's rule.
    Linked { identities: u32, how: LinkedBy },
    /// A new identity that `candidates` earlier tags could have rotated into: kept apart.
    Ambiguous { candidates: usize },
    /// An identity linked into this entry was heard again after its successor appeared.
    HeardAgain,
    /// This entry was split from `entry` when its identity was heard again there.
    SplitFrom { entry: String },
}

/// What a family's rotation rule went by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkedBy {
    /// A SmartTag's aging counter went on.
    AgingCounter,
    /// The address stayed as Google's ephemeral id changed.
    AddressEphemeralId,
    /// The address stayed as Tile's service-data identifier changed.
    AddressServiceData,
    /// Find My near its owner: a new address within seconds, same status and signal.
    WithinSeconds,
    /// Find My separated: the key changed at the 04:00 daily change, same place and status.
    DailyChange,
}

impl IdentityNote {
    pub fn text(&self, lang: Lang) -> String {
        let identity = match self {
            IdentityNote::Written(sentence) => return sentence.clone(),
            IdentityNote::Coded(identity) => identity,
        };
        match identity {
            Identity::Linked { identities, how } => {
                let how = lang.t(match how {
                    LinkedBy::AgingCounter => "identity-by-aging-counter",
                    LinkedBy::AddressEphemeralId => "identity-by-address-ephemeral-id",
                    LinkedBy::AddressServiceData => "identity-by-address-service-data",
                    LinkedBy::WithinSeconds => "identity-by-within-seconds",
                    LinkedBy::DailyChange => "identity-by-daily-change",
                });
                lang.fill("identity-linked", &[("n", identities), ("how", &how)])
            }
            Identity::Ambiguous { candidates } => lang.fill("identity-ambiguous", &[("n", candidates)]),
            Identity::HeardAgain => lang.t("identity-heard-again").to_string(),
            Identity::SplitFrom { entry } => lang.fill("identity-split-from", &[("entry", entry)]),
        }
    }
}

impl From<Identity> for IdentityNote {
    fn from(identity: Identity) -> IdentityNote {
        IdentityNote::Coded(identity)
    }
}

/// How a tracker was marked as the user's own: "allow list FILE line 3", "live view m".
pub fn marked_how(lang: Lang, file: Option<&str>, line: Option<usize>, earlier: Option<&str>) -> String {
    if let Some(id) = earlier {
        return lang.fill("own-via-earlier", &[("id", &id)]);
    }
    match (file, line) {
        (Some(file), Some(line)) => lang.fill("own-via-file", &[("file", &file), ("line", &line)]),
        (None, Some(line)) => lang.fill("own-via-line", &[("line", &line)]),
        _ => lang.t("own-via-live").to_string(),
    }
}

/// The English sentence, as the JSON's `reasons` and the evidence keep it.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}
