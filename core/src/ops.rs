//! The non-validation rules as one generic entry, `evaluate(op, args) -> result`, both in JSON.
//!
//! Bindings expose it unchanged so the conformance corpus's non-validation cases
//! (`{ rule, name, op, args, expect }`) run on every surface through the same code. Each op is a
//! thin mapping onto a typed function of the core; an argument of the wrong shape is an
//! [`OpError`], never a panic.
//!
//! | op | args | result |
//! |---|---|---|
//! | `transition` | `{from, to, via?: "pipeline"\|"follow_up"}` | `{ok}` or `{ok: false, violation}` |
//! | `apply` | `{status, action: "follow_up"\|"stop"\|"delete"}` | outcome or `{error: {code, message}}` |
//! | `status` | `{status}` | `{status, known, terminal}` |
//! | `poll` | `{followUpFrom?, observations: [{status, elapsedMs?}]}` | `[step]` |
//! | `list_query` | `{query}` (object) or `{queryString}` | `{ok, queryString?, violations}` |
//! | `include` | `{include, types?: [type]}` | `{steps, shown?: [type]}` or `{violations}` |
//! | `linearize` | `{messages}` | `[id]` or `{error}` |
//! | `parse_response` | `{kind: "agent"\|"agent_page"\|"conversation"\|"artifact", body}` | value or `{error}` |
//! | `error_envelope` | `{violations}` (a report's) or `{status, error}` | `{status, body}` |
//! | `parse_error_envelope` | `{body, status?}` | `{code, error, status, known}` or `{violations}` |
//! | `retry_after` | `{value, now}` | `{waitMs}` or `{waitMs: null}` |
//! | `retry` | `{status, attempts, retryAfter?, now?}` | decision |
//! | `endpoint` | `{method, path}` | endpoint or `null` |
//! | `rate_limit` | `{class, sent: [ms], now}` | `{waitMs}` |
//! | `decide` | `{matrix, tool, role, calls, online}` | decision or `{violations}` (invalid matrix) |
//! | `approval` | `{tier, allowedRoles, events: [event]}` | `[{status} \| {error: violation}]` |
//! | `sse_decode` | `{chunks: [text \| {hex}], split?: "whole" \| "bytes" \| n}` | `{items, lastEventId, retry}` or `{error}` |
//! | `run_transition` | `{from, to}` | `{ok}` or `{ok: false, violation}` |
//! | `replay` | `{log}` | the run state, or `{violations}` |
//! | `verify_webhook` | `{provider, headers: {name: value} \| [[name, value]], body: text \| {hex} \| {base64}, secret, now?}` | `{verified, reason?, header?, message}` |
//! | `connector_apply` | `{install, event, policy?: {failureThreshold, sweepAfter}}` | the install, `{error: violation}` or `{violations}` |
//! | `connector_summary` | `{install}` | the failure summary or `{violations}` |
//! | `connector_sweep` | `{installs, now, policy?}` | `[id]` or `{violations}` |

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::context::Context;
use crate::endpoints::{endpoint, RateClass, RateLimiter};
use crate::errors::{decide_retry, retry_after, ApiErrorCode, ErrorEnvelope, RetryPolicy};
use crate::lifecycle::{apply, check_transition, Action, AgentStatus, Poller, Via};
use crate::listing::{linearize, Include, ListQuery};
use crate::report::{Report, Violation};
use crate::response::{parse_response, Message, MessageType, ResponseKind};

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

/// The names of every op.
pub const OPS: [&str; 23] = [
    "transition",
    "apply",
    "status",
    "poll",
    "list_query",
    "include",
    "linearize",
    "parse_response",
    "error_envelope",
    "parse_error_envelope",
    "retry_after",
    "retry",
    "endpoint",
    "rate_limit",
    "decide",
    "approval",
    "sse_decode",
    "run_transition",
    "replay",
    "verify_webhook",
    "connector_apply",
    "connector_summary",
    "connector_sweep",
];

fn connector_policy(a: &Value) -> Result<crate::connector::ConnectorPolicy, OpError> {
    match a.get("policy") {
        None => Ok(crate::connector::ConnectorPolicy::default()),
        Some(p) => args("connector policy", p),
    }
}

fn args<T: DeserializeOwned>(op: &str, v: &Value) -> Result<T, OpError> {
    T::deserialize(v).map_err(|e| OpError(format!("bad arguments for `{op}`: {e}")))
}

fn to_json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Bytes given in JSON: text (its UTF-8), `{"hex": "..."}` or `{"base64": "..."}`.
fn bytes_arg(v: &Value, what: &str) -> Result<Vec<u8>, OpError> {
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
fn sse_chunks(a: &Value) -> Result<Vec<Vec<u8>>, OpError> {
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

fn install_arg(op: &str, v: Option<&Value>) -> Result<Result<crate::connector::Install, Value>, OpError> {
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
    match op {
        "transition" => {
            #[derive(Deserialize)]
            struct A {
                from: String,
                to: String,
                via: Option<Via>,
            }
            let a: A = args(op, a)?;
            let r = check_transition(
                &AgentStatus::parse(&a.from),
                &AgentStatus::parse(&a.to),
                a.via.unwrap_or(Via::Pipeline),
            );
            Ok(match r {
                Ok(()) => json!({"ok": true}),
                Err(v) => json!({"ok": false, "violation": v}),
            })
        }
        "apply" => {
            #[derive(Deserialize)]
            struct A {
                status: String,
                action: String,
            }
            let a: A = args(op, a)?;
            let action = Action::parse(&a.action).ok_or_else(|| OpError(format!("unknown action `{}`", a.action)))?;
            Ok(match apply(&AgentStatus::parse(&a.status), action) {
                Ok(outcome) => to_json(&outcome),
                Err(e) => json!({"error": e}),
            })
        }
        "status" => {
            #[derive(Deserialize)]
            struct A {
                status: String,
            }
            let a: A = args(op, a)?;
            let s = AgentStatus::parse(&a.status);
            Ok(json!({"status": s, "known": !matches!(s, AgentStatus::Unknown(_)), "terminal": s.is_terminal()}))
        }
        "poll" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Obs {
                status: String,
                #[serde(default)]
                elapsed_ms: u64,
            }
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct A {
                follow_up_from: Option<String>,
                observations: Vec<Obs>,
            }
            let a: A = args(op, a)?;
            let mut p = match a.follow_up_from {
                Some(s) => Poller::after_follow_up(AgentStatus::parse(&s)),
                None => Poller::new(),
            };
            let steps: Vec<Value> = a
                .observations
                .iter()
                .map(|o| to_json(&p.observe(&AgentStatus::parse(&o.status), o.elapsed_ms)))
                .collect();
            Ok(Value::Array(steps))
        }
        "list_query" => {
            let ctx = Context::default();
            let r = match (a.get("query"), a.get("queryString").and_then(Value::as_str)) {
                (Some(q), _) => ListQuery::from_value(q, &ctx),
                (None, Some(qs)) => ListQuery::from_query_string(qs, &ctx),
                _ => return Err(OpError("`list_query` takes `query` or `queryString`".into())),
            };
            Ok(match r {
                Ok(q) => json!({"ok": true, "queryString": q.to_query_string(), "violations": []}),
                Err(rep) => json!({"ok": false, "violations": rep.violations}),
            })
        }
        "include" => {
            #[derive(Deserialize)]
            struct A {
                include: String,
                types: Option<Vec<String>>,
            }
            let a: A = args(op, a)?;
            Ok(match Include::parse(&a.include) {
                Ok(inc) => {
                    let mut out = json!({"steps": inc.steps});
                    if let (Some(types), Some(obj)) = (a.types, out.as_object_mut()) {
                        let shown: Vec<&String> = types.iter().filter(|t| inc.shows(&MessageType::parse(t))).collect();
                        obj.insert("shown".into(), to_json(&shown));
                    }
                    out
                }
                Err(v) => json!({"violations": v}),
            })
        }
        "linearize" => {
            #[derive(Deserialize)]
            struct A {
                messages: Vec<Message>,
            }
            let a: A = args(op, a)?;
            Ok(match linearize(&a.messages) {
                Ok(chain) => to_json(&chain.iter().map(|m| m.id.as_str()).collect::<Vec<_>>()),
                Err(e) => json!({"error": e.to_string()}),
            })
        }
        "parse_response" => {
            #[derive(Deserialize)]
            struct A {
                kind: ResponseKind,
                body: Value,
            }
            let a: A = args(op, a)?;
            let body = match &a.body {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok(match parse_response(a.kind, &body) {
                Ok(v) => v,
                Err(e) => json!({"error": e.to_string()}),
            })
        }
        "error_envelope" => {
            if let Some(vs) = a.get("violations") {
                let vs: Vec<Violation> = args(op, vs)?;
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
            let a: A = args(op, a)?;
            let code = ApiErrorCode::from_status(a.status)
                .ok_or_else(|| OpError(format!("no error code for status {}", a.status)))?;
            Ok(json!({"status": a.status, "body": ErrorEnvelope { error: a.error, code }}))
        }
        "parse_error_envelope" => {
            #[derive(Deserialize)]
            struct A {
                body: Value,
            }
            let a: A = args(op, a)?;
            let body = match &a.body {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok(match ErrorEnvelope::parse(&body) {
                Ok(env) => json!({
                    "code": env.code,
                    "error": env.error,
                    "status": env.code.status(),
                    "known": !matches!(env.code, ApiErrorCode::Unknown(_)),
                }),
                Err(rep) => json!({"violations": rep.violations}),
            })
        }
        "retry_after" => {
            #[derive(Deserialize)]
            struct A {
                value: String,
                now: u64,
            }
            let a: A = args(op, a)?;
            let wait = retry_after(&a.value, a.now).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            Ok(json!({"waitMs": wait}))
        }
        "retry" => {
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct A {
                status: u16,
                attempts: u32,
                retry_after: Option<String>,
                #[serde(default)]
                now: u64,
            }
            let a: A = args(op, a)?;
            Ok(to_json(&decide_retry(a.status, a.attempts, a.retry_after.as_deref(), a.now, &RetryPolicy::default())))
        }
        "endpoint" => {
            #[derive(Deserialize)]
            struct A {
                method: String,
                path: String,
            }
            let a: A = args(op, a)?;
            Ok(to_json(&endpoint(&a.method, &a.path)))
        }
        "rate_limit" => {
            #[derive(Deserialize)]
            struct A {
                class: String,
                sent: Vec<u64>,
                now: u64,
            }
            let a: A = args(op, a)?;
            let class =
                RateClass::parse(&a.class).ok_or_else(|| OpError(format!("unknown rate class `{}`", a.class)))?;
            let mut rl = RateLimiter::new();
            for t in a.sent {
                rl.record(class, t);
            }
            Ok(json!({"waitMs": rl.wait_ms(class, a.now)}))
        }
        "decide" => {
            #[derive(Deserialize)]
            struct A {
                matrix: Value,
                tool: String,
                role: String,
                calls: u64,
                online: bool,
            }
            let a: A = args(op, a)?;
            Ok(match crate::policy::PolicyMatrix::from_value(&a.matrix) {
                Ok(m) => to_json(&m.decide(&a.tool, &a.role, a.calls, a.online)),
                Err(rep) => json!({"violations": rep.violations}),
            })
        }
        "approval" => {
            use crate::policy::{ApprovalEvent, ApprovalRequest, ApprovalStatus, Tier};
            #[derive(Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct A {
                tier: Tier,
                allowed_roles: Vec<String>,
                events: Vec<ApprovalEvent>,
            }
            let a: A = args(op, a)?;
            let mut req =
                ApprovalRequest { tier: a.tier, allowed_roles: a.allowed_roles, status: ApprovalStatus::Pending };
            let steps: Vec<Value> = a
                .events
                .iter()
                .map(|e| match req.apply(e) {
                    Ok(s) => json!({"status": s}),
                    Err(v) => json!({"error": v}),
                })
                .collect();
            Ok(Value::Array(steps))
        }
        "sse_decode" => {
            let chunks = sse_chunks(a)?;
            let split = a.get("split");
            let whole: Vec<u8> = chunks.concat();
            let pieces: Vec<&[u8]> = match split {
                None => chunks.iter().map(Vec::as_slice).collect(),
                Some(Value::String(s)) if s == "whole" => vec![whole.as_slice()],
                Some(Value::String(s)) if s == "bytes" => whole.chunks(1).collect(),
                Some(n) => {
                    let at = n
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| OpError("`split` is whole, bytes or an offset".into()))?;
                    let (x, y) = whole.split_at(at.min(whole.len()));
                    vec![x, y]
                }
            };
            let mut d = crate::sse::SseDecoder::new();
            let mut items = Vec::new();
            for p in pieces {
                if let Err(e) = d.push_into(p, &mut items) {
                    return Ok(json!({"error": e.to_string()}));
                }
            }
            d.finish();
            Ok(json!({"items": items, "lastEventId": d.last_event_id(), "retry": d.retry()}))
        }
        "run_transition" => {
            use crate::run::{can_transition, RunStatus};
            #[derive(Deserialize)]
            struct A {
                from: String,
                to: String,
            }
            let a: A = args(op, a)?;
            let parse = |s: &str| RunStatus::parse(s).ok_or_else(|| OpError(format!("unknown run status `{s}`")));
            let (from, to) = (parse(&a.from)?, parse(&a.to)?);
            Ok(if can_transition(from, to) {
                json!({"ok": true})
            } else {
                let v = Violation::new(
                    &crate::pointer::Pointer::root(),
                    crate::report::Code::InvalidTransition,
                    format!("a run cannot go from `{}` to `{}`", a.from, a.to),
                );
                json!({"ok": false, "violation": v})
            })
        }
        "replay" => {
            let log = a.get("log").ok_or_else(|| OpError("`replay` takes `log`".into()))?;
            Ok(match crate::run::replay(log) {
                Ok(state) => to_json(&state),
                Err(rep) => json!({"violations": rep.violations}),
            })
        }
        "verify_webhook" => {
            #[derive(Deserialize)]
            struct A {
                provider: String,
                headers: Value,
                body: Value,
                secret: String,
                #[serde(default)]
                now: i64,
            }
            let a: A = args(op, a)?;
            let provider = crate::webhook::WebhookProvider::parse(&a.provider)
                .ok_or_else(|| OpError(format!("unknown provider `{}`: github, slack or whatsapp", a.provider)))?;
            let headers = headers_arg(&a.headers)?;
            let body = bytes_arg(&a.body, "`body`")?;
            let v: crate::webhook::WebhookVerification =
                crate::webhook::verify(provider, &headers, &body, a.secret.as_bytes(), a.now).into();
            Ok(to_json(&v))
        }
        "connector_apply" => {
            let install = match install_arg(op, a.get("install"))? {
                Ok(i) => i,
                Err(v) => return Ok(v),
            };
            let ev = a.get("event").ok_or_else(|| OpError("`connector_apply` takes `event`".into()))?;
            let event = match crate::connector::InstallEvent::from_value(ev) {
                Ok(e) => e,
                Err(r) => return Ok(json!({"violations": r.violations})),
            };
            let policy = connector_policy(a)?;
            Ok(match crate::connector::apply(&install, &event, policy) {
                Ok(next) => to_json(&next),
                Err(v) => json!({"error": v}),
            })
        }
        "connector_summary" => Ok(match install_arg(op, a.get("install"))? {
            Ok(i) => to_json(&crate::connector::summary(&i)),
            Err(v) => v,
        }),
        "connector_sweep" => {
            let Some(Value::Array(items)) = a.get("installs") else {
                return Err(OpError("`connector_sweep` takes `installs`, an array".into()));
            };
            let now =
                a.get("now").and_then(Value::as_i64).ok_or_else(|| OpError("`connector_sweep` takes `now`".into()))?;
            let mut installs = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match crate::connector::Install::from_value(item) {
                    Ok(inst) => installs.push(inst),
                    Err(r) => {
                        let prefix = crate::Pointer::root().key("installs").index(i);
                        let violations: Vec<Violation> = r
                            .violations
                            .into_iter()
                            .map(|mut v| {
                                v.path = format!("{}{}", prefix, v.path);
                                v
                            })
                            .collect();
                        return Ok(json!({"violations": violations}));
                    }
                }
            }
            Ok(to_json(&crate::connector::sweep(&installs, now, connector_policy(a)?)))
        }
        other => Err(OpError(format!("unknown op `{other}`; expected one of: {}", OPS.join(", ")))),
    }
}
