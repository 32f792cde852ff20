//! Launch-check benchmarks: a typical request, one with many violations, and one with four
//! 20 MiB images (from text, so JSON parsing is included, and from a parsed value, which is the
//! rules' own cost).
//!
//! Run: `cargo bench -p agentrules --bench launch`

use std::hint::black_box;

use agentrules::{check, check_value, Context, Kind};
use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const TYPICAL: &str = r#"{
  "prompt": {
    "text": "Check whether this stair detail meets egress requirements.",
    "images": [{ "media_type": "image/jpeg", "data": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==" }]
  },
  "fileIds": ["019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01", "019aaa01-5c1e-7a3b-9f10-2b6c8d4e0a02"],
  "capabilities": { "codeSearch": { "jurisdiction": "California" }, "webSearch": true },
  "projectId": "019bbb00-5c1e-7a3b-9f10-2b6c8d4e0a20"
}"#;

const MANY: &str = r#"{
  "prompt": { "text": " ", "images": [1, {"media_type": "image/bmp", "data": "data:x"}, {}, {"x": 1}, "y"] },
  "fileIds": ["a", "b", "a"],
  "capabilities": { "imageGen": true },
  "projectId": "p",
  "model": "m", "mode": "fast", "workflowID": "w"
}"#;

fn four_large_images() -> String {
    let mut bytes = vec![0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.resize(20 * 1024 * 1024, 0);
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let one = format!(r#"{{"media_type":"image/png","data":"{data}"}}"#);
    format!(r#"{{"prompt":{{"text":"compare","images":[{one},{one},{one},{one}]}}}}"#)
}

fn bench(c: &mut Criterion) {
    let ctx = Context::default();
    let mut g = c.benchmark_group("launch");

    let typical: serde_json::Value = serde_json::from_str(TYPICAL).unwrap();
    g.bench_function("typical/text", |b| b.iter(|| check("launch", black_box(TYPICAL), None)));
    g.bench_function("typical/value", |b| b.iter(|| check_value(Kind::Launch, black_box(&typical), &ctx)));

    let many: serde_json::Value = serde_json::from_str(MANY).unwrap();
    let n = check_value(Kind::Launch, &many, &ctx).violations.len();
    assert!(n >= 15, "the many-violations body yields {n}");
    g.bench_function("many_violations/value", |b| b.iter(|| check_value(Kind::Launch, black_box(&many), &ctx)));

    let large = four_large_images();
    let large_value: serde_json::Value = serde_json::from_str(&large).unwrap();
    g.sample_size(10);
    g.throughput(Throughput::Bytes(large.len() as u64));
    g.bench_function("four_20MiB_images/text", |b| b.iter(|| check("launch", black_box(&large), None)));
    g.bench_function("four_20MiB_images/value", |b| {
        b.iter(|| check_value(Kind::Launch, black_box(&large_value), &ctx))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
