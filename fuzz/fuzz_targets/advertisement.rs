//! Any bytes as advertising data: AD walking and signature matching must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tagwatch::decode::ad_structures(data).count();
    let _ = tagwatch::classify::Classifier::builtin().classify(data);
});
