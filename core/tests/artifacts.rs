//! Generated artifacts stay in step with the code: the code list that bindings check for drift,
//! and the JSON Schemas of the request bodies. Regenerate with `./scripts/gen-schemas`.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers (outside `#[test]`, which clippy.toml covers): a failure panics, which fails the test"
)]

use std::path::Path;

use agentrules::{Code, RefusalKind};

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}; run ./scripts/gen-schemas", p.display()))
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

#[test]
fn code_list_matches_the_enum() {
    let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let listed: serde_json::Value = serde_json::from_str(&read("schemas/codes.json")).unwrap();
    assert_eq!(
        listed,
        serde_json::to_value(Code::catalogue()).unwrap(),
        "schemas/codes.json is stale: run ./scripts/gen-schemas"
    );
    // Every code is snake_case: frontends key translations on them.
    for n in names {
        assert!(n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{n}");
    }
}

#[test]
fn the_code_table_is_fresh() {
    assert_eq!(read("docs/codes.md"), Code::catalogue_markdown(), "docs/codes.md is stale: run ./scripts/gen-schemas");
}

#[test]
fn refusal_list_matches_the_enum() {
    let listed: Vec<serde_json::Value> = serde_json::from_str(&read("schemas/refusals.json")).unwrap();
    let kinds: Vec<&str> = listed.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    let names: Vec<&str> = RefusalKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, names, "schemas/refusals.json is stale: run ./scripts/gen-schemas");
    for k in RefusalKind::ALL {
        assert_eq!(RefusalKind::from_name(k.as_str()), Some(*k));
        assert!(!k.description().is_empty(), "{k} has no description");
    }
    // The generated JS and Python lists are written from the same file by the same script.
    let js = read("bindings-wasm/js/refusals.js");
    let py = read("bindings-python/python/agentrules/_refusals.py");
    for n in &names {
        assert!(js.contains(&format!("\"{n}\"")), "bindings-wasm/js/refusals.js lacks {n}: run ./scripts/gen-schemas");
        assert!(py.contains(&format!("\"{n}\"")), "_refusals.py lacks {n}: run ./scripts/gen-schemas");
    }
}

#[test]
fn op_list_matches_the_registry() {
    let listed: Vec<serde_json::Value> = serde_json::from_str(&read("schemas/ops.json")).unwrap();
    let names: Vec<&str> = listed.iter().map(|o| o["op"].as_str().unwrap()).collect();
    assert_eq!(names, agentrules::ops::OPS, "schemas/ops.json is stale: run ./scripts/gen-schemas");
    for (o, spec) in listed.iter().zip(agentrules::ops::SPECS) {
        assert_eq!(o["summary"].as_str(), Some(spec.summary), "schemas/ops.json is stale: run ./scripts/gen-schemas");
    }
}

#[test]
fn launch_schema_is_fresh() {
    assert_eq!(
        read("schemas/launch.schema.json"),
        pretty(&agentrules::launch::launch_schema()),
        "run ./scripts/gen-schemas"
    );
}

#[test]
fn follow_up_schema_is_fresh() {
    assert_eq!(
        read("schemas/followup.schema.json"),
        pretty(&agentrules::launch::follow_up_schema()),
        "run ./scripts/gen-schemas"
    );
}

#[test]
fn schemas_describe_the_seed_examples() {
    let s = agentrules::launch::launch_schema();
    let props = s["properties"].as_object().unwrap();
    for f in agentrules::launch::LAUNCH_FIELDS {
        assert!(props.contains_key(f), "launch schema lacks {f}");
    }
    assert_eq!(s["additionalProperties"], false);
}
