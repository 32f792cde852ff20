//! Table validation: a 10-column schema over 100,000 rows through `TableValidator`, the same
//! rows through the raw `jsonschema` crate in the same run (so the wrapper's overhead is a
//! ratio), the same rows from JSON text (the full check against the tape fast path), and the
//! schema's compile time.
//!
//! Run: `cargo bench -p agentrules --bench table`
#![expect(
    missing_docs,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a benchmark over fixed inputs: a failure aborts the run, and `criterion_group!` generates an undocumented `pub fn`"
)]

use std::hint::black_box;

use agentrules::table::TableValidator;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

const ROWS: usize = 100_000;

/// The 10-column schema, shared with the Python bench (`bindings-python/bench/peers.py`) and the Node bench (`bindings-wasm/bench/peers.mjs`) so both
/// compare on the same schema.
fn schema() -> Value {
    serde_json::from_str(include_str!("data/table-schema.json")).unwrap()
}

fn rows() -> Vec<Value> {
    (0..ROWS)
        .map(|i| {
            let severity = ["low", "medium", "high", "critical"][i % 4];
            json!({"key": format!("row-{i}"), "value": {
                "id": i + 1,
                "issue": format!("Missing fire rating on wall assembly {i}"),
                "severity": severity,
                "sheet": format!("A-{:03}", i % 1000),
                "discipline": "architectural",
                "count": i % 1000,
                "resolved": i % 2 == 0,
                "cost": (i as f64) * 1.5,
                "tags": ["fire", "egress"],
                "note": if i % 3 == 0 { Value::Null } else { json!("see detail 4") }
            }})
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let schema = schema();
    let rows = rows();
    let values: Vec<&Value> = rows.iter().map(|r| &r["value"]).collect();
    let ours = TableValidator::new(&schema).unwrap();
    let raw = jsonschema::options().build(&schema).unwrap();
    assert!(ours.validate_elements(&rows).is_empty());

    let mut g = c.benchmark_group("table");
    g.bench_function("compile_10_columns/agentrules", |b| b.iter(|| TableValidator::new(black_box(&schema))));
    g.bench_function("compile_10_columns/jsonschema", |b| b.iter(|| jsonschema::options().build(black_box(&schema))));

    g.sample_size(10);
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("100k_rows/agentrules_validate_elements", |b| b.iter(|| ours.validate_elements(black_box(&rows))));
    g.bench_function("100k_rows/jsonschema_iter_errors", |b| {
        b.iter(|| values.iter().map(|v| raw.iter_errors(black_box(v)).count()).sum::<usize>())
    });
    g.bench_function("100k_rows/agentrules_is_valid", |b| {
        b.iter(|| values.iter().filter(|v| ours.is_valid(black_box(v))).count())
    });
    g.bench_function("100k_rows/jsonschema_is_valid", |b| {
        b.iter(|| values.iter().filter(|v| raw.is_valid(black_box(v))).count())
    });
    // From JSON text, as a binding receives rows: read into `Value` and validated (the full
    // check), against the tape fast path (`proves_elements_valid`).
    let text = serde_json::to_vec(&rows).unwrap();
    assert!(ours.proves_elements_valid(&text));
    g.bench_function("100k_rows/agentrules_json_text_full", |b| {
        b.iter(|| {
            ours.validate_elements_value(&agentrules::json::parse_bytes(black_box(&text)).unwrap()).unwrap().len()
        })
    });
    g.bench_function("100k_rows/agentrules_json_text_tape", |b| {
        b.iter(|| ours.proves_elements_valid(black_box(&text)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
