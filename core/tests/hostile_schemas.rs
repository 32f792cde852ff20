//! T5: hostile schemas finish in bounded time. The bound asserted here (5 s) is deliberately
//! generous so it cannot flake; each test prints the real figure.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "test code: the hostile schemas are built with small counters; an overflow would fail the test"
)]

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
fn look_around_and_back_references_are_refused_not_run() {
    // Neither can be bounded on a backtracking engine (`^(?:a(?=a*b))*c` is quadratic under a
    // step limit): the schema is refused at the pattern, before any value is read.
    for pattern in ["^(a|a)*\\1$", "^(?:a(?=a*b))*c", "(?!x)y", "(?<=a)b"] {
        let errs = TableValidator::new(&row_schema(pattern)).unwrap_err().violations;
        assert_eq!(errs.len(), 1, "{pattern}: {errs:?}");
        assert_eq!((errs[0].path.as_str(), errs[0].code.as_str()), ("/properties/x/pattern", "invalid_schema"));
        assert!(errs[0].message.contains("look-around or a back-reference"), "{}", errs[0].message);
    }
}

#[test]
fn patterns_too_long_or_too_large_are_refused_before_compiling() {
    let long = "a".repeat(agentrules::table_bounds::MAX_PATTERN_BYTES + 1);
    let errs = timed("a 16 KiB + 1 pattern", || TableValidator::new(&row_schema(&long))).unwrap_err().violations;
    assert_eq!((errs[0].path.as_str(), errs[0].code.as_str()), ("/properties/x/pattern", "invalid_schema"));
    assert!(errs[0].message.contains("at most 16384"), "{}", errs[0].message);
    // 10 MB: refused by its length, not after gigabytes of compiling.
    let huge = "a".repeat(10 * 1024 * 1024);
    let schema = json!({"type": "object", "patternProperties": {huge: {}}});
    let errs = timed("a 10 MB patternProperties name", || TableValidator::new(&schema)).unwrap_err().violations;
    assert_eq!(errs[0].code.as_str(), "invalid_schema");
    assert!(errs[0].path.ends_with('…'), "the path names the key by an excerpt: {}", errs[0].path.len());
    // Short, but too large once compiled: said in plain words.
    let errs = TableValidator::new(&row_schema("(a{1000}){1000}")).unwrap_err().violations;
    assert_eq!(errs[0].code.as_str(), "invalid_schema");
    assert!(errs[0].message.contains("too large once compiled"), "{}", errs[0].message);
}

/// `{"$defs": {"d0": {"$ref": "#/$defs/d1"}, …, "d<n>": {"type": "integer"}}, …}` with the
/// row's `x` referring to `d0`.
fn ref_chain(n: usize) -> Value {
    let mut defs = serde_json::Map::new();
    for i in 0..n {
        defs.insert(format!("d{i}"), json!({"$ref": format!("#/$defs/d{}", i + 1)}));
    }
    defs.insert(format!("d{n}"), json!({"type": "integer"}));
    json!({"type": "object", "$defs": defs, "properties": {"x": {"$ref": "#/$defs/d0"}}})
}

#[test]
fn long_ref_chains_are_refused_at_their_start() {
    for n in [300, 10_000, 50_000] {
        let errs =
            timed(&format!("a chain of {n} $refs"), || TableValidator::new(&ref_chain(n))).unwrap_err().violations;
        assert_eq!(errs.len(), 1, "one violation for the whole chain: {errs:?}");
        assert_eq!((errs[0].path.as_str(), errs[0].code.as_str()), ("/properties/x/$ref", "invalid_schema"));
    }
    // Through the whole check (and the parser's own limits): one violation, in bounded time.
    let content = json!({"schema": ref_chain(50_000), "elements": [{"key": "k", "value": {"x": "s"}}]});
    let r = timed("check table, 50,000 $refs", || agentrules::check("table", &content.to_string(), None).unwrap());
    assert_eq!(r.violations.len(), 1, "{:?}", r.violations);
    assert_eq!(r.violations[0].path, "/schema/properties/x/$ref");
}

#[test]
fn the_deepest_chains_allowed_validate_without_overflowing_the_stack() {
    // Run on a 2 MiB test thread in a debug build: the smallest stack and the largest frames
    // any surface has (wasm has 1 MiB of stack but optimised frames).
    let depth = agentrules::table_bounds::MAX_SCHEMA_DEPTH;
    // A chain of references on one value, as long as allowed (the root and `x` are two more).
    let v = TableValidator::new(&ref_chain(depth - 3)).unwrap();
    assert!(TableValidator::new(&ref_chain(depth - 1)).is_err());
    let errs = timed("the longest reference chain allowed", || v.validate_value(&json!({"x": "s"})));
    assert_eq!(errs[0].code.as_str(), "schema_type");
    // A tree: recursion through `properties` is bounded by the value's own depth.
    let schema = json!({"type": "object", "$defs": {"n": {"type": "object", "properties": {"a": {"$ref": "#/$defs/n"}}}}, "properties": {"a": {"$ref": "#/$defs/n"}}});
    let v = TableValidator::new(&schema).unwrap();
    let mut value = json!(1);
    for _ in 0..126 {
        value = json!({"a": value});
    }
    let errs = timed("a 126-deep value through a recursive schema", || v.validate_value(&value));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code.as_str(), "schema_type");
}

#[test]
fn ref_cycles_that_never_descend_are_refused() {
    for schema in [
        json!({"type": "object", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "properties": {"x": {"$ref": "#/$defs/a"}}}),
        json!({"type": "object", "$ref": "#"}),
        json!({"type": "object", "$defs": {"a": {"$anchor": "A", "anyOf": [{"type": "string"}, {"$ref": "#A"}]}}, "properties": {"x": {"$ref": "#A"}}}),
    ] {
        let errs = TableValidator::new(&schema).unwrap_err().violations;
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].code.as_str(), "invalid_schema");
        assert!(errs[0].message.contains("back to itself"), "{}", errs[0].message);
    }
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
    // Capped: the first 1,000 and the marker.
    assert_eq!(errs.len(), agentrules::report::MAX_VIOLATIONS + 1);
    assert_eq!(errs.last().unwrap().code.as_str(), "too_many_violations");
}

#[test]
fn catastrophic_pattern_through_check() {
    let content =
        json!({"schema": row_schema("^(a+)+$"), "elements": [{"key": "k", "value": {"x": "a".repeat(50_000) + "!"}}]});
    let r = timed("check table with ^(a+)+$", || agentrules::check("table", &content.to_string(), None).unwrap());
    assert_eq!(r.violations.len(), 1);
}
