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
fn report_and_envelope_schemas_are_fresh() {
    assert_eq!(
        read("schemas/report.schema.json"),
        pretty(&agentrules::report::report_schema()),
        "run ./scripts/gen-schemas"
    );
    assert_eq!(
        read("schemas/error-envelope.schema.json"),
        pretty(&agentrules::errors::envelope_schema()),
        "run ./scripts/gen-schemas"
    );
}

/// The Python package ships the same schemas (`agentrules/schemas/`, its package data).
#[test]
fn the_python_package_ships_the_schemas() {
    for name in ["launch", "followup", "report", "error-envelope"] {
        assert_eq!(
            read(&format!("bindings-python/python/agentrules/schemas/{name}.schema.json")),
            read(&format!("schemas/{name}.schema.json")),
            "run ./scripts/gen-schemas"
        );
    }
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

/// The schemas are read by people and tools that have no Rust: no doc link and no Rust path
/// (`Type::method`) in any description or title.
#[test]
fn schemas_speak_no_rust() {
    fn texts(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => o.iter().for_each(|(k, c)| match c {
                serde_json::Value::String(s) if k == "description" || k == "title" => out.push(s.clone()),
                _ => texts(c, out),
            }),
            serde_json::Value::Array(a) => a.iter().for_each(|c| texts(c, out)),
            _ => {}
        }
    }
    for schema in [
        agentrules::launch::launch_schema(),
        agentrules::launch::follow_up_schema(),
        agentrules::context::context_schema(),
        agentrules::report::report_schema(),
        agentrules::errors::envelope_schema(),
    ] {
        let mut found = Vec::new();
        texts(&schema, &mut found);
        assert!(found.len() > 3, "{found:?}");
        for t in found {
            assert!(!t.contains("[`") && !t.contains("::"), "a Rust name in a schema text: {t:?}");
        }
    }
}

/// The files of the bindings a person writes (generated files aside: the code, refusal-kind and
/// op lists, uniffi's Swift), under `dir`, with one of `exts`.
fn hand_written(dir: &str, exts: &[&str]) -> Vec<std::path::PathBuf> {
    const GENERATED: &[&str] = &[
        "_codes.py",
        "_refusals.py",
        "_ops.py",
        "refusals.js",
        "refusals.d.ts",
        "codes.js",
        "ops.d.ts",
        "documents.d.ts",
        "_documents.py",
        "_kinds.py",
        "agentrules.swift",
        "agentrules_uniffi.swift",
    ];
    let mut out = Vec::new();
    let mut todo = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir)];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if p.is_dir() {
                todo.push(p);
            } else if exts.iter().any(|x| name.ends_with(x)) && !GENERATED.contains(&name.as_str()) {
                out.push(p);
            }
        }
    }
    out
}

/// The lines (from 1) of `text` that spell one of `names` as a string literal, comments and
/// docstrings (which show examples) aside.
fn spelt(text: &str, names: &[&str]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_docstring = false;
    for (number, line) in (1..).zip(text.lines()) {
        let t = line.trim_start();
        let quotes = t.matches("\"\"\"").count();
        let was = in_docstring;
        if quotes % 2 == 1 {
            in_docstring = !in_docstring;
        }
        if was || quotes > 0 || t.starts_with("//") || t.starts_with('#') || t.starts_with('*') || t.starts_with("/*") {
            continue;
        }
        for n in names {
            if line.contains(&format!("\"{n}\"")) || line.contains(&format!("'{n}'")) {
                found.push((number, (*n).to_owned()));
            }
        }
    }
    found
}

/// Issue 16: the core decides, the bindings translate. No binding source spells a violation
/// code or a refusal kind as a string literal (comments and docstrings, which show examples, aside).
#[test]
fn no_binding_spells_a_code_or_refusal_kind() {
    let mut names: Vec<&str> =
        Code::ALL.iter().map(|c| c.as_str()).chain(RefusalKind::ALL.iter().map(|k| k.as_str())).collect();
    names.sort_unstable();
    names.dedup();
    // The detector itself: a literal is found, a comment or a docstring is not.
    let planted = "let k = \"invalid_state\";\n// \"invalid_state\"\n\"\"\"\n'empty_text'\n\"\"\"\nx = 'empty_text'\n";
    assert_eq!(spelt(planted, &names), [(1, "invalid_state".to_owned()), (6, "empty_text".to_owned())]);
    let mut files = Vec::new();
    for dir in ["bindings-wasm/src", "bindings-python/src", "bindings-swift/src"] {
        files.extend(hand_written(dir, &[".rs"]));
    }
    files.extend(hand_written("bindings-python/python", &[".py", ".pyi"]));
    files.extend(hand_written("bindings-wasm/js", &[".js", ".d.ts"]));
    assert!(files.len() >= 12, "the bindings' sources were not found: {files:?}");
    // Words that are a code's name and also something else in one file, with what they are there.
    const NOT_CODES: &[(&str, &str, &str)] =
        &[("standard-schema.js", "required", "the JSON Schema keyword `required`, in the draft-07 conversion")];
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let file = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            spelt(&text, &names)
                .into_iter()
                .filter(move |(_, n)| !NOT_CODES.iter().any(|(f, word, _)| *f == file && word == n))
                .map(move |(line, n)| format!("{}:{line}: {n}", f.display()))
        })
        .collect();
    assert!(found.is_empty(), "codes or refusal kinds spelt in a binding (use the core's list):\n{}", found.join("\n"));
}
