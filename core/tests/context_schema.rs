//! The context document's JSON Schema (`agentrules::context::context_schema`, written to
//! `schemas/context.schema.json` and turned into the bindings' context types) against the
//! reader that decides (`Context::from_value`), on every context in the conformance corpus and
//! on each member given a value of the wrong type: a context the reader accepts is valid by the
//! schema, and one the schema refuses is refused by the reader.
#![expect(clippy::unwrap_used, reason = "test helpers: a failure panics, which fails the test")]

use std::path::Path;

use agentrules::context::context_schema;
use agentrules::table::{TableOptions, TableValidator};
use agentrules::Context;
use serde_json::{json, Value};

fn corpus_contexts() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for case in cases.as_array().unwrap() {
            let name = case["name"].as_str().unwrap_or_default().to_string();
            if let Some(ctx) = case.get("context") {
                out.push((name.clone(), ctx.clone()));
            }
            if case["kind"] == "context" {
                if let Some(input) = case.get("input") {
                    out.push((name, input.clone()));
                }
            }
        }
    }
    out
}

fn schema() -> TableValidator {
    TableValidator::with_options(&context_schema(), &TableOptions { require_object_root: false, ..Default::default() })
        .unwrap()
}

#[test]
fn the_reader_and_the_schema_agree_on_the_corpus() {
    let schema = schema();
    let contexts = corpus_contexts();
    assert!(contexts.len() >= 20, "the corpus has contexts: {}", contexts.len());
    let mut refused = 0;
    for (name, ctx) in &contexts {
        let read = Context::from_value(ctx);
        let valid = schema.is_valid(ctx);
        if read.is_ok() {
            assert!(valid, "{name}: the reader accepts {ctx}, the schema does not: {:?}", schema.validate_value(ctx));
        }
        if !valid {
            refused += 1;
            assert!(read.is_err(), "{name}: the schema refuses {ctx}, the reader accepts it");
        }
    }
    assert!(refused > 0, "the corpus has contexts the schema refuses");
}

#[test]
fn every_member_of_the_wrong_type_or_unknown_is_refused_by_both() {
    let schema = schema();
    let cases = [
        json!({"workflow": []}),
        json!({"workflow": {"id": 7}}),
        json!({"workflow": {"slots": {}}}),
        json!({"workflow": {"slots": [{"multiple": true}]}}),
        json!({"workflow": {"slots": [{"name": "a", "multiple": "yes"}]}}),
        json!({"workflow": {"slots": [{"name": "a", "required": 1}]}}),
        json!({"workflow": {"slots": [{"name": "a", "optional": true}]}}),
        json!({"workflow": {"name": "x"}}),
        json!({"entitlements": "webSearch"}),
        json!({"entitlements": [1]}),
        json!({"limits": {"maxImages": 5}}),
        json!({"limits": {"maxImages": 0}}),
        json!({"limits": {"maxImageBytes": 20_971_521}}),
        json!({"limits": {"maxListLimit": 101}}),
        json!({"limits": {"maxDocumentBytes": "1"}}),
        json!({"limits": {"maxPages": 1}}),
        json!({"marketplace": {"allow": "acme/*"}}),
        json!({"marketplace": {"deny": [1]}}),
        json!({"marketplace": {"prerequisites": {"acme/a": "webSearch"}}}),
        json!({"marketplace": {"block": []}}),
        json!({"workflow": null}),
        json!({"limits": null}),
        json!({"extra": 1}),
        json!([]),
    ];
    for ctx in cases {
        assert!(Context::from_value(&ctx).is_err(), "the reader accepts {ctx}");
        assert!(!schema.is_valid(&ctx), "the schema accepts {ctx}");
    }
    let full = json!({
        "workflow": {"id": "019def34-0000-7000-8000-000000000010", "slots": [{"name": "A", "multiple": true, "required": false}]},
        "entitlements": ["webSearch"],
        "limits": {"maxImages": 1, "maxImageBytes": 1, "maxListLimit": 1, "maxDocumentBytes": 1},
        "marketplace": {"allow": ["*"], "deny": ["acme/legacy"], "prerequisites": {"acme/search": ["codeSearch"]}}
    });
    assert!(Context::from_value(&full).is_ok());
    assert!(schema.is_valid(&full), "{:?}", schema.validate_value(&full));
}
