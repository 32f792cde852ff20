//! The npm package `agentrules`: the core's rules for browsers and Node, through wasm-bindgen.
//!
//! A translation layer only (DESIGN.md principle 1): JS values in, the core's answer out, core
//! errors as `AgentRulesError` (a JS `Error` subclass with `code` and `violations`). Every rule
//! lives in the `agentrules` crate.
//!
//! Two builds share this crate: the form entry (`agentrules`: what a launch form needs) and the
//! table entry (`agentrules/table`, built with the `table` feature, which adds
//! `TableValidator`, the generic `evaluate` of every non-validation rule, and the server-side
//! NOME rules: `verifyWebhook` and the connector lifecycle). The form entry still checks every
//! kind, the thread, marketplace and Git import bodies included.
#![forbid(unsafe_code)]

use agentrules::lifecycle::{self, Action, AgentStatus, Via};
use agentrules::policy::{Decision, PolicyMatrix as CorePolicyMatrix};
use agentrules::{Code, Context, Kind, Report, Violation};
use serde::Serialize;
use serde_json::Value;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    /// `class AgentRulesError extends Error { code; violations }`, defined in `js/errors.js`.
    #[wasm_bindgen(extends = js_sys::Error)]
    type AgentRulesError;

    #[wasm_bindgen(constructor)]
    fn new(message: &str, code: &str, violations: JsValue) -> AgentRulesError;
}

/// Results go to JS as plain objects (maps as objects, as JSON would). serde-wasm-bindgen builds
/// them directly; going through JSON text and `JSON.parse` measured slower for reports with
/// many violations (58 µs against 39 µs, measured when the package had a per-call bench).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::UNDEFINED)
}

/// A typed result (its TypeScript type comes from the core's tsify derive).
fn out<T: Tsify + Serialize>(value: &T) -> Result<Ts<T>, JsValue> {
    let js = to_js(value);
    if js.is_undefined() {
        return Err(error("internal", "a result could not be converted for JavaScript", &[]));
    }
    Ok(Ts::new_unchecked(js))
}

#[wasm_bindgen(module = "/js/report.js")]
extern "C" {
    /// Builds `{ ok, violations }` from the packed text and lengths; see `js/report.js`.
    #[wasm_bindgen(js_name = unpackReport)]
    fn unpack_report(text: &str, lengths: &[u32]) -> JsValue;
}

/// A report for JS: its strings packed into one (see `js/report.js`), the same object shape as
/// the serde path (`{ ok, violations: [{ path, code, message }] }`).
fn report_out(report: &Report) -> Result<Ts<Report>, JsValue> {
    let mut text = String::new();
    let mut lengths = Vec::with_capacity(report.violations.len().saturating_mul(3));
    for v in &report.violations {
        for part in [v.path.as_str(), v.code.as_str(), v.message.as_str()] {
            text.push_str(part);
            lengths.push(u32::try_from(utf16_len(part)).unwrap_or(u32::MAX));
        }
    }
    Ok(Ts::new_unchecked(unpack_report(&text, &lengths)))
}

/// A length in UTF-16 code units (JS string indices), for the packed transfers.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// A thrown `AgentRulesError`.
fn error(code: &str, message: &str, violations: &[Violation]) -> JsValue {
    AgentRulesError::new(message, code, to_js(violations)).into()
}

fn report_error(code: &str, what: &str, report: &Report) -> JsValue {
    let first = report.violations.first().map(ToString::to_string).unwrap_or_default();
    let more = match report.violations.len() {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    error(code, &format!("{what}: {first}{more}"), &report.violations)
}

/// A JS value as JSON: a string is JSON text, a `Uint8Array` JSON bytes; anything else goes through `JSON.stringify` (one
/// call, then one parse in Rust: measured twice as fast as walking the object property by
/// property across the boundary), so values are read exactly as `JSON.stringify` writes them
/// (`NaN` becomes `null`, functions in objects vanish). `Err` is the `invalid_json` violation
/// for text that is not JSON, `undefined`, or a value `JSON.stringify` refuses (a BigInt, a
/// cycle).
fn to_json_value(input: &JsValue) -> Result<Value, Violation> {
    if input.is_instance_of::<js_sys::Uint8Array>() {
        // Raw bytes (a fetch body, a file): not-UTF-8 is `invalid_json`, never replaced.
        return agentrules::json::parse_bytes(&uint8_vec(input));
    }
    agentrules::json::parse_bytes(&encoded_json(input)?)
}

#[wasm_bindgen(module = "/js/json.js")]
extern "C" {
    /// `JSON.stringify` (a string as it is) encoded to UTF-8 by `TextEncoder`; see `js/json.js`.
    #[wasm_bindgen(js_name = jsonBytes, catch)]
    fn json_bytes(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// The bytes of a `Uint8Array` (the caller checked the type), copied once into wasm memory
/// (`Uint8Array::new` would first copy them into a new array on the JS side).
fn uint8_vec(v: &JsValue) -> Vec<u8> {
    v.unchecked_ref::<js_sys::Uint8Array>().to_vec()
}

/// The UTF-8 JSON text of a string or any other JS value, or the `invalid_json` violation for
/// `undefined`, a function, a BigInt or a cycle.
fn encoded_json(input: &JsValue) -> Result<Vec<u8>, Violation> {
    let not_json = |what: &str| Violation::new(&agentrules::Pointer::root(), Code::InvalidJson, what.to_string());
    match json_bytes(input) {
        Ok(b) if b.is_instance_of::<js_sys::Uint8Array>() => Ok(uint8_vec(&b)),
        Ok(_) => Err(not_json("the input is undefined or a function, not a JSON value")),
        Err(_) => Err(not_json("the input cannot be written as JSON (a BigInt or a cycle)")),
    }
}

/// The context argument: `undefined`/`null` for none, else JSON text or an object.
fn context(ctx: &JsValue) -> Result<Context, JsValue> {
    if ctx.is_undefined() || ctx.is_null() {
        return Ok(Context::default());
    }
    let v = to_json_value(ctx).map_err(|v| error("invalid_context", &v.message, std::slice::from_ref(&v)))?;
    Context::from_value(&v).map_err(|r| report_error("invalid_context", "invalid context", &r))
}

fn check_kind(kind: Kind, input: &JsValue, ctx: &JsValue) -> Result<Ts<Report>, JsValue> {
    let ctx = context(ctx)?;
    // Text and bytes go through the core's reader as they are (the context's maxDocumentBytes
    // applies); other values through JSON.stringify.
    let report = if input.is_string() {
        match encoded_json(input) {
            Ok(text) => agentrules::check_bytes(kind, &text, &ctx),
            Err(v) => Report::new(vec![v]),
        }
    } else if input.is_instance_of::<js_sys::Uint8Array>() {
        agentrules::check_bytes(kind, &uint8_vec(input), &ctx)
    } else {
        match to_json_value(input) {
            Ok(v) => agentrules::check_value(kind, &v, &ctx),
            Err(v) => Report::new(vec![v]),
        }
    };
    report_out(&report)
}

/// Checks `input` (a JS value, JSON text, or JSON bytes as a `Uint8Array`) as `kind` (`launch`, `followup`, `list-query`, …)
/// with an optional context. Throws `AgentRulesError` for an unknown kind (`unknown_kind`) or an
/// invalid context (`invalid_context`); problems with the input itself are the report's.
#[wasm_bindgen(js_name = check)]
pub fn check(
    kind: &str,
    input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<Ts<Report>, JsValue> {
    let k = Kind::parse(kind).ok_or_else(|| {
        let msg = agentrules::CheckError::UnknownKind(kind.to_string()).to_string();
        error("unknown_kind", &msg, &[])
    })?;
    check_kind(k, &input, &context)
}

/// Checks a launch body (`POST /api/v0/agents`).
#[wasm_bindgen(js_name = validateLaunch)]
pub fn validate_launch(
    input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<Ts<Report>, JsValue> {
    check_kind(Kind::Launch, &input, &context)
}

/// Checks a follow-up body (`POST /api/v0/agents/{id}/followup`).
#[wasm_bindgen(js_name = validateFollowUp)]
pub fn validate_follow_up(
    input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<Ts<Report>, JsValue> {
    check_kind(Kind::FollowUp, &input, &context)
}

/// Checks a launch body and throws `AgentRulesError` (code `bad_request`, the violations
/// attached) when it has any violation.
#[wasm_bindgen(js_name = assertValidLaunch)]
pub fn assert_valid_launch(
    input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<(), JsValue> {
    let ctx = self::context(&context)?;
    let report = match to_json_value(&input) {
        Ok(v) => agentrules::check_value(Kind::Launch, &v, &ctx),
        Err(v) => Report::new(vec![v]),
    };
    if report.ok {
        Ok(())
    } else {
        Err(report_error("bad_request", "the launch request is invalid", &report))
    }
}

/// I7: checks an image file before it is base64-encoded, from its declared media type, its
/// byte length and its first bytes (16 are enough). Paths are `/media_type` and `/data`.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image(
    media_type: &str,
    byte_length: f64,
    head: &[u8],
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<Ts<Report>, JsValue> {
    let ctx = self::context(&context)?;
    if !(byte_length.is_finite() && byte_length >= 0.0 && byte_length.fract() == 0.0) {
        return Err(error("invalid_arguments", "byteLength must be a non-negative integer", &[]));
    }
    // A JS number holds integers exactly up to 2^53, far beyond any file size.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let len = byte_length as u64;
    report_out(&Report::new(agentrules::image::check_image_bytes(media_type, len, head, &ctx.limits)))
}

/// Every violation code, in catalogue order.
#[wasm_bindgen(js_name = codes, unchecked_return_type = "Code[]")]
pub fn codes() -> JsValue {
    to_js(Code::ALL)
}

/// Every kind `check` accepts in this build.
#[wasm_bindgen(js_name = kinds, unchecked_return_type = "string[]")]
pub fn kinds() -> JsValue {
    to_js(&Kind::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>())
}

/// Whether a status is terminal (`finished`, `stopped`, `failed`).
#[wasm_bindgen(js_name = isTerminal)]
pub fn is_terminal(status: &str) -> bool {
    AgentStatus::parse(status).is_terminal()
}

/// S2: whether `from → to` is legal; `via` is `"pipeline"` (default) or `"follow_up"`.
#[wasm_bindgen(js_name = canTransition)]
pub fn can_transition(from: &str, to: &str, via: Option<String>) -> Result<bool, JsValue> {
    let via = match via.as_deref() {
        None | Some("pipeline") => Via::Pipeline,
        Some("follow_up") => Via::FollowUp,
        Some(other) => {
            return Err(error("invalid_arguments", &format!("unknown via `{other}`: use pipeline or follow_up"), &[]))
        }
    };
    Ok(lifecycle::can_transition(&AgentStatus::parse(from), &AgentStatus::parse(to), via))
}

/// S3–S5: what `action` (`follow_up`, `stop`, `delete`) does in `status`. Throws
/// `AgentRulesError` with code `invalid_state` when the server would answer 409.
#[wasm_bindgen(js_name = applyAction)]
pub fn apply_action(status: &str, action: &str) -> Result<Ts<lifecycle::ActionOutcome>, JsValue> {
    let a = Action::parse(action).ok_or_else(|| {
        error("invalid_arguments", &format!("unknown action `{action}`: use follow_up, stop or delete"), &[])
    })?;
    match lifecycle::apply(&AgentStatus::parse(status), a) {
        Ok(outcome) => out(&outcome),
        Err(e) => Err(error("invalid_state", &e.message, &[])),
    }
}

/// S6: the client-side poll schedule, with the follow-up window of S3.
#[wasm_bindgen]
pub struct Poller {
    inner: lifecycle::Poller,
}

#[wasm_bindgen]
impl Poller {
    /// A poller for a launched agent, or, given `followUpFrom`, for one that just accepted a
    /// follow-up in that terminal status.
    #[wasm_bindgen(constructor)]
    pub fn new(follow_up_from: Option<String>) -> Poller {
        let inner = match follow_up_from {
            Some(s) => lifecycle::Poller::after_follow_up(AgentStatus::parse(&s)),
            None => lifecycle::Poller::new(),
        };
        Poller { inner }
    }

    /// Observes a polled status (`elapsedMs` since the follow-up, if any) and says what next.
    pub fn observe(&mut self, status: &str, elapsed_ms: Option<f64>) -> Result<Ts<lifecycle::PollStep>, JsValue> {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let elapsed = elapsed_ms.filter(|e| e.is_finite() && *e >= 0.0).map_or(0, |e| e as u64);
        out(&self.inner.observe(&AgentStatus::parse(status), elapsed))
    }
}

/// Q1: the canonical query string of a list query (an object of parameters). Throws
/// `AgentRulesError` (`bad_request`) with the violations when the query is invalid.
#[wasm_bindgen(js_name = renderListQuery)]
pub fn render_list_query(
    query: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] context: JsValue,
) -> Result<String, JsValue> {
    let ctx = self::context(&context)?;
    let v = to_json_value(&query).map_err(|v| error("bad_request", &v.message, std::slice::from_ref(&v)))?;
    agentrules::ListQuery::from_value(&v, &ctx)
        .map(|q| q.to_query_string())
        .map_err(|r| report_error("bad_request", "invalid list query", &r))
}

/// Runs one of the core's non-validation operations (`agentrules::ops`) on JSON-like arguments:
/// `retry_after`, `retry`, `endpoint`, `rate_limit`, `linearize`, `parse_response`, ….
/// In the table entry only: its typed-response parsers would double the form entry's size.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = evaluate, unchecked_return_type = "unknown")]
pub fn evaluate(op: &str, args: JsValue) -> Result<JsValue, JsValue> {
    let v = to_json_value(&args).map_err(|v| error("invalid_arguments", &v.message, std::slice::from_ref(&v)))?;
    agentrules::ops::evaluate(op, &v).map(|r| to_js(&r)).map_err(|e| error("invalid_arguments", &e.to_string(), &[]))
}

/// E1: parses an error envelope (JSON text or an object): `{ code, error, status, known }`.
/// Throws `AgentRulesError` (`invalid_envelope`) when the body is not an envelope.
#[wasm_bindgen(js_name = parseErrorEnvelope, unchecked_return_type = "{ code: string; error: string; status: number | null; known: boolean }")]
pub fn parse_error_envelope(body: JsValue) -> Result<JsValue, JsValue> {
    let text = match body.as_string() {
        Some(t) => t,
        None => to_json_value(&body)
            .map(|v| v.to_string())
            .map_err(|v| error("invalid_envelope", &v.message, std::slice::from_ref(&v)))?,
    };
    let env = agentrules::errors::ErrorEnvelope::parse(&text)
        .map_err(|r| report_error("invalid_envelope", "not an error envelope", &r))?;
    let known = !matches!(env.code, agentrules::errors::ApiErrorCode::Unknown(_));
    Ok(to_js(&serde_json::json!({ "code": env.code, "error": env.error, "status": env.code.status(), "known": known })))
}

/// E2: milliseconds to wait for a `Retry-After` value at `nowUnixSeconds`, or `undefined` when
/// the value is neither delta seconds nor an HTTP date.
#[wasm_bindgen(js_name = retryAfterMs)]
pub fn retry_after_ms(value: &str, now_unix_seconds: f64) -> Option<f64> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = if now_unix_seconds.is_finite() && now_unix_seconds > 0.0 { now_unix_seconds as u64 } else { 0 };
    #[allow(clippy::cast_precision_loss)]
    agentrules::errors::retry_after(value, now).map(|d| d.as_millis() as f64)
}

/// P1/P2: a tool policy matrix, validated once, deciding tool calls.
#[wasm_bindgen]
pub struct PolicyMatrix {
    inner: CorePolicyMatrix,
}

#[wasm_bindgen]
impl PolicyMatrix {
    /// Parses a matrix (JSON text or an object). Throws `AgentRulesError` (`invalid_matrix`)
    /// with the violations when it is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(matrix: JsValue) -> Result<PolicyMatrix, JsValue> {
        let v = to_json_value(&matrix).map_err(|v| error("invalid_matrix", &v.message, std::slice::from_ref(&v)))?;
        CorePolicyMatrix::from_value(&v)
            .map(|inner| PolicyMatrix { inner })
            .map_err(|r| report_error("invalid_matrix", "invalid policy matrix", &r))
    }

    /// Decides a call (P2): allow, needs_approval, queued or deny with its reason.
    pub fn decide(&self, tool: &str, role: &str, calls_made: u32, online: bool) -> Result<Ts<Decision>, JsValue> {
        out(&self.inner.decide(tool, role, u64::from(calls_made), online))
    }
}

/// T3–T5: a JSON Schema compiled once, validating any number of table rows.
#[cfg(feature = "table")]
#[wasm_bindgen]
pub struct TableValidator {
    inner: agentrules::table::TableValidator,
}

#[cfg(feature = "table")]
#[wasm_bindgen]
impl TableValidator {
    /// Compiles a table schema (JSON text or an object). Throws `AgentRulesError`
    /// (`invalid_schema`) with violations at paths inside the schema.
    #[wasm_bindgen(constructor)]
    pub fn new(schema: JsValue) -> Result<TableValidator, JsValue> {
        let v = to_json_value(&schema).map_err(|v| error("invalid_schema", &v.message, std::slice::from_ref(&v)))?;
        agentrules::table::TableValidator::new(&v)
            .map(|inner| TableValidator { inner })
            .map_err(|r| report_error("invalid_schema", "invalid table schema", &r))
    }

    /// Validates `elements` (`[{ key, value }]`): violations at `/elements/<i>/...`.
    #[wasm_bindgen(js_name = validateElements)]
    pub fn validate_elements(&self, elements: JsValue) -> Result<Ts<Report>, JsValue> {
        let v =
            to_json_value(&elements).map_err(|v| error("invalid_arguments", &v.message, std::slice::from_ref(&v)))?;
        let Value::Array(items) = v else {
            return Err(error("invalid_arguments", "elements must be an array of { key, value }", &[]));
        };
        report_out(&Report::new(self.inner.validate_elements(&items)))
    }

    /// Validates one row value: violations at its instance paths.
    #[wasm_bindgen(js_name = validateValue)]
    pub fn validate_value(&self, value: JsValue) -> Result<Ts<Report>, JsValue> {
        let v = to_json_value(&value).map_err(|v| error("invalid_arguments", &v.message, std::slice::from_ref(&v)))?;
        report_out(&Report::new(self.inner.validate_value(&v)))
    }
}

/// R2: an incremental Server-Sent Events decoder for `fetch` bodies (browsers cannot send an
/// `Authorization` header with `EventSource`): push each `Uint8Array` chunk of the body reader,
/// get the dispatched events (`{event, data, id}`) and retry values (`{retry}`) in stream order.
#[wasm_bindgen]
pub struct SseDecoder {
    inner: agentrules::sse::SseDecoder,
    /// What one push hands to `js/sse.js` (reused between pushes).
    packed: PackedSse,
}

#[wasm_bindgen(module = "/js/sse.js")]
extern "C" {
    /// Builds the `SseItem` objects of one push from the packed text and lengths.
    #[wasm_bindgen(js_name = unpackSseItems)]
    fn unpack_sse_items(text: &str, meta: &[f64]) -> JsValue;
}

/// The items of one push, packed for one crossing into JS: the fields' text back to back and
/// four numbers per item (see `js/sse.js`). Measured: building the objects field by field
/// across the boundary cost 4× the decoding itself.
#[derive(Default)]
struct PackedSse {
    text: String,
    meta: Vec<f64>,
}

impl agentrules::sse::SseSink for PackedSse {
    #[allow(clippy::cast_precision_loss)] // lengths are below 2^53
    fn event(&mut self, event: &str, data: &str, id: &str) {
        let len = |s: &str| utf16_len(s) as f64;
        self.meta.extend_from_slice(&[0.0, len(event), len(data), len(id)]);
        self.text.push_str(event);
        self.text.push_str(data);
        self.text.push_str(id);
    }
    #[allow(clippy::cast_precision_loss)]
    fn retry(&mut self, ms: u64) {
        self.meta.extend_from_slice(&[1.0, ms as f64, 0.0, 0.0]);
    }
}

#[wasm_bindgen]
impl SseDecoder {
    /// A decoder; `maxLineBytes` bounds one line (default 1 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(max_line_bytes: Option<u32>) -> SseDecoder {
        let mut limits = agentrules::sse::SseLimits::default();
        if let Some(n) = max_line_bytes {
            limits.max_line_bytes = n as usize;
        }
        SseDecoder { inner: agentrules::sse::SseDecoder::with_limits(limits), packed: PackedSse::default() }
    }

    /// Decodes a chunk. Throws `AgentRulesError` (`invalid_stream`) when a line or an event
    /// exceeds its limit.
    #[wasm_bindgen(unchecked_return_type = "SseItem[]")]
    pub fn push(&mut self, chunk: &[u8]) -> Result<JsValue, JsValue> {
        self.packed.text.clear();
        self.packed.meta.clear();
        self.inner.push_with(chunk, &mut self.packed).map_err(|e| error("invalid_stream", &e.to_string(), &[]))?;
        Ok(unpack_sse_items(&self.packed.text, &self.packed.meta))
    }

    /// Ends the stream: an incomplete event is dropped.
    pub fn finish(&mut self) {
        self.inner.finish();
    }

    /// The last event id in force (for `Last-Event-ID` on reconnect).
    #[wasm_bindgen(getter, js_name = lastEventId)]
    pub fn last_event_id(&self) -> String {
        self.inner.last_event_id().to_string()
    }

    /// The last valid `retry` value, in milliseconds.
    #[wasm_bindgen(getter)]
    pub fn retry(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        self.inner.retry().map(|r| r as f64)
    }
}

/// R5: replays a run event log (an array of flat events, or JSON text) into the run state, as
/// JSON text: the same bytes on every surface. Throws `AgentRulesError` (`bad_request`) with
/// the log's violations.
#[wasm_bindgen(js_name = replayJson)]
pub fn replay_json(log: JsValue) -> Result<String, JsValue> {
    let v = to_json_value(&log).map_err(|v| error("bad_request", &v.message, std::slice::from_ref(&v)))?;
    let state = agentrules::run::replay(&v).map_err(|r| report_error("bad_request", "invalid run log", &r))?;
    serde_json::to_string(&state).map_err(|e| error("internal", &e.to_string(), &[]))
}

/// Bytes from a `Uint8Array` (or any typed-array view / `ArrayBuffer`) or a string (its UTF-8).
#[cfg(feature = "table")]
fn bytes_of(v: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if v.is_instance_of::<js_sys::Uint8Array>() {
        return Ok(uint8_vec(v));
    }
    if v.is_instance_of::<js_sys::ArrayBuffer>() {
        // A view over the buffer (no copy), then the one copy into wasm memory.
        return Ok(js_sys::Uint8Array::new(v).to_vec());
    }
    Err(error("invalid_arguments", &format!("{what} must be a Uint8Array or a string"), &[]))
}

/// Header pairs from a fetch `Headers`, an array of `[name, value]` pairs, or a plain object.
#[cfg(feature = "table")]
fn header_pairs(v: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let bad =
        || error("invalid_arguments", "headers must be a Headers, [name, value] pairs or an object of strings", &[]);
    let entries = match js_sys::try_iter(v).map_err(|_| bad())? {
        Some(it) => it.collect::<Result<Vec<_>, _>>().map_err(|_| bad())?,
        None if v.is_object() => js_sys::Object::entries(&js_sys::Object::from(v.clone())).to_vec(),
        None => return Err(bad()),
    };
    entries
        .into_iter()
        .map(|pair| {
            let pair = js_sys::Array::from(&pair);
            match (pair.get(0).as_string(), pair.get(1).as_string()) {
                (Some(n), Some(v)) if pair.length() == 2 => Ok((n, v)),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// W1–W4: verifies a webhook request (`provider` `github`, `slack` or `whatsapp`) over its raw
/// body bytes. `headers` is the request's `Headers`, `[name, value]` pairs or an object; `body`
/// the raw bytes (`new Uint8Array(await request.arrayBuffer())`) or the exact text; `secret` a
/// string or bytes; `nowUnixSeconds` the current time (Slack's 300 s window). Never throws for a
/// bad request: the result says `verified` or the `reason`.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(
    #[wasm_bindgen(unchecked_param_type = "WebhookProvider")] provider: &str,
    #[wasm_bindgen(unchecked_param_type = "Headers | Iterable<[string, string]> | Record<string, string>")]
    headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] secret: JsValue,
    now_unix_seconds: f64,
) -> Result<Ts<agentrules::webhook::WebhookVerification>, JsValue> {
    let p = agentrules::webhook::WebhookProvider::parse(provider).ok_or_else(|| {
        error("invalid_arguments", &format!("unknown provider `{provider}`: github, slack or whatsapp"), &[])
    })?;
    let headers = header_pairs(&headers)?;
    let body = bytes_of(&body, "body")?;
    let secret = bytes_of(&secret, "secret")?;
    #[allow(clippy::cast_possible_truncation)]
    let now = if now_unix_seconds.is_finite() { now_unix_seconds.floor() as i64 } else { 0 };
    out(&agentrules::webhook::WebhookVerification::from(agentrules::webhook::verify(p, &headers, &body, &secret, now)))
}

#[cfg(feature = "table")]
fn install_of(v: &JsValue) -> Result<agentrules::connector::Install, JsValue> {
    let v = to_json_value(v).map_err(|v| error("bad_request", &v.message, std::slice::from_ref(&v)))?;
    agentrules::connector::Install::from_value(&v).map_err(|r| report_error("bad_request", "invalid install", &r))
}

#[cfg(feature = "table")]
fn connector_policy(v: &JsValue) -> Result<agentrules::connector::ConnectorPolicy, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(agentrules::connector::ConnectorPolicy::default());
    }
    let v = to_json_value(v).map_err(|v| error("invalid_arguments", &v.message, std::slice::from_ref(&v)))?;
    serde_json::from_value(v).map_err(|e| error("invalid_arguments", &format!("invalid connector policy: {e}"), &[]))
}

/// K2/K3: the connector install after `event`. Throws `AgentRulesError`: `bad_request` with the
/// violations of an invalid install or event, `invalid_state` (the violation's code
/// `invalid_transition` or `out_of_order` in `violations`) when the event cannot apply.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = applyConnectorEvent)]
pub fn apply_connector_event(
    #[wasm_bindgen(unchecked_param_type = "Install")] install: JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstallEvent")] event: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ failureThreshold?: number; sweepAfter?: number } | undefined")]
    policy: JsValue,
) -> Result<Ts<agentrules::connector::Install>, JsValue> {
    let i = install_of(&install)?;
    let ev = to_json_value(&event).map_err(|v| error("bad_request", &v.message, std::slice::from_ref(&v)))?;
    let e = agentrules::connector::InstallEvent::from_value(&ev)
        .map_err(|r| report_error("bad_request", "invalid install event", &r))?;
    match agentrules::connector::apply(&i, &e, connector_policy(&policy)?) {
        Ok(next) => out(&next),
        Err(v) => Err(error("invalid_state", &v.message, std::slice::from_ref(&v))),
    }
}

/// K4: the failure summary of a connector install, for a UI.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = connectorSummary)]
pub fn connector_summary(
    #[wasm_bindgen(unchecked_param_type = "Install")] install: JsValue,
) -> Result<Ts<agentrules::connector::FailureSummary>, JsValue> {
    out(&agentrules::connector::summary(&install_of(&install)?))
}

/// K5: the ids of the installs a recovery sweep at `nowUnixSeconds` should retry.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = sweepConnectors)]
pub fn sweep_connectors(
    #[wasm_bindgen(unchecked_param_type = "Install[]")] installs: JsValue,
    now_unix_seconds: f64,
    #[wasm_bindgen(unchecked_param_type = "{ failureThreshold?: number; sweepAfter?: number } | undefined")]
    policy: JsValue,
) -> Result<Vec<String>, JsValue> {
    let v = to_json_value(&installs).map_err(|v| error("bad_request", &v.message, std::slice::from_ref(&v)))?;
    let Value::Array(items) = v else {
        return Err(error("bad_request", "installs must be an array", &[]));
    };
    let list = items
        .iter()
        .map(|i| {
            agentrules::connector::Install::from_value(i)
                .map_err(|r| report_error("bad_request", "invalid install", &r))
        })
        .collect::<Result<Vec<_>, _>>()?;
    #[allow(clippy::cast_possible_truncation)]
    let now = if now_unix_seconds.is_finite() { now_unix_seconds.floor() as i64 } else { 0 };
    Ok(agentrules::connector::sweep(&list, now, connector_policy(&policy)?))
}

/// Panics inside Rust, on purpose: the test of panic safety calls it to show a Rust panic
/// reaches JavaScript as a thrown `Error` (a `WebAssembly.RuntimeError`) and the package keeps
/// working afterwards. Not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = __internalPanicForTests)]
pub fn internal_panic_for_tests() {
    #[allow(clippy::panic)]
    {
        panic!("a forced internal failure (panic-safety test)");
    }
}
