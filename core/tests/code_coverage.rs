//! Every violation code has a conformance case that produces it: the whole corpus is run
//! through the core and every `code` (or a decision's `reason`) found in a report or an op answer
//! is collected. A code no case produces fails here (a rule without a case does not exist).

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use std::collections::BTreeSet;

use agentrules::{check, ops, Code};
use serde_json::Value;

fn collect_codes(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("code" | "reason", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => collect_codes(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_codes(x, out)),
        _ => {}
    }
}

#[test]
fn every_code_is_produced_by_a_corpus_case() {
    let mut produced = BTreeSet::new();
    for case in corpus::load() {
        if let Some(kind) = case.kind() {
            if let Ok(report) = check(kind, &case.input_text(), case.context_text().as_deref()) {
                collect_codes(&serde_json::to_value(&report).unwrap_or(Value::Null), &mut produced);
            }
        } else if let Some(op) = case.op() {
            if let Ok(answer) = ops::evaluate(op, &case.value["args"]) {
                collect_codes(&answer, &mut produced);
            }
        }
    }
    let missing: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).filter(|c| !produced.contains(*c)).collect();
    assert!(missing.is_empty(), "codes no conformance case produces: {missing:?}");
}
