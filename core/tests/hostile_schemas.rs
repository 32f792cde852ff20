//! T5: hostile schemas finish in bounded time. The bound asserted here (5 s) is deliberately
//! generous so it cannot flake; each test prints the real figure.

use std::time::{Duration, Instant};

use agentrules::table::TableValidator;
use serde_json::{json, Value};

const BOUND: Duration = Duration::from_secs(5);

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!("{label}: {took:?}");
    assert!(took < BOUND, "{label} took {took:?}");
    out
}

fn row_schema(pattern: &str) -> Value {
    json!({"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}})
}

#[test]
fn nested_quantifier_pattern_on_a_long_non_matching_string() {
    let v = TableValidator::new(&row_schema("^(a+)+$")).unwrap();
    let value = json!({"x": format!("{}!", "a".repeat(100_000))});
    let errs = timed("^(a+)+$ on 100,000 chars", || v.validate_value(&value));
    assert_eq!(errs[0].code.as_str(), "schema_pattern");
}

#[test]
fn backtracking_pattern_hits_its_limit() {
    // A back-reference forces the backtracking engine; the limit stops it.
    let v = TableValidator::new(&row_schema("^(a|a)*\\1$")).unwrap();
    let value = json!({"x": format!("{}!", "a".repeat(30_000))});
    let errs = timed("^(a|a)*\\1$ on 30,000 chars", || v.validate_value(&value));
    assert_eq!(errs[0].code.as_str(), "schema_pattern");
}

#[test]
fn many_rows_against_a_hostile_pattern() {
    let v = TableValidator::new(&row_schema("^(\\w+\\s?)*$")).unwrap();
    let value = json!({"x": format!("{}!", "word ".repeat(2_000))});
    let rows: Vec<Value> = (0..200).map(|i| json!({"key": format!("r{i}"), "value": value})).collect();
    let errs = timed("^(\\w+\\s?)*$ over 200 rows", || v.validate_elements(&rows));
    assert_eq!(errs.len(), 200);
}

#[test]
fn deeply_nested_schema_and_instance() {
    // 120 levels: under the JSON parser's depth limit, so a document can really carry it.
    let mut schema = json!({"type": "integer"});
    let mut value = json!("deep");
    for _ in 0..120 {
        schema = json!({"type": "object", "properties": {"a": schema}});
        value = json!({"a": value});
    }
    let v = timed("compile a 120-deep schema", || TableValidator::new(&schema)).unwrap();
    let errs = timed("validate a 120-deep value", || v.validate_value(&value));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].path.matches("/a").count(), 120);
}

#[test]
fn wide_schema_with_many_patterns() {
    let props: serde_json::Map<String, Value> =
        (0..2_000).map(|i| (format!("p{i}"), json!({"type": "string", "pattern": format!("^(x{i}|y)+$")}))).collect();
    let schema = json!({"type": "object", "properties": props});
    let v = timed("compile 2,000 patterns", || TableValidator::new(&schema)).unwrap();
    let value: serde_json::Map<String, Value> = (0..2_000).map(|i| (format!("p{i}"), json!("zzz"))).collect();
    let errs = timed("validate 2,000 pattern properties", || v.validate_value(&Value::Object(value)));
    assert_eq!(errs.len(), 2_000);
}

#[test]
fn catastrophic_pattern_through_check() {
    let content =
        json!({"schema": row_schema("^(a+)+$"), "elements": [{"key": "k", "value": {"x": "a".repeat(50_000) + "!"}}]});
    let r = timed("check table with ^(a+)+$", || agentrules::check("table", &content.to_string(), None).unwrap());
    assert_eq!(r.violations.len(), 1);
}
