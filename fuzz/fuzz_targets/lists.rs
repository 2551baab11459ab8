//! Any text as a user's allow list or places file: a clear error or the list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tagwatch::correlate::{Allowlist, NamedPlace};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Allowlist::parse(&text);
    let _ = NamedPlace::parse_file(&text);
});
