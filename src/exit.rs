//! The exit codes every command uses, one meaning each (README: "Exit codes").

/// Done: everything given was read or listened to; the result stands.
pub const OK: u8 = 0;
/// The evidence database cannot be used (missing where it must exist, foreign, read-only,
/// unknown schema objects, a write that did not take effect).
pub const DATABASE: u8 = 1;
/// An input (capture, track, allow list, places file, attachment) could not be read.
pub const BAD_INPUT: u8 = 2;
/// The evidence does not verify: the chain is broken, or it does not extend the anchor given.
pub const BROKEN: u8 = 3;
/// Not checked: nothing was heard, so no statement about trackers can be made.
pub const NOT_CHECKED: u8 = 4;
/// Bluetooth is not available (no adapter, BlueZ not running, no permission).
pub const NO_BLUETOOTH: u8 = 5;
/// `ring` / `identify`: the tracker was not heard, refused, or cannot be acted on by a non-owner.
pub const TRACKER_FAILED: u8 = 6;
/// No such tracker in the evidence.
pub const UNKNOWN_TRACKER: u8 = 7;
/// An output (report, export, `--record` capture) could not be written: its path is a link, a
/// device, a folder, an existing recording, or the disk refused.
pub const OUTPUT: u8 = 8;
/// This computer would not let tagwatch run: the live view cannot draw on the terminal, or
/// signals cannot be handled.
pub const ENVIRONMENT: u8 = 9;
/// Wrong arguments (clap's own usage exit 2 is remapped to this, so 2 only means bad input).
pub const USAGE: u8 = 64;
