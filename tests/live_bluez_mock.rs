//! The live scanner against a mock BlueZ (python-dbusmock's bluez5 template) on a private
//! D-Bus daemon standing in for the system bus: the same btleplug code path as a real
//! adapter, down to the D-Bus messages. Needs dbus-daemon and python3-dbusmock.

mod common;

use std::time::{Duration, Instant};

use common::bluez::MockBluez;
use tagwatch::classify::Classifier;
use tagwatch::model::OwnedAdvertisement;
use tagwatch::scan::{Backoff, LinkState, ScanConfig, ScanEvent, Scanner};

const AIRTAG_ADDR: &str = "C4:11:22:33:44:55";
const WAIT: Duration = Duration::from_secs(10);

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

#[test]
fn scanner_hears_an_airtag_on_mock_bluez_and_survives_the_adapter_leaving() {
    let Some(bluez) = MockBluez::start() else {
        return;
    };
    // SAFETY: the only test in this binary, and no thread of ours runs yet: nothing reads
    // the environment concurrently. libdbus finds the "system" bus through this variable.
    unsafe { std::env::set_var("DBUS_SYSTEM_BUS_ADDRESS", &bluez.bus) };

    let config = ScanConfig {
        adapter: Some("hci0".into()),
        backoff: Backoff::new(Duration::from_millis(100), Duration::from_millis(500)),
        ..ScanConfig::default()
    };
    let scanner = Scanner::start(config).unwrap();
    // It names the adapter it scans with (the HCI monitor keeps that one's frames), then up.
    next(&scanner, "adapter named", |e| {
        *e == ScanEvent::Opened("hci0".into())
    });
    next(&scanner, "adapter up", |e| {
        *e == ScanEvent::Adapter(LinkState::Up)
    });

    // Each advertisement is one PropertiesChanged (RSSI and ManufacturerData together),
    // the same data again each time: BlueZ's DuplicateData behaviour.
    assert!(bluez.drive(&["add-device", "hci0", AIRTAG_ADDR]));
    let sent = [-70, -66, -66, -58, -51];
    for rssi in sent {
        bluez.airtag(AIRTAG_ADDR, rssi);
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
    assert!(bluez.drive(&["remove-adapter", "hci0"]));
    next(&scanner, "adapter down", |e| {
        matches!(e, ScanEvent::Adapter(LinkState::Down(_)))
    });
    assert!(bluez.drive(&["add-adapter", "hci0"]));
    next(&scanner, "adapter up again", |e| {
        *e == ScanEvent::Adapter(LinkState::Up)
    });
    assert!(bluez.drive(&["add-device", "hci0", AIRTAG_ADDR]));
    bluez.airtag(AIRTAG_ADDR, -44);
    next(&scanner, "an AirTag after reconnecting", |e| {
        airtag(e).is_some_and(|a| a.rssi == Some(-44))
    });
    assert_eq!(scanner.dropped(), 0);
}
