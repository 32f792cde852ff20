//! The tape fast path of table rows (`TableValidator::proves_elements_valid`) against the full
//! check (`json::parse_bytes`, then `validate_elements_value`), on the corpus's tables, on
//! random mutations of their rows, and on JSON texts that the two readers could read apart
//! (repeated names, escapes, numbers, depth, encodings). It may answer "not proven" for valid
//! rows only where its docs say (an object of more than 64 members); "proven" must always mean
//! that the full check has no violation. `json_schema_suite.rs` compares the two on every
//! keyword of the official suite.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code (proptest strategies and helpers outside `#[test]`): a failure panics, which fails the test"
)]

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use agentrules::json::parse_bytes;
use agentrules::table::{TableOptions, TableValidator};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Whether the full check finds no violation in `bytes` (`None`: it refuses them outright).
fn full(v: &TableValidator, bytes: &[u8]) -> Option<bool> {
    let rows = parse_bytes(bytes).ok()?;
    Some(v.validate_elements_value(&rows).is_ok_and(|vs| vs.is_empty()))
}

/// The fast path agrees with the full check on `bytes`: proven exactly when the full check is
/// clean (`strict`), or at least never proven when it is not.
fn agree(v: &TableValidator, bytes: &[u8], strict: bool) -> Result<(), String> {
    let fast = v.proves_elements_valid(bytes);
    let full = full(v, bytes);
    let ok = if strict { fast == (full == Some(true)) } else { !fast || full == Some(true) };
    if ok {
        Ok(())
    } else {
        Err(format!("{}: fast path {fast}, full check {full:?}", String::from_utf8_lossy(bytes)))
    }
}

/// The corpus's tables (schema and elements), each schema compiled as the table check does.
fn corpus_tables() -> &'static [(TableValidator, Value)] {
    static TABLES: std::sync::OnceLock<Vec<(TableValidator, Value)>> = std::sync::OnceLock::new();
    TABLES.get_or_init(read_corpus_tables)
}

fn read_corpus_tables() -> Vec<(TableValidator, Value)> {
    let mut out = Vec::new();
    for case in corpus::load() {
        if case.kind() != Some("table") {
            continue;
        }
        let Some(input) = case.value.get("input") else { continue };
        let (Some(schema), Some(elements)) = (input.get("schema"), input.get("elements")) else { continue };
        if let Ok(v) = TableValidator::new(schema) {
            out.push((v, elements.clone()));
        }
    }
    out
}

#[test]
fn the_corpus_tables_agree_and_their_valid_rows_are_proven() {
    let tables = corpus_tables();
    assert!(tables.len() >= 20, "only {} corpus tables", tables.len());
    let mut proven = 0;
    for (v, elements) in tables {
        let text = serde_json::to_vec(elements).unwrap();
        agree(v, &text, true).unwrap();
        proven += usize::from(v.proves_elements_valid(&text));
    }
    assert!(proven >= 5, "the fast path proved only {proven} corpus tables valid");
}

#[test]
fn texts_the_readers_could_read_apart() {
    let any =
        TableValidator::with_options(&json!({}), &TableOptions { require_object_root: false, ..Default::default() })
            .unwrap();
    let typed = TableValidator::new(&json!({
        "type": "object",
        "properties": {"n": {"type": "integer", "maximum": 10}, "s": {"type": "string", "maxLength": 3}, "a": {"uniqueItems": true}},
        "additionalProperties": false
    }))
    .unwrap();
    let deep = |n: usize| format!(r#"[{{"key": "k", "value": {}{}}}]"#, "[".repeat(n), "]".repeat(n));
    let wide = |n: usize| {
        let members: Vec<String> = (0..n).map(|i| format!(r#""m{i}": {i}"#)).collect();
        format!(r#"[{{"key": "k", "value": {{{}}}}}]"#, members.join(", "))
    };
    let texts: Vec<Vec<u8>> = [
        r#"[]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 1}}, {"key": "b", "value": {"s": "abc"}}]"#.to_string(),
        // Repeated names, at every level, also through escapes.
        r#"[{"key": "a", "key": "b", "value": {}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 1, "n": 2}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 1, "\u006e": 20}}]"#.to_string(),
        r#"[{"key": "a", "value": {"s": "x", "\u0073": "long"}}]"#.to_string(),
        // Keys: blank, repeated, not text, missing; a missing value.
        r#"[{"key": " ", "value": {}}]"#.to_string(),
        r#"[{"key": "a", "value": {}}, {"key": "a", "value": {}}]"#.to_string(),
        r#"[{"key": "a", "value": {}}, {"key": "\u0061", "value": {}}]"#.to_string(),
        r#"[{"key": 1, "value": {}}]"#.to_string(),
        r#"[{"value": {}}]"#.to_string(),
        r#"[{"key": "a"}]"#.to_string(),
        r#"[{"key": "a", "value": {}, "note": "extra"}]"#.to_string(),
        r#"[1, {"key": "a", "value": {}}]"#.to_string(),
        r#"{"key": "a", "value": {}}"#.to_string(),
        // Escapes and Unicode in strings (maxLength counts code points).
        r#"[{"key": "a", "value": {"s": "\u00e9\u00e9\u00e9"}}]"#.to_string(),
        r#"[{"key": "a", "value": {"s": "\ud83e\udd80\ud83e\udd80"}}]"#.to_string(),
        r#"[{"key": "a", "value": {"s": "\ud800"}}]"#.to_string(),
        r#"[{"key": "a", "value": {"s": "a\"\\"}}]"#.to_string(),
        // Numbers: integer-valued floats, exponents, bounds, too large for a double.
        r#"[{"key": "a", "value": {"n": 10.0}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 1e1}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 1e999}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": -0}}]"#.to_string(),
        r#"[{"key": "a", "value": {"n": 18446744073709551616}}]"#.to_string(),
        r#"[{"key": "a", "value": {"a": [1, 1.0]}}]"#.to_string(),
        r#"[{"key": "a", "value": {"a": [{"x": 1, "y": 2}, {"y": 2, "x": 1}]}}]"#.to_string(),
        // Not JSON, or more than one value.
        r#"[{"key": "a", "value": {}}"#.to_string(),
        r#"[{"key": "a", "value": {}}] []"#.to_string(),
        "\u{feff}[]".to_string(),
        r#"[{"key": "a", "value": {},}]"#.to_string(),
        // Depth at serde_json's limit and past it; wide objects (past the tape's 64 members).
        deep(120),
        deep(126),
        deep(127),
        deep(200),
        wide(64),
        wide(65),
    ]
    .into_iter()
    .map(String::into_bytes)
    .chain([b"[{\"key\": \"a\", \"value\": {\"s\": \"\xff\"}}]".to_vec()])
    .collect();
    for text in &texts {
        // Strict where the docs promise a proof: everything but objects past 64 members.
        let strict = !text.starts_with(wide(65).as_bytes());
        agree(&any, text, strict).unwrap();
        agree(&typed, text, strict).unwrap();
    }
    assert!(any.proves_elements_valid(deep(120).as_bytes()));
    assert!(!any.proves_elements_valid(wide(65).as_bytes()), "an object past 64 members is left to the full check");
}

/// A mutation of a table's elements: the value at `path` (indexes taken modulo each
/// container's size) replaced, or removed from its container.
fn mutate(v: &mut Value, path: &[usize], replacement: &Value, remove: bool) {
    let Some((&n, rest)) = path.split_first() else {
        *v = replacement.clone();
        return;
    };
    match v {
        Value::Array(items) if !items.is_empty() => {
            let i = n % items.len();
            if rest.is_empty() && remove {
                items.remove(i);
            } else {
                mutate(&mut items[i], rest, replacement, remove);
            }
        }
        Value::Object(members) if !members.is_empty() => {
            let key = members.keys().nth(n % members.len()).unwrap().clone();
            if rest.is_empty() && remove {
                members.shift_remove(&key);
            } else {
                mutate(members.get_mut(&key).unwrap(), rest, replacement, remove);
            }
        }
        _ => *v = replacement.clone(),
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1.5),
        json!(1e300),
        json!(""),
        json!(" "),
        json!("Missing fire rating"),
        json!("row-1"),
        json!([]),
        json!([1, 1]),
        json!({}),
        json!({"key": "row-1", "value": {}}),
        json!({"key": "row-9", "value": {"issue": "x"}}),
        json!({"issue": 3}),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]
    #[test]
    fn mutated_corpus_rows_agree(
        table in any::<prop::sample::Index>(),
        path in prop::collection::vec(0usize..8, 1..5),
        with in replacement(),
        remove in any::<bool>(),
    ) {
        let tables = corpus_tables();
        let (v, elements) = &tables[table.index(tables.len())];
        let mut rows = elements.clone();
        mutate(&mut rows, &path, &with, remove);
        let text = serde_json::to_vec(&rows).unwrap();
        agree(v, &text, true).map_err(TestCaseError::fail)?;
    }
}
