//! Decode + classify throughput in advertisements per second, on one core, from a
//! synthetic btsnoop capture of the demo's trackers in a crowd of phones.

use std::io::Cursor;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tagwatch::analyze::feed;
use tagwatch::capture::from_reader;
use tagwatch::classify::Classifier;
use tagwatch::correlate::Trackers;
use tagwatch::synth::scenario::{crowd, write_btsnoop};

fn capture_bytes() -> (&'static [u8], u64) {
    let (start, end, emitters) = crowd(1_700_000_000_000_000, 20, 400);
    let mut bytes = Vec::new();
    let count = write_btsnoop(&mut bytes, start, end, &emitters).expect("writing to memory");
    (Box::leak(bytes.into_boxed_slice()), count)
}

fn decode_classify(c: &mut Criterion) {
    let (bytes, count) = capture_bytes();
    let classifier = Classifier::builtin();
    let mut group = c.benchmark_group("btsnoop");
    group.throughput(Throughput::Elements(count));
    group.sample_size(10);
    group.bench_function("decode+classify+gather", |b| {
        b.iter(|| {
            let mut cap =
                from_reader(Box::new(Cursor::new(bytes)), Path::new("bench")).expect("valid capture");
            let mut trackers = Trackers::new();
            feed(cap.source.as_mut(), classifier, &mut trackers, |_| {}).expect("valid capture");
            assert_eq!(cap.source.stats().advertisements, count);
            trackers
        })
    });
    group.finish();
}

criterion_group!(benches, decode_classify);
criterion_main!(benches);
