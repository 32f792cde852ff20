//! The conformance corpus through the core, one test per case, and the checks over the whole
//! corpus: the messages' house style, and a case for every rule id of the catalogue
//! (`docs/rules.md`).
//!
//! A case's test is named `<rule>::<file>#<index>::<name>`, so
//! `cargo test -p agentrules --test conformance -- L4::` runs the cases of L4 only, and
//! `-- launch.json` those of one file (libtest-mimic: the usual filters, `--exact`, `--skip`).
#![expect(
    clippy::indexing_slicing,
    reason = "a test harness (libtest-mimic's `main`, outside `#[test]`): indices into the corpus it has just loaded"
)]

#[path = "../../tests/support/corpus.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;

use agentrules::{check, ops};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let cases: Arc<[corpus::Case]> = corpus::load().into();
    let mut trials: Vec<Trial> = (0..cases.len())
        .map(|i| {
            let cases = Arc::clone(&cases);
            Trial::test(cases[i].test_name(), move || run_case(&cases[i]).map_err(Failed::from))
        })
        .collect();
    let all = Arc::clone(&cases);
    trials.push(Trial::test("corpus::the_corpus_is_not_empty", move || {
        if all.is_empty() {
            return Err(format!("no cases found in {}", corpus::dir().display()).into());
        }
        Ok(())
    }));
    let all = Arc::clone(&cases);
    trials.push(Trial::test("corpus::messages_follow_the_house_style", move || messages_follow_the_house_style(&all)));
    let all = Arc::clone(&cases);
    trials.push(Trial::test("corpus::every_rule_id_of_the_catalogue_has_a_case", move || {
        every_rule_id_of_the_catalogue_has_a_case(&all)
    }));
    libtest_mimic::run(&args, trials).exit_code()
}

/// One case through the core: a validation case through `check`, an op case through
/// `ops::evaluate`.
fn run_case(case: &corpus::Case) -> Result<(), String> {
    if let Some(kind) = case.kind() {
        match check(kind, &case.input_text(), case.context_text().as_deref()) {
            Ok(report) => {
                for violation in &report.violations {
                    violation.check_params()?;
                }
                let v = serde_json::to_value(&report).unwrap_or(Value::Null);
                corpus::compare_report(case, &v)
            }
            Err(e) => Err(format!("check failed: {e}")),
        }
    } else if let Some(op) = case.op() {
        match ops::evaluate(op, &case.value["args"]) {
            Ok(result) => {
                violations_have_documented_params(&result)?;
                corpus::compare_op(case, &result)
            }
            Err(e) => Err(format!("op failed: {e}")),
        }
    } else {
        Err("a case needs `kind` or `op`".to_string())
    }
}

/// Every violation inside an op's answer (an object with `path`, `code` and `message`) has the
/// params its code documents.
fn violations_have_documented_params(v: &Value) -> Result<(), String> {
    match v {
        Value::Object(o) if o.contains_key("path") && o.contains_key("code") && o.contains_key("message") => {
            let violation: agentrules::Violation = serde_json::from_value(v.clone())
                .map_err(|e| format!("a violation that does not read back: {e}: {v}"))?;
            if !o.contains_key("params") {
                return Err(format!("a violation without params: {v}"));
            }
            violation.check_params()
        }
        Value::Object(o) => o.values().try_for_each(violations_have_documented_params),
        Value::Array(a) => a.iter().try_for_each(violations_have_documented_params),
        _ => Ok(()),
    }
}

/// DESIGN.md principle 2: lowercase start, no trailing period, no Rust type names.
fn messages_follow_the_house_style(cases: &[corpus::Case]) -> Result<(), Failed> {
    let mut bad = Vec::new();
    for case in cases {
        let Some(kind) = case.kind() else { continue };
        let Ok(report) = check(kind, &case.input_text(), case.context_text().as_deref()) else { continue };
        for v in report.violations {
            let m = &v.message;
            let first = m.chars().next().unwrap_or('?');
            let rust_words = ["::", "Value", "String", "Option", "Vec<", "serde", "unwrap"];
            if first.is_uppercase() || m.ends_with('.') || rust_words.iter().any(|w| m.contains(w)) || m.len() > 300 {
                bad.push(format!("{}: {m:?}", case.label()));
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("messages out of style:\n{}", bad.join("\n")).into())
    }
}

/// Every id of the catalogue's sections (all implemented) has at least one case.
fn every_rule_id_of_the_catalogue_has_a_case(cases: &[corpus::Case]) -> Result<(), Failed> {
    let ids = corpus::catalogue_ids(&corpus::catalogue()).map_err(|e| format!("docs/rules.md: {e}"))?;
    let covered: BTreeSet<&str> = cases.iter().filter_map(|c| c.value.get("rule").and_then(Value::as_str)).collect();
    let missing: Vec<&String> = ids.iter().filter(|id| !covered.contains(id.as_str())).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("rule ids without a conformance case: {missing:?}").into())
    }
}
