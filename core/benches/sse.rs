//! SSE decoding throughput on a 100 MB recorded-style stream of text deltas, pushed in 16 KiB
//! chunks (what a fetch body reader delivers), into owned items (`push_into`) and borrowed
//! (`push_with`, what the bindings use), and replay of a 100,000-event log.
//!
//! Run: `cargo bench -p agentrules --bench sse`
#![expect(
    missing_docs,
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    reason = "a benchmark over fixed inputs: a failure aborts the run, and `criterion_group!` generates an undocumented `pub fn`"
)]

use std::hint::black_box;

use agentrules::sse::{SseDecoder, SseSink};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

/// A recorded-style stream: text deltas of a run, with ids, until `size` bytes.
pub fn recorded_stream(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 512);
    let mut seq = 1u64;
    out.extend_from_slice(b"event: run.started\nid: 1\ndata: {\"runId\":\"run_1\",\"workItemId\":\"wi_1\",\"seq\":1,\"receipt\":{\"id\":\"rc_1\"}}\n\n");
    while out.len() < size {
        seq += 1;
        let line = format!(
            "event: text.delta\nid: {seq}\ndata: {{\"runId\":\"run_1\",\"workItemId\":\"wi_1\",\"seq\":{seq},\"receipt\":{{\"id\":\"rc_{seq}\"}},\"delta\":\"The stair detail on sheet A-501 meets the egress width \"}}\n\n"
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn bench(c: &mut Criterion) {
    let stream = recorded_stream(100 * 1024 * 1024);
    let mut g = c.benchmark_group("sse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("decode_100MB_16KiB_chunks", |b| {
        b.iter(|| {
            let mut d = SseDecoder::new();
            let mut items = Vec::new();
            let mut n = 0usize;
            for chunk in stream.chunks(16 * 1024) {
                d.push_into(black_box(chunk), &mut items).unwrap();
                n += items.len();
                items.clear();
            }
            n
        })
    });
    // The borrowing path the bindings use (`push_with`): no allocation per event.
    struct Lengths(usize);
    impl SseSink for Lengths {
        fn event(&mut self, event: &str, data: &str, id: &str) {
            self.0 += event.len() + data.len() + id.len();
        }
        fn retry(&mut self, _ms: u64) {}
    }
    g.bench_function("decode_100MB_16KiB_chunks_borrowed", |b| {
        b.iter(|| {
            let mut d = SseDecoder::new();
            let mut sink = Lengths(0);
            for chunk in stream.chunks(16 * 1024) {
                d.push_with(black_box(chunk), &mut sink).unwrap();
            }
            sink.0
        })
    });
    g.finish();

    let r = json!({"id": "rc"});
    let mut log: Vec<Value> =
        vec![json!({"type": "run.started", "runId": "r", "workItemId": "w", "seq": 1, "receipt": r})];
    for i in 2..100_000u64 {
        log.push(
            json!({"type": "text.delta", "runId": "r", "workItemId": "w", "seq": i, "receipt": r, "delta": "word "}),
        );
    }
    let log = Value::Array(log);
    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("100k_events", |b| b.iter(|| agentrules::run::replay(black_box(&log)).unwrap().events));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
