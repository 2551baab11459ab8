//! tagwatch: find Bluetooth location trackers that move with you, and keep the evidence.
//!
//! Data flows one way: capture (source) -> decode -> classify -> correlate -> store -> present.

pub mod capture;
pub mod decode;
pub mod classify;
pub mod location;
pub mod model;
