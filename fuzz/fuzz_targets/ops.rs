//! Every non-validation op and every check kind on arbitrary JSON: an answer (or its
//! `{error}`), an `invalid_arguments` refusal or a report, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let ops = agentrules::ops::OPS;
    let kinds = agentrules::Kind::ALL;
    if sel & 1 == 0 {
        let op = ops[usize::from(sel >> 1) % ops.len()];
        let Ok(args) = agentrules::json::parse_bytes(rest) else { return };
        let _ = agentrules::ops::evaluate(op, &args);
    } else {
        let (kind, _) = kinds[usize::from(sel >> 1) % kinds.len()];
        let report = agentrules::check_bytes(kind, rest, &agentrules::Context::default());
        assert_eq!(report.ok, report.violations.is_empty());
    }
});
