//! The live scanner against a mock BlueZ (python-dbusmock's bluez5 template) on a private
//! D-Bus daemon standing in for the system bus: the same btleplug code path as a real
//! adapter, down to the D-Bus messages. Needs dbus-daemon and python3-dbusmock.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tagwatch::classify::Classifier;
use tagwatch::model::OwnedAdvertisement;
use tagwatch::scan::{Backoff, LinkState, ScanConfig, ScanEvent, Scanner};

const PYTHON: &str = "/usr/bin/python3";
const DRIVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bluez_mock.py");
const AIRTAG_ADDR: &str = "C4:11:22:33:44:55";
/// A separated AirTag's manufacturer data after Apple's company id 0x004C.
const AIRTAG: &str = "1219108c3d2e5a112233445566778899aabbccddeeff0102030100";
const WAIT: Duration = Duration::from_secs(10);

/// Kills a helper process when the test ends, however it ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have_tools() -> bool {
    let python = Command::new(PYTHON)
        .args(["-c", "import dbusmock"])
        .stderr(Stdio::null())
        .status();
    let daemon = Command::new("dbus-daemon")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    matches!((python, daemon), (Ok(p), Ok(d)) if p.success() && d.success())
}

fn drive(bus: &str, args: &[&str]) -> bool {
    Command::new(PYTHON)
        .arg(DRIVER)
        .arg(bus)
        .args(args)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The next event that `want` accepts, skipping others; panics after [`WAIT`].
fn next(scanner: &Scanner, what: &str, want: impl Fn(&ScanEvent) -> bool) -> ScanEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match scanner.events().recv_timeout(left) {
            Ok(e) if want(&e) => return e,
            Ok(_) => {}
            Err(e) => panic!("waiting for {what}: {e}; adapter {}", scanner.link().get()),
        }
    }
}

fn airtag(e: &ScanEvent) -> Option<&OwnedAdvertisement> {
    match e {
        ScanEvent::Advertisement(a) if a.address.to_string() == AIRTAG_ADDR => Some(a),
        _ => None,
    }
}

fn advertise(bus: &str, rssi: i16) {
    let rssi = rssi.to_string();
    assert!(drive(
        bus,
        &["advertise", "hci0", AIRTAG_ADDR, &rssi, "004c", AIRTAG]
    ));
}

#[test]
fn scanner_hears_an_airtag_on_mock_bluez_and_survives_the_adapter_leaving() {
    if !have_tools() {
        eprintln!("skipping: dbus-daemon or python3-dbusmock not installed");
        return;
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
    let _daemon = Kill(daemon);
    let bus = bus.trim().to_string();
    // SAFETY: the only test in this binary, and no thread runs yet: nothing reads the
    // environment concurrently. libdbus finds the "system" bus through this variable.
    unsafe { std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &bus) };
    let _mock = Kill(
        Command::new(PYTHON)
            .args(["-m", "dbusmock", "--template", "bluez5", "--system"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while !drive(&bus, &["add-adapter", "hci0"]) {
        assert!(t0.elapsed() < WAIT, "the mock did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }

    let config = ScanConfig {
        adapter: Some("hci0".into()),
        backoff: Backoff::new(Duration::from_millis(100), Duration::from_millis(500)),
        ..ScanConfig::default()
    };
    let scanner = Scanner::start(config).unwrap();
    next(&scanner, "adapter up", |e| {
        *e == ScanEvent::Adapter(LinkState::Up)
    });

    // Each advertisement is one PropertiesChanged (RSSI and ManufacturerData together),
    // the same data again each time: BlueZ's DuplicateData behaviour.
    assert!(drive(&bus, &["add-device", "hci0", AIRTAG_ADDR]));
    let sent = [-70, -66, -66, -58, -51];
    for rssi in sent {
        advertise(&bus, rssi);
        std::thread::sleep(Duration::from_millis(60));
    }
    let classifier = Classifier::builtin();
    let mut heard = Vec::new();
    while heard.len() < sent.len() {
        let e = next(&scanner, "AirTag advertisements", |e| {
            airtag(e).is_some_and(|a| classifier.classify(&a.data).is_some())
        });
        let adv = airtag(&e).unwrap();
        let c = classifier.classify(&adv.data).unwrap();
        assert_eq!((c.family, c.model), ("apple_find_my", Some("AirTag")));
        heard.push(i16::from(adv.rssi.unwrap()));
    }
    assert_eq!(heard, sent, "every advertisement once, repeats included");

    // The USB stick is pulled out, then put back.
    assert!(drive(&bus, &["remove-adapter", "hci0"]));
    next(&scanner, "adapter down", |e| {
        matches!(e, ScanEvent::Adapter(LinkState::Down(_)))
    });
    assert!(drive(&bus, &["add-adapter", "hci0"]));
    next(&scanner, "adapter up again", |e| {
        *e == ScanEvent::Adapter(LinkState::Up)
    });
    assert!(drive(&bus, &["add-device", "hci0", AIRTAG_ADDR]));
    advertise(&bus, -44);
    next(&scanner, "an AirTag after reconnecting", |e| {
        airtag(e).is_some_and(|a| a.rssi == Some(-44))
    });
    assert_eq!(scanner.dropped(), 0);
}
