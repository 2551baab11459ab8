//! A tmux server of the test's own, to run the live view in a real terminal of fixed size,
//! driven with send-keys and read with capture-pane.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when the test ends.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server of our own, or None (having said "skipping") without tmux.
    pub fn start() -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            println!("skipping: tmux not installed");
            return None;
        }
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        Some(Tmux {
            socket: format!("tagwatch-test-{}-{n}", std::process::id()),
        })
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tw"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "tw", k]);
        }
    }

    /// Polls the screen until all of `what` shows (a screen may be caught half drawn), for
    /// at most 10 s.
    pub fn wait_for(&self, what: &[&str]) {
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

/// The text of `path` once a line has been written to it.
pub fn wait_for_file(path: &Path) -> String {
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
