//! The verdict and the clone detector, driven through `Trackers` as `analyze` drives them.

use super::verdict::{Risk, Sensitivity};
use super::*;
use crate::i18n::Lang;
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
    // Medium: 3 places 500 m apart come after 10 min of walking; 30 min with you at places is
    // the last rule to hold. A new place every 4 min, and the 10 s between the last sighting
    // at one and the first at the next are on the way, in no place: 7 of them by then.
    assert_eq!(v[0].alert_at_us, Some(30 * MIN + 7 * 10_000_000));
    assert_eq!(v[0].risk, Risk::High);
    let codes: Vec<&str> = v[0].reasons.iter().map(Reason::code).collect();
    assert_eq!(
        codes,
        [
            "seen_at_places",
            "separated_from_owner",
            "following",
            "decided_by"
        ]
    );
    let english: Vec<String> = v[0].reasons.iter().map(Reason::to_string).collect();
    assert_eq!(
        english,
        [
            "seen at 15 places over 1 h, 2.7 km apart",
            "separated from its owner",
            "following you: flagged 31 min after it was first seen",
            "decided by: with you at 8 places for 30 min while you stopped or walked"
        ]
    );
    let japanese: Vec<String> = v[0].reasons.iter().map(|r| r.text(Lang::Ja)).collect();
    assert_eq!(
        japanese,
        [
            "1時間のあいだに 15 か所で検知、場所同士は最大 2.7 km 離れている",
            "所有者から離れている",
            "追跡の疑い：最初の検知から 31分後に警告",
            "判断の根拠：立ち止まるか歩いているあいだに 8 か所で合計 30分一緒にいた"
        ]
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
    // The 10 s on the way between places do not count: 3 of them by 15 min.
    assert_eq!(at(Sensitivity::High), Some(15 * MIN + 3 * 10_000_000));
    assert_eq!(at(Sensitivity::Low), Some(45 * MIN + 11 * 10_000_000));
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
    // The last reason says why it is not flagged; near its owner is said once.
    let why: Vec<String> = others
        .iter()
        .map(|t| t.reasons.last().unwrap().to_string())
        .collect();
    assert!(why.iter().any(|w| w.starts_with("near its owner")), "{why:?}");
    for tr in &others {
        let near = tr
            .reasons
            .iter()
            .filter(|r| r.to_string().starts_with("near its owner"));
        assert!(near.count() <= 1, "{:?}", tr.reasons);
    }
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
        mine.reasons.last().map(Reason::to_string).as_deref(),
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
    assert!(
        long.reasons[0].to_string().contains("no location data"),
        "{:?}",
        long.reasons
    );
    let short = v.iter().find(|t| t.addresses[0] == BdAddr([2; 6])).unwrap();
    assert!(!short.following());
}

#[test]
fn silences_do_not_count_as_time_with_you() {
    let track = walk(140);
    let mut t = Trackers::with_track(&track, 2 * MIN);
    let c = find_my("AirTag", OwnerState::Separated, b"k1");
    // Heard for 5 minutes in every 20: 35 min in all over 2 h 5 min.
    for start in (0..125).step_by(20) {
        heard(&mut t, &c, 1, start, start + 5);
    }
    let v = t.into_sorted();
    assert_eq!(v[0].presence.with_you_us, 7 * 5 * MIN);
    // 30 min with you came in the sixth stretch, 30 min at places (a few 10 s steps between
    // places on the way do not count) only in the seventh.
    let at = v[0].alert_at_us.unwrap();
    assert!((120 * MIN..=125 * MIN).contains(&at), "{at}");
    assert!(matches!(v[0].decided_by, Some(Evidence::Places { .. })));
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
    assert!(clone.reasons.iter().any(|r| {
        r.to_string()
            .contains("new key for every advertisement (1,800 keys)")
    }));
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

#[test]
fn one_ride_is_time_together_without_a_break_not_rides_added_up() {
    let mut p = Presence::default();
    for m in [0, 5, 10, 60, 65] {
        p.add(m * MIN, verdict::MAX_SILENCE_US);
    }
    assert_eq!((p.with_you_us, p.continuous_us), (15 * MIN, 5 * MIN));
}
