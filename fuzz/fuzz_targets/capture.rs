//! Any bytes as a capture file: every reader must return records or an error, never panic or hang.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reader = Box::new(Cursor::new(data.to_vec()));
    if let Ok(mut cap) = tagwatch::capture::from_reader(reader, Path::new("fuzz-input")) {
        let classifier = tagwatch::classify::Classifier::builtin();
        let mut sink = |adv: &tagwatch::model::Advertisement<'_>| {
            let _ = classifier.classify(adv.data);
        };
        while let Ok(true) = cap.source.next_record(&mut sink) {}
    }
});
