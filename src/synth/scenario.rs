//! Scenarios: devices that advertise at their own interval, rotate their addresses and
//! keys as the real ones do, and are written in time order into a capture.

use std::io::{self, Write};

use super::{Rng, payload};
use crate::capture::{BtsnoopWriter, NordicWriter, PcapLlWriter};
use crate::model::{AddrType, Advertisement, BdAddr, PduKind};

/// How one synthetic device builds its advertisement for a given rotation epoch.
pub(super) type Builder = Box<dyn Fn(u64, &mut Rng) -> (BdAddr, Vec<u8>)>;

/// Whether the scanner hears a device at a time (µs), and at what RSSI before noise.
pub(super) type Heard = Box<dyn Fn(i64) -> Option<i8>>;

/// One advertising device in a scenario.
pub struct Emitter {
    interval_us: i64,
    /// Address/key rotation period; `None` for devices that never rotate.
    rotate_us: Option<i64>,
    /// How far into its period the device is when the scenario starts (a daily key that
    /// changes at 04:00 local, not at the scenario's start).
    phase_us: i64,
    rssi: i8,
    pdu: PduKind,
    /// Sent as an LE Extended Advertising Report instead of a legacy one.
    extended: bool,
    /// A fresh key and address for every advertisement (anti-detection clones).
    key_per_advertisement: bool,
    /// When the device is in range; `None` means always, at `rssi`.
    heard: Option<Heard>,
    build: Builder,
}

impl Emitter {
    pub(super) fn new(interval_ms: i64, rotate_min: Option<i64>, rssi: i8, build: Builder) -> Self {
        Emitter {
            interval_us: interval_ms * 1000,
            rotate_us: rotate_min.map(|m| m * 60_000_000),
            phase_us: 0,
            rssi,
            pdu: PduKind::AdvNonconnInd,
            extended: false,
            key_per_advertisement: false,
            heard: None,
            build,
        }
    }

    pub(super) fn extended(mut self) -> Self {
        self.extended = true;
        self.pdu = PduKind::Extended;
        self
    }

    /// Rotation periods that are not whole minutes (FMDN's 1024 s).
    pub(super) fn rotate_every_s(mut self, seconds: i64) -> Self {
        self.rotate_us = Some(seconds * 1_000_000);
        self
    }

    /// Rotates so that a period ends `first_after_us` after the scenario's start.
    pub(super) fn first_rotation_after(mut self, first_after_us: i64) -> Self {
        if let Some(r) = self.rotate_us {
            self.phase_us = (r - first_after_us.rem_euclid(r)) % r;
        }
        self
    }

    pub(super) fn key_per_advertisement(mut self) -> Self {
        self.key_per_advertisement = true;
        self
    }

    pub(super) fn heard(mut self, heard: Heard) -> Self {
        self.heard = Some(heard);
        self
    }
}

/// A random static address (top two bits set), as trackers and phones use.
pub(super) fn random_address(rng: &mut Rng) -> BdAddr {
    let mut a: [u8; 6] = rng.bytes();
    a[0] |= 0xC0;
    BdAddr(a)
}

/// Derives per-epoch randomness from a device seed, so epochs are independent.
fn epoch_rng(seed: u64, epoch: u64) -> Rng {
    Rng::new(seed ^ epoch.wrapping_mul(0x2545_F491_4F6C_DD1D))
}

/// Apple Find My away from its owner: the address is the first six key bytes.
pub(super) fn find_my_separated(status: u8) -> Builder {
    Box::new(move |_, rng| {
        let mut key: [u8; 28] = rng.bytes();
        key[0] |= 0xC0;
        let address = BdAddr(key[..6].try_into().expect("six bytes"));
        (address, payload::apple_find_my_separated(status, &key))
    })
}

/// Apple Find My near its owner (AirTag 0x10, AirPods 0x30, iPhone 0x00).
pub(super) fn find_my_near_owner(status: u8) -> Builder {
    Box::new(move |_, rng| {
        let key0 = rng.bytes::<1>()[0];
        (
            random_address(rng),
            payload::apple_find_my_near_owner(status, key0),
        )
    })
}

/// A SmartTag away from its owner (state 0x12): the aging counter counts rotation epochs.
pub(super) fn smarttag_separated() -> Builder {
    smarttag_separated_from(72_059)
}

/// A separated SmartTag whose aging counter was at `base` when the scenario started: two
/// tags' counters lie far apart, as real ones do (they count 15-minute steps since set-up).
pub(super) fn smarttag_separated_from(base: u32) -> Builder {
    Box::new(move |epoch, rng| {
        let id: [u8; 8] = rng.bytes();
        (
            random_address(rng),
            payload::smarttag(0x12, base.wrapping_add(epoch as u32) & 0xFF_FFFF, &id),
        )
    })
}

pub(super) fn tile() -> Builder {
    Box::new(|_, rng| (random_address(rng), payload::tile(&rng.bytes())))
}

/// A Tile whose 0xFEED identifier changes at each rotation while its address (drawn from
/// `address_seed`) stays, as in a real capture: one address for 1 h 40 min, three identifiers.
pub(super) fn tile_changing_id(address_seed: u64) -> Builder {
    Box::new(move |_, rng| {
        let addr = random_address(&mut epoch_rng(address_seed, 0));
        (addr, payload::tile(&rng.bytes()))
    })
}

pub(super) fn chipolo_separated() -> Builder {
    Box::new(|_, rng| {
        let address = random_address(rng);
        (address, payload::chipolo(true, address))
    })
}

/// Google FMDN in unwanted-tracking protection mode (frame 0x41): the EID rotates, the
/// address (drawn from `address_seed`) stays.
pub(super) fn fmdn_separated(address_seed: u64) -> Builder {
    Box::new(move |_, rng| {
        let addr = random_address(&mut epoch_rng(address_seed, 0));
        (addr, payload::google_fmdn(0x41, &rng.bytes()))
    })
}

pub(super) fn dult_separated() -> Builder {
    Box::new(|_, rng| (random_address(rng), payload::dult(0x02, false, &rng.bytes())))
}

/// The demo: one of each tracker family around the user, next to ordinary bystanders,
/// for `minutes` minutes starting at `start_us`.
pub fn demo(start_us: i64, minutes: i64) -> (i64, i64, Vec<Emitter>) {
    let mut emitters = vec![
        // A planted AirTag, separated from its owner: one key (and address) for the whole day.
        Emitter::new(2000, None, -58, find_my_separated(0x10)),
        // A SmartTag away from its owner: new address and privacy id every 15 minutes,
        // aging counter one higher each time.
        Emitter::new(2000, Some(15), -66, smarttag_separated()),
        // Devices that never rotate get the same randomness (epoch 0) every time.
        Emitter::new(2000, None, -71, tile()),
        Emitter::new(2000, None, -75, chipolo_separated()),
        Emitter::new(
            2000,
            None,
            -80,
            Box::new(|_, rng| (random_address(rng), payload::pebblebee(&rng.bytes()))),
        ),
        // A Google FMDN tag in unwanted-tracking protection mode, on extended advertising.
        Emitter::new(2000, Some(17), -69, fmdn_separated(6)).extended(),
        // A DULT tag away from its owner keeps its address for a day, like a Find My one.
        Emitter::new(2000, None, -73, dult_separated()),
        // Bystanders: a neighbour's AirTag near its owner, beacons, a Samsung phone, iPhones.
        Emitter::new(2000, Some(15), -88, find_my_near_owner(0x10)),
        Emitter::new(
            1000,
            None,
            -77,
            Box::new(|_, rng| (random_address(rng), payload::ibeacon(&rng.bytes()))),
        ),
        Emitter::new(
            1000,
            None,
            -90,
            Box::new(|_, rng| (random_address(rng), payload::eddystone_uid(&rng.bytes()))),
        ),
        Emitter::new(
            1000,
            Some(15),
            -79,
            Box::new(|e, rng| (random_address(rng), payload::samsung_phone(e as u8))),
        ),
    ];
    emitters.extend(phones(2));
    (start_us, start_us + minutes * 60_000_000, emitters)
}

/// `count` bystander iPhones advertising Nearby Info every 200 ms, rotating every 15 minutes.
fn phones(count: usize) -> impl Iterator<Item = Emitter> {
    (0..count).map(|i| phone(i, 200))
}

/// Bystander iPhone number `i`: Nearby Info, a new address every 15 minutes.
pub(super) fn phone(i: usize, interval_ms: i64) -> Emitter {
    let rssi = -60 - (i % 35) as i8;
    Emitter::new(
        interval_ms,
        Some(15),
        rssi,
        Box::new(move |e, rng| {
            (
                random_address(rng),
                payload::apple_nearby_info((e as u8).wrapping_add(i as u8)),
            )
        }),
    )
}

/// `count` distinct devices passing by, a thousand new ones a second, each heard for 6 s:
/// every other one a separated AirTag with its own key, the rest iPhones: half of these send
/// Nearby Info, half Find My near their owner. Load for memory and hostile-input checks:
/// `analyze` keeps an entry per AirTag and per Find My iPhone, a live session per AirTag.
pub fn passers_by(start_us: i64, count: usize) -> (i64, i64, Vec<Emitter>) {
    const PER_SECOND: i64 = 1000;
    const HEARD_US: i64 = 6_000_000;
    let emitters = (0..count)
        .map(|i| {
            let from = start_us + i as i64 * 1_000_000 / PER_SECOND;
            let heard: Heard = Box::new(move |t| (from..from + HEARD_US).contains(&t).then_some(-70));
            let build = match i % 4 {
                0 | 2 => find_my_separated(0x10),
                1 => Box::new(move |e: u64, rng: &mut Rng| {
                    (random_address(rng), payload::apple_nearby_info(e as u8))
                }) as Builder,
                _ => find_my_near_owner(0x00),
            };
            Emitter::new(2000, None, -70, build).heard(heard)
        })
        .collect();
    let end = start_us + count as i64 * 1_000_000 / PER_SECOND + HEARD_US;
    (start_us, end, emitters)
}

/// The demo's devices in a crowd of `phones` extra iPhones: load for benchmarks.
pub fn crowd(start_us: i64, minutes: i64, phones_around: usize) -> (i64, i64, Vec<Emitter>) {
    let (start, end, mut emitters) = demo(start_us, minutes);
    emitters.extend(phones(phones_around));
    (start, end, emitters)
}

/// What one emitter put in a capture.
#[derive(Clone, Debug, Default)]
pub struct DeviceLog {
    pub advertisements: u64,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
    /// Every address it used, in order of first use.
    pub addresses: Vec<BdAddr>,
}

/// Writes every emitter's advertisements between `start_us` and `end_us`, in time order,
/// as a btsnoop capture. Returns the number of advertisements written.
pub fn write_btsnoop<W: Write>(out: W, start_us: i64, end_us: i64, emitters: &[Emitter]) -> io::Result<u64> {
    let logs = write_btsnoop_seeded(out, start_us, end_us, emitters, 0)?;
    Ok(logs.iter().map(|l| l.advertisements).sum())
}

/// The capture formats a scenario can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// btsnoop, datalink 1002 (H4): HCI advertising reports, as an Android phone logs them.
    Btsnoop,
    /// pcap, link type 256 (LE link layer with radio header): as a sniffer records them.
    Pcap,
    /// pcap, link type 272: as the nRF Sniffer for Bluetooth LE records them, with its
    /// header in this version (0 to 3).
    Nordic(u8),
}

/// One writer for either container.
enum AnyWriter<W: Write> {
    Btsnoop(BtsnoopWriter<W>),
    Pcap(PcapLlWriter<W>),
    Nordic(NordicWriter<W>),
}

impl<W: Write> AnyWriter<W> {
    fn new(container: Container, out: W) -> io::Result<Self> {
        Ok(match container {
            Container::Btsnoop => AnyWriter::Btsnoop(BtsnoopWriter::new(out)?),
            Container::Pcap => AnyWriter::Pcap(PcapLlWriter::new(out)?),
            Container::Nordic(version) => AnyWriter::Nordic(NordicWriter::new(out, version)?),
        })
    }

    fn write(&mut self, adv: &Advertisement<'_>, extended: bool) -> io::Result<()> {
        match self {
            AnyWriter::Btsnoop(w) if extended => w.write_extended_report(adv),
            AnyWriter::Btsnoop(w) => w.write_legacy_report(adv),
            // The link layer tells extended PDUs by their kind.
            AnyWriter::Pcap(w) => w.write(adv),
            AnyWriter::Nordic(w) => w.write(adv),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            AnyWriter::Btsnoop(w) => w.into_inner()?.flush(),
            AnyWriter::Pcap(w) => w.into_inner()?.flush(),
            AnyWriter::Nordic(w) => w.into_inner()?.flush(),
        }
    }
}

/// Like [`write_btsnoop`], in either container.
pub fn write_capture<W: Write>(
    out: W,
    container: Container,
    start_us: i64,
    end_us: i64,
    emitters: &[Emitter],
) -> io::Result<u64> {
    let logs = write_seeded(out, container, start_us, end_us, emitters, 0, None)?;
    Ok(logs.iter().map(|l| l.advertisements).sum())
}

/// [`write_btsnoop`] with a scenario seed mixed into every device's randomness, so
/// scenarios with the same device list still get different addresses and keys (seed 0
/// is the demo's). Returns what each emitter wrote, in emitter order.
pub fn write_btsnoop_seeded<W: Write>(
    out: W,
    start_us: i64,
    end_us: i64,
    emitters: &[Emitter],
    seed: u64,
) -> io::Result<Vec<DeviceLog>> {
    write_seeded(out, Container::Btsnoop, start_us, end_us, emitters, seed, None)
}

/// What [`write_btsnoop_seeded`] would write between `start_us` and `end_us`, of which only
/// the advertisements within `part` (one day of a week, say) are written.
pub fn write_btsnoop_part<W: Write>(
    out: W,
    start_us: i64,
    end_us: i64,
    part: std::ops::Range<i64>,
    emitters: &[Emitter],
    seed: u64,
) -> io::Result<Vec<DeviceLog>> {
    write_seeded(
        out,
        Container::Btsnoop,
        start_us,
        end_us,
        emitters,
        seed,
        Some(part),
    )
}

fn write_seeded<W: Write>(
    out: W,
    container: Container,
    start_us: i64,
    end_us: i64,
    emitters: &[Emitter],
    seed: u64,
    part: Option<std::ops::Range<i64>>,
) -> io::Result<Vec<DeviceLog>> {
    let mut events = Vec::new();
    for (i, e) in emitters.iter().enumerate() {
        let mut jitter = Rng::new((0x5EED + i as u64) ^ seed);
        // Stagger devices so they do not all advertise in the same microsecond.
        let mut t = start_us + jitter.below(e.interval_us as u64) as i64;
        let mut sent = 0u64;
        while t < end_us {
            let rssi = e.heard.as_ref().map_or(Some(e.rssi), |heard| heard(t));
            if let Some(rssi) = rssi {
                events.push((t, i, sent, rssi));
                sent += 1;
            }
            // Real advertisers add 0-10 ms of random delay to every interval.
            t += e.interval_us + jitter.below(10_000) as i64;
        }
    }
    if let Some(part) = part {
        events.retain(|(t, ..)| part.contains(t));
    }
    events.sort_unstable();

    let mut logs = vec![DeviceLog::default(); emitters.len()];
    let mut writer = AnyWriter::new(container, out)?;
    let mut rssi_noise = Rng::new(0xA55);
    for &(t, i, sent, rssi) in &events {
        let e = &emitters[i];
        let epoch = if e.key_per_advertisement {
            sent
        } else {
            e.rotate_us
                .map_or(0, |r| ((t - start_us + e.phase_us) / r) as u64)
        };
        let (address, data) = (e.build)(epoch, &mut epoch_rng((0xD0 + i as u64) ^ seed, epoch));
        let adv = Advertisement {
            time_us: t,
            address,
            addr_type: AddrType::Random,
            rssi: Some(rssi.saturating_sub(rssi_noise.below(7) as i8)),
            pdu: e.pdu,
            data: &data,
        };
        writer.write(&adv, e.extended)?;
        let log = &mut logs[i];
        log.advertisements += 1;
        log.first_us.get_or_insert(t);
        log.last_us = Some(t);
        // Addresses are never reused after a rotation, so comparing with the last is enough.
        if log.addresses.last() != Some(&address) {
            log.addresses.push(address);
        }
    }
    writer.finish()?;
    Ok(logs)
}
