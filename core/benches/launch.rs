//! Launch-check benchmarks: a typical request and one with many violations (from text, so JSON
//! parsing is included, and from a parsed value, the rules' own cost), one 20 MiB image beside
//! the machine's read floor over the same bytes, and four 20 MiB images.
//!
//! Run: `cargo bench -p agentrules --bench launch` (`./scripts/bench` runs every benchmark).
#![expect(
    missing_docs,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark over fixed inputs: a failure aborts the run, and `criterion_group!` generates an undocumented `pub fn`"
)]

use std::hint::black_box;

use agentrules::{check, check_value, Context, Kind};
use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The inputs shared with the Node and Python benches (`core/benches/data/`).
const TYPICAL: &str = include_str!("data/launch-typical.json");
const MANY: &str = include_str!("data/launch-many.json");

/// One image of exactly 20 MiB (a PNG signature, then zeros) as a prompt image object.
fn image_20mib() -> String {
    let mut bytes = vec![0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.resize(20 * 1024 * 1024, 0);
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    format!(r#"{{"media_type":"image/png","data":"{data}"}}"#)
}

fn bench(c: &mut Criterion) {
    let ctx = Context::default();
    let mut g = c.benchmark_group("launch");

    let typical: serde_json::Value = serde_json::from_str(TYPICAL).unwrap();
    assert!(check_value(Kind::Launch, &typical, &ctx).ok);
    g.bench_function("typical/text", |b| b.iter(|| check("launch", black_box(TYPICAL), None)));
    g.bench_function("typical/value", |b| b.iter(|| check_value(Kind::Launch, black_box(&typical), &ctx)));

    let many: serde_json::Value = serde_json::from_str(MANY).unwrap();
    let n = check_value(Kind::Launch, &many, &ctx).violations.len();
    assert!(n >= 15, "the many-violations body yields {n}");
    g.bench_function("many_violations/text", |b| b.iter(|| check("launch", black_box(MANY), None)));
    g.bench_function("many_violations/value", |b| b.iter(|| check_value(Kind::Launch, black_box(&many), &ctx)));
    g.finish();

    // A 20 MiB image is 27,962,028 characters of base64: every one is read (R-rules: valid
    // base64, its decoded length, the signature). The floor is one memchr over the same text (a
    // byte that is not there): the machine's read bandwidth, which no check can beat.
    let one = image_20mib();
    let one_body = format!(r#"{{"prompt":{{"text":"compare","images":[{one}]}}}}"#);
    let one_value: serde_json::Value = serde_json::from_str(&one_body).unwrap();
    assert!(check_value(Kind::Launch, &one_value, &ctx).ok);
    let data = one_value["prompt"]["images"][0]["data"].as_str().unwrap().to_owned();
    let mut g = c.benchmark_group("image");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("one_20MiB_image/launch_value", |b| {
        b.iter(|| check_value(Kind::Launch, black_box(&one_value), &ctx))
    });
    g.bench_function("one_20MiB_image/read_floor_memchr", |b| {
        b.iter(|| memchr::memchr(b'!', black_box(data.as_bytes())))
    });
    g.finish();

    let four = format!(r#"{{"prompt":{{"text":"compare","images":[{one},{one},{one},{one}]}}}}"#);
    let four_value: serde_json::Value = serde_json::from_str(&four).unwrap();
    assert!(check_value(Kind::Launch, &four_value, &ctx).ok);
    let mut g = c.benchmark_group("launch");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(four.len() as u64));
    g.bench_function("four_20MiB_images/text", |b| b.iter(|| check("launch", black_box(&four), None)));
    g.bench_function("four_20MiB_images/value", |b| b.iter(|| check_value(Kind::Launch, black_box(&four_value), &ctx)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
