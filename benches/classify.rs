//! Throughput of `classify` on a mix like a city street: mostly non-trackers.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tagwatch::classify::Classifier;

fn mix() -> Vec<Vec<u8>> {
    [
        "02011a0aff4c0010052918a8f849020a00",
        "02011a1bff4c000c0e080c390540728205be3cf851a3821006471de0462078",
        "1eff06000109200284fd7907281ccd353c25c39d9c2d136f33ac8918a622fa",
        "1bff7500420401806084c0efddc97886c0efddc97701000000000000",
        "0b162cfe0040c4002216117d020aeb",
        "07ff4c0012020002",
        "1eff4c0012191096431f9ca2496a6825b31915412b6436d2f30933a0930386",
        "02010603025afd17165afd1161e9007c3a72bc5266b8cfc3000000a155116c",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap())
    .collect()
}

fn bench(c: &mut Criterion) {
    let classifier = Classifier::builtin();
    let ads = mix();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(ads.len() as u64));
    group.bench_function("street_mix", |b| {
        b.iter(|| {
            for ad in &ads {
                black_box(classifier.classify(black_box(ad)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
