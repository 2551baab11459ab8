//! An alert on the desktop (notify-rust, the freedesktop notification service over the D-Bus
//! session bus) when the live view is not in front: a laptop whose terminal is behind another
//! window. Where the terminal says nothing about its focus, every alert goes to the desktop too.
//! Without a session bus or a notification service (a Pi over ssh, a service) notifications
//! turn themselves off after the first failure, said once.

use std::sync::mpsc::{Receiver, Sender, channel};

/// Whether the terminal showing the view has the focus, as far as it has said
/// (crossterm's FocusGained / FocusLost; many terminals never say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    #[default]
    Unknown,
    Focused,
    Unfocused,
}

/// Whether an alert also goes to the desktop: unless the terminal says the view is in front.
pub fn should_notify(focus: Focus) -> bool {
    focus != Focus::Focused
}

/// Shows one notification (summary, body); an error says why it could not.
pub type Show = Box<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;

/// The desktop notifications of one live view.
pub struct Desktop {
    show: std::sync::Arc<Show>,
    /// Failures of notifications sent (on their own threads: a missing notification service
    /// can keep a D-Bus call waiting for its timeout, which must not freeze the view).
    failures: (Sender<String>, Receiver<String>),
    /// Why notifications are off, once one failed.
    off: Option<String>,
}

impl Default for Desktop {
    fn default() -> Self {
        let mut desktop = Desktop::with(Box::new(show));
        // No session bus at all (ssh, tmux on a Pi, a service): there is no desktop to tell,
        // and nothing worth a line in the status bar.
        if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            desktop.off = Some("no desktop session".to_string());
        }
        desktop
    }
}

impl Desktop {
    /// Notifications shown by `show` (the desktop's, or a test's).
    pub fn with(show: Show) -> Self {
        Desktop {
            show: std::sync::Arc::new(show),
            failures: channel(),
            off: None,
        }
    }

    /// Sends an alert's line (`Event::line`) to the desktop if the view is not in front and
    /// notifications work.
    pub fn alert(&mut self, line: &str, focus: Focus) {
        if !should_notify(focus) || self.off.is_some() {
            return;
        }
        let show = self.show.clone();
        let failed = self.failures.0.clone();
        let (summary, body) = ("tagwatch".to_string(), line.to_string());
        std::thread::spawn(move || {
            if let Err(e) = show(&summary, &body) {
                let _ = failed.send(e);
            }
        });
    }

    /// Why notifications have just turned off, to be said once (None otherwise, and never
    /// again after).
    pub fn poll(&mut self) -> Option<String> {
        if self.off.is_some() {
            return None;
        }
        let why = self.failures.1.try_recv().ok()?;
        self.off = Some(why.clone());
        Some(why)
    }
}

fn show(summary: &str, body: &str) -> Result<(), String> {
    notify_rust::Notification::new()
        .summary(summary)
        .body(body)
        .urgency(notify_rust::Urgency::Critical)
        .show()
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    const LINE: &str = "ALERT 2026-01-15T08:30:02Z Tile (tw-1) is following you: ...";

    /// Waits (bounded) until `done` holds.
    fn until(done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn alerts_go_to_the_desktop_unless_the_view_is_in_front() {
        assert!(should_notify(Focus::Unknown), "a terminal that never says");
        assert!(should_notify(Focus::Unfocused));
        assert!(!should_notify(Focus::Focused));
        let shown = Arc::new(Mutex::new(Vec::new()));
        let log = shown.clone();
        let mut d = Desktop::with(Box::new(move |s, b| {
            log.lock().unwrap().push(format!("{s}: {b}"));
            Ok(())
        }));
        d.alert(LINE, Focus::Focused);
        d.alert(LINE, Focus::Unfocused);
        until(|| !shown.lock().unwrap().is_empty());
        let shown = shown.lock().unwrap().clone();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown, [format!("tagwatch: {LINE}")]);
        assert_eq!(d.poll(), None);
    }

    #[test]
    fn without_a_session_bus_notifications_turn_off_said_once() {
        let tries = Arc::new(Mutex::new(0));
        let counted = tries.clone();
        let mut d = Desktop::with(Box::new(move |_, _| {
            *counted.lock().unwrap() += 1;
            Err("no D-Bus session bus".into())
        }));
        d.alert(LINE, Focus::Unknown);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut said = d.poll();
        while said.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
            said = d.poll();
        }
        assert_eq!(said.as_deref(), Some("no D-Bus session bus"));
        d.alert(LINE, Focus::Unknown);
        assert_eq!(d.poll(), None, "said once");
        assert_eq!(*tries.lock().unwrap(), 1, "not tried again");
    }
}
