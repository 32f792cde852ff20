//! The non-validation rules as one generic entry, `evaluate(op, args) -> result`, both in JSON.
//!
//! Bindings expose it unchanged so the conformance corpus's non-validation cases
//! (`{ rule, name, op, args, expect }`) run on every surface through the same code. Each op is a
//! type implementing [`Op`] (typed `Args` and `Answer`, in the module of its area) listed once in
//! the registry ([`SPECS`]); [`evaluate`] reads the arguments, runs the op and writes its answer.
//!
//! Every op answers in one of two shapes: its answer, or `{"error": Refusal}` ([`Failure`]) when
//! the rule refuses (an action in the wrong state, an invalid document, a stream over its limit).
//! Arguments of the wrong shape are not an answer: `evaluate` returns them as an
//! `invalid_arguments` [`Refusal`], which every binding throws.
//!
//! Every op, its arguments and its answer: [`SPECS`], [`schemas`] (feature `schema`), and
//! `agentrules op --list` (`schemas/ops.json`, from which the bindings' typed `evaluate` is
//! generated).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::refusal::{Refusal, RefusalKind};

pub mod errors;
pub mod lifecycle;
pub mod listing;
pub mod nome;
pub mod policy;
pub mod run;

/// What the arguments and answers of ops are, besides serde: JSON Schema types with the
/// `schema` feature (so the registry can describe every op), nothing more without it.
#[cfg(feature = "schema")]
pub trait Described: schemars::JsonSchema {}
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> Described for T {}
/// What the arguments and answers of ops are, besides serde (nothing without `schema`).
#[cfg(not(feature = "schema"))]
pub trait Described {}
#[cfg(not(feature = "schema"))]
impl<T> Described for T {}

/// One op: a rule that is not validation, as a typed function from its arguments to its answer.
///
/// A refusal of kind [`RefusalKind::InvalidArguments`] means the arguments were wrong and
/// [`evaluate`] returns it as its error; any other refusal is the rule's own answer ("this action
/// cannot apply here") and [`evaluate`] answers it in the one failure shape, [`Failure`].
pub trait Op {
    /// Its arguments, from JSON.
    type Args: DeserializeOwned + Described;
    /// Its answer.
    type Answer: Serialize + Described;
    /// Runs it.
    fn run(args: Self::Args) -> Result<Self::Answer, Refusal>;
}

/// The one shape in which every op answers a refusal of the rule: `{"error": Refusal}`, the
/// refusal's `kind`, its `message` and the `violations` behind it (see [`crate::refusal`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Failure {
    /// Why the rule refused.
    pub error: Refusal,
}

/// An answer or the rule's refusal, serialised as the answer itself or as a [`Failure`]: what
/// [`evaluate`] gives for every op, and each step of the ops that answer step by step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Answered_{T}"))]
#[serde(untagged)]
pub enum Answered<T> {
    /// The rule answered.
    Ok(T),
    /// The rule refused.
    Refused(Failure),
}

impl<T> From<Result<T, Refusal>> for Answered<T> {
    fn from(r: Result<T, Refusal>) -> Self {
        match r {
            Ok(t) => Answered::Ok(t),
            Err(error) => Answered::Refused(Failure { error }),
        }
    }
}

/// `{ ok }`, or `{ ok: false, violation }`: the answer of the ops that ask whether a change is
/// allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Checked {
    /// Whether it is allowed.
    pub ok: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<crate::report::Violation>,
}

impl From<Result<(), crate::report::Violation>> for Checked {
    fn from(r: Result<(), crate::report::Violation>) -> Self {
        Checked { ok: r.is_ok(), violation: r.err() }
    }
}

/// One entry of the op registry ([`SPECS`]).
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// The op's name, as `evaluate(op, …)` takes it.
    pub name: &'static str,
    /// Its arguments and answer, in a line.
    pub summary: &'static str,
    run: fn(&'static str, &Value) -> Result<Value, Refusal>,
}

/// An op's arguments read, the op run, its answer written: every op through one path.
fn run<O: Op>(name: &'static str, a: &Value) -> Result<Value, Refusal> {
    let a: O::Args = args(name, a)?;
    match O::run(a) {
        Err(r) if r.kind == RefusalKind::InvalidArguments => Err(r),
        r => Ok(to_json(&Answered::from(r))),
    }
}

/// The JSON Schemas of one op's arguments and answer (feature `schema`).
#[cfg(feature = "schema")]
#[derive(Debug, Clone)]
pub struct OpSchemas {
    /// The op's name.
    pub name: &'static str,
    /// Its arguments.
    pub args: Value,
    /// What it answers: the answer, or a [`Failure`].
    pub answer: Value,
}

#[cfg(feature = "schema")]
fn schemas_of<O: Op>(name: &'static str) -> OpSchemas {
    fn schema<T: schemars::JsonSchema>() -> Value {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let mut v = to_json(&generator.into_root_schema_for::<T>());
        crate::schema::plain_descriptions(&mut v);
        v
    }
    OpSchemas { name, args: schema::<O::Args>(), answer: schema::<Answered<O::Answer>>() }
}

/// The op registry: each op named once, with its summary and its type (in the module of its
/// area). [`OPS`], [`evaluate`], [`schemas`], `agentrules op --list` and the fuzz seeds derive
/// from it.
macro_rules! ops {
    ($( #[doc = $doc:literal] $name:ident => $module:ident :: $op:ident; )+) => {
        /// Every op, in catalogue order.
        pub const SPECS: &[OpSpec] = &[ $( OpSpec { name: stringify!($name), summary: $doc.trim_ascii(), run: run::<$module::$op> }, )+ ];
        /// The names of every op.
        pub const OPS: &[&str] = &[ $( stringify!($name), )+ ];
        /// Every op's argument and answer schemas, in catalogue order.
        #[cfg(feature = "schema")]
        pub fn schemas() -> Vec<OpSchemas> {
            vec![ $( schemas_of::<$module::$op>(stringify!($name)), )+ ]
        }
    };
}

ops! {
    /// `{from, to, via?: "pipeline"|"follow_up"}` → `{ok}` or `{ok: false, violation}`
    transition => lifecycle::Transition;
    /// `{status, action: "follow_up"|"stop"|"delete"}` → the outcome
    apply => lifecycle::Apply;
    /// `{status}` → `{status, known, terminal}`
    status => lifecycle::Status;
    /// `{followUpFrom?, observations: [{status, elapsedMs?}]}` → `[step]`
    poll => lifecycle::Poll;
    /// `{query}` (object) or `{queryString}` → `{ok, queryString?, violations}`
    list_query => listing::ListQueryOp;
    /// `{include, types?: [type]}` → `{steps, shown?: [type]}`
    include => listing::IncludeOp;
    /// `{messages}` → `[id]` (the active branch)
    linearize => listing::Linearize;
    /// `{kind: "agent"|"agent_page"|"conversation"|"artifact", body}` → the parsed body
    parse_response => listing::ParseResponse;
    /// `{violations}` (a report's) or `{status, error}` → `{status, body}` (`null` for no violations)
    error_envelope => errors::ErrorEnvelopeOp;
    /// `{error: "not_found", resource: "agent"}` (a server's refusal) → `{status, body, retryAfter?}`
    api_error => errors::ApiErrorOp;
    /// `{body}` → `{code, error, status, known}`
    parse_error_envelope => errors::ParseErrorEnvelope;
    /// `{value, now}` → `{waitMs}` or `{waitMs: null}`
    retry_after => errors::RetryAfter;
    /// `{status, attempts, retryAfter?, now?}` → decision
    retry => errors::Retry;
    /// `{method, path}` → endpoint or `null`
    endpoint => errors::EndpointOp;
    /// `{class, sent: [ms], now}` → `{waitMs}`
    rate_limit => errors::RateLimit;
    /// `{matrix, tool, role, calls, online}` → decision
    decide => policy::Decide;
    /// `{tier, allowedRoles, events: [event]}` → `[{status} | {error}]`, a step per event
    approval => policy::Approval;
    /// `{chunks: [text | {hex}], split?: "whole" | "bytes" | n}` → `{items, lastEventId, retry}`
    sse_decode => run::SseDecode;
    /// `{from, to}` → `{ok}` or `{ok: false, violation}`
    run_transition => run::RunTransition;
    /// `{log}` → the run state
    replay => run::Replay;
    /// `{provider, headers: {name: value} | [[name, value]], body: text | {hex} | {base64}, secret, now?}` → `{verified, reason?, header?, message}`
    verify_webhook => nome::VerifyWebhook;
    /// `{headers, keys?: JWKS | text, expect: {audience?, email?, channelToken?, skewSeconds?}, now?}` → `{verified, reason?, header?, message}`
    verify_google_webhook => nome::VerifyGoogleWebhook;
    /// `{install, event, policy?: {failureThreshold, sweepAfter}}` → the install
    connector_apply => nome::ConnectorApply;
    /// `{install}` → the failure summary
    connector_summary => nome::ConnectorSummary;
    /// `{installs, now, policy?}` → `[id]`
    connector_sweep => nome::ConnectorSweep;
}

pub(crate) fn args<T: DeserializeOwned>(op: &str, v: &Value) -> Result<T, Refusal> {
    T::deserialize(v).map_err(|e| Refusal::invalid_arguments(format!("bad arguments for `{op}`: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Bytes given in JSON: text (its UTF-8), `{"hex": "..."}` or `{"base64": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

/// The JSON forms of [`Bytes`], for its schema.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "only its schema is used")]
enum BytesForm {
    /// Text, as UTF-8.
    Text(String),
    /// Hexadecimal digits.
    Hex {
        /// Two digits per byte.
        hex: String,
    },
    /// Base64 (standard alphabet, padded).
    Base64 {
        /// The encoded bytes.
        base64: String,
    },
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Bytes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Bytes".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        BytesForm::json_schema(g)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let bad = || D::Error::custom("bytes are text, {hex} or {base64}");
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Bytes(s.into_bytes())),
            Value::Object(o) => {
                if let Some(b64) = o.get("base64").and_then(Value::as_str) {
                    use base64::Engine as _;
                    return base64::engine::general_purpose::STANDARD.decode(b64).map(Bytes).map_err(|_| bad());
                }
                let hex = o.get("hex").and_then(Value::as_str).ok_or_else(bad)?.as_bytes();
                if hex.len() % 2 != 0 {
                    return Err(bad());
                }
                hex.chunks(2)
                    .map(|p| std::str::from_utf8(p).ok().and_then(|s| u8::from_str_radix(s, 16).ok()).ok_or_else(bad))
                    .collect::<Result<Vec<u8>, _>>()
                    .map(Bytes)
            }
            _ => Err(bad()),
        }
    }
}

/// Headers given in JSON: an object of name to value, or an array of `[name, value]` pairs
/// (which can repeat a name), in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

/// The JSON forms of [`Headers`], for its schema.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "only its schema is used")]
enum HeadersForm {
    /// Name to value.
    Map(std::collections::BTreeMap<String, String>),
    /// `[name, value]` pairs; a name may repeat.
    Pairs(Vec<(String, String)>),
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Headers {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Headers".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        HeadersForm::json_schema(g)
    }
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let bad = || D::Error::custom("`headers` is an object of strings or an array of [name, value] pairs");
        match Value::deserialize(d)? {
            Value::Object(o) => o
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s)),
                    _ => Err(bad()),
                })
                .collect::<Result<_, _>>()
                .map(Headers),
            Value::Array(items) => items
                .into_iter()
                .map(|p| match p {
                    Value::Array(pair) => match <[Value; 2]>::try_from(pair) {
                        Ok([Value::String(n), Value::String(v)]) => Ok((n, v)),
                        _ => Err(bad()),
                    },
                    _ => Err(bad()),
                })
                .collect::<Result<_, _>>()
                .map(Headers),
            _ => Err(bad()),
        }
    }
}

/// A JSON document given as its text or as the value itself (the text is parsed by the op).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Document {
    /// The document's text.
    Text(String),
    /// The document itself.
    Value(Value),
}

impl Document {
    /// The document's text.
    pub fn text(&self) -> String {
        match self {
            Document::Text(s) => s.clone(),
            Document::Value(v) => v.to_string(),
        }
    }
}

/// Runs `op` on `args` (see [`SPECS`]): the op's answer, or `{"error": Refusal}` when the rule
/// refuses ([`Failure`]); arguments of the wrong shape and an unknown op are an
/// `invalid_arguments` [`Refusal`], never a panic.
///
/// ```
/// use serde_json::json;
/// let r = agentrules::ops::evaluate("apply", &json!({"status": "waiting", "action": "stop"})).unwrap();
/// assert_eq!(r, json!({"outcome": "transition", "status": "stopped"}));
/// let r = agentrules::ops::evaluate("apply", &json!({"status": "running", "action": "follow_up"})).unwrap();
/// assert_eq!(r["error"]["kind"], "invalid_state");
/// ```
pub fn evaluate(op: &str, a: &Value) -> Result<Value, Refusal> {
    match SPECS.iter().find(|s| s.name == op) {
        Some(spec) => (spec.run)(spec.name, a),
        None => Err(Refusal::invalid_arguments(format!("unknown op `{op}`; expected one of: {}", OPS.join(", ")))),
    }
}
