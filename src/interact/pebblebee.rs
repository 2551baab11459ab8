//! Pebblebee sound service.
//!
//! Source: AirGuard (seemoo-lab/AirGuard) PebbleBee.kt: service 0xFA25, characteristic
//! 0x2C02; writing 0x01 starts the sound and 0x02 stops it (AirGuard stops after 5 s). The
//! tag sends no confirmation that AirGuard waits for. Not published by Pebblebee.

use super::uuid16;

pub const SERVICE: u128 = uuid16(0xFA25);
pub const SOUND_CHARACTERISTIC: u128 = uuid16(0x2C02);
pub const START: [u8; 1] = [0x01];
pub const STOP: [u8; 1] = [0x02];
