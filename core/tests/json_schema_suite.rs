//! The official JSON Schema Test Suite (draft 2020-12, required tests) through the same code
//! that validates table rows: `TableValidator` compiled from each test's schema (remotes served
//! from memory, no object-root requirement: the suite's schemas describe any value), each
//! test's data validated with `validate_value`, valid exactly when it yields no violations.
//!
//! The suite lives in `../shared/json-schema-test-suite` (or `AGENTRULES_JSON_SCHEMA_SUITE`).
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers (outside `#[test]`, which clippy.toml covers): a failure panics, which fails the test"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use agentrules::table::{TableOptions, TableValidator};
use serde_json::Value;

/// Required tests known to fail, each with its reason: `(file, group, test, reason)`.
const EXPECTED_FAILURES: &[(&str, &str, &str, &str)] = &[];

fn suite_dir() -> PathBuf {
    match std::env::var_os("AGENTRULES_JSON_SCHEMA_SUITE") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/json-schema-test-suite"),
    }
}

fn load_remotes(dir: &Path, base: &Path, out: &mut HashMap<String, Value>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        if p.is_dir() {
            load_remotes(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            out.insert(format!("http://localhost:1234/{rel}"), v);
        }
    }
}

/// The suite's directory, the options its schemas compile with (remotes served from memory,
/// any root type) and its draft 2020-12 test files, in order.
fn suite() -> (PathBuf, TableOptions, Vec<PathBuf>) {
    let root = suite_dir();
    let mut documents = HashMap::new();
    load_remotes(&root.join("remotes"), &root.join("remotes"), &mut documents);
    let options = TableOptions { documents, require_object_root: false };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/draft2020-12"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    (root, options, files)
}

#[test]
fn draft2020_12_required_tests() {
    let (root, options, files) = suite();
    let (mut total, mut passed, mut expected) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut unexpected_passes = Vec::new();
    for f in &files {
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        let groups: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            let gdesc = group["description"].as_str().unwrap_or_default();
            let compiled = TableValidator::with_options(&group["schema"], &options);
            for test in group["tests"].as_array().unwrap() {
                total += 1;
                let tdesc = test["description"].as_str().unwrap_or_default();
                let want = test["valid"].as_bool().unwrap();
                let got = match &compiled {
                    Ok(v) => Ok(v.validate_value(&test["data"]).is_empty()),
                    Err(report) => {
                        Err(report.violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                    }
                };
                let ok = got == Ok(want);
                let listed = EXPECTED_FAILURES.iter().any(|(f2, g, t, _)| *f2 == file && *g == gdesc && *t == tdesc);
                match (ok, listed) {
                    (true, false) => passed += 1,
                    (true, true) => unexpected_passes.push(format!("{file} / {gdesc} / {tdesc}")),
                    (false, true) => expected += 1,
                    (false, false) => {
                        failures.push(format!("{file} / {gdesc} / {tdesc}: expected valid={want}, got {got:?}"))
                    }
                }
            }
        }
    }
    println!(
        "json-schema-test-suite draft2020-12 (required): {passed} passed, {} failed, {expected} expected failures, of {total}",
        failures.len()
    );
    assert!(total >= 1_200, "only {total} tests found in {}", root.display());
    assert!(failures.is_empty(), "{} unexpected failures:\n{}", failures.len(), failures.join("\n"));
    assert!(unexpected_passes.is_empty(), "listed as failing but passed:\n{}", unexpected_passes.join("\n"));
}

/// The tape fast path (`TableValidator::proves_elements_valid`) against the full check over the
/// whole suite, every keyword of 2020-12 included: each test's data as the value of a one-row
/// table, written as JSON text, is proved valid exactly when `validate_elements` of the parsed
/// rows has no violation. A second walk of the input, so any difference is a bug in it (the
/// suite's answers themselves are held by the test above).
#[test]
fn the_tape_fast_path_agrees_with_the_full_check_on_the_suite() {
    let (_, options, files) = suite();
    let (mut compared, mut proved) = (0usize, 0usize);
    let mut differences = Vec::new();
    for f in &files {
        let groups: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        for group in groups.as_array().unwrap() {
            let Ok(v) = TableValidator::with_options(&group["schema"], &options) else { continue };
            for test in group["tests"].as_array().unwrap() {
                let rows = serde_json::json!([{"key": "k", "value": test["data"]}]);
                let full = v.validate_elements_value(&rows).unwrap().is_empty();
                let fast = v.proves_elements_valid(serde_json::to_string(&rows).unwrap().as_bytes());
                compared += 1;
                proved += usize::from(fast);
                if fast != full {
                    differences.push(format!(
                        "{} / {} / {}: fast path {fast}, full check {full}",
                        f.file_name().unwrap().to_string_lossy(),
                        group["description"],
                        test["description"]
                    ));
                }
            }
        }
    }
    assert!(compared >= 1_200 && proved >= 500, "only {compared} tests compared, {proved} proved valid");
    assert!(differences.is_empty(), "{} differences:\n{}", differences.len(), differences.join("\n"));
}
