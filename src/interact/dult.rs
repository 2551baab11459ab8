//! DULT accessory non-owner protocol: framing and parsing.
//!
//! Source: IETF draft-ietf-dult-accessory-protocol (Ledvina, Lazarov, Detwiler, Polatkan),
//! sections "Accessory Connections", "Accessory Information" (opcodes and operands),
//! "Non-owner controls", "Command Response" and "Identifier Payload". All values are
//! little endian ("Byte transmission order"); a message is a 2-byte opcode then its operand
//! ("Accessory Opcode Structure"). Every request is a GATT write to the one non-owner
//! characteristic and every answer comes back as an indication on it.

use std::fmt;

/// Accessory non-owner service ("Accessory Connections").
pub const SERVICE: u128 = 0x15190001_12F4_C226_88ED_2AC5579F2A85;
/// Accessory non-owner characteristic ("Accessory Connections"): write and indicate.
pub const CONTROL_POINT: u128 = 0x8E0C0001_1D68_FB92_BF61_48377421680E;

/// Request opcodes ("Accessory Information Opcodes", "Non-Owner Control Point Opcodes").
pub mod opcode {
    pub const GET_PRODUCT_DATA: u16 = 0x003;
    pub const GET_MANUFACTURER_NAME: u16 = 0x004;
    pub const GET_MODEL_NAME: u16 = 0x005;
    pub const GET_ACCESSORY_CATEGORY: u16 = 0x006;
    pub const GET_PROTOCOL_IMPLEMENTATION_VERSION: u16 = 0x007;
    pub const GET_ACCESSORY_CAPABILITIES: u16 = 0x008;
    pub const GET_NETWORK_ID: u16 = 0x009;
    pub const GET_FIRMWARE_VERSION: u16 = 0x00A;
    pub const GET_BATTERY_TYPE: u16 = 0x00B;
    pub const GET_BATTERY_LEVEL: u16 = 0x00C;
    pub const SOUND_START: u16 = 0x300;
    pub const SOUND_STOP: u16 = 0x301;
    pub const COMMAND_RESPONSE: u16 = 0x302;
    pub const SOUND_COMPLETED: u16 = 0x303;
    pub const GET_IDENTIFIER: u16 = 0x404;
    pub const GET_IDENTIFIER_RESPONSE: u16 = 0x405;
    /// An accessory information response is its request with this bit set (0x003 -> 0x803).
    pub const RESPONSE_BIT: u16 = 0x800;
}

/// Accessory capabilities bits ("Accessory capabilities").
pub mod capability {
    pub const PLAY_SOUND: u32 = 1 << 0;
    pub const MOTION_DETECTOR: u32 = 1 << 1;
    pub const IDENTIFIER_BY_NFC: u32 = 1 << 2;
    pub const IDENTIFIER_BY_BLE: u32 = 1 << 3;

    /// The capabilities in words, e.g. "play sound, identifier by BLE (0x00000009)".
    pub fn describe(bits: u32) -> String {
        let names = [
            (PLAY_SOUND, "play sound"),
            (MOTION_DETECTOR, "motion detector"),
            (IDENTIFIER_BY_NFC, "identifier by NFC"),
            (IDENTIFIER_BY_BLE, "identifier by BLE"),
        ];
        let set: Vec<_> = names
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| *n)
            .collect();
        format!("{} (0x{bits:08X})", set.join(", "))
    }
}

/// Manufacturer and model names are UTF-8 of at most 64 octets ("Manufacturer name").
const NAME_MAX: usize = 64;
/// The accessory category operand: byte 0 the value, bytes 1-7 reserved ("Accessory category").
const CATEGORY_LEN: usize = 8;

/// The bytes to write for a request: the opcode, little endian, no operand.
pub fn command(opcode: u16) -> [u8; 2] {
    opcode.to_le_bytes()
}

/// ResponseStatus of a Command_Response ("Command Response").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Success,
    InvalidState,
    InvalidConfiguration,
    InvalidLength,
    InvalidParam,
    InvalidCommand,
    /// A value the draft does not define.
    Other(u16),
}

impl Status {
    pub fn from_u16(v: u16) -> Status {
        match v {
            0x0000 => Status::Success,
            0x0001 => Status::InvalidState,
            0x0002 => Status::InvalidConfiguration,
            0x0003 => Status::InvalidLength,
            0x0004 => Status::InvalidParam,
            0xFFFF => Status::InvalidCommand,
            other => Status::Other(other),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Success => f.write_str("Success"),
            Status::InvalidState => f.write_str("Invalid_state"),
            Status::InvalidConfiguration => f.write_str("Invalid_configuration"),
            Status::InvalidLength => f.write_str("Invalid_length"),
            Status::InvalidParam => f.write_str("Invalid_param"),
            Status::InvalidCommand => f.write_str("Invalid_command"),
            Status::Other(v) => write!(f, "status 0x{v:04X}"),
        }
    }
}

/// A version as Uint32: byte 0 revision, byte 1 minor, bytes 2-3 major ("Firmware version").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u16,
    pub minor: u8,
    pub revision: u8,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.revision)
    }
}

/// One indication from the accessory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    CommandResponse {
        opcode: u16,
        status: Status,
    },
    SoundCompleted,
    /// The Identifier Payload: per the draft an encrypted identifier as a UTF-8 hex string,
    /// kept as received.
    Identifier(Vec<u8>),
    ProductData([u8; 8]),
    ManufacturerName(String),
    ModelName(String),
    AccessoryCategory(u8),
    ProtocolVersion(Version),
    Capabilities(u32),
    NetworkId(u8),
    FirmwareVersion(Version),
    BatteryType(u8),
    BatteryLevel(u8),
}

impl Response {
    /// The request this answers, so a procedure can match answer to question.
    pub fn answers(&self) -> Option<u16> {
        use opcode::*;
        Some(match self {
            Response::CommandResponse { opcode, .. } => *opcode,
            Response::SoundCompleted => return None,
            Response::Identifier(_) => GET_IDENTIFIER,
            Response::ProductData(_) => GET_PRODUCT_DATA,
            Response::ManufacturerName(_) => GET_MANUFACTURER_NAME,
            Response::ModelName(_) => GET_MODEL_NAME,
            Response::AccessoryCategory(_) => GET_ACCESSORY_CATEGORY,
            Response::ProtocolVersion(_) => GET_PROTOCOL_IMPLEMENTATION_VERSION,
            Response::Capabilities(_) => GET_ACCESSORY_CAPABILITIES,
            Response::NetworkId(_) => GET_NETWORK_ID,
            Response::FirmwareVersion(_) => GET_FIRMWARE_VERSION,
            Response::BatteryType(_) => GET_BATTERY_TYPE,
            Response::BatteryLevel(_) => GET_BATTERY_LEVEL,
        })
    }
}

/// Why an indication could not be understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("indication of {0} bytes is too short for an opcode")]
    TooShort(usize),
    #[error("unknown opcode 0x{0:04X}")]
    UnknownOpcode(u16),
    #[error("opcode 0x{opcode:04X} carries {got} operand bytes, expected {expected}")]
    Length {
        opcode: u16,
        got: usize,
        expected: &'static str,
    },
    #[error("opcode 0x{0:04X}: the text is not UTF-8")]
    NotUtf8(u16),
    #[error("a fragmented message where a single one was expected")]
    Fragmented,
}

/// Parses one indication of the non-owner characteristic. Never panics.
pub fn parse(bytes: &[u8]) -> Result<Response, ParseError> {
    use opcode::*;
    let (op, operand) = match bytes {
        [lo, hi, rest @ ..] => (u16::from_le_bytes([*lo, *hi]), rest),
        _ => return Err(ParseError::TooShort(bytes.len())),
    };
    let exact = |n: usize, expected: &'static str| match operand.len() == n {
        true => Ok(operand),
        false => Err(ParseError::Length {
            opcode: op,
            got: operand.len(),
            expected,
        }),
    };
    let u32_of = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let version = |b: &[u8]| Version {
        major: u16::from_le_bytes([b[2], b[3]]),
        minor: b[1],
        revision: b[0],
    };
    let text = |b: &[u8]| -> Result<String, ParseError> {
        if b.len() > NAME_MAX {
            return Err(ParseError::Length {
                opcode: op,
                got: b.len(),
                expected: "at most 64",
            });
        }
        // Fixed-size fields may be padded with NULs; the padding is not part of the name.
        let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
        String::from_utf8(b[..end].to_vec()).map_err(|_| ParseError::NotUtf8(op))
    };
    Ok(match op {
        COMMAND_RESPONSE => {
            let b = exact(4, "4")?;
            Response::CommandResponse {
                opcode: u16::from_le_bytes([b[0], b[1]]),
                status: Status::from_u16(u16::from_le_bytes([b[2], b[3]])),
            }
        }
        SOUND_COMPLETED => {
            exact(0, "0")?;
            Response::SoundCompleted
        }
        GET_IDENTIFIER_RESPONSE => match operand.is_empty() {
            true => {
                return Err(ParseError::Length {
                    opcode: op,
                    got: 0,
                    expected: "at least 1",
                });
            }
            false => Response::Identifier(operand.to_vec()),
        },
        x if x == GET_PRODUCT_DATA | RESPONSE_BIT => {
            let b = exact(8, "8")?;
            let mut data = [0; 8];
            data.copy_from_slice(b);
            Response::ProductData(data)
        }
        x if x == GET_MANUFACTURER_NAME | RESPONSE_BIT => Response::ManufacturerName(text(operand)?),
        x if x == GET_MODEL_NAME | RESPONSE_BIT => Response::ModelName(text(operand)?),
        x if x == GET_ACCESSORY_CATEGORY | RESPONSE_BIT => match operand.len() {
            1..=CATEGORY_LEN => Response::AccessoryCategory(operand[0]),
            n => {
                return Err(ParseError::Length {
                    opcode: op,
                    got: n,
                    expected: "1 to 8",
                });
            }
        },
        x if x == GET_PROTOCOL_IMPLEMENTATION_VERSION | RESPONSE_BIT => {
            Response::ProtocolVersion(version(exact(4, "4")?))
        }
        x if x == GET_ACCESSORY_CAPABILITIES | RESPONSE_BIT => Response::Capabilities(u32_of(exact(4, "4")?)),
        x if x == GET_NETWORK_ID | RESPONSE_BIT => Response::NetworkId(exact(1, "1")?[0]),
        x if x == GET_FIRMWARE_VERSION | RESPONSE_BIT => Response::FirmwareVersion(version(exact(4, "4")?)),
        x if x == GET_BATTERY_TYPE | RESPONSE_BIT => Response::BatteryType(exact(1, "1")?[0]),
        x if x == GET_BATTERY_LEVEL | RESPONSE_BIT => Response::BatteryLevel(exact(1, "1")?[0]),
        other => return Err(ParseError::UnknownOpcode(other)),
    })
}

/// "Accessory Category Value" table of the draft.
pub fn category_name(value: u8) -> Option<&'static str> {
    const NAMES: [&str; 40] = [
        "Other",
        "Luggage",
        "Backpack",
        "Jacket",
        "Coat",
        "Shoes",
        "Bike",
        "Scooter",
        "Stroller",
        "Wheelchair",
        "Boat",
        "Helmet",
        "Skateboard",
        "Skis",
        "Snowboard",
        "Surfboard",
        "Camera",
        "Laptop",
        "Watch",
        "Flash drive",
        "Drone",
        "Headphones",
        "Earphones",
        "Inhaler",
        "Sunglasses",
        "Handbag",
        "Wallet",
        "Umbrella",
        "Water bottle",
        "Tools or tool box",
        "Keys",
        "Smart case",
        "Remote",
        "Hat",
        "Motorbike",
        "Consumer electronic device",
        "Apparel",
        "Transportation device",
        "Sports equipment",
        "Personal item",
    ];
    match value {
        1 => Some("Location Tracker"),
        128..=167 => Some(NAMES[usize::from(value - 128)]),
        _ => None,
    }
}

/// "Battery Type Operand".
pub fn battery_type_name(value: u8) -> Option<&'static str> {
    ["Powered", "Non-rechargeable battery", "Rechargeable battery"]
        .get(usize::from(value))
        .copied()
}

/// "Battery Level Operand".
pub fn battery_level_name(value: u8) -> Option<&'static str> {
    ["Full", "Medium", "Low", "Critically low"]
        .get(usize::from(value))
        .copied()
}

/// "Manufacturer Network ID Registry" (temporary registry of the draft).
pub fn network_name(value: u8) -> Option<&'static str> {
    match value {
        0x01 => Some("Apple"),
        0x02 => Some("Google"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_little_endian_opcodes() {
        assert_eq!(command(opcode::SOUND_START), [0x00, 0x03]);
        assert_eq!(command(opcode::SOUND_STOP), [0x01, 0x03]);
        assert_eq!(command(opcode::GET_IDENTIFIER), [0x04, 0x04]);
        assert_eq!(command(opcode::GET_PRODUCT_DATA), [0x03, 0x00]);
        assert_eq!(command(opcode::GET_BATTERY_LEVEL), [0x0C, 0x00]);
    }

    #[test]
    fn command_response_and_sound_completed() {
        let ok = parse(&[0x02, 0x03, 0x00, 0x03, 0x00, 0x00]).unwrap();
        assert_eq!(
            ok,
            Response::CommandResponse {
                opcode: 0x300,
                status: Status::Success
            }
        );
        let refused = parse(&[0x02, 0x03, 0x04, 0x04, 0xFF, 0xFF]).unwrap();
        assert_eq!(
            refused,
            Response::CommandResponse {
                opcode: 0x404,
                status: Status::InvalidCommand
            }
        );
        assert_eq!(parse(&[0x03, 0x03]).unwrap(), Response::SoundCompleted);
        assert_eq!(
            Status::from_u16(0x0001).to_string() + " " + &Status::from_u16(7).to_string(),
            "Invalid_state status 0x0007"
        );
    }

    #[test]
    fn accessory_information_operands() {
        let pd = parse(&[0x03, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        assert_eq!(pd, Response::ProductData([1, 2, 3, 4, 5, 6, 7, 8]));
        // A 64-octet field padded with NULs.
        let mut name = vec![0x04, 0x08];
        name.extend(b"Acme");
        name.resize(2 + 64, 0);
        assert_eq!(parse(&name).unwrap(), Response::ManufacturerName("Acme".into()));
        assert_eq!(
            parse(&[0x05, 0x08, b'T', b'a', b'g']).unwrap(),
            Response::ModelName("Tag".into())
        );
        assert_eq!(
            parse(&[0x06, 0x08, 1, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
            Response::AccessoryCategory(1)
        );
        // Byte 0 revision, byte 1 minor, bytes 2-3 major, as the operand table says (and as
        // Nordic's DULT library encodes it); the draft's prose example "0x00000001" for 1.0.0
        // contradicts its own table, so the table wins.
        let v = parse(&[0x07, 0x08, 0x00, 0x00, 0x01, 0x00]).unwrap();
        assert_eq!(
            v,
            Response::ProtocolVersion(Version {
                major: 1,
                minor: 0,
                revision: 0
            })
        );
        assert_eq!(
            parse(&[0x08, 0x08, 0x0B, 0, 0, 0]).unwrap(),
            Response::Capabilities(11)
        );
        assert_eq!(parse(&[0x09, 0x08, 0x02]).unwrap(), Response::NetworkId(2));
        let fw = parse(&[0x0A, 0x08, 2, 1, 3, 0]).unwrap();
        assert_eq!(
            fw.clone(),
            Response::FirmwareVersion(Version {
                major: 3,
                minor: 1,
                revision: 2
            })
        );
        assert_eq!(parse(&[0x0B, 0x08, 1]).unwrap(), Response::BatteryType(1));
        assert_eq!(parse(&[0x0C, 0x08, 3]).unwrap(), Response::BatteryLevel(3));
        assert_eq!(
            parse(&[0x05, 0x04, b'a', b'b']).unwrap(),
            Response::Identifier(b"ab".to_vec())
        );
        assert_eq!(fw.answers(), Some(opcode::GET_FIRMWARE_VERSION));
    }

    #[test]
    fn malformed_indications_are_errors() {
        assert_eq!(parse(&[]), Err(ParseError::TooShort(0)));
        assert_eq!(parse(&[0x02]), Err(ParseError::TooShort(1)));
        assert!(matches!(
            parse(&[0x02, 0x03, 0x00]),
            Err(ParseError::Length { opcode: 0x302, .. })
        ));
        assert!(matches!(
            parse(&[0x03, 0x03, 0x00]),
            Err(ParseError::Length { .. })
        ));
        assert!(matches!(
            parse(&[0x03, 0x08, 1, 2]),
            Err(ParseError::Length { .. })
        ));
        assert!(matches!(parse(&[0x05, 0x04]), Err(ParseError::Length { .. })));
        assert!(matches!(parse(&[0x06, 0x08]), Err(ParseError::Length { .. })));
        assert_eq!(parse(&[0x05, 0x08, 0xFF, 0xFE]), Err(ParseError::NotUtf8(0x805)));
        assert_eq!(parse(&[0x99, 0x09]), Err(ParseError::UnknownOpcode(0x999)));
        let long = [&[0x04u8, 0x08][..], &[b'a'; 65]].concat();
        assert!(matches!(parse(&long), Err(ParseError::Length { .. })));
    }

    #[test]
    fn names_from_the_draft_tables() {
        assert_eq!(category_name(1), Some("Location Tracker"));
        assert_eq!(category_name(128), Some("Other"));
        assert_eq!(category_name(158), Some("Keys"));
        assert_eq!(category_name(167), Some("Personal item"));
        assert_eq!(category_name(2), None);
        assert_eq!(category_name(168), None);
        assert_eq!(battery_level_name(3), Some("Critically low"));
        assert_eq!(battery_type_name(3), None);
        assert_eq!(network_name(2), Some("Google"));
        assert_eq!(
            capability::describe(11),
            "play sound, motion detector, identifier by BLE (0x0000000B)"
        );
        assert_eq!(capability::describe(0), " (0x00000000)");
    }
}
