//! Helpers shared by the integration tests. Each test binary uses its own subset of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `tagwatch` binary, run from the project folder, without colour, in UTC.
pub fn tagwatch() -> Command {
    let mut cmd = Command::cargo_bin("tagwatch").expect("binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC");
    cmd
}

/// The real captures recorded by others (`../shared/captures/external`), or None with a note
/// in a clone that does not have them.
pub fn external() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/external");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/captures/external not found");
        None
    }
}
