//! Generated artifacts stay in step with the code: the code list that bindings check for drift,
//! and the JSON Schemas of the request bodies. Regenerate with `./scripts/gen-schemas`.

use std::path::Path;

use agentrules::Code;

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
    let listed: Vec<String> = serde_json::from_str(&read("schemas/codes.json")).unwrap();
    assert_eq!(listed, names, "schemas/codes.json is stale: run ./scripts/gen-schemas");
    // Every code is snake_case: frontends key translations on them.
    for n in names {
        assert!(n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{n}");
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
