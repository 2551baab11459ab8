//! Scans with a Bluetooth adapter through BlueZ (btleplug) on its own thread, and hands
//! every advertisement heard over a bounded channel.
//!
//! btleplug asks BlueZ for `DuplicateData: true` (its `start_scan` sets that discovery
//! filter), so BlueZ signals ManufacturerData/ServiceData again for each advertisement
//! received, not only when they change. One BlueZ signal can carry several properties
//! (RSSI and ManufacturerData), which btleplug splits into several events: see [`Burst`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::i18n::Message;
use btleplug::api::{AddressType, Central, CentralEvent, CentralState, Manager as _, Peripheral as _};
use btleplug::api::{PeripheralProperties, ScanFilter};
use btleplug::platform::{Adapter, Manager, Peripheral, PeripheralId};
use futures_util::StreamExt;

use super::adbytes::ad_bytes;
use super::link::{Backoff, LinkState, LinkWatch};
use crate::model::{AddrType, BdAddr, OwnedAdvertisement, PduKind};

/// Events of one signal come within this of each other.
const SAME_SIGNAL: Duration = Duration::from_millis(50);
/// How often to check that the adapter is still there (BlueZ says nothing when it goes).
const HEALTH_EVERY: Duration = Duration::from_secs(2);
/// Advertisements waiting for the consumer by default; beyond this they are dropped and
/// counted, so a stalled consumer in a crowd cannot make the scanner grow.
const DEFAULT_QUEUE: usize = 8192;

/// What the scanner reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanEvent {
    Advertisement(OwnedAdvertisement),
    /// The adapter's state changed.
    Adapter(LinkState),
    /// Scanning with the adapter of this name (hci0 ...), before it is up.
    Opened(String),
}

#[derive(Clone, Debug)]
pub struct ScanConfig {
    /// The adapter by its BlueZ name (hci0 ...); the first one if None.
    pub adapter: Option<String>,
    /// Capacity of the event channel.
    pub queue: usize,
    /// Waits between attempts to get the adapter back.
    pub backoff: Backoff,
    /// Whether to hand over advertisements. Without, the scanner only keeps scanning on (the
    /// HCI monitor hears the advertisements), and asks BlueZ nothing per advertisement.
    pub advertisements: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            adapter: None,
            queue: DEFAULT_QUEUE,
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_secs(30)),
            advertisements: true,
        }
    }
}

/// A running scanner. Dropping it stops the scan.
pub struct Scanner {
    events: Receiver<ScanEvent>,
    link: LinkWatch,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Scanner {
    /// Starts scanning on a thread of its own; failures are reported as adapter states and
    /// retried, never returned.
    pub fn start(config: ScanConfig) -> std::io::Result<Scanner> {
        let (tx, events) = sync_channel(config.queue);
        let link = LinkWatch::new(LinkState::Reconnecting);
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            config,
            tx,
            link: link.clone(),
            stop: stop.clone(),
            dropped: dropped.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("tagwatch-scan".into())
            .spawn(move || worker.run())?;
        Ok(Scanner {
            events,
            link,
            stop,
            dropped,
            thread: Some(thread),
        })
    }

    /// Advertisements and adapter state changes, in the order they happened (a change
    /// that finds the queue full is only in [`Scanner::link`]).
    pub fn events(&self) -> &Receiver<ScanEvent> {
        &self.events
    }

    /// The adapter's state now.
    pub fn link(&self) -> LinkWatch {
        self.link.clone()
    }

    /// Advertisements dropped because the consumer did not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    config: ScanConfig,
    tx: SyncSender<ScanEvent>,
    link: LinkWatch,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
}

/// Why a scan ended.
enum End {
    /// Asked to stop, or nobody listens any more.
    Stopped,
    Lost(String),
}

impl Worker {
    fn run(mut self) {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(r) => r,
            Err(e) => return self.state(LinkState::Down(Message::as_is(format!("cannot start: {e}")))),
        };
        while !self.stopped() {
            self.state(LinkState::Reconnecting);
            match runtime.block_on(self.scan_once()) {
                End::Stopped => return,
                // D-Bus error texts end in a newline.
                End::Lost(why) => self.state(LinkState::Down(Message::as_is(why.trim_end()))),
            }
            let until = Instant::now() + self.config.backoff.next_wait();
            while Instant::now() < until && !self.stopped() {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn state(&self, state: LinkState) {
        // With the queue full the change is still in the watch; waiting for room could
        // block a scanner whose consumer has stopped reading, and so its drop, for ever.
        if self.link.set(state.clone()) {
            let _ = self.tx.try_send(ScanEvent::Adapter(state));
        }
    }

    async fn scan_once(&mut self) -> End {
        let adapter = match open_adapter(self.config.adapter.as_deref()).await {
            Ok(a) => a,
            Err(why) => return End::Lost(why),
        };
        match adapter_name(&adapter).await {
            Ok(name) => drop(self.tx.try_send(ScanEvent::Opened(name))),
            Err(why) => return End::Lost(why),
        }
        // A powered-off adapter may accept a scan and hear nothing: say so before starting.
        if let Err(why) = check(&adapter).await {
            return End::Lost(why);
        }
        let events = adapter.events().await;
        let started = adapter.start_scan(ScanFilter::default()).await;
        let mut events = match (events, started) {
            (Ok(events), Ok(())) => events,
            (Err(e), _) | (_, Err(e)) => return End::Lost(format!("cannot scan: {e}")),
        };
        self.state(LinkState::Up);
        self.config.backoff.reset();
        let mut health = tokio::time::interval(HEALTH_EVERY);
        let mut burst: Option<Burst> = None;
        loop {
            if self.stopped() {
                let _ = adapter.stop_scan().await;
                return End::Stopped;
            }
            let event = tokio::select! {
                event = events.next() => event,
                _ = health.tick() => {
                    if let Err(why) = check(&adapter).await {
                        return End::Lost(why);
                    }
                    continue;
                }
            };
            let (id, kind) = match event {
                None => return End::Lost("BlueZ stopped sending events".into()),
                Some(CentralEvent::StateUpdate(CentralState::PoweredOff)) => {
                    return End::Lost("adapter powered off".into());
                }
                Some(_) if !self.config.advertisements => continue,
                Some(event) => match advertised(event) {
                    Some(heard) => heard,
                    None => continue,
                },
            };
            let now = Instant::now();
            if let Some(b) = burst.as_mut().filter(|b| b.takes(&id, kind, now)) {
                b.kinds |= kind;
                continue;
            }
            burst = Some(Burst {
                id: id.clone(),
                start: now,
                kinds: kind,
            });
            let time_us = chrono::Utc::now().timestamp_micros();
            let Some((_, adv)) = heard(&adapter, &id, time_us).await else {
                continue;
            };
            match self.tx.try_send(ScanEvent::Advertisement(adv)) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => return End::Stopped,
            }
        }
    }
}

/// The device `id` and the advertisement its properties stand for, heard at `time_us`; None
/// when the device is gone already (BlueZ forgets devices it no longer hears) or was not heard
/// in this scan.
pub(super) async fn heard(
    adapter: &Adapter,
    id: &PeripheralId,
    time_us: i64,
) -> Option<(Peripheral, OwnedAdvertisement)> {
    let peripheral = adapter.peripheral(id).await.ok()?;
    let props = peripheral.properties().await.ok()??;
    let adv = advertisement(&props, time_us)?;
    Some((peripheral, adv))
}

/// The adapter named `want` (hci0 ...), or the first.
pub(super) async fn open_adapter(want: Option<&str>) -> Result<Adapter, String> {
    let manager = Manager::new()
        .await
        .map_err(|e| format!("cannot reach BlueZ: {e}"))?;
    let adapters = manager
        .adapters()
        .await
        .map_err(|e| format!("cannot list adapters: {e}"))?;
    let mut names = Vec::new();
    for adapter in adapters {
        let name = adapter_name(&adapter).await?;
        if want.is_none_or(|want| want == name) {
            return Ok(adapter);
        }
        names.push(name);
    }
    Err(match want {
        None => "no Bluetooth adapter".into(),
        Some(want) if names.is_empty() => format!("no adapter {want}: none present"),
        Some(want) => format!("no adapter {want} (there is {})", names.join(", ")),
    })
}

/// BlueZ's name of the adapter (hci0 ...): btleplug says "hci0 (usb:v1D6Bp0246d0537)".
async fn adapter_name(adapter: &Adapter) -> Result<String, String> {
    let info = adapter
        .adapter_info()
        .await
        .map_err(|e| format!("adapter went away: {e}"))?;
    Ok(info.split_whitespace().next().unwrap_or_default().to_string())
}

/// Whether the adapter is still there and powered.
async fn check(adapter: &Adapter) -> Result<(), String> {
    adapter_name(adapter).await?;
    match adapter.adapter_state().await {
        Ok(CentralState::PoweredOn) => Ok(()),
        _ => Err("adapter powered off".into()),
    }
}

/// The events btleplug made of one BlueZ signal: one device, each property at most once,
/// close together. The properties read at its first event already hold the whole signal
/// (BlueZ updates them before it signals), so the rest of the burst is skipped. A repeated
/// property starts the next advertisement.
struct Burst {
    id: PeripheralId,
    start: Instant,
    /// The properties seen so far, bits of [`advertised`]'s kinds.
    kinds: u8,
}

impl Burst {
    fn takes(&self, id: &PeripheralId, kind: u8, now: Instant) -> bool {
        self.id == *id && self.kinds & kind == 0 && now.duration_since(self.start) < SAME_SIGNAL
    }
}

/// The device an event says was heard, and which property told it (one bit each).
pub(super) fn advertised(event: CentralEvent) -> Option<(PeripheralId, u8)> {
    match event {
        CentralEvent::DeviceDiscovered(id) | CentralEvent::DeviceUpdated(id) => Some((id, 1)),
        CentralEvent::ManufacturerDataAdvertisement { id, .. } => Some((id, 2)),
        CentralEvent::ServiceDataAdvertisement { id, .. } => Some((id, 4)),
        CentralEvent::ServicesAdvertisement { id, .. } => Some((id, 8)),
        CentralEvent::RssiUpdate { id, .. } => Some((id, 16)),
        _ => None,
    }
}

/// The advertisement BlueZ's properties stand for. A device without RSSI is one BlueZ
/// remembers (paired, cached), not one it heard in this scan: None.
fn advertisement(props: &PeripheralProperties, time_us: i64) -> Option<OwnedAdvertisement> {
    let rssi = props.rssi?.clamp(i8::MIN.into(), i8::MAX.into()) as i8;
    Some(OwnedAdvertisement {
        time_us,
        address: BdAddr(props.address.into_inner()),
        addr_type: match props.address_type {
            Some(AddressType::Public) => AddrType::Public,
            Some(AddressType::Random) => AddrType::Random,
            None => AddrType::Unknown,
        },
        rssi: Some(rssi),
        pdu: PduKind::Unknown,
        data: ad_bytes(props),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_become_an_advertisement_and_remembered_devices_none() {
        let mut props = PeripheralProperties {
            address: [0xc4, 0x11, 0x22, 0x33, 0x44, 0x55].into(),
            address_type: Some(AddressType::Random),
            rssi: Some(-200),
            ..Default::default()
        };
        props.manufacturer_data.insert(0x0075, vec![1]);
        let adv = advertisement(&props, 7).unwrap();
        assert_eq!(adv.address.to_string(), "C4:11:22:33:44:55");
        assert_eq!(
            (adv.time_us, adv.addr_type, adv.rssi, adv.pdu),
            (7, AddrType::Random, Some(-128), PduKind::Unknown)
        );
        assert_eq!(adv.data, [4, 0xff, 0x75, 0x00, 1]);
        props.rssi = None;
        assert_eq!(advertisement(&props, 7), None);
    }
}
