//! "No panic on any input", exercised: every value at every path of every corpus input is
//! replaced by each value of a hostile set, and every kind checks the result. Each check must
//! return a report whose `ok` agrees with its violations and whose paths are JSON Pointers.

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;
#[path = "../../tests/support/pointers.rs"]
mod pointers;

use agentrules::{check_value, Context, Kind};
use serde_json::{json, Value};

/// The most paths of one corpus input that are mutated.
const MAX_PATHS_PER_CASE: usize = 150;

fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e308),
        json!(u64::MAX),
        json!(""),
        json!(" "),
        json!("data:"),
        json!("====="),
        json!("\u{0}\u{feff}é"),
        json!([]),
        json!({}),
        json!([null, 1, "a"]),
        json!({"~/": {"": []}}),
    ]
}

#[test]
fn every_kind_survives_every_mutation() {
    let kinds: Vec<Kind> = Kind::ALL.iter().map(|(k, _)| *k).collect();
    let ctx = Context::from_json(
        r#"{"workflow": {"id": "019def34-0000-7000-8000-000000000010", "slots": [{"name": "A", "multiple": true}, {"name": "A"}, {"name": "B", "required": false}]}, "entitlements": []}"#,
    )
    .unwrap();
    let mut checks = 0usize;
    for case in corpus::load() {
        let Some(input) = case.value.get("input") else { continue };
        let mut ptrs = Vec::new();
        pointers::pointers(input, String::new(), &mut ptrs);
        // The few large inputs of the corpus (a 1,001-item list, a 300-link $ref chain) are
        // mutated at an even sample of their paths: every path of them would be most of the
        // run (each mutation is checked 48 times) and adds no new shape.
        let step = ptrs.len().div_ceil(MAX_PATHS_PER_CASE);
        for p in ptrs.into_iter().step_by(step.max(1)) {
            for r in replacements() {
                let mut doc = input.clone();
                match doc.pointer_mut(&p) {
                    Some(slot) => *slot = r,
                    None => continue,
                }
                for kind in &kinds {
                    for c in [&Context::default(), &ctx] {
                        let report = check_value(*kind, &doc, c);
                        checks += 1;
                        assert_eq!(report.ok, report.violations.is_empty());
                        for v in &report.violations {
                            assert!(v.path.is_empty() || v.path.starts_with('/'), "{}", v.path);
                            assert!(!v.message.is_empty());
                        }
                    }
                }
            }
        }
    }
    assert!(checks > 10_000, "only {checks} checks ran");
    println!("{checks} mutated checks, no panic");
}

#[test]
fn deep_nesting_and_huge_numbers_are_reports() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let r = agentrules::check("launch", &deep, None).unwrap();
    assert_eq!(r.violations[0].code, agentrules::Code::InvalidJson);
    let r = agentrules::check("list-query", r#"{"limit": 1e999}"#, None).unwrap();
    assert!(!r.ok);
    let r = agentrules::check("list-query", r#"{"limit": 18446744073709551616}"#, None).unwrap();
    assert!(!r.ok);
}
