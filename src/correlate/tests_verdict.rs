//! The verdict and the clone detector, driven through `Trackers` as `analyze` drives them.

use super::verdict::{Risk, Sensitivity};
use super::*;
use crate::model::{AddrType, PduKind};

const MIN: i64 = 60_000_000;

fn adv(time_us: i64, addr: BdAddr, rssi: i8) -> Advertisement<'static> {
    Advertisement {
        time_us,
        address: addr,
        addr_type: AddrType::Random,
        rssi: Some(rssi),
        pdu: PduKind::AdvNonconnInd,
        data: &[],
    }
}

fn find_my<'d>(model: &'static str, state: OwnerState, key: &'d [u8]) -> Classification<'static, 'd> {
    Classification {
        family: "apple_find_my",
        model: Some(model),
        owner_state: state,
        mode: None,
        battery: None,
        identity: Some(key),
        counter: None,
        status: None,
        network: None,
    }
}

/// The person walks north at 3 km/h (50 m a minute) from 08:00 for `minutes`.
fn walk(minutes: i64) -> Track {
    let fixes = (0..=minutes)
        .map(|m| Fix {
            time_us: m * MIN,
            lat: 35.0 + m as f64 * 50.0 / 111_195.0,
            lon: 139.0,
            accuracy_m: None,
        })
        .collect();
    Track::from_fixes(fixes)
}

/// A tracker heard every 10 s from `from_min` to `to_min`.
fn heard(t: &mut Trackers<'_>, c: &Classification<'static, '_>, addr: u8, from_min: i64, to_min: i64) {
    let mut time = from_min * MIN;
    while time <= to_min * MIN {
        t.add(&adv(time, BdAddr([addr; 6]), -60), Some(c));
        time += 10_000_000;
    }
}

#[test]
fn a_separated_tag_that_walks_with_you_alerts_when_all_rules_hold() {
    let track = walk(60);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    heard(&mut t, &find_my("AirTag", OwnerState::Separated, b"k1"), 1, 0, 60);
    let v = t.into_sorted();
    assert!(v[0].following());
    // Medium: 3 places 500 m apart come after 10 min of walking; 30 min with you is the
    // last rule to hold, so the alert is the sighting at exactly 30 min.
    assert_eq!(v[0].alert_at_us, Some(30 * MIN));
    assert_eq!(v[0].risk, Risk::High);
    assert_eq!(v[0].reasons[0], "seen at 16 places over 1 h 0 min, 3.0 km apart");
    assert_eq!(v[0].reasons[1], "separated from its owner");
    assert_eq!(
        v[0].reasons[2],
        "following you: flagged 30 min after it was first seen"
    );
}

#[test]
fn sensitivity_moves_the_alert() {
    let track = walk(60);
    let at = |s: Sensitivity| {
        let mut t = Trackers::with_track(&track, 2 * MIN).with_rules(s.rules());
        heard(&mut t, &find_my("AirTag", OwnerState::Separated, b"k1"), 1, 0, 60);
        t.into_sorted()[0].alert_at_us
    };
    assert_eq!(at(Sensitivity::High), Some(15 * MIN));
    assert_eq!(at(Sensitivity::Low), Some(45 * MIN));
}

#[test]
fn twenty_minutes_together_on_the_move_is_not_following() {
    let track = walk(60);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    heard(
        &mut t,
        &find_my("AirTag", OwnerState::Separated, b"k1"),
        1,
        10,
        30,
    );
    let v = t.into_sorted();
    assert!(!v[0].following());
    // With you for a while and separated: worth a look, not an alarm.
    assert_eq!(v[0].risk, Risk::Low);
}

#[test]
fn a_tag_at_one_place_all_day_is_not_following() {
    // The person stays put for 10 hours (one fix an hour, the track covers it all).
    let fixes = (0..=10)
        .map(|h| Fix {
            time_us: h * 60 * MIN,
            lat: 35.0,
            lon: 139.0,
            accuracy_m: None,
        })
        .collect();
    let track = Track::from_fixes(fixes);
    let mut t = Trackers::with_track(&track, 2 * 60 * MIN);
    heard(
        &mut t,
        &find_my("AirTag", OwnerState::Separated, b"k1"),
        1,
        0,
        600,
    );
    let v = t.into_sorted();
    assert_eq!(v[0].places.len(), 1);
    assert!(!v[0].following());
}

#[test]
fn own_devices_near_their_owner_and_phones_never_alert_allowed_tags_are_judged_but_silent() {
    let track = walk(60);
    let allow = Allowlist::parse(&format!("# mine\n{}\n", BdAddr([4; 6]))).unwrap();
    let mut t = Trackers::with_track(&track, 2 * MIN).with_allowlist(allow);
    heard(
        &mut t,
        &find_my("AirPods", OwnerState::NearOwner, b"k1"),
        1,
        0,
        60,
    );
    heard(
        &mut t,
        &find_my("Apple device", OwnerState::Separated, b"k2"),
        2,
        0,
        60,
    );
    heard(&mut t, &find_my("AirTag", OwnerState::Separated, b"k4"), 4, 0, 60);
    // The allowed AirTag follows, but raises no alarm.
    assert!(t.take_following().is_empty());
    let v = t.into_sorted();
    assert_eq!(v.len(), 3);
    let (own, others): (Vec<&Tracker>, Vec<&Tracker>) = v.iter().partition(|t| t.own.is_some());
    for tr in &others {
        assert!(!tr.following(), "{tr:?}");
        assert_eq!(tr.risk, Risk::None, "{tr:?}");
    }
    let why: Vec<&str> = others.iter().map(|t| t.reasons[2].as_str()).collect();
    assert!(why.iter().any(|w| w.starts_with("near its owner")), "{why:?}");
    assert!(
        why.iter().any(|w| w.starts_with("an iPhone, iPad or Mac")),
        "{why:?}"
    );
    // The user's own tag keeps the verdict the evidence shows, listed last.
    let [mine] = own.as_slice() else {
        panic!("one own tracker expected: {own:?}")
    };
    assert!(std::ptr::eq(*mine, &v[2]));
    assert!(mine.following() && mine.risk == Risk::High, "{mine:?}");
    let o = mine.own.as_ref().unwrap();
    assert_eq!((o.line, o.address), (Some(2), BdAddr([4; 6])));
    assert_eq!(
        mine.reasons.last().map(String::as_str),
        Some("marked as yours (allow list line 2), so not alerted")
    );

    // At high sensitivity a separated phone may alert.
    let mut t = Trackers::with_track(&track, 2 * MIN).with_rules(Sensitivity::High.rules());
    heard(
        &mut t,
        &find_my("Apple device", OwnerState::Separated, b"k2"),
        2,
        0,
        60,
    );
    assert!(t.into_sorted()[0].following());
}

#[test]
fn without_location_only_long_time_together_alerts_and_at_lower_risk() {
    let mut t = Trackers::new();
    heard(
        &mut t,
        &find_my("AirTag", OwnerState::Separated, b"k1"),
        1,
        0,
        150,
    );
    heard(&mut t, &find_my("AirTag", OwnerState::Separated, b"k2"), 2, 0, 90);
    let v = t.into_sorted();
    let long = v.iter().find(|t| t.addresses[0] == BdAddr([1; 6])).unwrap();
    assert_eq!(long.alert_at_us, Some(120 * MIN));
    assert_eq!(long.risk, Risk::Medium);
    assert!(long.reasons[0].contains("no location data"), "{:?}", long.reasons);
    let short = v.iter().find(|t| t.addresses[0] == BdAddr([2; 6])).unwrap();
    assert!(!short.following());
}

#[test]
fn silences_do_not_count_as_time_with_you() {
    let track = walk(120);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    let c = find_my("AirTag", OwnerState::Separated, b"k1");
    // Heard for 5 minutes in every 20: 25 min in all over 1 h 45 min.
    for start in (0..105).step_by(20) {
        heard(&mut t, &c, 1, start, start + 5);
    }
    let v = t.into_sorted();
    assert_eq!(v[0].presence.with_you_us, 6 * 5 * MIN);
    assert!(v[0].following(), "30 min reached in the sixth stretch");
    assert_eq!(v[0].alert_at_us, Some(105 * MIN));
}

/// A clone sending a new key and address every 2 s, strong, for `minutes`.
fn clone_stream(t: &mut Trackers<'_>, minutes: i64, rssi: i8) {
    for n in 0..minutes * 30 {
        let key = (n as u32).to_be_bytes();
        let c = find_my("AirTag", OwnerState::Separated, &key);
        let mut a = [0xC0; 6];
        a[2..].copy_from_slice(&key);
        t.add(&adv(n * 2_000_000, BdAddr(a), rssi), Some(&c));
    }
}

#[test]
fn a_clone_with_a_new_key_every_advertisement_is_one_entry_that_follows() {
    let track = walk(60);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    clone_stream(&mut t, 60, -60);
    // A real AirTag beside it, repeating its key, stays its own entry.
    heard(
        &mut t,
        &find_my("AirTag", OwnerState::Separated, b"real"),
        9,
        0,
        5,
    );
    let v = t.into_sorted();
    assert_eq!(v.len(), 2, "{:?}", v.iter().map(|t| &t.id).collect::<Vec<_>>());
    let clone = v.iter().find(|t| t.rotating_keys).unwrap();
    assert_eq!(clone.identities, 1800);
    assert_eq!(clone.sightings, 1800);
    assert_eq!(clone.addresses.len(), 1800);
    assert!(clone.following());
    assert!(clone.alert_at_us.unwrap() <= 31 * MIN);
    assert!(
        clone
            .reasons
            .iter()
            .any(|r| r.contains("new key for every advertisement (1800 keys)"))
    );
}

#[test]
fn weak_or_few_one_off_keys_are_not_taken_for_a_clone() {
    let track = walk(60);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    clone_stream(&mut t, 60, -90);
    assert!(t.into_sorted().iter().all(|t| !t.rotating_keys && !t.following()));

    let mut t = Trackers::with_track(&track, 2 * MIN);
    clone_stream(&mut t, 0, -60);
    for n in 0..10u8 {
        let key = [n];
        let c = find_my("AirTag", OwnerState::Separated, &key);
        t.add(&adv(i64::from(n) * 5 * MIN, BdAddr([n; 6]), -60), Some(&c));
    }
    let v = t.into_sorted();
    assert_eq!(v.len(), 10, "passers-by stay separate entries");
    assert!(v.iter().all(|t| !t.rotating_keys));
}
