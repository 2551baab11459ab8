//! A GATT connection to one tracker through BlueZ (btleplug): the [`GattLink`] that `ring`
//! and `identify` drive. It first listens for the tracker's advertisement, which proves it is
//! in range now and tells its family, then connects.

use std::pin::Pin;
use std::time::Duration;

use btleplug::api::{Central, Characteristic, Peripheral as _, ScanFilter};
use btleplug::api::{ValueNotification, WriteType};
use btleplug::platform::Peripheral;
use futures_util::{Stream, StreamExt};
use tokio::runtime::Runtime;
use uuid::Uuid;

use super::bluez::{advertised, heard, open_adapter};
use crate::interact::{GattLink, LinkError, Service};
use crate::model::{BdAddr, OwnedAdvertisement};

/// How long connecting may take before the tracker counts as out of range (BlueZ's own
/// LE connection attempt gives up after about 40 s; a tag in reach answers within a few).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

type Notifications = Pin<Box<dyn Stream<Item = ValueNotification> + Send>>;

/// A connected tracker. Dropping it disconnects.
pub struct BluezLink {
    runtime: Runtime,
    peripheral: Peripheral,
    notifications: Option<Notifications>,
}

/// A tracker heard and connected.
pub struct Opened {
    pub link: BluezLink,
    /// The advertisement that showed it was in range.
    pub heard: OwnedAdvertisement,
}

impl BluezLink {
    /// Listens on `adapter` (the first if None) for up to `listen` until `address`
    /// advertises, then connects to it.
    pub fn open(adapter: Option<&str>, address: BdAddr, listen: Duration) -> Result<Opened, LinkError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LinkError::Adapter(format!("cannot start: {e}")))?;
        let (peripheral, heard) = runtime.block_on(async {
            let (peripheral, heard) = hear(adapter, address, listen).await?;
            match tokio::time::timeout(CONNECT_TIMEOUT, peripheral.connect()).await {
                Err(_) => return Err(LinkError::OutOfRange),
                Ok(r) => r.map_err(|e| link_error(&e))?,
            }
            peripheral.discover_services().await.map_err(|e| link_error(&e))?;
            Ok((peripheral, heard))
        })?;
        Ok(Opened {
            link: BluezLink {
                runtime,
                peripheral,
                notifications: None,
            },
            heard,
        })
    }

    fn characteristic(&self, service: u128, characteristic: u128) -> Result<Characteristic, LinkError> {
        let (s, c) = (Uuid::from_u128(service), Uuid::from_u128(characteristic));
        self.peripheral
            .characteristics()
            .into_iter()
            .find(|ch| ch.service_uuid == s && ch.uuid == c)
            .ok_or_else(|| LinkError::Other(format!("the tracker has no characteristic {c} in service {s}")))
    }
}

/// Scans until `address` advertises (BlueZ only connects to a device it has heard).
async fn hear(
    adapter: Option<&str>,
    address: BdAddr,
    listen: Duration,
) -> Result<(Peripheral, OwnedAdvertisement), LinkError> {
    let adapter = open_adapter(adapter).await.map_err(LinkError::Adapter)?;
    let mut events = adapter.events().await.map_err(|e| link_error(&e))?;
    adapter
        .start_scan(ScanFilter::default())
        .await
        .map_err(|e| link_error(&e))?;
    let found = tokio::time::timeout(listen, async {
        while let Some(event) = events.next().await {
            let Some((id, _)) = advertised(event) else {
                continue;
            };
            let now = chrono::Utc::now().timestamp_micros();
            match heard(&adapter, &id, now).await {
                Some(found) if found.1.address == address => return Some(found),
                _ => {}
            }
        }
        None
    })
    .await;
    // Connecting while discovering slows the connection down on many controllers.
    let _ = adapter.stop_scan().await;
    found.ok().flatten().ok_or(LinkError::OutOfRange)
}

impl GattLink for BluezLink {
    fn discover(&mut self) -> Result<Vec<Service>, LinkError> {
        Ok(self
            .peripheral
            .services()
            .into_iter()
            .map(|s| Service {
                uuid: s.uuid.as_u128(),
                characteristics: s.characteristics.iter().map(|c| c.uuid.as_u128()).collect(),
            })
            .collect())
    }

    fn read(&mut self, service: u128, characteristic: u128) -> Result<Vec<u8>, LinkError> {
        let c = self.characteristic(service, characteristic)?;
        self.runtime
            .block_on(self.peripheral.read(&c))
            .map_err(|e| link_error(&e))
    }

    fn write(
        &mut self,
        service: u128,
        characteristic: u128,
        value: &[u8],
        with_response: bool,
    ) -> Result<(), LinkError> {
        let c = self.characteristic(service, characteristic)?;
        let kind = match with_response {
            true => WriteType::WithResponse,
            false => WriteType::WithoutResponse,
        };
        self.runtime
            .block_on(self.peripheral.write(&c, value, kind))
            .map_err(|e| link_error(&e))
    }

    fn subscribe(&mut self, service: u128, characteristic: u128) -> Result<(), LinkError> {
        let c = self.characteristic(service, characteristic)?;
        let (runtime, peripheral) = (&self.runtime, &self.peripheral);
        if self.notifications.is_none() {
            // Listen before enabling, so that no indication falls in between.
            let stream = runtime
                .block_on(peripheral.notifications())
                .map_err(|e| link_error(&e))?;
            self.notifications = Some(stream);
        }
        runtime
            .block_on(peripheral.subscribe(&c))
            .map_err(|e| link_error(&e))
    }

    fn next_notification(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError> {
        let stream = self
            .notifications
            .as_mut()
            .ok_or_else(|| LinkError::Other("nothing subscribed".into()))?;
        // The timer needs the runtime: made inside it.
        match self
            .runtime
            .block_on(async { tokio::time::timeout(timeout, stream.next()).await })
        {
            Err(_) => Err(LinkError::Timeout),
            // The device's events ended: BlueZ lost it.
            Ok(None) => Err(LinkError::OutOfRange),
            Ok(Some(n)) => Ok(n.value),
        }
    }
}

impl Drop for BluezLink {
    fn drop(&mut self) {
        // bluez-async's streams deregister from the D-Bus reactor when dropped: in the runtime.
        let _in_runtime = self.runtime.enter();
        self.notifications = None;
        let _ = self.runtime.block_on(self.peripheral.disconnect());
    }
}

/// What a btleplug error means for the person: BlueZ's D-Bus error name says most.
fn link_error(e: &btleplug::Error) -> LinkError {
    use btleplug::Error as E;
    match e {
        E::PermissionDenied => LinkError::Permission("permission denied".into()),
        E::DeviceNotFound | E::NotConnected => LinkError::OutOfRange,
        E::TimedOut(_) => LinkError::Timeout,
        E::Other(inner) => dbus_error(inner.as_ref()).unwrap_or_else(|| {
            let text = inner.to_string();
            match text.contains("timed out") {
                true => LinkError::OutOfRange,
                false => LinkError::Other(text),
            }
        }),
        other => LinkError::Other(other.to_string()),
    }
}

/// The D-Bus error inside a BlueZ error, classified by its name.
#[cfg(target_os = "linux")]
fn dbus_error(e: &(dyn std::error::Error + 'static)) -> Option<LinkError> {
    use bluez_async::BluetoothError;
    match e.downcast_ref::<BluetoothError>()? {
        BluetoothError::ServiceDiscoveryTimedOut => Some(LinkError::OutOfRange),
        BluetoothError::DbusError(d) => {
            let (name, message) = (d.name().unwrap_or_default(), d.message().unwrap_or_default());
            Some(match name {
                // libdbus itself: no reply in time, or the bus refused us.
                "org.freedesktop.DBus.Error.NoReply" => LinkError::Timeout,
                "org.freedesktop.DBus.Error.AccessDenied" => {
                    LinkError::Permission(format!("{name}: {message}"))
                }
                _ => LinkError::from_bluez(name, message),
            })
        }
        _ => None,
    }
}

/// Other platforms' errors carry no D-Bus name.
#[cfg(not(target_os = "linux"))]
fn dbus_error(_: &(dyn std::error::Error + 'static)) -> Option<LinkError> {
    None
}
