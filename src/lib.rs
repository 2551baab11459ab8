//! tagwatch: find Bluetooth location trackers that move with you, and keep the evidence.
//!
//! Data flows one way: capture (source) -> decode -> classify -> correlate -> store -> present.

pub mod analyze;
pub mod anchor;
pub mod capture;
pub mod classify;
pub mod correlate;
pub mod coverage;
pub mod decode;
pub mod evidence;
pub mod exit;
pub mod files;
pub mod i18n;
pub mod interact;
pub mod listening;
pub mod live;
pub mod location;
pub mod model;
pub mod present;
pub mod report;
pub mod scan;
pub mod store;
pub mod synth;
