//! A table schema (first line) and rows (the rest): compiling never panics, validation of any
//! rows never panics, and `check table` on the whole agrees with itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (schema, rows) = data.split_at(split);
    let Ok(schema) = agentrules::json::parse_bytes(schema) else { return };
    let rows = agentrules::json::parse_bytes(rows.get(1..).unwrap_or_default()).unwrap_or(serde_json::Value::Null);
    if let Ok(v) = agentrules::table::TableValidator::new(&schema) {
        match &rows {
            serde_json::Value::Array(items) => {
                let _ = v.validate_elements(items);
            }
            other => {
                let _ = v.validate_value(other);
            }
        }
    }
    let doc = serde_json::json!({"schema": schema, "elements": rows});
    let _ = agentrules::check_value(agentrules::Kind::Table, &doc, &agentrules::Context::default());
});
