//! A policy matrix (first line) and decisions (each further line: tool, role, calls, online):
//! a valid matrix decides every call, and a `deny` always names its reason.
#![no_main]
use agentrules::policy::{Decision, PolicyMatrix};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let Some(first) = lines.next() else { return };
    let _ = agentrules::check("policy-matrix", first, None);
    let Ok(m) = PolicyMatrix::from_json(first) else { return };
    for line in lines.take(64) {
        let mut parts = line.split(',');
        let tool = parts.next().unwrap_or("");
        let role = parts.next().unwrap_or("");
        let calls = parts.next().and_then(|c| c.trim().parse().ok()).unwrap_or(0);
        let online = parts.next().map_or(true, |o| o.trim() != "0");
        if let Decision::Deny { reason } = m.decide(tool, role, calls, online) {
            assert!(!reason.as_str().is_empty());
        }
    }
    let _ = agentrules::ops::evaluate(
        "approval",
        &serde_json::json!({"tier": "admin", "allowedRoles": ["admin"], "events": text.lines().take(8).collect::<Vec<_>>()}),
    );
});
