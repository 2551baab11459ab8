//! Scenarios where the person's phone GPS is as poor as a real one and strangers travel with
//! her: three hours in a café, a subway commute with no fix underground, a crowded train, and
//! a man walking behind her. Everything random in them (noise, jumps, how long she stays,
//! when strangers board and alight) comes from the seed, so each is scored over many seeds.

use std::f64::consts::TAU;

use super::DAY_US;
use super::{
    Device, FIX_EVERY_US, FOLLOWING, Gps, Itinerary, Kind, MIN, NOT_FOLLOWING, Place, Presence,
    SETAGAYA_HOME, START_US, Scenario, fixed, phones, phones_at, tracker,
};
use crate::location::{Fix, distance_m};
use crate::synth::Rng;

pub const CAFE: &str = "cafe_noisy_gps";
pub const SUBWAY: &str = "subway_commute";
pub const TRAIN_CROWD: &str = "train_strangers";
pub const WALKED_BEHIND: &str = "walked_behind";
pub const COMMUTE_DAYS: &str = "commute_stranger_days";

/// The scenario `name` of this module, drawn with `rng`.
pub(super) fn build(name: &str, rng: &mut Rng) -> Option<Scenario> {
    Some(match name {
        CAFE => cafe(rng),
        SUBWAY => subway(rng),
        TRAIN_CROWD => train(rng),
        WALKED_BEHIND => walked_behind(rng),
        COMMUTE_DAYS => commute_days(rng),
        _ => return None,
    })
}

/// Uniform in `lo..hi`.
fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Standard normal (Box-Muller).
fn gauss(rng: &mut Rng) -> f64 {
    let u = uniform(rng, f64::EPSILON, 1.0);
    (-2.0 * u.ln()).sqrt() * (TAU * uniform(rng, 0.0, 1.0)).cos()
}

/// Minutes in `lo..=hi`.
fn minutes(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    lo + rng.below((hi - lo + 1) as u64) as i64
}

/// A multipath jump starts at about one fix in this many (every 10 minutes at a fix every 5 s).
const JUMP_ONE_IN: u64 = 120;

/// How the person moves at a moment: the phone's GPS errs differently in each case.
enum Motion {
    /// Indoors: the fix wanders about 30 m, and the phone says 20-65 m.
    Still,
    /// In the street: tall buildings reflect the signal (urban canyon).
    Walking,
    /// In a train or car above ground.
    Riding,
}

impl Itinerary {
    fn motion_at(&self, time_us: i64) -> Motion {
        let Some(leg) = self.legs.iter().find(|l| (l.from_us..l.to_us).contains(&time_us)) else {
            return Motion::Still;
        };
        let metres = distance_m(&leg.from.fix(0), &leg.to.fix(0));
        let kmh = metres / ((leg.to_us - leg.from_us).max(1) as f64 / 1e6) * 3.6;
        if metres == 0.0 {
            Motion::Still
        } else if kmh < 8.0 {
            Motion::Walking
        } else {
            Motion::Riding
        }
    }

    fn underground(&self, time_us: i64) -> bool {
        self.no_fix
            .iter()
            .any(|&(from, to)| (from..to).contains(&time_us))
    }
}

/// A phone's GPS log: a fix every 5 s except underground; an error that wanders slowly
/// (30 m indoors, 15 m walking, 20 m riding) with the accuracy the phone reports (20-65 m
/// indoors); and multipath jumps of 200-800 m lasting a fix or two, reported as accurate.
pub(super) fn phone_fixes(it: &Itinerary, rng: &mut Rng) -> Vec<Fix> {
    // The error keeps 97 % of itself from fix to fix: it drifts over a few minutes.
    const KEEP: f64 = 0.97;
    let (mut north, mut east) = (0.0, 0.0);
    let mut jump: Option<(f64, f64, u64)> = None;
    let mut out = Vec::new();
    for t in (it.start_us()..=it.end_us()).step_by(FIX_EVERY_US as usize) {
        if it.underground(t) {
            continue;
        }
        let (rms, lo, hi) = match it.motion_at(t) {
            Motion::Still => (30.0, 20.0, 65.0),
            Motion::Walking => (15.0, 8.0, 30.0),
            Motion::Riding => (20.0, 10.0, 40.0),
        };
        let step = rms * (1.0 - KEEP * KEEP).sqrt();
        north = KEEP * north + step * gauss(rng);
        east = KEEP * east + step * gauss(rng);
        let mut accuracy = uniform(rng, lo, hi);
        let (mut n, mut e) = (north, east);
        if jump.is_none() && rng.below(JUMP_ONE_IN) == 0 {
            let (d, a) = (uniform(rng, 200.0, 800.0), uniform(rng, 0.0, TAU));
            jump = Some((d * a.cos(), d * a.sin(), 1 + rng.below(2)));
        }
        if let Some((jn, je, left)) = jump {
            n += jn;
            e += je;
            accuracy = uniform(rng, 10.0, 40.0);
            jump = (left > 1).then_some((jn, je, left - 1));
        }
        let p = it.position_at(t);
        let moved = Place::new("", p.lat, p.lon).offset("", n, e);
        out.push(Fix {
            time_us: t,
            lat: moved.lat,
            lon: moved.lon,
            accuracy_m: Some(accuracy.round()),
        });
    }
    out
}

/// A stranger's tracker heard from `from_us` to `to_us` (the same platform, train or café).
fn stranger(label: &'static str, kind: Kind, from_us: i64, to_us: i64, rssi: i8) -> Device {
    tracker(
        label,
        kind,
        NOT_FOLLOWING,
        Presence::Between(from_us, to_us),
        rssi,
    )
}

/// A Tile (it says nothing of its owner) or a separated AirTag, by a coin toss.
fn strangers_kind(rng: &mut Rng) -> Kind {
    if rng.below(2) == 0 {
        Kind::Tile
    } else {
        Kind::AirTag
    }
}

/// Three hours in a café with the phone's GPS wandering and jumping; then a 1.5 km walk.
fn cafe(rng: &mut Rng) -> Scenario {
    let cafe = Place::new("cafe, Shibuya", 35.6595, 139.7005);
    let library = cafe.offset("library", 900.0, 1200.0);
    let stay = minutes(rng, 170, 190);
    let it = Itinerary::starting_at(START_US, cafe)
        .stay(stay)
        .go(library, 4.8)
        .stay(30);
    let leave = it.visit("cafe, Shibuya").leave_us;
    let mut devices = vec![
        tracker("AirTag in her bag", Kind::AirTag, FOLLOWING, Presence::Along, -60),
        fixed(
            "Tile at the next table",
            Kind::Tile,
            cafe.offset("next table", 3.0, 2.0),
        ),
        fixed(
            "separated AirTag at the window",
            Kind::AirTag,
            cafe.offset("window", -12.0, 8.0),
        ),
    ];
    // Customers come and go, each with a tracker in a bag, all gone before she leaves.
    for _ in 0..6 {
        let from = START_US + minutes(rng, 0, stay - 30) * MIN;
        let to = (from + minutes(rng, 20, 90) * MIN).min(leave - MIN);
        let kind = strangers_kind(rng);
        devices.push(stranger("customer's tracker", kind, from, to, -75));
    }
    devices.extend(phones_at(&it, &["cafe, Shibuya", "library"], 4));
    Scenario {
        itinerary: it,
        gps: Gps::Phone,
        alert_within_min: Some(stay + 10),
        truth: "the AirTag in her bag is flagged within 10 min of her leaving the café after about 3 h there, and not before; the strangers' tags in the café never, whatever the GPS did",
        devices,
        alert_not_before_us: Some(leave),
        days: Vec::new(),
    }
}

/// Home, 150 m on foot to a subway entrance, 8 km underground with no fix for 20-30 minutes,
/// then the office: only two located places.
fn subway(rng: &mut Rng) -> Scenario {
    let entrance = SETAGAYA_HOME.offset("home station entrance", 120.0, 90.0);
    let office_station = entrance.offset("office station", 5600.0, 5700.0);
    let office = office_station.offset("office", 150.0, -80.0);
    let mut it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
        .stay(minutes(rng, 15, 25))
        .go(entrance, 4.5);
    let down = it.end_us();
    it = it.stay_s(60 * minutes(rng, 2, 8));
    let board = it.end_us();
    // Five stations between, 30-50 s at each.
    let legs = 6;
    for i in 1..legs {
        let f = i as f64 / legs as f64;
        let station = entrance.offset("station", 5600.0 * f, 5700.0 * f);
        it = it.go(station, 35.0).stay_s(30 + rng.below(21) as i64);
    }
    it = it.go(office_station, 35.0);
    let alight = it.end_us();
    let it = it.stay_s(90).underground_since(down).go(office, 4.5).stay(60);
    let up = it.visit("office station").leave_us;
    let mut devices = vec![
        tracker("Tile in her coat", Kind::Tile, FOLLOWING, Presence::Along, -64),
        fixed(
            "neighbour's AirTag",
            Kind::AirTag,
            SETAGAYA_HOME.offset("neighbour's flat", 8.0, 6.0),
        ),
    ];
    // Strangers on the platform and the train, leaving at one of the stations or with her.
    for _ in 0..8 {
        let from = board - minutes(rng, 0, 5) * MIN;
        let to = match rng.below(3) {
            0 => alight + minutes(rng, 0, 3) * MIN,
            _ => board + minutes(rng, 4, (alight - board) / MIN) * MIN,
        };
        let kind = strangers_kind(rng);
        devices.push(stranger("stranger's tracker on the subway", kind, from, to, -74));
    }
    devices.extend(phones(12, Presence::Between(down, up)));
    devices.extend(phones_at(&it, &["office"], 3));
    Scenario {
        alert_within_min: Some((up - START_US) / MIN + 15),
        alert_not_before_us: Some(it.visit("home").leave_us),
        days: Vec::new(),
        itinerary: it,
        gps: Gps::Phone,
        truth: "the Tile is heard without a break from home through 20-30 min without a fix to the office 8 km away: flagged within 15 min of her coming up; the strangers on the platform and the train never",
        devices,
    }
}

/// Home, a walk to the station, a platform wait, a 25-minute ride across 8 stations above
/// ground among strangers' trackers, a walk and the office.
fn train(rng: &mut Rng) -> Scenario {
    let home = Place::new("home, Nakano", 35.7075, 139.6657);
    let station = home.offset("Nakano station", 400.0, 560.0);
    let mut it = Itinerary::starting_at(START_US, home)
        .stay(minutes(rng, 20, 40))
        .go(station, 4.8);
    let platform = it.end_us();
    it = it.stay(minutes(rng, 3, 8));
    let board = it.end_us();
    // 8 stations, 1.6 km apart, eastwards; 25-45 s at each.
    let mut stops = Vec::new();
    for i in 1..=8 {
        let next = station.offset("station", 0.0, 1600.0 * i as f64);
        it = it.go(next, 36.0);
        stops.push(it.end_us());
        if i < 8 {
            it = it.stay_s(25 + rng.below(21) as i64);
        }
    }
    let alight = *stops.last().expect("eight stops");
    let last = station.offset("Iidabashi station", 0.0, 12_800.0);
    let office = last.offset("office, Iidabashi", 500.0, 400.0);
    let it = it.stay_s(30).go(office, 4.8).stay(60);
    let mut devices = vec![tracker(
        "separated AirTag in her bag",
        Kind::AirTag,
        FOLLOWING,
        Presence::Along,
        -60,
    )];
    // The hardest strangers: on her platform, the whole ride, off with her, gone within 3 min.
    for label in [
        "stranger's Tile, platform to her stop",
        "stranger's AirTag, platform to her stop",
    ] {
        let kind = if label.contains("Tile") {
            Kind::Tile
        } else {
            Kind::AirTag
        };
        let from = platform + minutes(rng, 0, (board - platform) / MIN) * MIN;
        let to = alight + minutes(rng, 0, 3) * MIN;
        devices.push(stranger(label, kind, from, to, -72));
    }
    // Others board at one station and alight at a later one.
    for _ in 0..10 {
        let on = rng.below(7) as usize;
        let off = on + 1 + rng.below((8 - on - 1) as u64 + 1) as usize;
        let from = if on == 0 { board } else { stops[on - 1] };
        let kind = strangers_kind(rng);
        devices.push(stranger(
            "stranger's tracker on the train",
            kind,
            from,
            stops[off - 1],
            -76,
        ));
    }
    devices.extend(phones(15, Presence::Between(platform, alight)));
    devices.extend(phones_at(&it, &["office, Iidabashi"], 3));
    let arrive = it.visit("office, Iidabashi").arrive_us;
    Scenario {
        alert_within_min: Some((arrive - START_US) / MIN + 15),
        alert_not_before_us: Some(it.visit("home, Nakano").leave_us),
        days: Vec::new(),
        itinerary: it,
        gps: Gps::Phone,
        truth: "the AirTag in her bag is flagged by 15 min after she reaches the office; the strangers who share her platform and ride, some getting off with her, never",
        devices,
    }
}

/// A man walks 20-40 m behind her for about 100 minutes through three shops, with his iPhone
/// and his own SmartTag near him: near its owner, never an alert, but the advisory's case.
fn walked_behind(rng: &mut Rng) -> Scenario {
    let station = Place::new("Kichijoji station", 35.7031, 139.5797);
    let books = station.offset("bookshop", 300.0, 400.0);
    let clothes = books.offset("clothes shop", -500.0, 700.0);
    let cafe = clothes.offset("cafe, Kichijoji", 600.0, 200.0);
    let it = Itinerary::starting_at(START_US, station)
        .stay(2)
        .go(books, 4.5)
        .stay(minutes(rng, 15, 25))
        .go(clothes, 4.5)
        .stay(minutes(rng, 15, 25))
        .go(cafe, 4.5)
        .stay(minutes(rng, 25, 35));
    let mut devices = vec![
        Device {
            advisory: true,
            ..tracker(
                "his SmartTag, near its owner",
                Kind::SmartTagNearOwner(10_000 + rng.below(40_000) as u32),
                NOT_FOLLOWING,
                Presence::Along,
                -80,
            )
        },
        // A shop assistant's SmartTag on her keys: near its owner, at one place only.
        Device {
            presence: Presence::At(books.offset("till", 4.0, 0.0)),
            ..tracker(
                "assistant's SmartTag, near its owner",
                Kind::SmartTagNearOwner(60_000 + rng.below(40_000) as u32),
                NOT_FOLLOWING,
                Presence::Along,
                0,
            )
        },
    ];
    // His iPhone: Nearby Info, not a tracker, so not listed, but heard all along.
    devices.extend(phones(1, Presence::Along));
    devices.extend(phones_at(
        &it,
        &["bookshop", "clothes shop", "cafe, Kichijoji"],
        4,
    ));
    Scenario {
        itinerary: it,
        gps: Gps::Phone,
        alert_within_min: None,
        truth: "nothing is flagged (his SmartTag is near its owner), but the in-person advisory names it: with her at several places for over an hour; the assistant's SmartTag is at one place only",
        devices,
        alert_not_before_us: None,
        days: Vec::new(),
    }
}

/// Two days of the same commute by train among fellow commuters: from the office at 17:00 in
/// Tokyo home, to the office and back the next day, and to the office again the morning after.
/// A stranger's Tile is on her platform and train every morning and evening, a stranger's
/// SmartTag every morning: each makes two journeys a day with her, but never from one of her
/// stays (she walks 500-700 m to the station) and never to the next.
fn commute_days(rng: &mut Rng) -> Scenario {
    let office = Place::new("office, Iidabashi", 35.7021, 139.7450);
    let office_station = office.offset("Iidabashi station", -uniform(rng, 300.0, 600.0), -400.0);
    let home_station = office_station.offset("Nakano station", 0.0, -12_800.0);
    let home = home_station.offset("home, Nakano", uniform(rng, -600.0, -350.0), -400.0);
    // A platform wait of 3-8 min, then 8 stations 1.6 km apart with 25-45 s at each.
    let ride = |mut it: Itinerary, from: Place, to: Place, rng: &mut Rng| {
        it = it.stay(minutes(rng, 3, 8));
        for i in 1..=8 {
            let f = f64::from(i) / 8.0;
            let station = Place::new(
                "station",
                from.lat + f * (to.lat - from.lat),
                from.lon + f * (to.lon - from.lon),
            );
            it = it.go(if i == 8 { to } else { station }, 36.0);
            if i < 8 {
                // On the 5 s of the GPS log, so every arrival has a fix.
                it = it.stay_s(25 + 5 * rng.below(5) as i64);
            }
        }
        it.stay_s(30)
    };
    let mut it = Itinerary::starting_at(START_US, office).stay(minutes(rng, 10, 30));
    for day in 0..2 {
        it = ride(it.go(office_station, 4.8), office_station, home_station, rng).go(home, 4.8);
        // Home until she leaves for a train between 07:30 and 08:10 in Tokyo (START_US is 17:00).
        let leave_us = START_US + day * DAY_US + (14 * 60 + 30 + minutes(rng, 0, 40)) * MIN;
        let home_min = (leave_us - it.end_us()) / MIN;
        it = it.stay(home_min);
        it = ride(it.go(home_station, 4.8), home_station, office_station, rng).go(office, 4.8);
        it = it.stay(if day == 0 { minutes(rng, 480, 540) } else { 60 });
    }
    let mut devices = vec![
        tracker(
            "stranger's Tile, on her trains every morning and evening",
            Kind::Tile,
            NOT_FOLLOWING,
            Presence::OnHerTrains { evenings: true },
            -72,
        ),
        tracker(
            "stranger's SmartTag, on her train every morning",
            Kind::SmartTag,
            NOT_FOLLOWING,
            Presence::OnHerTrains { evenings: false },
            -74,
        ),
    ];
    devices.extend(phones(15, Presence::OnHerTrains { evenings: true }));
    devices.extend(phones_at(&it, &["office, Iidabashi"], 3));
    Scenario {
        itinerary: it,
        gps: Gps::Phone,
        alert_within_min: None,
        alert_not_before_us: None,
        days: Vec::new(),
        truth: "nothing follows: the strangers' tags share her platforms and trains on two days, both ways or every morning, but never leave her home or office with her: she walks to and from the stations",
        devices,
    }
}
