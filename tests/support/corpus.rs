//! Loading the conformance corpus and comparing results, shared by the core's and the CLI's
//! test suites (`#[path]`-included). Other surfaces implement the same few rules in their own
//! language; `tests/conformance/README.md` states them.

#![expect(
    clippy::panic,
    clippy::string_slice,
    clippy::arithmetic_side_effects,
    reason = "test helpers (outside `#[test]`, which clippy.toml covers): a bad corpus or catalogue panics, which fails the test"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The corpus directory: `AGENTRULES_CONFORMANCE_DIR` or the repository's `tests/conformance`.
pub fn dir() -> PathBuf {
    match std::env::var_os("AGENTRULES_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance"),
    }
}

/// One case with the file it came from and its place in that file.
pub struct Case {
    pub file: String,
    /// The case's index in its file's array, from 0.
    pub index: usize,
    pub value: Value,
}

impl Case {
    /// The name of the case's test: `L4::launch.json#12::duplicate file id reported at the
    /// repeat`, so a filter `L4::` selects one rule's cases and `launch.json` one file's.
    pub fn test_name(&self) -> String {
        format!(
            "{}::{}#{}::{}",
            self.value.get("rule").and_then(Value::as_str).unwrap_or("?"),
            self.file,
            self.index,
            self.value.get("name").and_then(Value::as_str).unwrap_or("?")
        )
    }
    pub fn label(&self) -> String {
        format!(
            "{} [{}] {}",
            self.file,
            self.value.get("rule").and_then(Value::as_str).unwrap_or("?"),
            self.value.get("name").and_then(Value::as_str).unwrap_or("?")
        )
    }
    pub fn kind(&self) -> Option<&str> {
        self.value.get("kind").and_then(Value::as_str)
    }
    pub fn op(&self) -> Option<&str> {
        self.value.get("op").and_then(Value::as_str)
    }
    /// The document as JSON text: `raw` verbatim, else `input` serialised.
    pub fn input_text(&self) -> String {
        match self.value.get("raw").and_then(Value::as_str) {
            Some(raw) => raw.to_string(),
            None => self.value.get("input").map(Value::to_string).unwrap_or_else(|| "null".into()),
        }
    }
    pub fn context_text(&self) -> Option<String> {
        self.value.get("context").map(Value::to_string)
    }
    /// The expected `(path, code)` set of a validation case.
    pub fn expected_pairs(&self) -> BTreeSet<(String, String)> {
        pairs(self.value.get("expect").unwrap_or(&Value::Null))
    }
}

/// Every case of every `*.json` file of the corpus directory, files in name order.
pub fn load() -> Vec<Case> {
    let d = dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("cannot read the corpus at {}: {e}", d.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let cases = v.as_array().unwrap_or_else(|| panic!("{name}: the file must hold an array of cases"));
        for (index, case) in cases.iter().enumerate() {
            out.push(Case { file: name.clone(), index, value: case.clone() });
        }
    }
    out
}

/// The `(path, code)` set of a violations array.
pub fn pairs(violations: &Value) -> BTreeSet<(String, String)> {
    violations
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    (
                        v.get("path").and_then(Value::as_str).unwrap_or("<no path>").to_string(),
                        v.get("code").and_then(Value::as_str).unwrap_or("<no code>").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Checks a validation result (`{ok, violations}`) against a case. `Err` says what differs.
pub fn compare_report(case: &Case, report: &Value) -> Result<(), String> {
    let got = pairs(&report["violations"]);
    let want = case.expected_pairs();
    if got != want {
        return Err(format!("expected {want:?}\n   got {got:?}"));
    }
    if report["ok"] != Value::Bool(want.is_empty()) {
        return Err(format!("`ok` is {} with {} violations", report["ok"], want.len()));
    }
    for v in report["violations"].as_array().into_iter().flatten() {
        if v["message"].as_str().is_none_or(str::is_empty) {
            return Err(format!("a violation without a message: {v}"));
        }
        if !v.get("params").is_some_and(Value::is_object) {
            return Err(format!("a violation without params: {v}"));
        }
    }
    compare_params(case, report)
}

/// An `expect` entry with `params` is compared with the params of the violation at its path
/// and code (exactly, `"*"` matching any non-empty string); entries without `params` are not.
pub fn compare_params(case: &Case, report: &Value) -> Result<(), String> {
    let got = report["violations"].as_array().map(Vec::as_slice).unwrap_or_default();
    let expect = case.value.get("expect").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for want in expect {
        let Some(params) = want.get("params") else { continue };
        let (path, code) = (want.get("path"), want.get("code"));
        let found = got.iter().find(|v| v.get("path") == path && v.get("code") == code);
        match found.map(|v| v.get("params").unwrap_or(&Value::Null)) {
            Some(p) if matches(params, p) => {}
            Some(p) => return Err(format!("params of {code:?} at {path:?}: expected {params}, got {p}")),
            None => return Err(format!("no violation {code:?} at {path:?}")),
        }
    }
    Ok(())
}

/// JSON equality where an expected `"*"` matches any non-empty string.
pub fn matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(w), Value::String(g)) if w == "*" => !g.is_empty(),
        (Value::Array(w), Value::Array(g)) => w.len() == g.len() && w.iter().zip(g).all(|(a, b)| matches(a, b)),
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len() && w.iter().all(|(k, a)| g.get(k).is_some_and(|b| matches(a, b)))
        }
        (w, g) => w == g,
    }
}

/// Checks an op result against a case: `expect` (JSON, `"*"` wildcards), `expect_code` (the
/// result's `violation.code`, else its refusal's first violation's code, else the refusal's
/// kind) or `expect_error` (the result has `error`).
pub fn compare_op(case: &Case, result: &Value) -> Result<(), String> {
    let c = &case.value;
    if let Some(code) = c.get("expect_code").and_then(Value::as_str) {
        let got = result
            .pointer("/violation/code")
            .or_else(|| result.pointer("/error/violations/0/code"))
            .or_else(|| result.pointer("/error/kind"));
        return if got.and_then(Value::as_str) == Some(code) {
            Ok(())
        } else {
            Err(format!("expected code {code}, got {result}"))
        };
    }
    if c.get("expect_error") == Some(&Value::Bool(true)) {
        return if result.get("error").is_some() { Ok(()) } else { Err(format!("expected an error, got {result}")) };
    }
    let want = c.get("expect").unwrap_or(&Value::Null);
    if matches(want, result) {
        Ok(())
    } else {
        Err(format!("expected {want}\n   got {result}"))
    }
}

/// Rule ids of the given sections of the catalogue (`**S1**` … under `## 1.` …).
pub fn rule_ids(catalogue: &str, sections: &[u32]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut section = 0u32;
    for line in catalogue.lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            section = rest.split('.').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0);
        }
        if sections.contains(&section) {
            let mut s = line;
            while let Some(i) = s.find("**") {
                let after = &s[i + 2..];
                let Some(j) = after.find("**") else { break };
                let id = &after[..j];
                if id.len() >= 2
                    && id.starts_with(|c: char| c.is_ascii_uppercase())
                    && id[1..].chars().all(|c| c.is_ascii_digit())
                {
                    out.insert(id.to_string());
                }
                s = &after[j + 2..];
            }
        }
    }
    out
}

/// The rule catalogue: this repository's `docs/rules.md`.
pub fn catalogue() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read the catalogue at {}: {e}", path.display()))
}

/// The numbered sections of the catalogue that hold rules, with the letter of their ids and
/// how many ids each has at least. Every one is implemented, so every id must have a case.
pub const CATALOGUE_SECTIONS: [(u32, char, usize); 13] = [
    (1, 'S', 6),
    (2, 'L', 11),
    (2, 'I', 7),
    (2, 'C', 4),
    (3, 'Q', 4),
    (4, 'T', 5),
    (5, 'E', 4),
    (6, 'P', 4),
    (7, 'R', 5),
    (9, 'W', 4),
    (10, 'K', 5),
    (11, 'H', 4),
    (12, 'M', 4),
];

/// Every rule id of the catalogue, checked against [`CATALOGUE_SECTIONS`]: each section's ids
/// of a letter are that letter numbered 1 to n without a gap, with n at least the section's
/// minimum, and no other letter appears in a section. So a formatting slip that hides ids
/// fails here instead of letting the coverage test pass on fewer.
pub fn catalogue_ids(catalogue: &str) -> Result<BTreeSet<String>, String> {
    let mut all = BTreeSet::new();
    let mut problems = Vec::new();
    let sections: BTreeSet<u32> = CATALOGUE_SECTIONS.iter().map(|(s, _, _)| *s).collect();
    for section in sections {
        let ids = rule_ids(catalogue, &[section]);
        let letters: Vec<char> =
            CATALOGUE_SECTIONS.iter().filter(|(s, _, _)| *s == section).map(|(_, l, _)| *l).collect();
        for id in &ids {
            if !id.starts_with(letters.as_slice()) {
                problems.push(format!("section {section} has {id}, whose letter is not one of {letters:?}"));
            }
        }
        for (_, letter, min) in CATALOGUE_SECTIONS.iter().filter(|(s, _, _)| *s == section) {
            let found: BTreeSet<&String> = ids.iter().filter(|id| id.starts_with(*letter)).collect();
            let expected: BTreeSet<String> = (1..=found.len()).map(|n| format!("{letter}{n}")).collect();
            if found.len() < *min || found.iter().any(|id| !expected.contains(*id)) {
                problems.push(format!(
                    "section {section}: expected {letter}1…{letter}{min} or more without a gap, found {found:?}"
                ));
            }
        }
        all.extend(ids);
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems.join("\n"))
    }
}
