//! Labelled scenarios for judging the following detector: a person's day in Tokyo as a
//! GPS track, the capture a scanner carried by that person would have made, and labels
//! saying which trackers follow the person. Everything is synthetic and seeded, so the
//! files are byte-reproducible.
//!
//! Each scenario writes `NAME-synthetic.btsnoop`, `NAME-synthetic.gpx` and `NAME-labels.json`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;

mod moving;

use super::Rng;
use super::scenario::{
    DeviceLog, Emitter, Heard, chipolo_separated, dult_separated, find_my_near_owner, find_my_separated,
    fmdn_separated, phone, smarttag_near_owner, smarttag_separated_from, tile, tile_changing_id,
    write_btsnoop_part, write_btsnoop_seeded,
};
use crate::location::{Fix, distance_m, write_gpx};

/// Every scenario, in the order `all` writes them.
pub const NAMES: [&str; 16] = [
    "commute_airtag",
    "car_smarttag",
    "errands_tile_fmdn",
    "dult_chipolo",
    "home_neighbour",
    "own_devices",
    "train_passengers",
    "rotating_clone",
    "tile_changing_id",
    "car_smarttag_days",
    "airtag_overnight",
    moving::CAFE,
    moving::SUBWAY,
    moving::TRAIN_CROWD,
    moving::WALKED_BEHIND,
    moving::COMMUTE_DAYS,
];

/// The scenarios are in Tokyo: their clocks (a Find My key changes at 04:00 local) are
/// Japan's, 9 hours ahead of UTC all year.
pub const TIME_ZONE: &str = "Asia/Tokyo";
const TOKYO_UTC_OFFSET_US: i64 = 9 * 3600 * 1_000_000;
const DAY_US: i64 = 24 * 60 * MIN;

const MIN: i64 = 60_000_000;
/// 2026-01-15T08:00:00Z, as the demo.
const START_US: i64 = 1_768_464_000_000_000;
/// A phone logger saving battery writes a fix every 5 s.
const FIX_EVERY_US: i64 = 5_000_000;
/// A fixed device is heard while the person is this close (a wall or two in between).
const RANGE_M: f64 = 50.0;
/// Metres per degree of latitude on the mean Earth sphere that `distance_m` uses.
const M_PER_DEG: f64 = 111_195.08;

/// A named position.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
}

impl Place {
    const fn new(name: &'static str, lat: f64, lon: f64) -> Self {
        Place { name, lat, lon }
    }

    /// The place `north_m` and `east_m` metres away: flat-Earth, good to a fraction of
    /// a percent over the tens of kilometres used here.
    fn offset(&self, name: &'static str, north_m: f64, east_m: f64) -> Place {
        Place {
            name,
            lat: self.lat + north_m / M_PER_DEG,
            lon: self.lon + east_m / (M_PER_DEG * self.lat.to_radians().cos()),
        }
    }

    fn fix(&self, time_us: i64) -> Fix {
        Fix {
            time_us,
            lat: self.lat,
            lon: self.lon,
            accuracy_m: None,
        }
    }
}

/// One stay or one trip, with the time it starts and ends.
#[derive(Clone, Copy, Debug)]
struct Leg {
    from_us: i64,
    to_us: i64,
    from: Place,
    to: Place,
}

/// A place on the way, with the times the person arrived and left (equal when passing through).
#[derive(Clone, Copy, Debug)]
pub struct Visit {
    pub place: Place,
    pub arrive_us: i64,
    pub leave_us: i64,
}

/// Where the person is over the day: stays at places and straight trips between them.
#[derive(Clone, Debug)]
pub struct Itinerary {
    start_us: i64,
    legs: Vec<Leg>,
    visits: Vec<Visit>,
    /// Underground: the phone gets no fix between these times.
    no_fix: Vec<(i64, i64)>,
}

impl Itinerary {
    pub fn starting_at(start_us: i64, place: Place) -> Self {
        Itinerary {
            start_us,
            legs: Vec::new(),
            visits: vec![Visit {
                place,
                arrive_us: start_us,
                leave_us: start_us,
            }],
            no_fix: Vec::new(),
        }
    }

    fn here(&self) -> &Visit {
        self.visits.last().expect("starts with a visit")
    }

    pub fn stay(self, minutes: i64) -> Self {
        self.stay_s(minutes * 60)
    }

    /// Stays `seconds` (a train at a station).
    pub fn stay_s(mut self, seconds: i64) -> Self {
        let (place, t) = (self.here().place, self.end_us());
        let to_us = t + seconds * 1_000_000;
        self.legs.push(Leg {
            from_us: t,
            to_us,
            from: place,
            to: place,
        });
        self.visits.last_mut().expect("starts with a visit").leave_us = to_us;
        self
    }

    /// No GPS fix from `from_us` to the end so far (the person went underground then).
    pub fn underground_since(mut self, from_us: i64) -> Self {
        let to_us = self.end_us();
        self.no_fix.push((from_us, to_us));
        self
    }

    /// Travels in a straight line at `kmh`; the distance sets the duration, rounded to the
    /// 5 s between GPS fixes so every arrival and departure has a fix.
    pub fn go(mut self, to: Place, kmh: f64) -> Self {
        let (from, t) = (self.here().place, self.end_us());
        let metres = distance_m(&from.fix(0), &to.fix(0));
        let fixes = (metres / (kmh / 3.6) * 1e6 / FIX_EVERY_US as f64).round() as i64;
        let arrive_us = t + fixes * FIX_EVERY_US;
        self.legs.push(Leg {
            from_us: t,
            to_us: arrive_us,
            from,
            to,
        });
        self.visits.push(Visit {
            place: to,
            arrive_us,
            leave_us: arrive_us,
        });
        self
    }

    pub fn start_us(&self) -> i64 {
        self.start_us
    }

    pub fn end_us(&self) -> i64 {
        self.legs.last().map_or(self.start_us, |l| l.to_us)
    }

    pub fn visits(&self) -> &[Visit] {
        &self.visits
    }

    fn visit(&self, name: &str) -> &Visit {
        self.visits
            .iter()
            .find(|v| v.place.name == name)
            .expect("scenarios name only places on their itinerary")
    }

    /// The true position at `time_us` (held at the ends of the day).
    pub fn position_at(&self, time_us: i64) -> Fix {
        let i = self.legs.partition_point(|l| l.to_us <= time_us);
        let Some(leg) = self.legs.get(i).or(self.legs.last()) else {
            return self.here().place.fix(time_us);
        };
        let f = ((time_us - leg.from_us) as f64 / (leg.to_us - leg.from_us).max(1) as f64).clamp(0.0, 1.0);
        Fix {
            time_us,
            lat: leg.from.lat + f * (leg.to.lat - leg.from.lat),
            lon: leg.from.lon + f * (leg.to.lon - leg.from.lon),
            accuracy_m: None,
        }
    }

    /// Whether the person is driving at `time_us`: on a trip faster than anyone walks.
    fn driving_at(&self, time_us: i64) -> bool {
        let i = self.legs.partition_point(|l| l.to_us <= time_us);
        self.legs.get(i).is_some_and(|l| {
            let metres = distance_m(&l.from.fix(0), &l.to.fix(0));
            l.from_us <= time_us && metres / ((l.to_us - l.from_us) as f64 / 1e6) > 15.0 / 3.6
        })
    }

    /// Whether the person is on a train at `time_us`, or waiting on its platform or stopped at a
    /// station on the way: a stay whose next leg is a ride.
    fn on_train_at(&self, time_us: i64) -> bool {
        let i = self.legs.partition_point(|l| l.to_us <= time_us);
        let Some(leg) = self.legs.get(i).filter(|l| l.from_us <= time_us) else {
            return false;
        };
        let still = (leg.from.lat, leg.from.lon) == (leg.to.lat, leg.to.lon);
        let next = if still { i + 1 } else { i };
        self.legs.get(next).is_some_and(|l| self.driving_at(l.from_us))
    }

    /// The GPS log: a fix every 5 s from start to end, each off by up to `noise_m` metres
    /// north and east, as a phone indoors is.
    pub fn fixes(&self, noise_m: f64, rng: &mut Rng) -> Vec<Fix> {
        let mut noise = || (rng.below(2_000_001) as f64 / 1e6 - 1.0) * noise_m;
        (self.start_us..=self.end_us())
            .step_by(FIX_EVERY_US as usize)
            .map(|t| {
                let p = self.position_at(t);
                let moved = Place::new("", p.lat, p.lon).offset("", noise(), noise());
                Fix {
                    lat: moved.lat,
                    lon: moved.lon,
                    ..p
                }
            })
            .collect()
    }
}

/// When the scanner hears a device.
#[derive(Clone, Copy, Debug)]
enum Presence {
    /// Carried by the person (bag, car, pocket): always in range, steady RSSI.
    Along,
    /// Fixed at a place: in range while the person is within [`RANGE_M`].
    At(Place),
    /// On the same train or bus for a while.
    Between(i64, i64),
    /// In the car: heard while the person drives, parked out of range the rest of the time.
    Driving,
    /// A fellow commuter: on her platform and train on every ride (`evenings`: false, only on
    /// the rides before noon in Tokyo).
    OnHerTrains { evenings: bool },
}

impl Presence {
    fn heard(self, itinerary: &Itinerary, rssi: i8) -> Heard {
        match self {
            Presence::Along => Box::new(move |_| Some(rssi)),
            Presence::At(place) => {
                let itinerary = itinerary.clone();
                Box::new(move |t| {
                    let d = distance_m(&itinerary.position_at(t), &place.fix(t));
                    // Free-space loss from -45 dBm at 1 m: -65 at 10 m, -79 at 50 m.
                    (d <= RANGE_M).then(|| (-45.0 - 20.0 * d.max(1.0).log10()).round() as i8)
                })
            }
            Presence::Between(from, to) => Box::new(move |t| (from..to).contains(&t).then_some(rssi)),
            Presence::Driving => {
                let itinerary = itinerary.clone();
                Box::new(move |t| itinerary.driving_at(t).then_some(rssi))
            }
            Presence::OnHerTrains { evenings } => {
                let itinerary = itinerary.clone();
                let morning = |t: i64| (t + TOKYO_UTC_OFFSET_US).rem_euclid(DAY_US) < 12 * 60 * MIN;
                Box::new(move |t| (itinerary.on_train_at(t) && (evenings || morning(t))).then_some(rssi))
            }
        }
    }

    fn describe(self) -> String {
        match self {
            Presence::Along => "travels with the person".into(),
            Presence::At(place) => format!("fixed at {}", place.name),
            Presence::Between(from, to) => format!("rides along {} to {}", rfc3339(from), rfc3339(to)),
            Presence::Driving => "in the car: heard on every drive, parked out of range between".into(),
            Presence::OnHerTrains { evenings: true } => {
                "a fellow commuter: on her platform and train every morning and evening".into()
            }
            Presence::OnHerTrains { evenings: false } => {
                "a fellow commuter: on her platform and train every morning".into()
            }
        }
    }
}

/// The trackers the scenarios use, as the real ones advertise.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Separated AirTag (status 0x10): one key a day, changed at 04:00 Tokyo time.
    AirTag,
    /// Anti-detection clone: a new key and address for every advertisement.
    AirTagClone,
    /// Apple Find My near its owner with this status (AirTag 0x10, AirPods 0x30, iPhone 0x00):
    /// a new address every 15 minutes.
    AppleNearOwner(u8),
    /// Separated SmartTag: new address and privacy id every 15 minutes.
    SmartTag,
    /// SmartTag near its owner, with this aging counter at first: rotates as a separated one.
    SmartTagNearOwner(u32),
    Tile,
    /// A Tile whose service-data identifier changes every 40 minutes under one address.
    TileChangingId,
    /// Google FMDN, separated: EID every 1024 s, same address.
    Fmdn,
    /// DULT, separated: separated accessories rotate only once a day.
    Dult,
    /// Chipolo with the separated bit set.
    Chipolo,
}

impl Kind {
    fn family(self) -> &'static str {
        match self {
            Kind::AirTag | Kind::AirTagClone | Kind::AppleNearOwner(_) => "apple_find_my",
            Kind::SmartTag | Kind::SmartTagNearOwner(_) => "samsung_smarttag",
            Kind::Tile | Kind::TileChangingId => "tile",
            Kind::Fmdn => "google_fmdn",
            Kind::Dult => "dult",
            Kind::Chipolo => "chipolo",
        }
    }

    /// The emitter of this kind in a scenario starting at `start_us`; `seed` is the device's.
    fn emitter(self, seed: u64, start_us: i64) -> Emitter {
        // RSSI comes from the presence; this value is only a placeholder for the emitter.
        let e = |rotate_min, build| Emitter::new(2000, rotate_min, 0, build);
        // 04:00 in Tokyo, the first after the start.
        let to_four = (4 * 60 * MIN - (start_us + TOKYO_UTC_OFFSET_US)).rem_euclid(DAY_US);
        // Real counters count 15-minute steps since the tag was set up: far apart.
        let counter_base = 1000 + (super::Rng::new(seed).next_u64() % 4_000_000) as u32;
        match self {
            Kind::AirTag => e(Some(24 * 60), find_my_separated(0x10)).first_rotation_after(to_four),
            Kind::AirTagClone => e(None, find_my_separated(0x10)).key_per_advertisement(),
            Kind::AppleNearOwner(status) => e(Some(15), find_my_near_owner(status)),
            Kind::SmartTag => e(Some(15), smarttag_separated_from(counter_base)),
            Kind::SmartTagNearOwner(counter) => e(Some(15), smarttag_near_owner(counter)),
            Kind::Tile => e(None, tile()),
            Kind::TileChangingId => e(Some(40), tile_changing_id(seed ^ 0x711E)),
            Kind::Fmdn => e(None, fmdn_separated(seed ^ 0xF3D))
                .extended()
                .rotate_every_s(1024),
            Kind::Dult => e(None, dult_separated()),
            Kind::Chipolo => e(None, chipolo_separated()),
        }
    }
}

/// A device in a scenario: a labelled tracker, or a bystander phone (not a tracker, not listed).
struct Device {
    tracker: Option<(&'static str, Kind, bool)>,
    presence: Presence,
    /// RSSI before noise while carried or riding along; fixed devices get theirs from distance.
    rssi: i8,
    /// Labelled for the in-person advisory (see [`DeviceLabel::advisory`]).
    advisory: bool,
}

const FOLLOWING: bool = true;
const NOT_FOLLOWING: bool = false;

fn tracker(label: &'static str, kind: Kind, following: bool, presence: Presence, rssi: i8) -> Device {
    Device {
        tracker: Some((label, kind, following)),
        presence,
        rssi,
        advisory: false,
    }
}

/// The person's own Apple device near her all day, not on an allow list: never an alert, but
/// the in-person advisory names it, as it names a companion's (it cannot tell them apart
/// until it is marked as hers).
fn carried_own(label: &'static str, status: u8, rssi: i8) -> Device {
    Device {
        advisory: true,
        ..tracker(
            label,
            Kind::AppleNearOwner(status),
            NOT_FOLLOWING,
            Presence::Along,
            rssi,
        )
    }
}

/// Someone else's tracker left at `place`: it never follows, whatever the day holds.
fn fixed(label: &'static str, kind: Kind, place: Place) -> Device {
    Device {
        tracker: Some((label, kind, NOT_FOLLOWING)),
        presence: Presence::At(place),
        rssi: 0,
        advisory: false,
    }
}

/// `count` strangers' iPhones sending Apple Nearby Info while `presence` holds.
fn phones(count: usize, presence: Presence) -> impl Iterator<Item = Device> {
    (0..count).map(move |i| Device {
        tracker: None,
        presence,
        rssi: -62 - (i % 20) as i8,
        advisory: false,
    })
}

/// Phones of people at each of `places` (staff, other customers).
fn phones_at<'a>(
    itinerary: &'a Itinerary,
    places: &'a [&str],
    count: usize,
) -> impl Iterator<Item = Device> + 'a {
    places
        .iter()
        .flat_map(move |name| phones(count, Presence::At(itinerary.visit(name).place)))
}

/// Phones on the train or bus between leaving `from` and arriving at `to`.
fn phones_riding(itinerary: &Itinerary, from: &str, to: &str, count: usize) -> impl Iterator<Item = Device> {
    phones(count, ride(itinerary, from, to))
}

fn ride(itinerary: &Itinerary, from: &str, to: &str) -> Presence {
    Presence::Between(itinerary.visit(from).leave_us, itinerary.visit(to).arrive_us)
}

/// How the GPS log is made from the true positions.
#[derive(Clone, Copy, Debug)]
enum Gps {
    /// Off by up to this many metres north and east, uniformly (a logger outdoors).
    Uniform(f64),
    /// A phone's GPS: indoor wander, urban-canyon noise, multipath jumps, no fix underground
    /// (see [`moving::phone_fixes`]).
    Phone,
}

/// One labelled scenario.
struct Scenario {
    itinerary: Itinerary,
    /// How the logged track errs; the true position drives the capture.
    gps: Gps,
    /// A following tracker must have been flagged by its first sighting plus this
    /// (`None` where nothing follows).
    alert_within_min: Option<i64>,
    /// Why that deadline is fair, or why nothing follows.
    truth: &'static str,
    devices: Vec<Device>,
    /// For a scenario over several days: the times each day's capture covers (each written
    /// to `NAME-dayN-synthetic.btsnoop` besides the whole one), as a phone saves one a day.
    days: Vec<std::ops::Range<i64>>,
    /// A following tracker must not be flagged before this: the person had not moved yet.
    alert_not_before_us: Option<i64>,
}

// Tokyo. Places are laid out by offsets so distances, and thus travel times, are known.
const SETAGAYA_HOME: Place = Place::new("home", 35.6437, 139.6710);
const SHINJUKU: Place = Place::new("Shinjuku station", 35.6896, 139.7006);
const KOTO_CAR_PARK: Place = Place::new("car park, Koto", 35.6720, 139.8170);

fn build(name: &str) -> Option<Scenario> {
    let s = match name {
        "commute_airtag" => {
            let station = SETAGAYA_HOME.offset("home station", 0.0, 800.0);
            let work_station = station.offset("work station", 12_000.0, 17_200.0);
            let office = work_station.offset("office", 600.0, 0.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(2)
                .go(station, 4.8)
                .stay(3)
                .go(work_station, 36.0)
                .go(office, 4.5)
                .stay(120);
            let mut devices = vec![
                tracker("planted AirTag", Kind::AirTag, FOLLOWING, Presence::Along, -58),
                tracker(
                    "own iPhone",
                    Kind::AppleNearOwner(0x00),
                    NOT_FOLLOWING,
                    Presence::Along,
                    -50,
                ),
            ];
            devices.extend(phones_at(&it, &["home station", "office"], 3));
            devices.extend(phones_riding(&it, "home station", "work station", 8));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: Some(75),
                truth: "a train shared is no evidence (a crowd shares it), so by 10 min after she reaches the office: by then the tag has come from home, on foot, on the 21 km train ride and into the office",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "car_smarttag" => {
            let b = KOTO_CAR_PARK.offset("shop, Edogawa", 3000.0, 6000.0);
            let c = b.offset("warehouse, Urayasu", -7000.0, 2000.0);
            let d = c.offset("restaurant, Shinkiba", -2000.0, -8000.0);
            let it = Itinerary::starting_at(START_US, KOTO_CAR_PARK)
                .stay(20)
                .go(b, 40.0)
                .stay(20)
                .go(c, 40.0)
                .stay(20)
                .go(d, 40.0)
                .stay(20);
            let mut devices = vec![tracker(
                "SmartTag hidden in the car",
                Kind::SmartTag,
                FOLLOWING,
                // The stops are kerbside: the person stays within range of the car.
                Presence::Along,
                -64,
            )];
            devices.extend(phones_at(
                &it,
                &[
                    "car park, Koto",
                    "shop, Edogawa",
                    "warehouse, Urayasu",
                    "restaurant, Shinkiba",
                ],
                2,
            ));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: Some(45),
                truth: "by then the tag has been at two stops 6.7 km apart and on the road between",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "errands_tile_fmdn" => {
            let post = SETAGAYA_HOME.offset("post office", 600.0, 800.0);
            let market = post.offset("supermarket", -2700.0, 3600.0);
            let clinic = market.offset("clinic", 480.0, 640.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(15)
                .go(post, 5.0)
                .stay(25)
                .go(market, 18.0)
                .stay(40)
                .go(clinic, 4.8)
                .stay(30);
            let mut devices = vec![
                tracker("Tile in the bag", Kind::Tile, FOLLOWING, Presence::Along, -66),
                tracker(
                    "Google FMDN tag in the bag",
                    Kind::Fmdn,
                    FOLLOWING,
                    Presence::Along,
                    -64,
                ),
            ];
            devices.extend(phones_at(&it, &["post office", "supermarket", "clinic"], 3));
            devices.extend(phones_riding(&it, "post office", "supermarket", 5));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                // Tile says nothing of its owner, so a detector needs places, not a flag.
                alert_within_min: Some(60),
                truth: "Tile carries no separated flag, so an hour; by then both tags have been at home, at the post office 1 km away and on most of the 4.5 km bus ride",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "dult_chipolo" => {
            let cafe = Place::new("cafe, Shibuya", 35.6595, 139.7005);
            let library = cafe.offset("library", 720.0, 960.0);
            let park = library.offset("park", 3600.0, -4800.0);
            let it = Itinerary::starting_at(START_US, cafe)
                .stay(30)
                .go(library, 4.8)
                .stay(35)
                .go(park, 24.0)
                .stay(25);
            let mut devices = vec![
                tracker("DULT tag", Kind::Dult, FOLLOWING, Presence::Along, -62),
                tracker("Chipolo", Kind::Chipolo, FOLLOWING, Presence::Along, -67),
            ];
            devices.extend(phones_at(&it, &["cafe, Shibuya", "library", "park"], 3));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: Some(60),
                truth: "by then both tags have been at the cafe for 30 min, on the 1.2 km walk and at the library for 15 min",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "home_neighbour" => {
            let flat = SETAGAYA_HOME.offset("neighbour's flat", 8.0, 6.0);
            let shop = SETAGAYA_HOME.offset("shop", 600.0, 800.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(280)
                .go(shop, 5.0)
                .stay(16)
                .go(SETAGAYA_HOME, 5.0)
                .stay(280);
            let counter = shop.offset("shop counter", 5.0, 0.0);
            let mut devices = vec![
                fixed("neighbour's SmartTag", Kind::SmartTag, flat),
                fixed("neighbour's AirTag", Kind::AirTag, flat),
                fixed("shop's Tile", Kind::Tile, counter),
            ];
            devices.extend(phones(1, Presence::At(flat)));
            devices.extend(phones(3, Presence::At(counter)));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(15.0),
                alert_within_min: None,
                truth: "nothing follows: the neighbour's tags are heard only at home, the Tile only at the shop",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "own_devices" => {
            let cafe = SETAGAYA_HOME.offset("cafe", 800.0, 600.0);
            let office = cafe.offset("office", 4800.0, 6400.0);
            let gym = office.offset("gym", 900.0, -1200.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(30)
                .go(cafe, 5.0)
                .stay(60)
                .go(office, 32.0)
                .stay(90)
                .go(gym, 5.0)
                .stay(15);
            let own = |label, status, rssi| carried_own(label, status, rssi);
            let mut devices = vec![
                own("own AirPods", 0x30, -52),
                own("own iPhone", 0x00, -50),
                own("own AirTag on the keys", 0x10, -56),
            ];
            devices.extend(phones_at(&it, &["cafe", "office", "gym"], 3));
            devices.extend(phones_riding(&it, "cafe", "office", 6));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: None,
                truth: "nothing follows: every tracker is the person's own and near its owner all day",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "train_passengers" => {
            let kichijoji = SHINJUKU.offset("Kichijoji station", -1200.0, -14_952.0);
            let home = kichijoji.offset("home, Kichijoji", 1500.0, 2000.0);
            let it = Itinerary::starting_at(START_US, SHINJUKU)
                .stay(3)
                .go(kichijoji, 45.0)
                .stay(2)
                .go(home, 5.0)
                .stay(10);
            let on_train = ride(&it, "Shinjuku station", "Kichijoji station");
            let mut devices = vec![
                tracker("stranger's AirTag", Kind::AirTag, NOT_FOLLOWING, on_train, -70),
                tracker(
                    "stranger's SmartTag",
                    Kind::SmartTag,
                    NOT_FOLLOWING,
                    on_train,
                    -74,
                ),
                tracker("stranger's Tile", Kind::Tile, NOT_FOLLOWING, on_train, -77),
            ];
            devices.extend(phones(10, on_train));
            devices.extend(phones_at(&it, &["Shinjuku station", "Kichijoji station"], 4));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: None,
                truth: "nothing follows: the strangers' tags ride the same train for 20 min, then the person walks 30 min alone",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "rotating_clone" => {
            let station = SETAGAYA_HOME.offset("home station", 0.0, 800.0);
            let work_station = station.offset("work station", 6000.0, 8000.0);
            let office = work_station.offset("office", 0.0, 600.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(15)
                .go(station, 4.8)
                .stay(5)
                .go(work_station, 40.0)
                .stay(3)
                .go(office, 4.5)
                .stay(34);
            let mut devices = vec![tracker(
                "AirTag clone with a new key every advertisement",
                Kind::AirTagClone,
                FOLLOWING,
                Presence::Along,
                -55,
            )];
            devices.extend(phones_at(&it, &["home station", "work station", "office"], 3));
            devices.extend(phones_riding(&it, "home station", "work station", 8));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(0.0),
                alert_within_min: Some(70),
                truth: "by 10 min after she reaches the office: by then over 2000 strong separated Find My keys, one every 2 s, have been heard at home, on foot, on the train and in the office: one device carried along",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        _ => return build_identity(name),
    };
    Some(s)
}

/// The scenarios of one physical tag under changing identities (issue 13): a Tile whose
/// identifier changes, a SmartTag in a car heard only on drives over three days, and an AirTag
/// whose key changes overnight, each among other people's tags and phones.
fn build_identity(name: &str) -> Option<Scenario> {
    let s = match name {
        "tile_changing_id" => {
            let stop = SETAGAYA_HOME.offset("bus stop", 300.0, 400.0);
            let market = stop.offset("market, Sangenjaya", 1800.0, 4200.0);
            let clinic = market.offset("clinic", 500.0, -300.0);
            let it = Itinerary::starting_at(START_US, SETAGAYA_HOME)
                .stay(20)
                .go(stop, 4.8)
                .stay(4)
                .go(market, 18.0)
                .stay(40)
                .go(clinic, 4.5)
                .stay(35)
                .go(market, 4.5)
                .stay(10);
            let on_bus = ride(&it, "bus stop", "market, Sangenjaya");
            let mut devices = vec![
                tracker(
                    "Tile in the bag, identifier changing under one address",
                    Kind::TileChangingId,
                    FOLLOWING,
                    Presence::Along,
                    -66,
                ),
                tracker(
                    "stranger's Tile on the bus",
                    Kind::TileChangingId,
                    NOT_FOLLOWING,
                    on_bus,
                    -76,
                ),
                fixed(
                    "market's Tile",
                    Kind::TileChangingId,
                    market.offset("market stall", 10.0, 0.0),
                ),
                tracker(
                    "stranger's SmartTag on the bus",
                    Kind::SmartTag,
                    NOT_FOLLOWING,
                    on_bus,
                    -74,
                ),
            ];
            devices.extend(phones_at(&it, &["bus stop", "market, Sangenjaya", "clinic"], 4));
            devices.extend(phones_riding(&it, "bus stop", "market, Sangenjaya", 8));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(15.0),
                alert_within_min: Some(60),
                truth: "Tile carries no separated flag, so an hour; by then the Tile, its identifier changed once, has been at home, on the 4.6 km bus ride and at the market",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        "car_smarttag_days" => {
            let home = SETAGAYA_HOME;
            let home_park = home.offset("car park at home", 90.0, 60.0);
            let work_park = home_park.offset("car park at work", 6000.0, 8000.0);
            let office = work_park.offset("office", 120.0, 90.0);
            let shop = home_park.offset("supermarket car park", -2500.0, 3000.0);
            // Three days from 08:00 in Tokyo: to work and back, the second evening by the
            // supermarket; drives of 15 to 25 minutes, the car parked out of the person's range
            // for hours between.
            let mut it = Itinerary::starting_at(START_US - TOKYO_UTC_OFFSET_US, home);
            let mut days = Vec::new();
            for (day, (to_work, back)) in [(25.0, 30.0), (30.0, 28.0), (27.0, 25.0)].into_iter().enumerate() {
                let day_start = it.end_us();
                it = it
                    .stay(30)
                    .go(home_park, 4.0)
                    .stay(1)
                    .go(work_park, to_work)
                    .stay(1);
                it = it.go(office, 4.0).stay(8 * 60).go(work_park, 4.0).stay(1);
                it = match day {
                    1 => it.go(shop, back).stay(20).go(home_park, 30.0),
                    _ => it.go(home_park, back),
                };
                it = it.stay(1).go(home, 4.0).stay(14 * 60 + 20);
                days.push(day_start..it.end_us());
            }
            let mut devices = vec![
                tracker(
                    "SmartTag hidden in the car",
                    Kind::SmartTag,
                    FOLLOWING,
                    Presence::Driving,
                    -62,
                ),
                fixed(
                    "neighbour's SmartTag in the car park at home",
                    Kind::SmartTag,
                    home_park.offset("next bay", 5.0, 3.0),
                ),
                fixed(
                    "colleague's SmartTag in the car park at work",
                    Kind::SmartTag,
                    work_park.offset("next bay", -4.0, 2.0),
                ),
                fixed(
                    "neighbour's AirTag next door",
                    Kind::AirTag,
                    home.offset("next door", 30.0, 26.0),
                ),
            ];
            devices.extend(phones_at(&it, &["office", "supermarket car park"], 4));
            devices.extend(phones(1, Presence::At(home.offset("next door", 30.0, 26.0))));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(10.0),
                // The first evening's drive home.
                alert_within_min: Some(10 * 60),
                truth: "the car tag is heard only while driving, 25 to 30 minutes each way; by the end of the first evening's drive it has been with the person for 30 minutes or more on two drives, 10 km apart; the neighbour's and the colleague's tags are heard only in their car parks",
                devices,
                days,
                alert_not_before_us: None,
            }
        }
        "airtag_overnight" => {
            // 17:00 in Tokyo: from the office home, the night at home, back in the morning.
            let office = SHINJUKU.offset("office", 300.0, 400.0);
            let home_station = SHINJUKU.offset("home station", -9000.0, -12_000.0);
            let home = home_station.offset("home", 500.0, 600.0);
            let it = Itinerary::starting_at(START_US, office)
                .stay(10)
                .go(SHINJUKU, 4.5)
                .stay(3)
                .go(home_station, 40.0)
                .go(home, 4.5)
                .stay(14 * 60 + 30)
                .go(home_station, 4.5)
                .stay(3)
                .go(SHINJUKU, 40.0)
                .go(office, 4.5)
                .stay(30);
            let next_door = home.offset("next door", 30.0, 26.0);
            let mut devices = vec![
                tracker(
                    "planted AirTag, key changed at 04:00",
                    Kind::AirTag,
                    FOLLOWING,
                    Presence::Along,
                    -58,
                ),
                fixed(
                    "neighbour's AirTag, key changed at 04:00",
                    Kind::AirTag,
                    next_door,
                ),
                carried_own("own AirPods", 0x30, -52),
            ];
            devices.extend(phones_at(&it, &["office", "Shinjuku station", "home station"], 4));
            devices.extend(phones_riding(&it, "Shinjuku station", "home station", 8));
            devices.extend(phones(1, Presence::At(next_door)));
            Scenario {
                itinerary: it,
                gps: Gps::Uniform(15.0),
                alert_within_min: Some(60),
                truth: "a train shared is no evidence (a crowd shares it), so by then the tag has been with the person for 30 min stopped or walking, from the office, through the stations of the 15 km ride; overnight its key changes at 04:00 and it stays one entry; the neighbour's AirTag behind the wall, its key changed at the same minute, is another",
                devices,
                days: Vec::new(),
                alert_not_before_us: None,
            }
        }
        _ => return None,
    };
    Some(s)
}

/// A stable seed per scenario name (FNV-1a), so scenarios never share addresses or keys.
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn rfc3339(time_us: i64) -> String {
    DateTime::from_timestamp_micros(time_us)
        .expect("scenario times are in range")
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[derive(Serialize)]
struct Labels<'a> {
    scenario: &'a str,
    /// Which draw of the scenario's randomness (0: the one `write` makes).
    seed: u64,
    synthetic: bool,
    /// The clock of the scenario's place (a Find My key changes at 04:00 on it).
    time_zone: &'static str,
    /// The files of each day, for a scenario over several days.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    days: Vec<DayLabel>,
    start: String,
    end: String,
    /// The alert deadline and why, or why nothing follows.
    truth: String,
    places: Vec<PlaceLabel>,
    devices: Vec<DeviceLabel>,
}

#[derive(Serialize)]
struct DayLabel {
    capture: String,
    start: String,
    end: String,
}

#[derive(Serialize)]
struct PlaceLabel {
    name: &'static str,
    lat: f64,
    lon: f64,
    arrive: String,
    leave: String,
}

#[derive(Serialize)]
struct DeviceLabel {
    label: &'static str,
    family: &'static str,
    first_address: String,
    following: bool,
    alert_by: Option<String>,
    /// Flagged no earlier than this (the person had not moved before).
    #[serde(skip_serializing_if = "Option::is_none")]
    alert_not_before: Option<String>,
    /// Near its owner, yet with the person for long across places: the in-person advisory
    /// must name it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    advisory: bool,
    presence: String,
    first_seen: String,
    last_seen: String,
    advertisements: u64,
    /// Every address used, for matching rotations; left out for the clone (one per advertisement).
    #[serde(skip_serializing_if = "Option::is_none")]
    addresses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    rotating_keys: bool,
}

/// What one scenario wrote.
#[derive(Debug)]
pub struct Written {
    pub advertisements: u64,
    pub fixes: usize,
    pub start_us: i64,
    pub end_us: i64,
}

/// Writes scenario `name` into `dir`. An unknown name is an `InvalidInput` error.
pub fn write(name: &str, dir: &Path) -> io::Result<Written> {
    write_seeded(name, dir, 0)
}

/// [`write`] with another draw of everything random in the scenario: addresses and keys, GPS
/// noise, when strangers board and alight (seed 0 is `write`'s).
pub fn write_seeded(name: &str, dir: &Path, draw: u64) -> io::Result<Written> {
    let seed = seed_of(name) ^ draw.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let s = build(name)
        .or_else(|| moving::build(name, &mut Rng::new(seed ^ 0x5CE)))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("no scenario {name:?}")))?;
    let it = &s.itinerary;
    let (start_us, end_us) = (it.start_us(), it.end_us());
    let create = |suffix: &str| File::create(dir.join(format!("{name}{suffix}"))).map(BufWriter::new);

    let emitters: Vec<Emitter> = s
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let emitter = match d.tracker {
                Some((_, kind, _)) => {
                    kind.emitter(seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03), start_us)
                }
                // Real iPhones send every 200 ms; a 1 s interval keeps day-long files small
                // and still puts the crowd in every place and train.
                None => phone(i, 1000),
            };
            emitter.heard(d.presence.heard(it, d.rssi))
        })
        .collect();
    let logs = write_btsnoop_seeded(create("-synthetic.btsnoop")?, start_us, end_us, &emitters, seed)?;
    for (n, day) in s.days.iter().enumerate() {
        let out = create(&format!("-day{}-synthetic.btsnoop", n + 1))?;
        write_btsnoop_part(out, start_us, end_us, day.clone(), &emitters, seed)?;
    }

    let mut rng = Rng::new(seed ^ 0x6B5);
    let fixes = match s.gps {
        Gps::Uniform(noise_m) => it.fixes(noise_m, &mut rng),
        Gps::Phone => moving::phone_fixes(it, &mut rng),
    };
    let mut gpx = create("-synthetic.gpx")?;
    write_gpx(&mut gpx, &fixes, &format!("{name} (synthetic)"))?;
    gpx.flush()?;

    let labels = Labels {
        scenario: name,
        seed: draw,
        synthetic: true,
        time_zone: TIME_ZONE,
        days: s
            .days
            .iter()
            .enumerate()
            .map(|(n, day)| DayLabel {
                capture: format!("{name}-day{}-synthetic.btsnoop", n + 1),
                start: rfc3339(day.start),
                end: rfc3339(day.end),
            })
            .collect(),
        start: rfc3339(start_us),
        end: rfc3339(end_us),
        truth: match s.alert_within_min {
            Some(m) => format!("alert by first sighting + {m} min: {}", s.truth),
            None => s.truth.to_string(),
        },
        places: it
            .visits()
            .iter()
            .map(|v| PlaceLabel {
                name: v.place.name,
                lat: v.place.lat,
                lon: v.place.lon,
                arrive: rfc3339(v.arrive_us),
                leave: rfc3339(v.leave_us),
            })
            .collect(),
        devices: s
            .devices
            .iter()
            .zip(&logs)
            .filter_map(|(d, log)| {
                d.tracker.map(|t| {
                    let mut l = device_label(t, d.presence, log, s.alert_within_min)?;
                    l.alert_not_before = s.alert_not_before_us.filter(|_| l.following).map(rfc3339);
                    l.advisory = d.advisory;
                    Ok(l)
                })
            })
            .collect::<io::Result<_>>()?,
    };
    let mut json = create("-labels.json")?;
    serde_json::to_writer_pretty(&mut json, &labels)?;
    writeln!(json)?;
    json.flush()?;

    Ok(Written {
        advertisements: logs.iter().map(|l| l.advertisements).sum(),
        fixes: fixes.len(),
        start_us,
        end_us,
    })
}

fn device_label(
    (label, kind, following): (&'static str, Kind, bool),
    presence: Presence,
    log: &DeviceLog,
    alert_within_min: Option<i64>,
) -> io::Result<DeviceLabel> {
    let (Some(first_us), Some(last_us), Some(first_address)) =
        (log.first_us, log.last_us, log.addresses.first())
    else {
        return Err(io::Error::other(format!("{label} was never heard")));
    };
    let rotating_keys = matches!(kind, Kind::AirTagClone);
    Ok(DeviceLabel {
        label,
        family: kind.family(),
        first_address: first_address.to_string(),
        following,
        alert_by: alert_within_min
            .filter(|_| following)
            .map(|m| rfc3339(first_us + m * MIN)),
        alert_not_before: None,
        advisory: false,
        presence: presence.describe(),
        first_seen: rfc3339(first_us),
        last_seen: rfc3339(last_us),
        advertisements: log.advertisements,
        addresses: (!rotating_keys).then(|| log.addresses.iter().map(ToString::to_string).collect()),
        rotating_keys,
    })
}
