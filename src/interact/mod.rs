//! Interacting with a found tracker over GATT: make it play its sound (`tagwatch ring`) and
//! read what a DULT accessory tells a non-owner about itself (`tagwatch identify`).
//!
//! Everything here works against [`GattLink`], not a radio: the Bluetooth side (btleplug /
//! BlueZ) implements that trait, and the tests play the accessory with a fake link. Per
//! family, [`support`] says what is possible and why not where it is not.

pub mod act;
pub mod dult;
pub mod findmy;
pub mod pebblebee;

#[cfg(test)]
mod tests;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::evidence::NoteRecord;
use crate::i18n::{Arg, Lang, Localised};
use dult::{Response, Status, opcode};

/// A 16-bit UUID on the Bluetooth base UUID (Core spec Vol 3 Part B 2.5.1).
pub const fn uuid16(short: u16) -> u128 {
    ((short as u128) << 96) | 0x0000_0000_0000_1000_8000_0080_5F9B_34FB
}

/// GAP service and its Device Name characteristic (Bluetooth assigned numbers).
pub const GAP_SERVICE: u128 = uuid16(0x1800);
pub const DEVICE_NAME: u128 = uuid16(0x2A00);

/// How long to wait for the accessory to answer a write.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for Sound_Completed after a confirmed start: the draft asks for at least
/// 5 s of sound ("Play sound"); makers choose longer.
pub const SOUND_TIMEOUT: Duration = Duration::from_secs(30);

/// A primary service found on the accessory and its characteristics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub uuid: u128,
    pub characteristics: Vec<u128>,
}

/// What the Bluetooth side reports when a GATT operation fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the tracker is out of range or stopped answering")]
    OutOfRange,
    #[error("the tracker refused the connection: {0}")]
    ConnectionRefused(String),
    #[error("Bluetooth permission: {0}")]
    Permission(String),
    #[error("no answer in time")]
    Timeout,
    /// No adapter to use (BlueZ not running, no adapter, the one asked for is absent).
    #[error("{0}")]
    Adapter(String),
    #[error("{0}")]
    Other(String),
}

impl LinkError {
    /// Classifies a BlueZ D-Bus error by name (org.bluez.Error.*, BlueZ doc/org.bluez.*.rst)
    /// and message. NotPermitted also covers a characteristic that wants an encrypted
    /// (paired) link (BlueZ gatt-client.c), which a non-owner cannot have.
    pub fn from_bluez(name: &str, message: &str) -> LinkError {
        let text = format!("{name}: {message}");
        match name.rsplit('.').next().unwrap_or(name) {
            "NotPermitted" | "NotAuthorized" | "AccessDenied" => LinkError::Permission(text),
            "NotConnected" => LinkError::OutOfRange,
            "Failed" | "NotAvailable" => {
                let m = message.to_ascii_lowercase();
                let gone = [
                    "abort-by-local",
                    "timeout",
                    "timed out",
                    "host is down",
                    "not found",
                ];
                match gone.iter().any(|g| m.contains(g)) {
                    true => LinkError::OutOfRange,
                    false => LinkError::ConnectionRefused(text),
                }
            }
            "NotReady" | "InProgress" | "AlreadyConnected" => LinkError::ConnectionRefused(text),
            _ => LinkError::Other(text),
        }
    }
}

/// A GATT connection to one tracker. The Bluetooth side implements it; `interact` drives it.
/// Indications and notifications are delivered alike through `next_notification`.
pub trait GattLink {
    /// The primary services with their characteristics.
    fn discover(&mut self) -> Result<Vec<Service>, LinkError>;
    fn read(&mut self, service: u128, characteristic: u128) -> Result<Vec<u8>, LinkError>;
    fn write(
        &mut self,
        service: u128,
        characteristic: u128,
        value: &[u8],
        with_response: bool,
    ) -> Result<(), LinkError>;
    /// Enables indications (or notifications) of the characteristic.
    fn subscribe(&mut self, service: u128, characteristic: u128) -> Result<(), LinkError>;
    /// The next value indicated by a subscribed characteristic; `LinkError::Timeout` when none
    /// comes within `timeout`.
    fn next_notification(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError>;
}

/// Why `ring`, `stop` or `identify` did not work: worded for the person in their language
/// by its [`Localised::text`]; shown (and kept in the evidence) in English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InteractError {
    OutOfRange,
    ConnectionRefused(String),
    NotSupported {
        family: String,
        reason: Why,
    },
    Permission(String),
    Refused {
        opcode: u16,
        status: Status,
        meaning: Why,
    },
    Protocol(String),
    Timeout,
    Adapter(String),
}

impl std::fmt::Display for InteractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for InteractError {}

impl Localised for InteractError {
    /// What went wrong, in `lang`; the details from BlueZ stay as BlueZ wrote them.
    fn text(&self, lang: Lang) -> String {
        let detail = |key: &str, d: &String| lang.fill(key, &[("detail", d)]);
        match self {
            InteractError::OutOfRange => lang.t("interact-out-of-range").to_string(),
            InteractError::ConnectionRefused(d) => detail("interact-connection-refused", d),
            InteractError::NotSupported { family, reason } => lang.fill(
                "interact-not-supported",
                &[("family", family), ("reason", &reason.text(lang))],
            ),
            InteractError::Permission(d) => detail("interact-permission", d),
            InteractError::Refused {
                opcode,
                status,
                meaning,
            } => {
                let values: [(&str, &dyn Arg); 3] = [
                    ("status", &status.to_string()),
                    ("opcode", &format!("0x{opcode:04X}")),
                    ("meaning", &meaning.text(lang)),
                ];
                lang.fill("interact-refused", &values)
            }
            InteractError::Protocol(d) => detail("interact-protocol", d),
            InteractError::Timeout => lang.t("interact-timeout").to_string(),
            InteractError::Adapter(d) => detail("interact-adapter", d),
        }
    }
}

impl InteractError {
    /// Bluetooth itself cannot be used (no adapter, BlueZ not running, the system bus refuses
    /// us), as opposed to the tracker not answering, refusing or wanting its owner.
    pub fn bluetooth_unavailable(&self) -> bool {
        match self {
            InteractError::Adapter(_) => true,
            InteractError::Permission(m) => m.starts_with("org.freedesktop.DBus.Error.AccessDenied"),
            _ => false,
        }
    }
}

impl From<LinkError> for InteractError {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::OutOfRange => InteractError::OutOfRange,
            LinkError::ConnectionRefused(m) => InteractError::ConnectionRefused(m),
            LinkError::Permission(m) => InteractError::Permission(m),
            LinkError::Timeout => InteractError::Timeout,
            LinkError::Adapter(m) => InteractError::Adapter(m),
            LinkError::Other(m) => InteractError::Protocol(m),
        }
    }
}

impl From<dult::ParseError> for InteractError {
    fn from(e: dult::ParseError) -> Self {
        InteractError::Protocol(e.to_string())
    }
}

/// Whether tagwatch can do something with a family, and how or why not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    Supported { how: &'static str, source: &'static str },
    Unsupported { reason: Why },
}

/// Why something cannot be or was not done with a tracker: a code that each language words
/// (`why-…` in locales/*/cli.ftl).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// Find My: the identifier is read by NFC, not over Bluetooth.
    NfcOnly,
    PebblebeeNoIdentifier,
    SmarttagNoRing,
    SmarttagNoIdentifier,
    TileNoRing,
    TileNoIdentifier,
    ChipoloNoRing,
    ChipoloNoIdentifier,
    /// A family tagwatch knows no command for.
    UnknownNoRing,
    UnknownNoIdentifier,
    /// The tracker offers none of its family's sound services.
    NoSoundService,
    /// The tracker does not offer the DULT non-owner service.
    NoDultService,
    /// The first-generation AirTag sound cannot be stopped.
    LegacyNoStop,
    /// The tracker says it gives its identifier by NFC only.
    IdentifierByNfc,
    /// The identifier is given only after the physical action on the tracker.
    IdentifierLocked,
    /// Refused: with its owner, or unsupported.
    WithOwner,
    /// A sound is already playing, or none of ours to stop.
    SoundState,
    /// Any other refusal.
    Rejected,
}

impl Why {
    /// The message that says it.
    pub fn key(self) -> &'static str {
        match self {
            Why::NfcOnly => "why-nfc-only",
            Why::PebblebeeNoIdentifier => "why-pebblebee-no-identifier",
            Why::SmarttagNoRing => "why-smarttag-no-ring",
            Why::SmarttagNoIdentifier => "why-smarttag-no-identifier",
            Why::TileNoRing => "why-tile-no-ring",
            Why::TileNoIdentifier => "why-tile-no-identifier",
            Why::ChipoloNoRing => "why-chipolo-no-ring",
            Why::ChipoloNoIdentifier => "why-chipolo-no-identifier",
            Why::UnknownNoRing => "why-unknown-no-ring",
            Why::UnknownNoIdentifier => "why-unknown-no-identifier",
            Why::NoSoundService => "why-no-sound-service",
            Why::NoDultService => "why-no-dult-service",
            Why::LegacyNoStop => "why-legacy-no-stop",
            Why::IdentifierByNfc => "why-identifier-by-nfc",
            Why::IdentifierLocked => "why-identifier-locked",
            Why::WithOwner => "why-with-owner",
            Why::SoundState => "why-sound-state",
            Why::Rejected => "why-rejected",
        }
    }

    /// It said in `lang`.
    pub fn text(self, lang: Lang) -> String {
        lang.t(self.key()).to_string()
    }
}

/// What tagwatch can do with trackers of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Support {
    pub ring: Capability,
    pub identify: Capability,
}

const DULT_RING: Capability = Capability::Supported {
    how: "DULT non-owner control point: Sound_Start 0x0300, answered by Command_Response and \
          Sound_Completed; only while the tracker is separated from its owner",
    source: "draft-ietf-dult-accessory-protocol, Non-owner controls",
};
const DULT_IDENTIFY: Capability = Capability::Supported {
    how: "DULT accessory information (product data, manufacturer, model, category, firmware, \
          network) and Get_Identifier 0x0404, after the physical action the maker describes \
          (e.g. holding the button); only while separated",
    source: "draft-ietf-dult-accessory-protocol, Accessory Information, Identifier Payload",
};
/// The support table, by family key as in `signatures/`. Every Bluetooth procedure here first
/// uses the DULT service when a tracker offers it, whatever its family, since the draft asks
/// every maker to implement it; the entries say what works without it. A family the evidence
/// already knows is refused at once where its entry is unsupported ([`act::refused`]).
pub fn support(family: &str) -> Support {
    use Capability::*;
    match family {
        "dult" => Support {
            ring: DULT_RING,
            identify: DULT_IDENTIFY,
        },
        "google_fmdn" => Support {
            ring: Supported {
                how: "through the DULT non-owner service that Find Hub tags implement; the Find \
                      Hub 'Beacon actions' ring needs a key derived from the owner's account",
                source: "Find Hub Network Accessory Specification v1.3 (Authentication, \
                         unwanted tracking via DULT); AirGuard GoogleFindMyNetwork.kt",
            },
            identify: DULT_IDENTIFY,
        },
        "apple_find_my" => Support {
            ring: Supported {
                how: "DULT if offered, else the Find My non-owner control point (0xFD44, \
                      4F860003-..., 01 00 03), else the first-generation AirTag sound \
                      characteristic (7DFC9001-..., 0xAF, no confirmation, no stop); only while \
                      separated from its owner",
                source: "Apple Find My Network ADK fmna_gatt.h / fmna_nonowner_control_point.c; \
                         AirGuard AppleFindMy.kt",
            },
            identify: Unsupported { reason: Why::NfcOnly },
        },
        "pebblebee" => Support {
            ring: Supported {
                how: "DULT if offered, else 0x01 to characteristic 0x2C02 of service 0xFA25 \
                      (0x02 stops it); the tag does not confirm",
                source: "AirGuard PebbleBee.kt (reverse engineered)",
            },
            identify: Unsupported {
                reason: Why::PebblebeeNoIdentifier,
            },
        },
        "samsung_smarttag" => Support {
            ring: Unsupported {
                reason: Why::SmarttagNoRing,
            },
            identify: Unsupported {
                reason: Why::SmarttagNoIdentifier,
            },
        },
        "tile" => Support {
            ring: Unsupported {
                reason: Why::TileNoRing,
            },
            identify: Unsupported {
                reason: Why::TileNoIdentifier,
            },
        },
        "chipolo" => Support {
            ring: Unsupported {
                reason: Why::ChipoloNoRing,
            },
            identify: Unsupported {
                reason: Why::ChipoloNoIdentifier,
            },
        },
        _ => Support {
            ring: Unsupported {
                reason: Why::UnknownNoRing,
            },
            identify: Unsupported {
                reason: Why::UnknownNoIdentifier,
            },
        },
    }
}

/// The sound protocol a ring or stop used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoundProtocol {
    Dult,
    FindMyNonOwner,
    AirTagLegacy,
    Pebblebee,
}

/// What a ring achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingOutcome {
    pub protocol: SoundProtocol,
    /// The tracker confirmed that it started the sound (protocols that confirm).
    pub confirmed: bool,
    /// The tracker reported that the sound ended within [`SOUND_TIMEOUT`].
    pub completed: bool,
}

fn has(services: &[Service], service: u128, characteristic: u128) -> bool {
    services
        .iter()
        .any(|s| s.uuid == service && s.characteristics.contains(&characteristic))
}

/// Picks the sound protocol: DULT first (every family may implement it), then the family's own.
fn sound_protocol(services: &[Service], family: &str) -> Result<SoundProtocol, InteractError> {
    if has(services, dult::SERVICE, dult::CONTROL_POINT) {
        return Ok(SoundProtocol::Dult);
    }
    let found = match family {
        "apple_find_my" if has(services, findmy::SERVICE, findmy::NON_OWNER_CONTROL_POINT) => {
            Some(SoundProtocol::FindMyNonOwner)
        }
        "apple_find_my"
            if has(
                services,
                findmy::AIRTAG_SOUND_SERVICE,
                findmy::AIRTAG_SOUND_CHARACTERISTIC,
            ) =>
        {
            Some(SoundProtocol::AirTagLegacy)
        }
        "pebblebee" if has(services, pebblebee::SERVICE, pebblebee::SOUND_CHARACTERISTIC) => {
            Some(SoundProtocol::Pebblebee)
        }
        _ => None,
    };
    found.ok_or_else(|| InteractError::NotSupported {
        family: family.to_string(),
        reason: match support(family).ring {
            Capability::Unsupported { reason } => reason,
            Capability::Supported { .. } => Why::NoSoundService,
        },
    })
}

/// What a status means for the person, per the draft's "Play sound" and "Identifier Payload".
fn meaning(op: u16, status: Status) -> Why {
    match (op, status) {
        (opcode::GET_IDENTIFIER, Status::InvalidCommand) => Why::IdentifierLocked,
        (_, Status::InvalidCommand) => Why::WithOwner,
        (_, Status::InvalidState) => Why::SoundState,
        _ => Why::Rejected,
    }
}

/// A session on one control point: DULT's, or Find My's with its fragment header.
struct ControlPoint<'l, L: GattLink> {
    link: &'l mut L,
    service: u128,
    characteristic: u128,
    apple: bool,
}

impl<'l, L: GattLink> ControlPoint<'l, L> {
    fn open(link: &'l mut L, protocol: SoundProtocol) -> Result<Self, InteractError> {
        let (service, characteristic, apple) = match protocol {
            SoundProtocol::FindMyNonOwner => (findmy::SERVICE, findmy::NON_OWNER_CONTROL_POINT, true),
            _ => (dult::SERVICE, dult::CONTROL_POINT, false),
        };
        // Answers come as indications, so enable them before the first write.
        link.subscribe(service, characteristic)?;
        Ok(ControlPoint {
            link,
            service,
            characteristic,
            apple,
        })
    }

    fn send(&mut self, op: u16) -> Result<(), InteractError> {
        let bytes = match self.apple {
            true => findmy::command(op).to_vec(),
            false => dult::command(op).to_vec(),
        };
        Ok(self.link.write(self.service, self.characteristic, &bytes, true)?)
    }

    fn next(&mut self, timeout: Duration) -> Result<Response, InteractError> {
        let bytes = self.link.next_notification(timeout)?;
        Ok(match self.apple {
            true => findmy::parse(&bytes)?,
            false => dult::parse(&bytes)?,
        })
    }

    /// Sends a request and returns its answer, or the status with which the tracker declined
    /// it in a Command_Response (an optional or locked item). Apple answers a refused
    /// non-owner command with opcode 0x0000 (fmna_nonowner_rx_handler), so that counts as
    /// ours too.
    fn ask(&mut self, op: u16) -> Result<Result<Response, Status>, InteractError> {
        self.send(op)?;
        match self.next(RESPONSE_TIMEOUT)? {
            Response::CommandResponse { opcode: o, status } if o == op || o == 0 => match status {
                Status::Success => Ok(Ok(Response::CommandResponse { opcode: op, status })),
                refused => Ok(Err(refused)),
            },
            r if r.answers() == Some(op) => Ok(Ok(r)),
            other => Err(InteractError::Protocol(format!(
                "asked 0x{op:04X}, got {other:?}"
            ))),
        }
    }
}

fn refused(op: u16, status: Status) -> InteractError {
    InteractError::Refused {
        opcode: op,
        status,
        meaning: meaning(op, status),
    }
}

/// Makes the tracker play its sound: discovers its services, picks the protocol, sends the
/// start command, and for DULT and Find My waits for Command_Response, then for
/// Sound_Completed (draft "Play sound"; the Find My ADK follows the same sequence).
pub fn ring<L: GattLink>(link: &mut L, family: &str) -> Result<RingOutcome, InteractError> {
    let services = link.discover()?;
    let protocol = sound_protocol(&services, family)?;
    let unconfirmed = RingOutcome {
        protocol,
        confirmed: false,
        completed: false,
    };
    match protocol {
        SoundProtocol::AirTagLegacy => {
            let (s, c) = (findmy::AIRTAG_SOUND_SERVICE, findmy::AIRTAG_SOUND_CHARACTERISTIC);
            link.write(s, c, &findmy::AIRTAG_PLAY, true)?;
            return Ok(unconfirmed);
        }
        SoundProtocol::Pebblebee => {
            link.write(
                pebblebee::SERVICE,
                pebblebee::SOUND_CHARACTERISTIC,
                &pebblebee::START,
                true,
            )?;
            return Ok(unconfirmed);
        }
        SoundProtocol::Dult | SoundProtocol::FindMyNonOwner => {}
    }
    let mut cp = ControlPoint::open(link, protocol)?;
    match cp.ask(opcode::SOUND_START)? {
        Ok(Response::CommandResponse { .. }) => {}
        Ok(other) => {
            return Err(InteractError::Protocol(format!(
                "Sound_Start answered with {other:?}"
            )));
        }
        Err(status) => return Err(refused(opcode::SOUND_START, status)),
    }
    let completed = match cp.next(SOUND_TIMEOUT) {
        Ok(Response::SoundCompleted) => true,
        // Still playing when we stop listening: not a failure.
        Err(InteractError::Timeout) => false,
        Ok(other) => {
            return Err(InteractError::Protocol(format!(
                "expected Sound_Completed, got {other:?}"
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(RingOutcome {
        protocol,
        confirmed: true,
        completed,
    })
}

/// Stops a sound this device started. DULT and Find My confirm with Sound_Completed (draft
/// "Play sound": "confirm the completion of the stop sound procedure"). Use the link that
/// rang: a sound started over another connection is answered with Invalid_state.
pub fn stop<L: GattLink>(link: &mut L, family: &str) -> Result<SoundProtocol, InteractError> {
    let services = link.discover()?;
    let protocol = sound_protocol(&services, family)?;
    match protocol {
        SoundProtocol::AirTagLegacy => Err(InteractError::NotSupported {
            family: family.to_string(),
            reason: Why::LegacyNoStop,
        }),
        SoundProtocol::Pebblebee => {
            link.write(
                pebblebee::SERVICE,
                pebblebee::SOUND_CHARACTERISTIC,
                &pebblebee::STOP,
                true,
            )?;
            Ok(protocol)
        }
        SoundProtocol::Dult | SoundProtocol::FindMyNonOwner => {
            let mut cp = ControlPoint::open(link, protocol)?;
            cp.send(opcode::SOUND_STOP)?;
            match cp.next(RESPONSE_TIMEOUT)? {
                Response::SoundCompleted => Ok(protocol),
                Response::CommandResponse {
                    status: Status::Success,
                    ..
                } => Ok(protocol),
                Response::CommandResponse { status, .. } => Err(refused(opcode::SOUND_STOP, status)),
                other => Err(InteractError::Protocol(format!(
                    "Sound_Stop answered with {other:?}"
                ))),
            }
        }
    }
}

/// What a DULT accessory told about itself, kept as evidence. Each field is `None` when the
/// accessory declined that item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyRecord {
    pub family: String,
    /// GAP Device Name, if readable.
    pub device_name: Option<String>,
    /// Product Data, 8 bytes, hex: identifies make and model in the platforms' registry.
    pub product_data: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub category: Option<u8>,
    pub protocol_version: Option<String>,
    pub capabilities: Option<u32>,
    pub network_id: Option<u8>,
    pub firmware_version: Option<String>,
    pub battery_type: Option<u8>,
    pub battery_level: Option<u8>,
    /// The Identifier Payload as text (the draft: an encrypted identifier as a hex string
    /// that only the network's server can resolve, e.g. for the police).
    pub identifier: Option<String>,
    /// The Identifier Payload bytes exactly as received, hex.
    pub identifier_raw: Option<String>,
    /// Why there is no identifier, when there is none, in English as the evidence keeps it.
    pub identifier_missing: Option<String>,
    /// The same as a code, to say it in the person's language (not kept: the text is).
    #[serde(skip)]
    pub identifier_missing_why: Option<Why>,
}

impl IdentifyRecord {
    fn missing(&mut self, why: Why) {
        self.identifier_missing = Some(why.text(Lang::En));
        self.identifier_missing_why = Some(why);
    }

    /// The text of an evidence note for the tracker at `address`.
    pub fn note_text(&self, address: &str) -> String {
        let mut lines = vec![format!("identify {address} ({}) over DULT", self.family)];
        let mut add = |label: &str, value: Option<String>| {
            if let Some(v) = value {
                lines.push(format!("{label}: {v}"));
            }
        };
        let named = |v: u8, name: Option<&str>| format!("{v} ({})", name.unwrap_or("unknown"));
        add("device name", self.device_name.clone());
        add("manufacturer", self.manufacturer.clone());
        add("model", self.model.clone());
        add("product data", self.product_data.clone());
        add(
            "category",
            self.category.map(|c| named(c, dult::category_name(c))),
        );
        add(
            "network",
            self.network_id.map(|n| named(n, dult::network_name(n))),
        );
        add("firmware", self.firmware_version.clone());
        add("DULT version", self.protocol_version.clone());
        add("capabilities", self.capabilities.map(dult::capability::describe));
        add(
            "battery type",
            self.battery_type.map(|b| named(b, dult::battery_type_name(b))),
        );
        add(
            "battery level",
            self.battery_level.map(|b| named(b, dult::battery_level_name(b))),
        );
        add("identifier", self.identifier.clone());
        add("identifier bytes", self.identifier_raw.clone());
        add("no identifier", self.identifier_missing.clone());
        lines.join("\n")
    }

    /// An evidence note (no attachment) for the tracker at `address`, taken at `time_us`: the
    /// text, and this record structured so the report can show it field by field.
    pub fn to_note(&self, address: &str, time_us: i64) -> NoteRecord {
        NoteRecord {
            time_us,
            text: self.note_text(address),
            identify: Some(self.clone()),
            ..NoteRecord::default()
        }
    }
}

/// Reads a DULT accessory's information and identifier (draft "Accessory Information",
/// "Identifier Payload"). The identifier is only given for 5 minutes after the physical
/// action on the tracker; ask the person to do it before calling this. A tracker that is
/// not in that state gives everything else and says why there is no identifier.
pub fn identify<L: GattLink>(link: &mut L, family: &str) -> Result<IdentifyRecord, InteractError> {
    let services = link.discover()?;
    if !has(&services, dult::SERVICE, dult::CONTROL_POINT) {
        let reason = match support(family).identify {
            Capability::Unsupported { reason } => reason,
            Capability::Supported { .. } => Why::NoDultService,
        };
        return Err(InteractError::NotSupported {
            family: family.to_string(),
            reason,
        });
    }
    let mut record = IdentifyRecord {
        family: family.to_string(),
        ..Default::default()
    };
    if has(&services, GAP_SERVICE, DEVICE_NAME) {
        // Optional extra; a refusal here must not cost the DULT answers.
        record.device_name = link
            .read(GAP_SERVICE, DEVICE_NAME)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim_end_matches('\0').to_string());
    }
    let mut cp = ControlPoint::open(link, SoundProtocol::Dult)?;
    let info = [
        opcode::GET_PRODUCT_DATA,
        opcode::GET_MANUFACTURER_NAME,
        opcode::GET_MODEL_NAME,
        opcode::GET_ACCESSORY_CATEGORY,
        opcode::GET_PROTOCOL_IMPLEMENTATION_VERSION,
        opcode::GET_ACCESSORY_CAPABILITIES,
        opcode::GET_NETWORK_ID,
        opcode::GET_FIRMWARE_VERSION,
        opcode::GET_BATTERY_TYPE,
        opcode::GET_BATTERY_LEVEL,
    ];
    let mut declined = None;
    for op in info {
        match cp.ask(op)? {
            Ok(Response::ProductData(d)) => record.product_data = Some(hex::encode(d)),
            Ok(Response::ManufacturerName(n)) => record.manufacturer = Some(n),
            Ok(Response::ModelName(n)) => record.model = Some(n),
            Ok(Response::AccessoryCategory(c)) => record.category = Some(c),
            Ok(Response::ProtocolVersion(v)) => record.protocol_version = Some(v.to_string()),
            Ok(Response::Capabilities(c)) => record.capabilities = Some(c),
            Ok(Response::NetworkId(n)) => record.network_id = Some(n),
            Ok(Response::FirmwareVersion(v)) => record.firmware_version = Some(v.to_string()),
            Ok(Response::BatteryType(b)) => record.battery_type = Some(b),
            Ok(Response::BatteryLevel(b)) => record.battery_level = Some(b),
            // A bare success: the item stays unknown.
            Ok(_) => {}
            Err(status) => declined = declined.or(Some(status)),
        }
    }
    // Product data is REQUIRED ("Accessory Information Opcodes"): declining it means the
    // accessory does not talk to non-owners now, most likely because it is near its owner.
    if let (None, Some(status)) = (&record.product_data, declined) {
        return Err(refused(opcode::GET_PRODUCT_DATA, status));
    }
    if record
        .capabilities
        .is_some_and(|c| c & dult::capability::IDENTIFIER_BY_BLE == 0)
    {
        record.missing(Why::IdentifierByNfc);
        return Ok(record);
    }
    match cp.ask(opcode::GET_IDENTIFIER)? {
        Ok(Response::Identifier(bytes)) => {
            record.identifier_raw = Some(hex::encode(&bytes));
            record.identifier = Some(match std::str::from_utf8(&bytes) {
                Ok(text) if text.bytes().all(|b| b.is_ascii_hexdigit()) => text.to_string(),
                // Not the hex text the draft asks for: keep the bytes, in hex.
                _ => hex::encode(&bytes),
            });
        }
        Ok(other) => {
            return Err(InteractError::Protocol(format!(
                "Get_Identifier answered with {other:?}"
            )));
        }
        Err(status) => record.missing(meaning(opcode::GET_IDENTIFIER, status)),
    }
    Ok(record)
}
