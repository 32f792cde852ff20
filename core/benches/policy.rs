//! Policy decisions (P2) and approval flows (P3): decisions per second over a 24-tool matrix
//! with every outcome represented (allow, approval, queued, each deny reason), and the
//! matrix's parse-and-validate time.
//!
//! Run: `cargo bench -p agentrules --bench policy` (`./scripts/bench` runs every benchmark).
#![expect(
    missing_docs,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "a benchmark over fixed inputs: a failure aborts the run, and `criterion_group!` generates an undocumented `pub fn`"
)]

use std::hint::black_box;

use agentrules::policy::{ApprovalEvent, ApprovalRequest, Decision, PolicyMatrix};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn matrix_json() -> String {
    let tiers = ["none", "user", "admin"];
    let offline = ["allow", "queue", "deny"];
    let tools: Vec<String> = (0..24)
        .map(|i| {
            format!(
                r#""tool_{i}": {{"maxCalls": {}, "approval": "{}", "offline": "{}", "roles": ["member", "admin"{}]}}"#,
                i % 5 + 1,
                tiers[i % 3],
                offline[i / 3 % 3],
                if i % 2 == 0 { r#", "viewer""# } else { "" }
            )
        })
        .collect();
    format!(
        r#"{{"tools": {{{}}}, "default": {{"maxCalls": 1, "approval": "admin", "offline": "deny", "roles": ["admin"]}}}}"#,
        tools.join(", ")
    )
}

/// 10,000 calls: tools (one in 25 unknown, taking the default), roles, call counts, online or not.
fn calls() -> Vec<(String, &'static str, u64, bool)> {
    let roles = ["member", "admin", "viewer", "guest"];
    (0..10_000usize).map(|i| (format!("tool_{}", i % 25), roles[i % 4], (i % 7) as u64, i % 3 != 0)).collect()
}

fn bench(c: &mut Criterion) {
    let text = matrix_json();
    let matrix = PolicyMatrix::from_json(&text).unwrap();
    let calls = calls();
    let mut g = c.benchmark_group("policy");
    g.bench_function("parse_24_tool_matrix", |b| b.iter(|| PolicyMatrix::from_json(black_box(&text))));
    g.throughput(Throughput::Elements(calls.len() as u64));
    g.bench_function("decide_10k_calls", |b| {
        b.iter(|| {
            calls
                .iter()
                .filter(|(tool, role, made, online)| {
                    matches!(matrix.decide(black_box(tool), role, *made, *online), Decision::Allow)
                })
                .count()
        })
    });
    let policy = matrix.policy("tool_2").unwrap().clone();
    let approve = ApprovalEvent::Approve { role: "admin".into() };
    g.throughput(Throughput::Elements(1));
    g.bench_function("approval_request_to_approved", |b| {
        b.iter(|| {
            let mut r = ApprovalRequest::new(black_box(&policy));
            r.apply(black_box(&approve))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
