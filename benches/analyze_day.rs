//! A day's analysis: decode, classify and correlate a 24-hour capture against a 24-hour GPS
//! track (one fix a second), as `tagwatch analyze --track` does. Target: under 10 s.

use std::io::Cursor;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tagwatch::analyze::feed;
use tagwatch::capture::from_reader;
use tagwatch::classify::Classifier;
use tagwatch::correlate::Trackers;
use tagwatch::location::{DEFAULT_MAX_GAP_US, Fix, Track};
use tagwatch::synth::scenario::{crowd, write_btsnoop};

const START_US: i64 = 1_768_464_000_000_000;
const DAY_MIN: i64 = 24 * 60;

/// The person walks a 5 km loop around Tokyo station all day, one fix a second.
fn day_track() -> Track {
    let fixes = (0..DAY_MIN * 60)
        .map(|s| {
            let angle = s as f64 / 3600.0 * std::f64::consts::TAU;
            Fix {
                time_us: START_US + s * 1_000_000,
                lat: 35.6812 + 0.007 * angle.sin(),
                lon: 139.7671 + 0.0086 * angle.cos(),
                accuracy_m: Some(8.0),
            }
        })
        .collect();
    Track::from_fixes(fixes)
}

fn analyze_day(c: &mut Criterion) {
    // The demo's trackers and 10 phones around all day: about 5 million advertisements.
    let (start, end, emitters) = crowd(START_US, DAY_MIN, 10);
    let mut bytes = Vec::new();
    let count = write_btsnoop(&mut bytes, start, end, &emitters).expect("writing to memory");
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let track = day_track();
    let classifier = Classifier::builtin();

    let mut group = c.benchmark_group("day");
    group.throughput(Throughput::Elements(count));
    group.sample_size(10);
    group.bench_function("analyze 24 h with track", |b| {
        b.iter(|| {
            let mut cap = from_reader(Box::new(Cursor::new(bytes)), Path::new("day")).expect("valid");
            let mut trackers = Trackers::with_track(&track, DEFAULT_MAX_GAP_US);
            feed(cap.source.as_mut(), classifier, &mut trackers, |_| {}).expect("valid capture");
            let v = trackers.into_sorted();
            assert!(v.iter().any(|t| t.following()));
            v
        })
    });
    group.finish();
}

criterion_group!(benches, analyze_day);
criterion_main!(benches);
