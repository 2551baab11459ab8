//! Apple Find My non-owner sound: the Find My network service's non-owner control point, and
//! the older AirTag sound characteristic.
//!
//! Sources:
//! - Apple Find My Network ADK (fmna_gatt.h, fmna_nonowner_control_point.c): non-owner opcodes
//!   Sound_Start 0x0300, Sound_Stop 0x0301, Command_Response 0x0302 (operand: opcode u16,
//!   status u16), Sound_Completed 0x0303; the same status values as DULT; a non-owner command
//!   while the accessory is near its owner is refused with Invalid_command and opcode 0x0000.
//!   Every Find My GATT message starts with a one-byte fragment header, 0x00 start or continue
//!   and 0x01 final (fmna_gatt.h FRAGMENTED_FLAG_*; nRF Connect SDK fmna_gatt_pkt_manager.c).
//! - Apple CoreLocation class dump: Find My network service 0xFD44, non-owner characteristic
//!   4F860003-943B-49EF-BED4-2F730304427A.
//! - AirGuard (seemoo-lab/AirGuard) AppleFindMy.kt: writes 01 00 03 to start and 01 01 03 to
//!   stop on that characteristic; for first-generation AirTags that lack it, writes the single
//!   byte 0xAF to 7DFC9001-7D1C-4951-86AA-8D9728F8D66C (service 7DFC9000-...) and gets no
//!   reply and has no stop command (reverse engineered, not published by Apple).

use super::dult::{self, ParseError, Response};
use super::uuid16;

/// Find My network service (16-bit 0xFD44).
pub const SERVICE: u128 = uuid16(0xFD44);
/// Find My non-owner control point.
pub const NON_OWNER_CONTROL_POINT: u128 = 0x4F860003_943B_49EF_BED4_2F730304427A;
/// First-generation AirTag sound service and characteristic.
pub const AIRTAG_SOUND_SERVICE: u128 = 0x7DFC9000_7D1C_4951_86AA_8D9728F8D66C;
pub const AIRTAG_SOUND_CHARACTERISTIC: u128 = 0x7DFC9001_7D1C_4951_86AA_8D9728F8D66C;
/// The value AirGuard writes to make a first-generation AirTag play its sound.
pub const AIRTAG_PLAY: [u8; 1] = [0xAF];

/// Fragment header of the only (final) fragment.
const FINAL_FRAGMENT: u8 = 0x01;

/// The bytes to write: the final-fragment header, then the opcode little endian.
pub fn command(opcode: u16) -> [u8; 3] {
    let [lo, hi] = opcode.to_le_bytes();
    [FINAL_FRAGMENT, lo, hi]
}

/// Parses a non-owner indication: only Command_Response and Sound_Completed belong here.
/// Never panics.
pub fn parse(bytes: &[u8]) -> Result<Response, ParseError> {
    match bytes.split_first() {
        None => Err(ParseError::TooShort(0)),
        // Non-owner answers are 7 bytes at most, so they are never fragmented.
        Some((&FINAL_FRAGMENT, rest)) => match dult::parse(rest) {
            Ok(r @ (Response::CommandResponse { .. } | Response::SoundCompleted)) => Ok(r),
            Ok(_) => Err(ParseError::UnknownOpcode(u16::from_le_bytes([rest[0], rest[1]]))),
            Err(e) => Err(e),
        },
        Some((_, _)) => Err(ParseError::Fragmented),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interact::dult::Status;

    #[test]
    fn framing_matches_airguard_bytes() {
        assert_eq!(command(0x0300), [0x01, 0x00, 0x03]);
        assert_eq!(command(0x0301), [0x01, 0x01, 0x03]);
        assert_eq!(SERVICE, 0x0000FD44_0000_1000_8000_00805F9B34FB);
    }

    #[test]
    fn replies() {
        let ok = parse(&[0x01, 0x02, 0x03, 0x00, 0x03, 0x00, 0x00]).unwrap();
        assert_eq!(
            ok,
            Response::CommandResponse {
                opcode: 0x300,
                status: Status::Success
            }
        );
        // Near owner: Invalid_command with opcode NONE (fmna_nonowner_rx_handler).
        let near = parse(&[0x01, 0x02, 0x03, 0x00, 0x00, 0xFF, 0xFF]).unwrap();
        assert_eq!(
            near,
            Response::CommandResponse {
                opcode: 0,
                status: Status::InvalidCommand
            }
        );
        assert_eq!(parse(&[0x01, 0x03, 0x03]).unwrap(), Response::SoundCompleted);
        assert_eq!(parse(&[]), Err(ParseError::TooShort(0)));
        assert_eq!(parse(&[0x00, 0x03, 0x03]), Err(ParseError::Fragmented));
        assert_eq!(parse(&[0x01, 0x03]), Err(ParseError::TooShort(1)));
        assert_eq!(
            parse(&[0x01, 0x03, 0x08, 1, 2, 3, 4, 5, 6, 7, 8]),
            Err(ParseError::UnknownOpcode(0x803))
        );
    }
}
