//! The Rust probe of `scripts/hostile`: runs one call through the library in-process, as a small
//! JSON spec, and prints one JSON line `{"outcome": …}` (violation codes, a refusal, a decision):
//!
//! ```text
//! check_file '{"call": "check", "kind": "launch", "input": "body.json", "as": "bytes"}'
//! check_file '{"call": "sse", "input": "stream.txt", "chunk": 65536}'
//! check_file '{"call": "op", "name": "retry_after", "args": "args.json"}'
//! check_file '{"call": "decide", "matrix": "m.json", "tool": "t", "role": "r", "calls": 2}'
//! check_file '{"call": "verify_webhook", "provider": "github", "headers": [["n", "v"]], "body": "b", "secret": "s"}'
//! ```
//!
//! `check_file <kind> <file>` (the old form) still checks the file's bytes.
use agentrules::sse::{SseDecoder, SseError};
use agentrules::webhook::WebhookProvider;
use agentrules::{check_bytes, check_value, Context, Kind, Report};
use serde_json::{json, Value};

fn codes(report: &Report) -> String {
    if report.ok {
        return "ok".into();
    }
    let mut c: Vec<&str> = report.violations.iter().map(|v| v.code.as_str()).collect();
    c.sort_unstable();
    c.dedup();
    c.join(", ")
}

fn read(spec: &Value, field: &str) -> Result<Vec<u8>, String> {
    let path = spec[field].as_str().ok_or_else(|| format!("spec needs `{field}`"))?;
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn sse_error(e: SseError) -> String {
    match e {
        SseError::LineTooLong { .. } => "LineTooLong: line too long".into(),
        SseError::EventTooLarge { .. } => "EventTooLarge: event too large".into(),
    }
}

fn run(spec: &Value) -> Result<String, String> {
    match spec["call"].as_str().unwrap_or("check") {
        "check" => {
            let kind = spec["kind"].as_str().and_then(Kind::parse).ok_or("unknown kind")?;
            let given = match (spec.get("context_file"), spec.get("context")) {
                (Some(_), _) => match agentrules::json::parse_bytes(&read(spec, "context_file")?) {
                    Ok(v) => Some(v),
                    Err(v) => return Ok(format!("refused invalid_context ({})", v.code.as_str())),
                },
                (None, None | Some(Value::Null)) => None,
                (None, Some(c)) => Some(c.clone()),
            };
            let ctx = match given.map(|c| Context::from_value(&c)) {
                None => Context::default(),
                Some(Ok(c)) => c,
                Some(Err(r)) => return Ok(format!("refused invalid_context ({})", codes(&r))),
            };
            let bytes = read(spec, "input")?;
            let report = if spec["as"] == "value" {
                match agentrules::json::parse_bytes(&bytes) {
                    Ok(v) => check_value(kind, &v, &ctx),
                    Err(v) => return Ok(format!("not a value: {}", v.code.as_str())),
                }
            } else {
                check_bytes(kind, &bytes, &ctx)
            };
            Ok(codes(&report))
        }
        "sse" => {
            let bytes = read(spec, "input")?;
            let chunk = usize::try_from(spec["chunk"].as_u64().unwrap_or(0)).unwrap_or(usize::MAX);
            let mut d = SseDecoder::new();
            let mut items = 0;
            let pieces: Vec<&[u8]> = if chunk == 0 { vec![&bytes[..]] } else { bytes.chunks(chunk).collect() };
            for piece in pieces {
                match d.push(piece) {
                    Ok(got) => items = got.len().saturating_add(items),
                    Err(e) => return Ok(sse_error(e)),
                }
            }
            d.finish();
            Ok(format!("ok: {items} items"))
        }
        "op" => {
            let name = spec["name"].as_str().ok_or("spec needs `name`")?;
            let args = match agentrules::json::parse_bytes(&read(spec, "args")?) {
                Ok(v) => v,
                Err(v) => return Ok(format!("refused {}", v.code.as_str())),
            };
            Ok(match agentrules::ops::evaluate(name, &args) {
                Ok(v) => format!("ok: {v}"),
                Err(e) => format!("refused invalid_arguments: {e}"),
            })
        }
        "decide" => {
            let text = String::from_utf8(read(spec, "matrix")?).map_err(|_| "matrix is not UTF-8")?;
            let m = match agentrules::policy::PolicyMatrix::from_json(&text) {
                Ok(m) => m,
                Err(r) => return Ok(format!("refused invalid_matrix ({})", codes(&r))),
            };
            let Some(calls) = spec["calls"].as_u64() else { return Ok("refused invalid_arguments".into()) };
            let d = m.decide(spec["tool"].as_str().unwrap_or(""), spec["role"].as_str().unwrap_or(""), calls, true);
            let v = serde_json::to_value(&d).map_err(|e| e.to_string())?;
            let decision = v.get("decision").and_then(Value::as_str).unwrap_or("?");
            Ok(match v.get("reason").and_then(Value::as_str) {
                Some(r) => format!("{decision}/{r}"),
                None => decision.to_string(),
            })
        }
        "verify_webhook" => {
            let provider = spec["provider"].as_str().and_then(WebhookProvider::parse).ok_or("unknown provider")?;
            let headers = spec_headers(spec)?;
            let body = read(spec, "body")?;
            let secret = spec["secret"].as_str().unwrap_or("");
            let now = spec["now"].as_i64().unwrap_or(0);
            Ok(match agentrules::webhook::verify(provider, &headers, &body, secret.as_bytes(), now) {
                Ok(()) => "verified".into(),
                Err(r) => r.reason.as_str().to_string(),
            })
        }
        "verify_google_webhook" => {
            let headers = spec_headers(spec)?;
            let keys = String::from_utf8_lossy(&read(spec, "keys")?).into_owned();
            let expect =
                agentrules::webhook::google::GoogleExpectations::from_value(&spec["expect"]).map_err(|r| r.message)?;
            let now = spec["now"].as_i64().unwrap_or(0);
            Ok(match agentrules::webhook::google::verify_google(&headers, Some(&keys), &expect, now) {
                Ok(()) => "verified".into(),
                Err(r) => r.reason.as_str().to_string(),
            })
        }
        other => Err(format!("unknown call `{other}`")),
    }
}

/// The spec's `headers`, `[[name, value], …]`.
fn spec_headers(spec: &Value) -> Result<Vec<(String, String)>, String> {
    Ok(spec["headers"]
        .as_array()
        .ok_or("spec needs `headers`")?
        .iter()
        .map(|h| (h[0].as_str().unwrap_or("").to_string(), h[1].as_str().unwrap_or("").to_string()))
        .collect())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let spec = match args.as_slice() {
        [_, kind, path] => json!({"call": "check", "kind": kind, "input": path, "as": "bytes"}),
        [_, spec] => match serde_json::from_str(spec) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("the spec is not JSON: {e}");
                return std::process::ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: check_file '<spec JSON>' | check_file <kind> <file>");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&spec) {
        Ok(outcome) => {
            println!("{}", json!({ "outcome": outcome }));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::from(2)
        }
    }
}
