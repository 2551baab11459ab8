//! The live view in a real terminal: `tagwatch scan --replay` in a detached tmux session of
//! fixed size, driven with send-keys and read with capture-pane.

mod common;

use common::tmux::{Tmux, wait_for_file};
use tagwatch::synth::labelled;

#[test]
fn live_view_in_a_real_terminal() {
    let Some(tmux) = Tmux::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    labelled::write("commute_airtag", dir.path()).unwrap();
    let exit = dir.path().join("exit");
    let command = format!(
        "'{}' scan --replay '{}' --track '{}' --speed 0 --no-store > /dev/null; echo $? > '{}'",
        env!("CARGO_BIN_EXE_tagwatch"),
        dir.path().join("commute_airtag-synthetic.btsnoop").display(),
        dir.path().join("commute_airtag-synthetic.gpx").display(),
        exit.display()
    );
    let started = tmux.run(&["new-session", "-d", "-s", "tw", "-x", "110", "-y", "32", &command]);
    assert!(started.status.success(), "{started:?}");

    tmux.wait_for(&["AirTag is following you", "FOLLOWING (high)"]);

    tmux.keys(&["Enter"]);
    tmux.wait_for(&["raw: 1eff4c0012", "separated from its owner"]);

    tmux.keys(&["f"]);
    tmux.wait_for(&["find AirTag", "dBm", "last heard"]);

    // Escape and `?` sent together would read as Alt+?.
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["TRACKER"]);
    tmux.keys(&["?"]);
    tmux.wait_for(&[" keys ", "find mode: signal meter", "quit (the evidence is kept)"]);

    tmux.keys(&["q"]);
    assert_eq!(wait_for_file(&exit), "0\n");
}
