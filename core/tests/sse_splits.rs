//! R2's incrementality: every SSE case of the corpus decodes to the same items whole, byte by
//! byte and split at every offset; and memory stays bounded.

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use agentrules::ops::evaluate;
use agentrules::sse::{SseDecoder, SseError, SseLimits};
use serde_json::{json, Value};

#[test]
fn every_sse_case_at_every_split() {
    let mut runs = 0usize;
    let mut failures = Vec::new();
    for case in corpus::load().iter().filter(|c| c.op() == Some("sse_decode")) {
        let args = &case.value["args"];
        let total: usize = evaluate("sse_decode", &json!({"chunks": args["chunks"], "split": "whole"}))
            .ok()
            .and_then(|_| {
                let chunks = args["chunks"].as_array()?;
                Some(
                    chunks
                        .iter()
                        .map(|c| c.as_str().map_or_else(|| c["hex"].as_str().unwrap_or("").len() / 2, str::len))
                        .sum(),
                )
            })
            .unwrap_or(0);
        let mut splits: Vec<Value> = vec![json!("whole"), json!("bytes")];
        splits.extend((0..=total).map(|i| json!(i)));
        for split in splits {
            let mut a = args.clone();
            a["split"] = split.clone();
            let got = evaluate("sse_decode", &a).unwrap();
            runs += 1;
            if !corpus::matches(&case.value["expect"], &got) {
                failures.push(format!("{} (split {split}): got {got}", case.label()));
            }
        }
    }
    println!("sse: {runs} decodes, {} failed", failures.len());
    assert!(runs > 500, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_line_longer_than_the_limit_is_an_error_not_a_buffer() {
    let mut d = SseDecoder::with_limits(SseLimits { max_line_bytes: 1024, max_event_bytes: 4096 });
    assert!(d.push(&[b'x'; 1000]).is_ok());
    assert_eq!(d.push(&[b'x'; 100]), Err(SseError::LineTooLong { limit: 1024 }));
    assert_eq!(d.push(b"\n\n"), Err(SseError::LineTooLong { limit: 1024 }), "a failed decoder refuses more input");
    let mut d = SseDecoder::with_limits(SseLimits { max_line_bytes: 1024, max_event_bytes: 4096 });
    let line = format!("data: {}\n", "y".repeat(1000));
    let err = (0..10).map(|_| d.push(line.as_bytes())).find_map(Result::err);
    assert_eq!(err, Some(SseError::EventTooLarge { limit: 4096 }));
}

#[test]
fn replay_matches_the_golden_bytes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("run-log.json")).unwrap()).unwrap();
    let golden = std::fs::read_to_string(dir.join("run-state.json")).unwrap();
    let state = agentrules::run::replay(&log).unwrap();
    assert_eq!(serde_json::to_string(&state).unwrap(), golden);
}
