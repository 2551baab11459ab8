//! The procedures against a fake link that plays the accessory's side as the DULT draft and
//! the Find My ADK describe it.

use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;
use crate::classify::Classifier;

/// A tracker on the other end of the link.
#[derive(Default)]
struct FakeTag {
    services: Vec<Service>,
    separated: bool,
    /// In identifier read state (the physical action was done).
    id_readable: bool,
    capabilities: u32,
    playing: bool,
    /// Ends a started sound at once with Sound_Completed.
    sound_ends: bool,
    /// Answers nothing at all.
    silent: bool,
    /// Information opcodes it declines with Invalid_command.
    declines: Vec<u16>,
    /// Overrides the answer to the next write.
    garbage: Option<Vec<u8>>,
    discover_error: Option<LinkError>,
    write_error: Option<LinkError>,
    subscribed: Vec<(u128, u128)>,
    writes: Vec<(u128, u128, Vec<u8>, bool)>,
    queue: VecDeque<Vec<u8>>,
}

fn service(uuid: u128, characteristics: &[u128]) -> Service {
    Service {
        uuid,
        characteristics: characteristics.to_vec(),
    }
}

fn dult_tag() -> FakeTag {
    FakeTag {
        services: vec![
            service(GAP_SERVICE, &[DEVICE_NAME]),
            service(dult::SERVICE, &[dult::CONTROL_POINT]),
        ],
        separated: true,
        capabilities: 0b1011,
        sound_ends: true,
        ..Default::default()
    }
}

fn findmy_tag() -> FakeTag {
    FakeTag {
        services: vec![service(findmy::SERVICE, &[findmy::NON_OWNER_CONTROL_POINT])],
        ..dult_tag()
    }
}

impl FakeTag {
    fn indicate(&mut self, apple: bool, op: u16, operand: &[u8]) {
        let mut msg = match apple {
            true => vec![0x01],
            false => vec![],
        };
        msg.extend(op.to_le_bytes());
        msg.extend(operand);
        self.queue.push_back(msg);
    }

    fn respond(&mut self, apple: bool, op: u16, status: u16) {
        // The Find My ADK reports a refused non-owner command with opcode NONE.
        let op = match apple && status == 0xFFFF {
            true => 0,
            false => op,
        };
        let operand = [op.to_le_bytes(), status.to_le_bytes()].concat();
        self.indicate(apple, dult::opcode::COMMAND_RESPONSE, &operand);
    }

    fn control_point(&mut self, apple: bool, value: &[u8]) {
        use dult::opcode::*;
        let value = if apple { &value[1..] } else { value };
        let op = u16::from_le_bytes([value[0], value[1]]);
        if !self.separated {
            return self.respond(apple, op, 0xFFFF);
        }
        match op {
            SOUND_START if self.playing => self.respond(apple, op, 0x0001),
            SOUND_START => {
                self.respond(apple, op, 0);
                self.playing = !self.sound_ends;
                if self.sound_ends {
                    self.indicate(apple, SOUND_COMPLETED, &[]);
                }
            }
            SOUND_STOP if !self.playing => self.respond(apple, op, 0x0001),
            SOUND_STOP => {
                self.playing = false;
                self.indicate(apple, SOUND_COMPLETED, &[]);
            }
            _ if apple => self.respond(apple, op, 0xFFFF),
            GET_IDENTIFIER if self.id_readable => self.indicate(false, GET_IDENTIFIER_RESPONSE, b"a1b2c3d4"),
            _ if self.declines.contains(&op) => self.respond(false, op, 0xFFFF),
            GET_PRODUCT_DATA => self.indicate(
                false,
                op | RESPONSE_BIT,
                &[0xDF, 0xEC, 0xEF, 0xF1, 0xE1, 0xFF, 0x54, 0xDB],
            ),
            GET_MANUFACTURER_NAME => self.indicate(false, op | RESPONSE_BIT, b"Acme"),
            GET_MODEL_NAME => self.indicate(false, op | RESPONSE_BIT, b"Acme Tag 2"),
            GET_ACCESSORY_CATEGORY => self.indicate(false, op | RESPONSE_BIT, &[1, 0, 0, 0, 0, 0, 0, 0]),
            GET_PROTOCOL_IMPLEMENTATION_VERSION => self.indicate(false, op | RESPONSE_BIT, &[0, 0, 1, 0]),
            GET_ACCESSORY_CAPABILITIES => {
                let caps = self.capabilities.to_le_bytes();
                self.indicate(false, op | RESPONSE_BIT, &caps)
            }
            GET_NETWORK_ID => self.indicate(false, op | RESPONSE_BIT, &[0x02]),
            GET_FIRMWARE_VERSION => self.indicate(false, op | RESPONSE_BIT, &[2, 1, 3, 0]),
            GET_BATTERY_TYPE => self.indicate(false, op | RESPONSE_BIT, &[1]),
            GET_BATTERY_LEVEL => self.indicate(false, op | RESPONSE_BIT, &[2]),
            _ => self.respond(false, op, 0xFFFF),
        }
    }
}

impl GattLink for FakeTag {
    fn discover(&mut self) -> Result<Vec<Service>, LinkError> {
        match self.discover_error.clone() {
            Some(e) => Err(e),
            None => Ok(self.services.clone()),
        }
    }

    fn read(&mut self, service: u128, characteristic: u128) -> Result<Vec<u8>, LinkError> {
        match (service, characteristic) {
            (GAP_SERVICE, DEVICE_NAME) => Ok(b"Acme Tag\0".to_vec()),
            _ => Err(LinkError::Other("no such characteristic".into())),
        }
    }

    fn write(
        &mut self,
        service: u128,
        characteristic: u128,
        value: &[u8],
        with_response: bool,
    ) -> Result<(), LinkError> {
        if let Some(e) = self.write_error.clone() {
            return Err(e);
        }
        self.writes
            .push((service, characteristic, value.to_vec(), with_response));
        // Indications only reach a client that enabled them.
        if self.silent || !self.subscribed.contains(&(service, characteristic)) {
            return Ok(());
        }
        if let Some(g) = self.garbage.take() {
            self.queue.push_back(g);
            return Ok(());
        }
        match (service, characteristic) {
            (dult::SERVICE, dult::CONTROL_POINT) => self.control_point(false, value),
            (findmy::SERVICE, findmy::NON_OWNER_CONTROL_POINT) => self.control_point(true, value),
            _ => {}
        }
        Ok(())
    }

    fn subscribe(&mut self, service: u128, characteristic: u128) -> Result<(), LinkError> {
        self.subscribed.push((service, characteristic));
        Ok(())
    }

    fn next_notification(&mut self, _timeout: Duration) -> Result<Vec<u8>, LinkError> {
        self.queue.pop_front().ok_or(LinkError::Timeout)
    }
}

#[test]
fn dult_ring_is_confirmed_and_completes() {
    let mut tag = dult_tag();
    let out = ring(&mut tag, "dult").unwrap();
    assert_eq!(
        out,
        RingOutcome {
            protocol: SoundProtocol::Dult,
            confirmed: true,
            completed: true
        }
    );
    assert_eq!(tag.subscribed, [(dult::SERVICE, dult::CONTROL_POINT)]);
    assert_eq!(
        tag.writes,
        [(dult::SERVICE, dult::CONTROL_POINT, vec![0x00, 0x03], true)]
    );
}

#[test]
fn dult_ring_still_playing_then_stopped() {
    let mut tag = FakeTag {
        sound_ends: false,
        ..dult_tag()
    };
    let out = ring(&mut tag, "google_fmdn").unwrap();
    assert!(out.confirmed && !out.completed);
    assert_eq!(stop(&mut tag, "google_fmdn").unwrap(), SoundProtocol::Dult);
    assert_eq!(tag.writes.last().unwrap().2, [0x01, 0x03]);
    // Nothing left to stop: Invalid_state.
    let again = stop(&mut tag, "google_fmdn").unwrap_err();
    assert!(
        matches!(
            again,
            InteractError::Refused {
                status: Status::InvalidState,
                ..
            }
        ),
        "{again}"
    );
}

#[test]
fn dult_ring_refused_near_owner_or_while_playing() {
    let mut near = FakeTag {
        separated: false,
        ..dult_tag()
    };
    let e = ring(&mut near, "dult").unwrap_err();
    assert!(matches!(
        e,
        InteractError::Refused {
            opcode: 0x300,
            status: Status::InvalidCommand,
            ..
        }
    ));
    assert!(e.to_string().contains("with its owner"), "{e}");
    let mut busy = FakeTag {
        playing: true,
        ..dult_tag()
    };
    let e = ring(&mut busy, "dult").unwrap_err();
    assert!(
        matches!(
            e,
            InteractError::Refused {
                status: Status::InvalidState,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn silence_and_garbage_are_errors() {
    let mut silent = FakeTag {
        silent: true,
        ..dult_tag()
    };
    assert_eq!(ring(&mut silent, "dult"), Err(InteractError::Timeout));
    let mut garbage = FakeTag {
        garbage: Some(vec![0x02]),
        ..dult_tag()
    };
    assert!(matches!(
        ring(&mut garbage, "dult"),
        Err(InteractError::Protocol(_))
    ));
    let wrong = dult::command(dult::opcode::SOUND_COMPLETED).to_vec();
    let mut early = FakeTag {
        garbage: Some(wrong),
        ..dult_tag()
    };
    assert!(matches!(
        ring(&mut early, "dult"),
        Err(InteractError::Protocol(_))
    ));
}

#[test]
fn link_errors_become_clear_errors() {
    let mut away = FakeTag {
        discover_error: Some(LinkError::OutOfRange),
        ..dult_tag()
    };
    assert_eq!(ring(&mut away, "dult"), Err(InteractError::OutOfRange));
    let denied = LinkError::from_bluez("org.bluez.Error.NotPermitted", "Not paired");
    let mut locked = FakeTag {
        write_error: Some(denied),
        ..dult_tag()
    };
    let e = ring(&mut locked, "dult").unwrap_err();
    assert!(
        matches!(e, InteractError::Permission(ref m) if m.contains("Not paired")),
        "{e}"
    );
    assert!(e.to_string().contains("bluetooth group"), "{e}");
}

#[test]
fn bluez_error_names() {
    let cases = [
        ("org.bluez.Error.NotAuthorized", "", "Permission"),
        ("org.freedesktop.DBus.Error.AccessDenied", "policy", "Permission"),
        (
            "org.bluez.Error.Failed",
            "le-connection-abort-by-local",
            "OutOfRange",
        ),
        ("org.bluez.Error.Failed", "Operation timed out", "OutOfRange"),
        ("org.bluez.Error.NotConnected", "", "OutOfRange"),
        (
            "org.bluez.Error.Failed",
            "Connection refused (111)",
            "ConnectionRefused",
        ),
        ("org.bluez.Error.InProgress", "", "ConnectionRefused"),
        ("org.bluez.Error.InvalidValueLength", "", "Other"),
    ];
    for (name, message, kind) in cases {
        let e = LinkError::from_bluez(name, message);
        assert!(format!("{e:?}").starts_with(kind), "{name} {message}: {e:?}");
    }
}

#[test]
fn find_my_non_owner_framing_and_refusal() {
    let mut tag = findmy_tag();
    let out = ring(&mut tag, "apple_find_my").unwrap();
    assert_eq!(out.protocol, SoundProtocol::FindMyNonOwner);
    assert!(out.confirmed && out.completed);
    assert_eq!(tag.writes[0].2, [0x01, 0x00, 0x03]);
    let mut near = FakeTag {
        separated: false,
        ..findmy_tag()
    };
    let e = ring(&mut near, "apple_find_my").unwrap_err();
    assert!(
        matches!(
            e,
            InteractError::Refused {
                status: Status::InvalidCommand,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn dult_wins_over_the_family_protocol() {
    let mut tag = findmy_tag();
    tag.services.push(service(dult::SERVICE, &[dult::CONTROL_POINT]));
    assert_eq!(
        ring(&mut tag, "apple_find_my").unwrap().protocol,
        SoundProtocol::Dult
    );
    let mut smarttag = FakeTag {
        services: dult_tag().services,
        ..dult_tag()
    };
    assert_eq!(
        ring(&mut smarttag, "samsung_smarttag").unwrap().protocol,
        SoundProtocol::Dult
    );
}

#[test]
fn legacy_airtag_and_pebblebee() {
    let airtag = service(
        findmy::AIRTAG_SOUND_SERVICE,
        &[findmy::AIRTAG_SOUND_CHARACTERISTIC],
    );
    let mut tag = FakeTag {
        services: vec![airtag],
        ..Default::default()
    };
    let out = ring(&mut tag, "apple_find_my").unwrap();
    assert_eq!(
        out,
        RingOutcome {
            protocol: SoundProtocol::AirTagLegacy,
            confirmed: false,
            completed: false
        }
    );
    assert_eq!(tag.writes[0].2, [0xAF]);
    assert!(matches!(
        stop(&mut tag, "apple_find_my"),
        Err(InteractError::NotSupported { .. })
    ));

    let pb = service(pebblebee::SERVICE, &[pebblebee::SOUND_CHARACTERISTIC]);
    let mut tag = FakeTag {
        services: vec![pb],
        ..Default::default()
    };
    assert_eq!(
        ring(&mut tag, "pebblebee").unwrap().protocol,
        SoundProtocol::Pebblebee
    );
    assert_eq!(stop(&mut tag, "pebblebee").unwrap(), SoundProtocol::Pebblebee);
    let values: Vec<_> = tag.writes.iter().map(|w| w.2.clone()).collect();
    assert_eq!(values, [vec![0x01], vec![0x02]]);
    assert_eq!(tag.writes[0].1, 0x00002C02_0000_1000_8000_00805F9B34FB);
}

#[test]
fn missing_services_say_why() {
    let mut nothing = FakeTag::default();
    for family in ["samsung_smarttag", "tile", "chipolo"] {
        match ring(&mut nothing, family) {
            Err(InteractError::NotSupported { family: f, reason }) => {
                assert_eq!(f, family);
                assert!(reason.text(Lang::En).contains("publish"), "{reason:?}");
            }
            other => panic!("{family}: {other:?}"),
        }
    }
    let e = ring(&mut nothing, "apple_find_my").unwrap_err();
    assert!(e.to_string().contains("none of the sound services"), "{e}");
    let e = identify(&mut nothing, "apple_find_my").unwrap_err();
    assert!(e.to_string().contains("NFC"), "{e}");
    assert!(nothing.writes.is_empty());
}

#[test]
fn identify_after_the_physical_action() {
    let mut tag = FakeTag {
        id_readable: true,
        declines: vec![dult::opcode::GET_BATTERY_LEVEL],
        ..dult_tag()
    };
    let r = identify(&mut tag, "dult").unwrap();
    assert_eq!(r.device_name.as_deref(), Some("Acme Tag"));
    assert_eq!(r.product_data.as_deref(), Some("dfeceff1e1ff54db"));
    assert_eq!(
        (r.manufacturer.as_deref(), r.model.as_deref()),
        (Some("Acme"), Some("Acme Tag 2"))
    );
    assert_eq!(
        (r.category, r.network_id, r.capabilities),
        (Some(1), Some(2), Some(0b1011))
    );
    assert_eq!(r.protocol_version.as_deref(), Some("1.0.0"));
    assert_eq!(r.firmware_version.as_deref(), Some("3.1.2"));
    assert_eq!((r.battery_type, r.battery_level), (Some(1), None));
    assert_eq!(r.identifier.as_deref(), Some("a1b2c3d4"));
    assert_eq!(r.identifier_raw.as_deref(), Some("6131623263336434"));
    assert_eq!(r.identifier_missing, None);
    assert_eq!(tag.writes.last().unwrap().2, [0x04, 0x04]);

    let note = r.to_note("AA:BB:CC:DD:EE:FF", 42);
    assert_eq!(note.time_us, 42);
    assert_eq!(note.identify.as_ref(), Some(&r));
    for needle in [
        "AA:BB:CC:DD:EE:FF",
        "manufacturer: Acme",
        "category: 1 (Location Tracker)",
        "network: 2 (Google)",
        "identifier: a1b2c3d4",
        "battery type: 1 (Non-rechargeable battery)",
        "capabilities: play sound, motion detector, identifier by BLE",
    ] {
        assert!(note.text.contains(needle), "{needle} not in {}", note.text);
    }
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<IdentifyRecord>(&json).unwrap(), r);
}

#[test]
fn identify_without_the_physical_action_or_over_nfc_only() {
    let mut tag = dult_tag();
    let r = identify(&mut tag, "google_fmdn").unwrap();
    assert_eq!(r.manufacturer.as_deref(), Some("Acme"));
    assert_eq!(r.identifier, None);
    assert!(
        r.identifier_missing
            .as_deref()
            .unwrap()
            .contains("physical action"),
        "{r:?}"
    );

    let mut nfc = FakeTag {
        capabilities: 0b0101,
        id_readable: true,
        ..dult_tag()
    };
    let r = identify(&mut nfc, "dult").unwrap();
    assert!(r.identifier_missing.as_deref().unwrap().contains("NFC"));
    assert!(
        !nfc.writes.iter().any(|w| w.2 == [0x04, 0x04]),
        "must not ask for the identifier"
    );

    // Near its owner the accessory declines everything.
    let mut near = FakeTag {
        separated: false,
        ..dult_tag()
    };
    let e = identify(&mut near, "dult").unwrap_err();
    assert!(matches!(e, InteractError::Refused { opcode: 0x003, .. }), "{e}");
    assert!(e.to_string().contains("with its owner"), "{e}");
}

#[test]
fn support_table_covers_every_family() {
    for family in Classifier::builtin().families() {
        let s = support(&family.key);
        for c in [s.ring, s.identify] {
            match c {
                Capability::Supported { how, source } => assert!(!how.is_empty() && !source.is_empty()),
                Capability::Unsupported { reason } => {
                    assert!(
                        !matches!(reason, Why::UnknownNoRing | Why::UnknownNoIdentifier),
                        "{}: fell through to the default",
                        family.key
                    )
                }
            }
        }
    }
    assert!(matches!(support("nope").ring, Capability::Unsupported { .. }));
    assert!(matches!(support("dult").identify, Capability::Supported { .. }));
}

/// A link whose every answer is the given bytes.
struct Noise(Vec<Vec<u8>>);

impl GattLink for Noise {
    fn discover(&mut self) -> Result<Vec<Service>, LinkError> {
        Ok(vec![service(dult::SERVICE, &[dult::CONTROL_POINT])])
    }
    fn read(&mut self, _: u128, _: u128) -> Result<Vec<u8>, LinkError> {
        Err(LinkError::Timeout)
    }
    fn write(&mut self, _: u128, _: u128, _: &[u8], _: bool) -> Result<(), LinkError> {
        Ok(())
    }
    fn subscribe(&mut self, _: u128, _: u128) -> Result<(), LinkError> {
        Ok(())
    }
    fn next_notification(&mut self, _: Duration) -> Result<Vec<u8>, LinkError> {
        self.0.pop().ok_or(LinkError::Timeout)
    }
}

proptest! {
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = dult::parse(&bytes);
        let _ = findmy::parse(&bytes);
    }

    #[test]
    fn procedures_never_panic_on_any_answers(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..12), 0..14)
    ) {
        let _ = ring(&mut Noise(answers.clone()), "dult");
        let _ = stop(&mut Noise(answers.clone()), "dult");
        let _ = identify(&mut Noise(answers), "dult");
    }
}
