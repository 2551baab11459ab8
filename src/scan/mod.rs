//! Live inputs: a Bluetooth adapter (through BlueZ, or the kernel's HCI monitor) and the person's position from gpsd,
//! each on its own thread, each reporting whether it works ([`LinkState`]) and getting
//! itself back after a fault.

mod adbytes;
mod bluez;
mod feed;
mod gatt;
mod gps;
#[cfg(target_os = "linux")]
mod hcisock;
mod link;
mod monitor;

pub use bluez::{ScanConfig, ScanEvent, Scanner};
pub use feed::AdapterFeed;
pub use gatt::{BluezLink, Opened};
pub use gps::{DEFAULT_GPSD, LivePosition, live_gps};
pub use link::{Backoff, LinkState, LinkWatch};
pub use monitor::{Monitor, MonitorDecoder, MonitorItem, OwnedFrame, RadioEvent, Seen};
