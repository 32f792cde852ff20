//! The non-validation rules as one generic entry, `evaluate(op, args) -> result`, both in JSON.
//!
//! Bindings expose it unchanged so the conformance corpus's non-validation cases
//! (`{ rule, name, op, args, expect }`) run on every surface through the same code. Each op is a
//! thin mapping onto a typed function of the core; an argument of the wrong shape is an
//! [`OpError`], never a panic.
//!
//! Every op, its arguments and its answer: [`SPECS`] (each entry's doc comment below, and
//! `agentrules op --list`).

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::context::Context;
use crate::endpoints::{RateClass, RateLimiter};
use crate::errors::{decide_retry, ApiErrorCode, ErrorEnvelope, RetryPolicy};
use crate::lifecycle::{check_transition, Action, AgentStatus, Poller, Via};
use crate::listing::{Include, ListQuery};
use crate::report::{Report, Violation};
use crate::response::{Message, MessageType, ResponseKind};

/// An op that does not exist or arguments of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OpError(pub String);

/// The refusal every surface gives: `invalid_arguments` with the error's message.
impl From<OpError> for crate::Refusal {
    fn from(e: OpError) -> Self {
        crate::Refusal::invalid_arguments(e.0)
    }
}

mod errors;
mod lifecycle;
mod listing;
mod nome;
mod policy;
mod run;

/// One entry of the op registry ([`SPECS`]).
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// The op's name, as `evaluate(op, …)` takes it.
    pub name: &'static str,
    /// Its arguments and answer, in a line.
    pub summary: &'static str,
    run: fn(&Value) -> Result<Value, OpError>,
}

/// The op registry: each op named once, with its summary and its function (in the module of
/// its area). [`OPS`], [`evaluate`], `agentrules op --list` and the fuzz seeds derive from it.
macro_rules! ops {
    ($( #[doc = $doc:literal] $name:ident => $module:ident; )+) => {
        /// Every op, in catalogue order.
        pub const SPECS: &[OpSpec] = &[ $( OpSpec { name: stringify!($name), summary: $doc.trim_ascii(), run: $module::$name }, )+ ];
        /// The names of every op.
        pub const OPS: &[&str] = &[ $( stringify!($name), )+ ];
    };
}

ops! {
    /// `{from, to, via?: "pipeline"|"follow_up"}` → `{ok}` or `{ok: false, violation}`
    transition => lifecycle;
    /// `{status, action: "follow_up"|"stop"|"delete"}` → outcome or `{error: {code, message}}`
    apply => lifecycle;
    /// `{status}` → `{status, known, terminal}`
    status => lifecycle;
    /// `{followUpFrom?, observations: [{status, elapsedMs?}]}` → `[step]`
    poll => lifecycle;
    /// `{query}` (object) or `{queryString}` → `{ok, queryString?, violations}`
    list_query => listing;
    /// `{include, types?: [type]}` → `{steps, shown?: [type]}` or `{violations}`
    include => listing;
    /// `{messages}` → `[id]` or `{error}`
    linearize => listing;
    /// `{kind: "agent"|"agent_page"|"conversation"|"artifact", body}` → value or `{error}`
    parse_response => listing;
    /// `{violations}` (a report's) or `{status, error}` → `{status, body}`
    error_envelope => errors;
    /// `{body, status?}` → `{code, error, status, known}` or `{violations}`
    parse_error_envelope => errors;
    /// `{value, now}` → `{waitMs}` or `{waitMs: null}`
    retry_after => errors;
    /// `{status, attempts, retryAfter?, now?}` → decision
    retry => errors;
    /// `{method, path}` → endpoint or `null`
    endpoint => errors;
    /// `{class, sent: [ms], now}` → `{waitMs}`
    rate_limit => errors;
    /// `{matrix, tool, role, calls, online}` → decision or `{violations}` (invalid matrix)
    decide => policy;
    /// `{tier, allowedRoles, events: [event]}` → `[{status} | {error: violation}]`
    approval => policy;
    /// `{chunks: [text | {hex}], split?: "whole" | "bytes" | n}` → `{items, lastEventId, retry}` or `{error}`
    sse_decode => run;
    /// `{from, to}` → `{ok}` or `{ok: false, violation}`
    run_transition => run;
    /// `{log}` → the run state, or `{violations}`
    replay => run;
    /// `{provider, headers: {name: value} | [[name, value]], body: text | {hex} | {base64}, secret, now?}` → `{verified, reason?, header?, message}`
    verify_webhook => nome;
    /// `{install, event, policy?: {failureThreshold, sweepAfter}}` → the install, `{error: violation}` or `{violations}`
    connector_apply => nome;
    /// `{install}` → the failure summary or `{violations}`
    connector_summary => nome;
    /// `{installs, now, policy?}` → `[id]` or `{violations}`
    connector_sweep => nome;
}

pub(crate) fn connector_policy(a: &Value) -> Result<crate::connector::ConnectorPolicy, OpError> {
    match a.get("policy") {
        None => Ok(crate::connector::ConnectorPolicy::default()),
        Some(p) => args("connector policy", p),
    }
}

pub(crate) fn args<T: DeserializeOwned>(op: &str, v: &Value) -> Result<T, OpError> {
    T::deserialize(v).map_err(|e| OpError(format!("bad arguments for `{op}`: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Bytes given in JSON: text (its UTF-8), `{"hex": "..."}` or `{"base64": "..."}`.
pub(crate) fn bytes_arg(v: &Value, what: &str) -> Result<Vec<u8>, OpError> {
    let bad = || OpError(format!("{what} is text, {{hex}} or {{base64}}"));
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(o) => {
            if let Some(b64) = o.get("base64").and_then(Value::as_str) {
                use base64::Engine as _;
                return base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad());
            }
            let hex = o.get("hex").and_then(Value::as_str).ok_or_else(bad)?.as_bytes();
            if hex.len() % 2 != 0 {
                return Err(bad());
            }
            hex.chunks(2)
                .map(|p| std::str::from_utf8(p).ok().and_then(|s| u8::from_str_radix(s, 16).ok()).ok_or_else(bad))
                .collect()
        }
        _ => Err(bad()),
    }
}

/// The `chunks` of an `sse_decode` op: text, or `{"hex": "..."}` for bytes that are not UTF-8.
pub(crate) fn sse_chunks(a: &Value) -> Result<Vec<Vec<u8>>, OpError> {
    let Some(Value::Array(items)) = a.get("chunks") else {
        return Err(OpError("`sse_decode` takes `chunks`, an array".into()));
    };
    items.iter().map(|c| bytes_arg(c, "a chunk")).collect()
}

/// Headers given in JSON: an object of name to value, or an array of `[name, value]` pairs
/// (which can repeat a name).
pub fn headers_arg(v: &Value) -> Result<Vec<(String, String)>, OpError> {
    let bad = || OpError("`headers` is an object of strings or an array of [name, value] pairs".into());
    match v {
        Value::Object(o) => {
            o.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())).ok_or_else(bad)).collect()
        }
        Value::Array(items) => items
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

pub(crate) fn install_arg(op: &str, v: Option<&Value>) -> Result<Result<crate::connector::Install, Value>, OpError> {
    let v = v.ok_or_else(|| OpError(format!("`{op}` takes `install`")))?;
    Ok(crate::connector::Install::from_value(v).map_err(|r| json!({"violations": r.violations})))
}

/// Runs `op` on `args` (see the module table).
///
/// ```
/// let r = agentrules::ops::evaluate("apply", &serde_json::json!({"status": "waiting", "action": "stop"})).unwrap();
/// assert_eq!(r, serde_json::json!({"outcome": "transition", "status": "stopped"}));
/// ```
pub fn evaluate(op: &str, a: &Value) -> Result<Value, OpError> {
    match SPECS.iter().find(|s| s.name == op) {
        Some(spec) => (spec.run)(a),
        None => Err(OpError(format!("unknown op `{op}`; expected one of: {}", OPS.join(", ")))),
    }
}
