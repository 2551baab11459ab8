//! Live inputs: a Bluetooth adapter through BlueZ and the person's position from gpsd,
//! each on its own thread, each reporting whether it works ([`LinkState`]) and getting
//! itself back after a fault.

mod adbytes;
mod bluez;
mod gps;
mod link;

pub use bluez::{ScanConfig, ScanEvent, Scanner};
pub use gps::{DEFAULT_GPSD, LivePosition, reachable};
pub use link::{Backoff, LinkState, LinkWatch};
