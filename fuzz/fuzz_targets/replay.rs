//! Run event logs: checking and replaying never panic; a log that replays replays to the same
//! bytes twice, and a log that checks clean replays.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = agentrules::json::parse_bytes(data) else { return };
    let violations = agentrules::run::check_log(&v);
    match agentrules::run::replay(&v) {
        Ok(state) => {
            let once = serde_json::to_string(&state).expect("a state serialises");
            let twice =
                serde_json::to_string(&agentrules::run::replay(&v).expect("replays again")).expect("serialises");
            assert_eq!(once, twice, "replay is not deterministic");
        }
        Err(_) => assert!(!violations.is_empty(), "replay refused a log that checks clean"),
    }
    if let serde_json::Value::Array(events) = &v {
        for e in events.iter().take(16) {
            let _ = agentrules::run::check_event(e);
            let _ = agentrules::run::RunEvent::parse(e);
        }
    }
});
