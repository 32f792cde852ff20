//! The npm package `agentrules`: the core's rules for browsers and Node, through wasm-bindgen.
//!
//! A translation layer only (DESIGN.md principle 1): the core's answer out, core errors as
//! `AgentRulesError` (a JS `Error` subclass with `code` and `violations`). Every rule lives in
//! the `agentrules` crate.
//!
//! These exports are the package's *raw* layer; users call `js/api.js`, which reads every JS
//! argument (getters, Proxies, iterators, `toJSON`, detached buffers: anything that can run JS
//! code or throw) and hands this layer only strings, `Uint8Array`s it owns, numbers and
//! booleans. In return, no export calls into JavaScript: each answers bytes (see `Out`) that
//! `js/api.js` turns into objects after the call returned. So no JS exception can ever unwind
//! through a Rust frame (which would leak the shadow stack and leave borrows held: the
//! instance failed for good after a few thousand such calls), and a trap (out of memory) is
//! seen by `js/api.js`, which restores a fresh instance before the next call.
//!
//! Three builds share this crate: the form entry (`agentrules`, feature `form`, a default: every
//! kind and every client rule), the launch entry (`agentrules/launch`, built without default
//! features: the launch, follow-up, image and context kinds, `checkImage`, the lifecycle and the
//! poller, for a launch form's smallest wasm; the other kinds are `unknown_kind`, saying which
//! build has them) and the table entry (`agentrules/table`, feature `table`, which adds
//! `TableValidator`, the generic `evaluate` of every non-validation rule, and the server-side
//! NOME rules: `verifyWebhook` and the connector lifecycle). The form entry still checks every
//! kind, the thread, marketplace and Git import bodies included.
// Lints: the workspace's (the root Cargo.toml): no unsafe code, none of the operations that can
// panic on input.

use std::cell::RefCell;

use agentrules::lifecycle::{self, Action, AgentStatus, Via};
#[cfg(feature = "form")]
use agentrules::policy::PolicyMatrix;
use agentrules::refusal::Document;
use agentrules::report::quote;
use agentrules::{Code, Context, Kind, Pointer, Refusal, RefusalKind, Report, Violation};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// What an export answers: its text as UTF-8 bytes (the return value) and numbers that say how
/// to read it, kept for `takeMeta` (see `js/api.js`, `read`). `meta[0]` is the shape:
/// 0 a report (`[0, then path, code and message UTF-16 lengths per violation]`, the text their
/// concatenation, then the params array: see `pack_violations`), 1 an error (`[1, code length, message length, then as a report]`), 2 JSON
/// text, 3 plain text, 4 SSE items (`[4, then per item 0, type, data and id lengths, or 1,
/// retry ms, 0, 0]`), 5 an object handle (`[5, handle]`).
enum Out {
    Report(Report),
    /// A refusal, thrown as `AgentRulesError` with `code` its kind.
    Refused(Refusal),
    Json(String),
    Text(String),
    /// SSE items: their text and four numbers each.
    #[cfg_attr(not(feature = "form"), expect(dead_code, reason = "the launch entry has no export answering this"))]
    Sse(String, Vec<f64>),
    Handle(u32),
}

type Answer = Result<Out, Out>;

thread_local! {
    static META: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static OBJECTS: RefCell<Objects> = RefCell::new(Objects::default());
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static ANSWER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The input buffer: `js/api.js` writes a document's UTF-8 into it (`TextEncoder.encodeInto`,
/// or a `Uint8Array`'s bytes) instead of handing over a fresh array per call. Grown to at least
/// `len` bytes (the bytes already written kept); answers its address in the wasm memory, valid
/// until the next call into this instance.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(len: usize) -> usize {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < len {
            b.resize(len, 0);
        }
        b.as_mut_ptr() as usize
    })
}

/// Runs `f` on the first `len` bytes of the input buffer; a buffer grown past 1 MiB is freed
/// after (a large document's memory is not kept for the small ones after it).
fn with_input<T>(len: usize, f: impl FnOnce(&[u8]) -> T) -> T {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        let out = f(b.get(..len).unwrap_or_default());
        if b.len() > 1 << 20 {
            *b = Vec::new();
        }
        out
    })
}

/// The numbers of the last answer (see `Out`).
#[wasm_bindgen(js_name = takeMeta)]
pub fn take_meta() -> Vec<f64> {
    META.with(|m| std::mem::take(&mut *m.borrow_mut()))
}

#[expect(clippy::cast_precision_loss, reason = "lengths and handles are far below 2^53")]
fn len16(s: &str) -> f64 {
    utf16_len(s) as f64
}

/// A length in UTF-16 code units (JS string indices).
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// Three parts per violation (path, code and message), then the params of all of them as one
/// JSON array (an object each, `{}` for none), which `js/api.js` reads with one `JSON.parse`.
fn pack_violations(violations: &[Violation], text: &mut String, meta: &mut Vec<f64>) {
    if violations.is_empty() {
        return;
    }
    for v in violations {
        for part in [v.path.as_str(), v.code.as_str(), v.message.as_str()] {
            text.push_str(part);
            meta.push(len16(part));
        }
    }
    let mut params = Vec::with_capacity(violations.len().saturating_mul(16));
    params.push(b'[');
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            params.push(b',');
        }
        if v.params.is_empty() || serde_json::to_writer(&mut params, &v.params).is_err() {
            params.extend_from_slice(b"{}");
        }
    }
    params.push(b']');
    text.push_str(&String::from_utf8(params).unwrap_or_default());
}

/// Writes an answer: the text returned, the numbers kept for `takeMeta`.
fn answer(a: Answer) -> Vec<u8> {
    let out = a.unwrap_or_else(|e| e);
    let mut meta = Vec::new();
    let mut text = String::new();
    match out {
        Out::Report(r) => {
            meta.push(0.0);
            pack_violations(&r.violations, &mut text, &mut meta);
        }
        Out::Refused(r) => {
            let code = r.kind.as_str();
            meta.extend_from_slice(&[1.0, len16(code), len16(&r.message)]);
            text.push_str(code);
            text.push_str(&r.message);
            pack_violations(&r.violations, &mut text, &mut meta);
        }
        Out::Json(t) => {
            meta.push(2.0);
            text = t;
        }
        Out::Text(t) => {
            meta.push(3.0);
            text = t;
        }
        Out::Sse(t, m) => {
            meta.push(4.0);
            meta.extend_from_slice(&m);
            text = t;
        }
        Out::Handle(h) => meta.extend_from_slice(&[5.0, f64::from(h)]),
    }
    META.with(|m| *m.borrow_mut() = meta);
    text.into_bytes()
}

impl From<Refusal> for Out {
    fn from(r: Refusal) -> Self {
        Out::Refused(r)
    }
}

/// A thrown `AgentRulesError` of `kind` without violations.
fn error(kind: RefusalKind, message: impl Into<String>) -> Out {
    Out::Refused(Refusal::new(kind, message))
}

#[cfg_attr(not(feature = "form"), expect(dead_code, reason = "the launch entry has no export answering this"))]
fn report_error(doc: Document, report: Report) -> Out {
    Out::Refused(doc.refuse_report(report))
}

fn violation_error(kind: RefusalKind, v: Violation) -> Out {
    Out::Refused(Refusal::from_violation(kind, v))
}

/// A result as JSON text (its TypeScript type comes from the core's tsify derive).
fn json<T: Serialize + ?Sized>(value: &T) -> Answer {
    serde_json::to_string(value).map(Out::Json).map_err(|e| error(RefusalKind::Internal, e.to_string()))
}

fn invalid_arguments(message: impl Into<String>) -> Out {
    Out::Refused(Refusal::invalid_arguments(message))
}

/// A JSON argument as `js/api.js` hands it over: its UTF-8 JSON bytes, or none and `why` it has
/// none: `u` for a value without a JSON form (`undefined`, a function, a symbol), `e` and the
/// JS error (see [`thrown`]) when `JSON.stringify` threw (a BigInt, a cycle, a throwing getter,
/// `toJSON` or Proxy trap, an object too deep for the JS stack). `Err` is the `invalid_json`
/// violation.
fn document(bytes: Option<Vec<u8>>, why: &str) -> Result<Vec<u8>, Violation> {
    match bytes {
        Some(b) => Ok(b),
        None => {
            let message = match why.strip_prefix('e') {
                Some(e) => format!("the input cannot be written as JSON: JSON.stringify threw {}", thrown(e)),
                None => "the input is undefined, a function or a symbol, not a JSON value".to_string(),
            };
            Err(Violation::new(&Pointer::root(), Code::InvalidJson, message))
        }
    }
}

/// A JS error as `js/api.js` describes it, `name` NUL `message` (the name already reduced to an
/// identifier), for a message: the name, then the message quoted to at most 40 characters.
fn thrown(e: &str) -> String {
    match e.split_once('\0') {
        Some((name, message)) => format!("{name} {}", quote(message)),
        None => quote(e),
    }
}

/// A JSON argument parsed (at the default document limit), or a refusal of `kind` with the
/// violation.
fn value(bytes: Option<Vec<u8>>, why: &str, kind: RefusalKind) -> Result<Value, Out> {
    document(bytes, why).and_then(|b| agentrules::json::parse_bytes(&b)).map_err(|v| violation_error(kind, v))
}

/// The context argument: none when both are empty (`undefined` or `null` in JS), else JSON.
fn context(bytes: Option<Vec<u8>>, why: &str) -> Result<Context, Out> {
    if bytes.is_none() && why.is_empty() {
        return Ok(Context::default());
    }
    let v = value(bytes, why, RefusalKind::InvalidContext)?;
    Context::from_value(&v).map_err(|r| Out::from(Refusal::from(agentrules::CheckError::InvalidContext(r))))
}

/// A number argument that is a count or a size (see [`agentrules::refusal::count`]).
fn count(n: f64, what: &str) -> Result<u64, Out> {
    Ok(agentrules::refusal::count(n, what)?)
}

/// A point in time in Unix seconds (see [`agentrules::refusal::unix_seconds`]).
#[cfg_attr(not(feature = "form"), expect(dead_code, reason = "the launch entry has no export answering this"))]
fn unix_seconds(n: f64, what: &str) -> Result<i64, Out> {
    Ok(agentrules::refusal::unix_seconds(n, what)?)
}

fn check_kind(kind: Kind, input: Option<Vec<u8>>, why: &str, ctx: &Context) -> Report {
    // Every input is JSON bytes by now (JS values through JSON.stringify in js/api.js), so the
    // core's byte path and its maxDocumentBytes apply to all of them alike.
    match document(input, why) {
        Ok(bytes) => check_bytes(kind, &bytes, ctx),
        Err(v) => Report::new(vec![v]),
    }
}

/// Checks a document as `kind`; see `check` in `js/api.js`.
#[wasm_bindgen(js_name = check)]
pub fn check(kind: &str, input: Option<Vec<u8>>, why: &str, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let k = Kind::parse(kind)
            .ok_or_else(|| Out::from(Refusal::from(agentrules::CheckError::UnknownKind(kind.to_string()))))?;
        let ctx = context(ctx, ctx_why)?;
        Ok(Out::Report(check_kind(k, input, why, &ctx)))
    })())
}

/// The core's check of JSON bytes: with its fast path ([`agentrules::check_bytes`]) in the form
/// entry; without it ([`agentrules::check_bytes_full`], the same reports) in the launch and
/// table entries, whose budgets are size (the feature `speed`, Cargo.toml).
fn check_bytes(kind: Kind, bytes: &[u8], ctx: &agentrules::Context) -> Report {
    if cfg!(feature = "speed") {
        agentrules::check_bytes(kind, bytes, ctx)
    } else {
        agentrules::check_bytes_full(kind, bytes, ctx)
    }
}

/// `check` of the document in the input buffer (its first `len` bytes; see [`input_buffer`]).
#[wasm_bindgen(js_name = checkInput)]
pub fn check_input(len: usize, kind: &str, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let k = Kind::parse(kind)
            .ok_or_else(|| Out::from(Refusal::from(agentrules::CheckError::UnknownKind(kind.to_string()))))?;
        let ctx = context(ctx, ctx_why)?;
        Ok(Out::Report(with_input(len, |bytes| check_bytes(k, bytes, &ctx))))
    })())
}

/// `checkInput` without a context, for the common call: `kind` is its index in [`kinds`], and a
/// clean report is `true` with nothing else crossing (no text argument, no answer, no
/// numbers: one call instead of two, about 0.3 µs of a typical check). Otherwise `false`, and
/// the answer waits for [`take_answer`] (then `takeMeta`, as for any answer).
#[wasm_bindgen(js_name = checkClean)]
pub fn check_clean(len: usize, kind: u32) -> bool {
    let report = match Kind::ALL.get(kind as usize) {
        Some((k, _)) => Ok(Out::Report(with_input(len, |bytes| check_bytes(*k, bytes, &Context::default())))),
        None => Err(invalid_arguments(format!("kind number {kind} is not a kind of this build"))),
    };
    if matches!(&report, Ok(Out::Report(r)) if r.violations.is_empty()) {
        return true;
    }
    let bytes = answer(report);
    ANSWER.with(|a| *a.borrow_mut() = bytes);
    false
}

/// The answer [`check_clean`] kept.
#[wasm_bindgen(js_name = takeAnswer)]
pub fn take_answer() -> Vec<u8> {
    ANSWER.with(|a| std::mem::take(&mut *a.borrow_mut()))
}

/// The text every stand-in token starts with ([`agentrules::stand_in::PREFIX`]); empty text in
/// an entry built without stand-ins (the launch and table entries), where `standIn` and `checkStandingIn`
/// are not exported.
#[wasm_bindgen(js_name = standInPrefix)]
pub fn stand_in_prefix() -> Vec<u8> {
    let prefix = if cfg!(feature = "speed") { agentrules::stand_in::PREFIX } else { "" };
    answer(Ok(Out::Text(prefix.to_string())))
}

/// The stand-in of the JSON string literal in the input buffer, as the core writes it
/// ([`agentrules::stand_in::StandIn::encode`]), or empty text when it has none.
#[cfg(feature = "speed")]
#[wasm_bindgen(js_name = standIn)]
pub fn stand_in(len: usize) -> Vec<u8> {
    let s = with_input(len, agentrules::stand_in::StandIn::of_json);
    answer(Ok(Out::Text(s.map(|s| s.encode()).unwrap_or_default())))
}

/// `check` of the document in the input buffer whose `i`-th large image data text is the
/// token of line `i` of `stand_ins` (see [`agentrules::stand_in::check_standing_in`]): the
/// original document's report, or empty text when the original must be sent instead.
#[cfg(feature = "speed")]
#[wasm_bindgen(js_name = checkStandingIn)]
pub fn check_standing_in(len: usize, kind: &str, stand_ins: &str, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let k = Kind::parse(kind)
            .ok_or_else(|| Out::from(Refusal::from(agentrules::CheckError::UnknownKind(kind.to_string()))))?;
        let ctx = context(ctx, ctx_why)?;
        let mut decoded = Vec::new();
        for s in stand_ins.split('\n') {
            match agentrules::stand_in::StandIn::decode(s) {
                Some(s) => decoded.push(s),
                None => return Ok(Out::Text(String::new())),
            }
        }
        let report = with_input(len, |bytes| agentrules::stand_in::check_standing_in(k, bytes, &ctx, &decoded));
        Ok(report.map_or_else(|| Out::Text(String::new()), Out::Report))
    })())
}

/// Checks a launch body and fails with `bad_request` when it has any violation.
#[wasm_bindgen(js_name = assertValidLaunch)]
pub fn assert_valid_launch(input: Option<Vec<u8>>, why: &str, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let ctx = context(ctx, ctx_why)?;
        let report = check_kind(Kind::Launch, input, why, &ctx);
        match Refusal::from_launch_report(report) {
            Some(r) => Err(Out::Refused(r)),
            None => Ok(Out::Report(Report::new(Vec::new()))),
        }
    })())
}

/// I7: checks an image file from its declared media type, first bytes and byte length.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image(media_type: &str, head: &[u8], byte_length: f64, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let ctx = context(ctx, ctx_why)?;
        let len = count(byte_length, "byteLength")?;
        Ok(Out::Report(Report::new(agentrules::image::check_image_bytes(media_type, len, head, &ctx.limits))))
    })())
}

/// Every refusal kind (the `code` of a thrown `AgentRulesError`), in catalogue order.
#[wasm_bindgen(js_name = refusalKinds)]
pub fn refusal_kinds() -> Vec<u8> {
    answer(json(RefusalKind::ALL))
}

/// Every kind `check` accepts in this build.
#[wasm_bindgen(js_name = kinds)]
pub fn kinds() -> Vec<u8> {
    answer(json(&Kind::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>()))
}

/// Whether a status is terminal.
#[wasm_bindgen(js_name = isTerminal)]
pub fn is_terminal(status: &str) -> Vec<u8> {
    answer(json(&AgentStatus::parse(status).is_terminal()))
}

/// S2: whether `from → to` is legal; `via` is `pipeline` (also for none) or `follow_up`.
#[wasm_bindgen(js_name = canTransition)]
pub fn can_transition(from: &str, to: &str, via: Option<String>) -> Vec<u8> {
    answer((|| {
        let via = Via::from_name(via.as_deref())?;
        json(&lifecycle::can_transition(&AgentStatus::parse(from), &AgentStatus::parse(to), via))
    })())
}

/// S3–S5: what `action` does in `status`; `invalid_state` when the server would answer 409.
#[wasm_bindgen(js_name = applyAction)]
pub fn apply_action(status: &str, action: &str) -> Vec<u8> {
    answer((|| {
        let a = Action::from_name(action)?;
        match lifecycle::apply(&AgentStatus::parse(status), a) {
            Ok(outcome) => json(&outcome),
            Err(e) => Err(Refusal::from(e).into()),
        }
    })())
}

/// Q1: the canonical query string of a list query; `bad_request` with its violations.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = renderListQuery)]
pub fn render_list_query(query: Option<Vec<u8>>, why: &str, ctx: Option<Vec<u8>>, ctx_why: &str) -> Vec<u8> {
    answer((|| {
        let ctx = context(ctx, ctx_why)?;
        let v = value(query, why, RefusalKind::BadRequest)?;
        agentrules::ListQuery::from_value(&v, &ctx)
            .map(|q| Out::Text(q.to_query_string()))
            .map_err(|r| report_error(Document::ListQuery, r))
    })())
}

/// E1: parses an error envelope: `{ code, error, status, known }`, or `invalid_envelope`.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = parseErrorEnvelope)]
pub fn parse_error_envelope(body: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer((|| {
        let bytes = document(body, why).map_err(|v| violation_error(RefusalKind::InvalidEnvelope, v))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            // Not UTF-8: the core's reader says where.
            Err(e) => {
                return Err(match agentrules::json::parse_bytes(e.as_bytes()) {
                    Err(v) => violation_error(RefusalKind::InvalidEnvelope, v),
                    Ok(_) => error(RefusalKind::InvalidEnvelope, "the body is not UTF-8 text"),
                })
            }
        };
        json(&agentrules::errors::ErrorEnvelope::parse_info(&text)?)
    })())
}

/// A report as `check` answers it (`{ ok, violations: [{ path, code, message, params }] }`), read from
/// its JSON by hand: serde's derive for `Report` would add a second table of the codes, where
/// [`Code::as_str`]'s serves.
#[cfg(feature = "table")]
fn report_of(v: &Value) -> Result<Report, Out> {
    let bad = || {
        invalid_arguments(
            "the report must be one `check` answered: { ok, violations: [{ path, code, message, params }] }",
        )
    };
    let items = v.get("violations").and_then(Value::as_array).ok_or_else(bad)?;
    let violations = items
        .iter()
        .map(|item| {
            let field = |k: &str| item.get(k).and_then(Value::as_str).ok_or_else(bad);
            let name = field("code")?;
            let code = Code::ALL.iter().copied().find(|c| c.as_str() == name).ok_or_else(bad)?;
            // `params` as `check` gives them; a hand-made report without them renders the same.
            let params = match item.get("params") {
                None => agentrules::report::Params::new(),
                Some(p) => serde_json::from_value(p.clone()).map_err(|_| bad())?,
            };
            Ok(Violation { path: field("path")?.to_string(), code, message: field("message")?.to_string(), params })
        })
        .collect::<Result<Vec<_>, Out>>()?;
    Ok(Report::new(violations))
}

/// E1: the response a report renders to, `{ status, body }` as JSON (`null` for a clean report);
/// `invalid_arguments` for a value that is not a report. In the table entry: a server renders
/// responses, and the form entry has no room left in its budget.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = errorEnvelope)]
pub fn error_envelope(report: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer((|| {
        let report = report_of(&value(report, why, RefusalKind::InvalidArguments)?)?;
        match agentrules::errors::ErrorEnvelope::response_for(&report) {
            Some((status, body)) => json(&serde_json::json!({ "status": status, "body": body })),
            None => json(&()),
        }
    })())
}

/// E2: milliseconds to wait for a `Retry-After` value at `nowUnixSeconds`, as decimal text
/// (`js/api.js` makes it a number; empty when the value is neither delta seconds nor an HTTP
/// date). Text, not a JSON number: no float formatting in the form entry's size budget.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = retryAfterMs)]
pub fn retry_after_ms(value: &str, now_unix_seconds: f64) -> Vec<u8> {
    answer((|| {
        // A time before the epoch is the epoch.
        let now = u64::try_from(unix_seconds(now_unix_seconds, "nowUnixSeconds")?).unwrap_or(0);
        Ok(Out::Text(
            agentrules::errors::retry_after(value, now).map(|d| d.as_millis().to_string()).unwrap_or_default(),
        ))
    })())
}

/// R5: replays a run event log into the run state, as JSON text (the same bytes on every
/// surface); `bad_request` with the log's violations.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = replayJson)]
pub fn replay_json(log: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer((|| {
        let v = value(log, why, RefusalKind::BadRequest)?;
        let state = agentrules::run::replay(&v).map_err(|r| report_error(Document::RunLog, r))?;
        serde_json::to_string(&state).map(Out::Text).map_err(|e| error(RefusalKind::Internal, e.to_string()))
    })())
}

/// The objects JS holds by handle (instead of wasm-bindgen classes, whose finalizers would
/// free their pointers into whichever instance is current: after a restore, a fresh one).
#[derive(Default)]
struct Objects {
    slots: Vec<Option<Object>>,
    free: Vec<u32>,
}

enum Object {
    #[cfg(feature = "form")]
    Matrix(PolicyMatrix),
    Poller(lifecycle::Poller),
    #[cfg(feature = "form")]
    Sse(Box<Sse>),
    #[cfg(feature = "table")]
    Table(Box<agentrules::table::TableValidator>),
}

fn keep(object: Object) -> Answer {
    OBJECTS.with(|o| {
        let mut o = o.borrow_mut();
        let h = match o.free.pop() {
            Some(h) => h,
            None => {
                let h = u32::try_from(o.slots.len()).map_err(|_| error(RefusalKind::Internal, "too many objects"))?;
                o.slots.push(None);
                h
            }
        };
        if let Some(slot) = o.slots.get_mut(h as usize) {
            *slot = Some(object);
        }
        Ok(Out::Handle(h))
    })
}

fn with_object(handle: u32, f: impl FnOnce(&mut Object) -> Answer) -> Answer {
    OBJECTS.with(|o| match o.borrow_mut().slots.get_mut(handle as usize) {
        Some(Some(object)) => f(object),
        _ => Err(error(RefusalKind::Internal, "this object was freed")),
    })
}

/// Frees an object (its JS wrapper's `free()` or finalizer).
#[wasm_bindgen(js_name = freeObject)]
pub fn free_object(handle: u32) {
    OBJECTS.with(|o| {
        let mut o = o.borrow_mut();
        if let Some(slot @ Some(_)) = o.slots.get_mut(handle as usize) {
            *slot = None;
            o.free.push(handle);
        }
    });
}

/// P1: parses a policy matrix; `invalid_matrix` with the violations.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = matrixNew)]
pub fn matrix_new(matrix: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer((|| {
        let v = value(matrix, why, RefusalKind::InvalidMatrix)?;
        let m = PolicyMatrix::from_value(&v).map_err(|r| report_error(Document::PolicyMatrix, r))?;
        keep(Object::Matrix(m))
    })())
}

/// P2: decides a call; `callsMade` is a JS number, refused unless it is a count.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = matrixDecide)]
pub fn matrix_decide(handle: u32, tool: &str, role: &str, calls_made: f64, online: bool) -> Vec<u8> {
    answer(with_object(handle, |o| match o {
        Object::Matrix(m) => json(&m.decide(tool, role, count(calls_made, "callsMade")?, online)),
        _ => Err(error(RefusalKind::Internal, "not a policy matrix")),
    }))
}

/// An SSE decoder and what its pushes hand over.
#[cfg(feature = "form")]
struct Sse {
    inner: agentrules::sse::SseDecoder,
}

/// The items of one push, packed (see [`Out`], shape 4).
#[cfg(feature = "form")]
#[derive(Default)]
struct PackedSse {
    text: String,
    meta: Vec<f64>,
}

#[cfg(feature = "form")]
impl agentrules::sse::SseSink for PackedSse {
    fn event(&mut self, event: &str, data: &str, id: &str) {
        self.meta.extend_from_slice(&[0.0, len16(event), len16(data), len16(id)]);
        self.text.push_str(event);
        self.text.push_str(data);
        self.text.push_str(id);
    }
    #[expect(clippy::cast_precision_loss, reason = "a retry in milliseconds is exact below 2^53")]
    fn retry(&mut self, ms: u64) {
        self.meta.extend_from_slice(&[1.0, ms as f64, 0.0, 0.0]);
    }
}

/// R2: an SSE decoder; `maxLineBytes` (a number, or none for the default 1 MiB) must be an
/// integer from 1 to 256 MiB (the core's `SseLimits::with_max_line_bytes` decides).
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = sseNew)]
pub fn sse_new(max_line_bytes: Option<f64>) -> Vec<u8> {
    answer((|| {
        let limits = match max_line_bytes {
            None => agentrules::sse::SseLimits::default(),
            Some(n) => {
                // A number that is not a whole count of bytes is read as 0, which the core refuses.
                let whole =
                    n.is_finite() && n.fract() == 0.0 && n >= 0.0 && n <= agentrules::sse::MAX_LINE_LIMIT as f64;
                #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked: 0..=2^28, whole")]
                let n = if whole { n as u64 } else { 0 };
                agentrules::sse::SseLimits::with_max_line_bytes(n).map_err(Out::Refused)?
            }
        };
        let inner = agentrules::sse::SseDecoder::with_limits(limits);
        keep(Object::Sse(Box::new(Sse { inner })))
    })())
}

#[cfg(feature = "form")]
fn with_sse(handle: u32, f: impl FnOnce(&mut Sse) -> Answer) -> Vec<u8> {
    answer(with_object(handle, |o| match o {
        Object::Sse(s) => f(s),
        _ => Err(error(RefusalKind::Internal, "not an SSE decoder")),
    }))
}

/// Decodes a chunk: the items (shape 4), or `invalid_stream` past a limit.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = ssePush)]
pub fn sse_push(handle: u32, chunk: &[u8]) -> Vec<u8> {
    with_sse(handle, |s| {
        let mut packed = PackedSse::default();
        s.inner.push_with(chunk, &mut packed).map_err(|e| Out::from(Refusal::from(e)))?;
        Ok(Out::Sse(packed.text, packed.meta))
    })
}

/// Ends the stream: an incomplete event is dropped.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = sseFinish)]
pub fn sse_finish(handle: u32) -> Vec<u8> {
    with_sse(handle, |s| {
        s.inner.finish();
        json(&())
    })
}

/// The decoder's `{ lastEventId, retry }`.
#[cfg(feature = "form")]
#[wasm_bindgen(js_name = sseState)]
pub fn sse_state(handle: u32) -> Vec<u8> {
    with_sse(handle, |s| json(&serde_json::json!({ "lastEventId": s.inner.last_event_id(), "retry": s.inner.retry() })))
}

/// S6: a poller for a launched agent, or, given `followUpFrom`, for one that just accepted a
/// follow-up in that terminal status.
#[wasm_bindgen(js_name = pollerNew)]
pub fn poller_new(follow_up_from: Option<String>) -> Vec<u8> {
    answer(keep(Object::Poller(match follow_up_from {
        Some(s) => lifecycle::Poller::after_follow_up(AgentStatus::parse(&s)),
        None => lifecycle::Poller::new(),
    })))
}

/// Observes a polled status (`elapsedMs` since the follow-up: a count of milliseconds).
#[wasm_bindgen(js_name = pollerObserve)]
pub fn poller_observe(handle: u32, status: &str, elapsed_ms: f64) -> Vec<u8> {
    answer(with_object(handle, |o| match o {
        Object::Poller(p) => json(&p.observe(&AgentStatus::parse(status), count(elapsed_ms, "elapsedMs")?)),
        #[cfg(feature = "form")]
        _ => Err(error(RefusalKind::Internal, "not a poller")),
    }))
}

/// Runs one of the core's non-validation operations (`agentrules::ops`) on JSON arguments.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = evaluate)]
pub fn evaluate(op: &str, args: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer((|| {
        let v = value(args, why, RefusalKind::InvalidArguments)?;
        let r = agentrules::ops::evaluate(op, &v).map_err(Out::from)?;
        json(&r)
    })())
}

/// T3: compiles a table schema; `invalid_schema` with violations inside the schema. `options`
/// (JSON, none for the defaults) is the core's `TableOptions`: `{ documents, requireObjectRoot }`.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = tableNew)]
pub fn table_new(schema: Option<Vec<u8>>, why: &str, options: Option<Vec<u8>>, options_why: &str) -> Vec<u8> {
    answer((|| {
        let v = value(schema, why, RefusalKind::InvalidSchema)?;
        let options = table_options(options, options_why)?;
        let t = agentrules::table::TableValidator::with_options(&v, &options)
            .map_err(|r| report_error(Document::TableSchema, r))?;
        keep(Object::Table(Box::new(t)))
    })())
}

/// `{ documents?: { uri: schema }, requireObjectRoot?: boolean }` as the core's options.
#[cfg(feature = "table")]
fn table_options(bytes: Option<Vec<u8>>, why: &str) -> Result<agentrules::table::TableOptions, Out> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Options {
        #[serde(default)]
        documents: std::collections::HashMap<String, Value>,
        #[serde(default = "yes")]
        require_object_root: bool,
    }
    fn yes() -> bool {
        true
    }
    if bytes.is_none() && why.is_empty() {
        return Ok(agentrules::table::TableOptions::default());
    }
    let o: Options = serde_json::from_value(value(bytes, why, RefusalKind::InvalidArguments)?)
        .map_err(|e| invalid_arguments(format!("invalid table options: {e}")))?;
    Ok(agentrules::table::TableOptions { documents: o.documents, require_object_root: o.require_object_root })
}

#[cfg(feature = "table")]
fn with_table(
    handle: u32,
    f: impl FnOnce(&agentrules::table::TableValidator) -> Result<Vec<Violation>, Out>,
) -> Vec<u8> {
    answer(with_object(handle, |o| match o {
        Object::Table(t) => f(t).map(|v| Out::Report(Report::new(v))),
        _ => Err(error(RefusalKind::Internal, "not a table validator")),
    }))
}

/// T4/T5: validates `elements` (`[{ key, value }]`): violations at `/elements/<i>/...`.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = tableValidateElements)]
pub fn table_validate_elements(handle: u32, elements: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    with_table(handle, |t| Ok(t.validate_elements_value(&value(elements, why, RefusalKind::InvalidArguments)?)?))
}

/// Validates one row value: violations at its instance paths.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = tableValidateValue)]
pub fn table_validate_value(handle: u32, row: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    with_table(handle, |t| Ok(t.validate_value(&value(row, why, RefusalKind::InvalidArguments)?)))
}

/// Splits `joined` into the strings whose UTF-16 lengths are `lengths` (how `js/api.js` hands
/// over a list of strings in one crossing); `None` when they do not add up.
#[cfg(feature = "table")]
fn split_utf16<'a>(joined: &'a str, lengths: &[u32]) -> Option<Vec<&'a str>> {
    let mut out = Vec::with_capacity(lengths.len());
    let mut rest = joined;
    for &want in lengths {
        let mut units = 0u32;
        let mut end = 0usize;
        for c in rest.chars() {
            if units >= want {
                break;
            }
            units = units.saturating_add(u32::try_from(c.len_utf16()).unwrap_or(2));
            end = end.saturating_add(c.len_utf8());
        }
        if units != want {
            return None;
        }
        let (head, tail) = rest.split_at_checked(end)?;
        out.push(head);
        rest = tail;
    }
    rest.is_empty().then_some(out)
}

/// W1–W4: verifies a webhook request over its raw body bytes. `headers` is every name and
/// value back to back (`lengths` their UTF-16 lengths: name, value, name, value, …), read by
/// `js/api.js` from a `Headers`, pairs or an object.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(
    provider: &str,
    headers: &str,
    lengths: &[u32],
    body: &[u8],
    secret: &[u8],
    now_unix_seconds: f64,
) -> Vec<u8> {
    answer((|| {
        let p = agentrules::webhook::WebhookProvider::from_name(provider)?;
        let parts = split_utf16(headers, lengths).ok_or_else(|| error(RefusalKind::Internal, "header lengths"))?;
        let pairs: Vec<(&str, &str)> = parts.chunks_exact(2).filter_map(|c| Some((*c.first()?, *c.get(1)?))).collect();
        let now = unix_seconds(now_unix_seconds, "nowUnixSeconds")?;
        let v = agentrules::webhook::verify(p, &pairs, body, secret, now);
        json(&agentrules::webhook::WebhookVerification::from(v))
    })())
}

/// W5: verifies a Google Workspace push notification: `headers` as for `verifyWebhook`, `keys`
/// the JWKS document as JSON (an object, or a JSON string holding its text; none when no
/// audience is expected), `expect` the expectations object.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = verifyGoogleWebhook)]
pub fn verify_google_webhook(
    headers: &str,
    lengths: &[u32],
    keys: Option<Vec<u8>>,
    keys_why: &str,
    expect: Option<Vec<u8>>,
    expect_why: &str,
    now_unix_seconds: f64,
) -> Vec<u8> {
    use agentrules::webhook::google::{verify_google_json, GoogleExpectations};
    answer((|| {
        let parts = split_utf16(headers, lengths).ok_or_else(|| error(RefusalKind::Internal, "header lengths"))?;
        let pairs: Vec<(&str, &str)> = parts.chunks_exact(2).filter_map(|c| Some((*c.first()?, *c.get(1)?))).collect();
        let keys = match (keys, keys_why) {
            (None, "") => None,
            (k, why) => Some(value(k, why, RefusalKind::InvalidArguments)?),
        };
        let expect = GoogleExpectations::from_value(&value(expect, expect_why, RefusalKind::InvalidArguments)?)?;
        let now = unix_seconds(now_unix_seconds, "nowUnixSeconds")?;
        let v = verify_google_json(&pairs, keys.as_ref(), &expect, now);
        json(&agentrules::webhook::WebhookVerification::from(v))
    })())
}

#[cfg(feature = "table")]
fn install_of(bytes: Option<Vec<u8>>, why: &str) -> Result<agentrules::connector::Install, Out> {
    let v = value(bytes, why, RefusalKind::BadRequest)?;
    agentrules::connector::Install::from_value(&v).map_err(|r| report_error(Document::Install, r))
}

#[cfg(feature = "table")]
fn connector_policy(bytes: Option<Vec<u8>>, why: &str) -> Result<agentrules::connector::ConnectorPolicy, Out> {
    if bytes.is_none() && why.is_empty() {
        return Ok(agentrules::connector::ConnectorPolicy::default());
    }
    let v = value(bytes, why, RefusalKind::InvalidArguments)?;
    serde_json::from_value(v).map_err(|e| invalid_arguments(format!("invalid connector policy: {e}")))
}

/// K2/K3: the connector install after `event`: `bad_request` for an invalid install or event,
/// `invalid_state` when the event cannot apply.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = applyConnectorEvent)]
pub fn apply_connector_event(
    install: Option<Vec<u8>>,
    install_why: &str,
    event: Option<Vec<u8>>,
    event_why: &str,
    policy: Option<Vec<u8>>,
    policy_why: &str,
) -> Vec<u8> {
    answer((|| {
        let i = install_of(install, install_why)?;
        let ev = value(event, event_why, RefusalKind::BadRequest)?;
        let e = agentrules::connector::InstallEvent::from_value(&ev)
            .map_err(|r| report_error(Document::InstallEvent, r))?;
        match agentrules::connector::apply(&i, &e, connector_policy(policy, policy_why)?) {
            Ok(next) => json(&next),
            Err(v) => Err(violation_error(RefusalKind::InvalidState, v)),
        }
    })())
}

/// K4: the failure summary of a connector install.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = connectorSummary)]
pub fn connector_summary(install: Option<Vec<u8>>, why: &str) -> Vec<u8> {
    answer(install_of(install, why).and_then(|i| json(&agentrules::connector::summary(&i))))
}

/// K5: the ids of the installs a recovery sweep at `nowUnixSeconds` should retry.
#[cfg(feature = "table")]
#[wasm_bindgen(js_name = sweepConnectors)]
pub fn sweep_connectors(
    installs: Option<Vec<u8>>,
    why: &str,
    now_unix_seconds: f64,
    policy: Option<Vec<u8>>,
    policy_why: &str,
) -> Vec<u8> {
    answer((|| {
        let Value::Array(items) = value(installs, why, RefusalKind::BadRequest)? else {
            return Err(error(RefusalKind::BadRequest, "installs must be an array"));
        };
        let list = items
            .iter()
            .map(|i| agentrules::connector::Install::from_value(i).map_err(|r| report_error(Document::Install, r)))
            .collect::<Result<Vec<_>, _>>()?;
        let now = unix_seconds(now_unix_seconds, "nowUnixSeconds")?;
        json(&agentrules::connector::sweep(&list, now, connector_policy(policy, policy_why)?))
    })())
}

/// Panics inside Rust, on purpose: the test of panic safety calls it to show a Rust panic
/// reaches JavaScript as a thrown `AgentRulesError` (`internal`) and the package keeps working
/// afterwards. Not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = internalPanicForTests)]
pub fn internal_panic_for_tests() {
    #[expect(clippy::panic, reason = "the panic-safety test's hook")]
    {
        panic!("a forced internal failure (panic-safety test)");
    }
}

/// Allocates `mib` MiB and keeps them, on purpose: the test of out-of-memory recovery calls it
/// until the instance traps. Not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = internalHoardForTests)]
pub fn internal_hoard_for_tests(mib: u32) -> Vec<u8> {
    thread_local! {
        static HOARD: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    }
    HOARD.with(|h| h.borrow_mut().push(vec![0u8; (mib as usize) << 20]));
    answer(json(&()))
}

/// An `invalid_arguments` error for an argument whose reading threw in JS (a getter, a Proxy
/// trap, an iterator): `what` says which, `thrown` is the JS error (see `thrown`).
#[wasm_bindgen(js_name = unreadableArgument)]
pub fn unreadable_argument(what: &str, thrown: &str) -> Vec<u8> {
    answer(Err(invalid_arguments(format!("{what}: reading it threw {}", self::thrown(thrown)))))
}
