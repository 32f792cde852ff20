//! Checks one file as a kind through the library in-process and prints the report's codes:
//! `cargo run --release -p agentrules --example check_file -- launch body.json`. Used by
//! `scripts/hostile` for the Rust row of docs/hardening.md.
use agentrules::{check_bytes, Context, Kind};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(path)) = (args.get(1).and_then(|k| Kind::parse(k)), args.get(2)) else {
        eprintln!("usage: check_file <kind> <file>");
        return std::process::ExitCode::from(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let report = check_bytes(kind, &bytes, &Context::default());
    let codes: Vec<&str> = report.violations.iter().map(|v| v.code.as_str()).collect();
    println!("{}", serde_json::json!({"ok": report.ok, "codes": codes}));
    std::process::ExitCode::from(u8::from(!report.ok))
}
