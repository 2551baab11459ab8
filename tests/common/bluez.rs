//! A mock BlueZ (python3-dbusmock's bluez5 template) on a private D-Bus daemon, driven by
//! tests/fixtures/bluez_mock.py. Point libdbus at it with DBUS_SYSTEM_BUS_ADDRESS.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const PYTHON: &str = "/usr/bin/python3";
const DRIVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bluez_mock.py");
/// A separated AirTag's manufacturer data after Apple's company id 0x004C.
pub const AIRTAG: &str = "1219108c3d2e5a112233445566778899aabbccddeeff0102030100";

/// Kills a helper process when the test ends, however it ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct MockBluez {
    /// The private bus's address.
    pub bus: String,
    // Dropped in this order: the mock, then its bus.
    mock: Option<Kill>,
    _daemon: Kill,
}

impl MockBluez {
    /// A mock BlueZ with adapter hci0, or None (having said "skipping") without the tools.
    pub fn start() -> Option<Self> {
        let python = Command::new(PYTHON)
            .args(["-c", "import dbusmock"])
            .stderr(Stdio::null())
            .status();
        let daemon = Command::new("dbus-daemon")
            .arg("--version")
            .stdout(Stdio::null())
            .status();
        if !matches!((python, daemon), (Ok(p), Ok(d)) if p.success() && d.success()) {
            eprintln!("skipping: dbus-daemon or python3-dbusmock not installed");
            return None;
        }
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut bus = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut bus)
            .unwrap();
        let daemon = Kill(daemon);
        let bus = bus.trim().to_string();
        let mock = Command::new(PYTHON)
            .args(["-m", "dbusmock", "--template", "bluez5", "--system"])
            .env("DBUS_SYSTEM_BUS_ADDRESS", &bus)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mock = MockBluez {
            bus,
            mock: Some(Kill(mock)),
            _daemon: daemon,
        };
        let t0 = Instant::now();
        while !mock.drive(&["add-adapter", "hci0"]) {
            assert!(t0.elapsed() < Duration::from_secs(10), "the mock did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(mock)
    }

    /// BlueZ goes away (bluetoothd stopped or crashed); the bus stays.
    pub fn stop_bluez(&mut self) {
        self.mock = None;
    }

    /// Runs one driver command (see the driver's usage).
    pub fn drive(&self, args: &[&str]) -> bool {
        Command::new(PYTHON)
            .arg(DRIVER)
            .arg(&self.bus)
            .args(args)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// What tagwatch did to the accessory at `address` on hci0 (the driver's `log`).
    pub fn log(&self, address: &str) -> Vec<String> {
        let out = Command::new(PYTHON)
            .arg(DRIVER)
            .args([&self.bus, "log", "hci0", address])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    /// Advertises `ad` (the driver's `advertise` arguments after RSSI) from `address` on hci0
    /// every 300 ms until the returned guard is dropped, as a tracker does.
    pub fn keep_advertising(&self, address: &str, ad: &[&str]) -> Advertising {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, bus) = (stop.clone(), self.bus.clone());
        let mut args = vec![
            "advertise".to_string(),
            "hci0".into(),
            address.into(),
            "-60".into(),
        ];
        args.extend(ad.iter().map(|a| a.to_string()));
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let _ = Command::new(PYTHON)
                    .arg(DRIVER)
                    .arg(&bus)
                    .args(&args)
                    .stderr(Stdio::null())
                    .status();
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        Advertising {
            stop,
            thread: Some(thread),
        }
    }

    /// One AirTag advertisement from `address` on hci0.
    pub fn airtag(&self, address: &str, rssi: i16) {
        let rssi = rssi.to_string();
        assert!(self.drive(&["advertise", "hci0", address, &rssi, "004c", AIRTAG]));
    }
}

/// A device advertising in the background; stops when dropped.
pub struct Advertising {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Advertising {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
