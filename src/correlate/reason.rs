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
    /// How the entry's identities were told to be one tag (or kept apart), in English.
    Identity {
        note: String,
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
            // Written by the identity rules in English only, so far.
            Reason::Identity { note } => note.clone(),
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
