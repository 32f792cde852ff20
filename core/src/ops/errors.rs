//! Ops: Errors, retries, endpoints and rate limits (E1–E4).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn error_envelope(a: &Value) -> Result<Value, OpError> {
    if let Some(vs) = a.get("violations") {
        let vs: Vec<Violation> = args("error_envelope", vs)?;
        let report = Report::new(vs);
        return Ok(match ErrorEnvelope::from_report(&report) {
            Some(env) => json!({"status": env.code.status(), "body": env}),
            None => Value::Null,
        });
    }
    #[derive(Deserialize)]
    struct A {
        status: u16,
        error: String,
    }
    let a: A = args("error_envelope", a)?;
    let code =
        ApiErrorCode::from_status(a.status).ok_or_else(|| OpError(format!("no error code for status {}", a.status)))?;
    Ok(json!({"status": a.status, "body": ErrorEnvelope { error: a.error, code }}))
}

pub(super) fn parse_error_envelope(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        body: Value,
    }
    let a: A = args("parse_error_envelope", a)?;
    let body = match &a.body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match ErrorEnvelope::parse(&body) {
        Ok(env) => to_json(&env.info()),
        Err(rep) => json!({"violations": rep.violations}),
    })
}

pub(super) fn retry_after(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        value: String,
        now: u64,
    }
    let a: A = args("retry_after", a)?;
    let wait = crate::errors::retry_after(&a.value, a.now).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Ok(json!({"waitMs": wait}))
}

pub(super) fn retry(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct A {
        status: u16,
        attempts: u32,
        retry_after: Option<String>,
        #[serde(default)]
        now: u64,
    }
    let a: A = args("retry", a)?;
    Ok(to_json(&decide_retry(a.status, a.attempts, a.retry_after.as_deref(), a.now, &RetryPolicy::default())))
}

pub(super) fn endpoint(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        method: String,
        path: String,
    }
    let a: A = args("endpoint", a)?;
    Ok(to_json(&crate::endpoints::endpoint(&a.method, &a.path)))
}

pub(super) fn rate_limit(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        class: String,
        sent: Vec<u64>,
        now: u64,
    }
    let a: A = args("rate_limit", a)?;
    let class = RateClass::parse(&a.class).ok_or_else(|| OpError(format!("unknown rate class `{}`", a.class)))?;
    let mut rl = RateLimiter::new();
    for t in a.sent {
        rl.record(class, t);
    }
    Ok(json!({"waitMs": rl.wait_ms(class, a.now)}))
}
