//! The live view in a real terminal: `tagwatch scan --replay` in a detached tmux session of
//! fixed size, driven with send-keys and read with capture-pane.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tagwatch::synth::labelled;

/// A tmux server of our own (its own socket), killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tw"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "tw", k]);
        }
    }

    /// Polls the screen until all of `what` shows (a screen may be caught half drawn), for
    /// at most 10 s.
    fn wait_for(&self, what: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if what.iter().all(|w| screen.contains(w)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{what:?} never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} was never written: the process did not exit", path.display());
}

#[test]
fn live_view_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("skipping: tmux not installed");
        return;
    }
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
    let tmux = Tmux {
        socket: format!("tagwatch-test-{}", std::process::id()),
    };
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
