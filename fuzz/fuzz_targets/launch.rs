//! Launch and follow-up bodies, with and without a context: any bytes give a report, and a
//! body that passes every rule is also accepted by the typed parsers.
#![no_main]
use agentrules::{check_bytes, Context, FollowUpRequest, Kind, LaunchRequest};
use libfuzzer_sys::fuzz_target;

const CONTEXTS: [&str; 4] = [
    "{}",
    r#"{"entitlements": ["webSearch", "codeSearch"], "limits": {"maxImages": 2, "maxImageBytes": 4096}}"#,
    r#"{"workflow": {"id": "019def34-0000-7000-8000-000000000010", "slots": [{"name": "Drawing Set", "multiple": true}, {"name": "Spec", "required": false}]}}"#,
    r#"{"workflow": {"slots": []}, "entitlements": []}"#,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let ctx = Context::from_json(CONTEXTS[usize::from(selector % 4)]).expect("the fixed contexts are valid");
    let kind = if selector & 0x80 == 0 { Kind::Launch } else { Kind::FollowUp };
    let report = check_bytes(kind, body, &ctx);
    assert_eq!(report.ok, report.violations.is_empty());
    if report.ok {
        let text = std::str::from_utf8(body).expect("a valid body is UTF-8");
        match kind {
            Kind::Launch => assert!(LaunchRequest::parse(text, &ctx).is_ok(), "checked ok but the typed parse failed"),
            _ => assert!(FollowUpRequest::parse(text, &ctx).is_ok(), "checked ok but the typed parse failed"),
        }
    }
    for v in &report.violations {
        assert!(!v.message.is_empty() && v.message.len() < 1000, "message out of bounds: {v:?}");
    }
});
