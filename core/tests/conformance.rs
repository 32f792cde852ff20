//! Runs every conformance case through the core, and checks that every rule id of the
//! implemented sections of RULES.md has at least one case.

#[path = "../../tests/support/corpus.rs"]
mod corpus;

use agentrules::{check, ops};
use serde_json::Value;

#[test]
fn every_case_passes_through_the_core() {
    let cases = corpus::load();
    assert!(!cases.is_empty(), "no cases found in {}", corpus::dir().display());
    let mut failures = Vec::new();
    let (mut passed, mut validation, mut op_cases) = (0usize, 0usize, 0usize);
    for case in &cases {
        let outcome = if let Some(kind) = case.kind() {
            validation += 1;
            match check(kind, &case.input_text(), case.context_text().as_deref()) {
                Ok(report) => {
                    let v = serde_json::to_value(&report).unwrap_or(Value::Null);
                    corpus::compare_report(case, &v)
                }
                Err(e) => Err(format!("check failed: {e}")),
            }
        } else if let Some(op) = case.op() {
            op_cases += 1;
            match ops::evaluate(op, &case.value["args"]) {
                Ok(result) => corpus::compare_op(case, &result),
                Err(e) => Err(format!("op failed: {e}")),
            }
        } else {
            Err("a case needs `kind` or `op`".to_string())
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{}\n   {e}", case.label())),
        }
    }
    println!("conformance: {passed} passed, {} failed ({validation} validation, {op_cases} op cases)", failures.len());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// DESIGN.md principle 2: lowercase start, no trailing period, no Rust type names.
#[test]
fn messages_follow_the_house_style() {
    let mut bad = Vec::new();
    for case in corpus::load() {
        let Some(kind) = case.kind() else { continue };
        let Ok(report) = check(kind, &case.input_text(), case.context_text().as_deref()) else { continue };
        for v in report.violations {
            let m = &v.message;
            let first = m.chars().next().unwrap_or('?');
            let rust_words = ["::", "Value", "String", "Option", "Vec<", "serde", "unwrap"];
            if first.is_uppercase() || m.ends_with('.') || rust_words.iter().any(|w| m.contains(w)) || m.len() > 300 {
                bad.push(format!("{}: {m:?}", case.label()));
            }
        }
    }
    assert!(bad.is_empty(), "messages out of style:\n{}", bad.join("\n"));
}

#[test]
fn every_rule_id_of_the_implemented_sections_has_a_case() {
    let mut ids = corpus::rule_ids(&corpus::rules_md(), &corpus::IMPLEMENTED_SECTIONS);
    assert!(ids.len() >= 30, "RULES.md parsing found only {ids:?}");
    let ours = corpus::rule_ids(&corpus::docs_rules_md(), &corpus::DOCS_SECTIONS);
    assert!(ours.len() >= 17, "docs/rules.md parsing found only {ours:?}");
    ids.extend(ours);
    let covered: std::collections::BTreeSet<String> =
        corpus::load().iter().filter_map(|c| c.value.get("rule").and_then(Value::as_str).map(str::to_owned)).collect();
    let missing: Vec<&String> = ids.iter().filter(|id| !covered.contains(*id)).collect();
    assert!(missing.is_empty(), "rule ids without a conformance case: {missing:?}");
}
