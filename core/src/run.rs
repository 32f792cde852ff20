//! Runs (R1), typed run events (R3), the append-only event log (R4) and deterministic replay
//! (R5).
//!
//! A run event is a JSON object: its type (the SSE `event` field, or `type` in a stored log)
//! and `runId`, `workItemId`, `seq` (the log's sequence number, an integer ≥ 1) and `receipt`
//! (receipt metadata: an object with a non-blank `id`), which every event carries, plus:
//!
//! | type | fields |
//! |---|---|
//! | `run.started` | |
//! | `text.delta` | `delta` (string) |
//! | `tool.call` | `toolCallId`, `tool` (non-blank), `arguments` (any, optional) |
//! | `approval.request` | `approvalId`, `tool` (non-blank), `tier` (`user` or `admin`) |
//! | `run.completed` | |
//! | `run.failed` | `error` (string) |
//!
//! A run request (`POST` a run directly, or for an agent; decided) is `{ input, agentId?,
//! online? }`: `input` a non-blank string, `agentId` and `online` as a message post takes them
//! ([`crate::thread::check_message_post`]); other fields are `unknown_field`.
//!
//! Decisions where the API documents are silent: the type names above; `seq` lives in the event
//! (the SSE `id` is the transport's); other fields are allowed (a newer server may add some);
//! an unknown type is kept and still needs the common fields; approvals stay pending until the
//! run ends (R3 has no resolution event); replay refuses an invalid log with its violations.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::context::read_bounded_int;
use crate::json::{as_object, check_text, mismatch};
use crate::pointer::Pointer;
use crate::report::{Code, Params, Report, Sink, Violation};

/// The status of a run (R1): `pending → active → completed | failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Created, not started.
    Pending,
    /// Started.
    Active,
    /// Ended successfully (terminal).
    Completed,
    /// Ended with an error (terminal).
    Failed,
}

impl RunStatus {
    /// Parses a status name.
    pub fn parse(s: &str) -> Option<RunStatus> {
        match s {
            "pending" => Some(RunStatus::Pending),
            "active" => Some(RunStatus::Active),
            "completed" => Some(RunStatus::Completed),
            "failed" => Some(RunStatus::Failed),
            _ => None,
        }
    }

    /// Whether the run has ended.
    pub fn is_terminal(self) -> bool {
        matches!(self, RunStatus::Completed | RunStatus::Failed)
    }
}

/// R1: the only legal run transitions.
pub fn can_transition(from: RunStatus, to: RunStatus) -> bool {
    matches!(
        (from, to),
        (RunStatus::Pending, RunStatus::Active) | (RunStatus::Active, RunStatus::Completed | RunStatus::Failed)
    )
}

/// Checks a run request `{ input, agentId?, online? }` (see the module docs).
///
/// ```
/// let v = serde_json::json!({"agentId": "assistant"});
/// assert_eq!(agentrules::run::check_run_request(&v)[0].path, "/input");
/// ```
pub fn check_run_request(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    if let Some(obj) = as_object(&mut sink, &root, v, "an object") {
        crate::json::check_fields(&mut sink, &root, obj, &["input", "agentId", "online"]);
        match obj.get("input") {
            Some(t) => check_text(&mut sink, &root.key("input"), t, "a run's input"),
            None => sink.push(&root.key("input"), Code::Required, "a run request needs `input`"),
        }
        crate::thread::check_run_options(&mut sink, obj);
    }
    sink.out
}

/// The run event types (R3).
pub const EVENT_TYPES: [&str; 6] =
    ["run.started", "text.delta", "tool.call", "approval.request", "run.completed", "run.failed"];

/// Checks one run event (a flat object with `type`): common fields and the type's own (R3).
pub fn check_event(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    check_event_at(&mut sink, &Pointer::root(), v);
    sink.out
}

fn required<'a>(sink: &mut Sink, obj: &'a Map<String, Value>, path: &Pointer, key: &str) -> Option<&'a Value> {
    let v = obj.get(key);
    if v.is_none() {
        sink.push(&path.key(key), Code::Required, format!("a run event needs {key}"));
    }
    v
}

fn check_event_at(sink: &mut Sink, path: &Pointer, v: &Value) {
    let Some(obj) = as_object(sink, path, v, "a run event object") else { return };
    let kind = match required(sink, obj, path, "type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(other) => {
            mismatch(sink, &path.key("type"), "a string", other);
            None
        }
        None => None,
    };
    for key in ["runId", "workItemId"] {
        if let Some(id) = required(sink, obj, path, key) {
            check_text(sink, &path.key(key), id, key);
        }
    }
    if let Some(seq) = required(sink, obj, path, "seq") {
        read_bounded_int(sink, &path.key("seq"), seq, 1, u64::MAX);
    }
    if let Some(r) = required(sink, obj, path, "receipt") {
        let rp = path.key("receipt");
        if let Some(receipt) = as_object(sink, &rp, r, "receipt metadata { id, ... }") {
            match receipt.get("id") {
                Some(id) => check_text(sink, &rp.key("id"), id, "a receipt id"),
                None => sink.push(&rp.key("id"), Code::Required, "receipt metadata needs an id"),
            }
        }
    }
    let text = |sink: &mut Sink, key: &str, non_blank: bool| {
        if let Some(v) = required(sink, obj, path, key) {
            match v {
                Value::String(_) if non_blank => check_text(sink, &path.key(key), v, key),
                Value::String(_) => {}
                other => mismatch(sink, &path.key(key), "a string", other),
            }
        }
    };
    match kind {
        Some("text.delta") => text(sink, "delta", false),
        Some("tool.call") => {
            text(sink, "toolCallId", true);
            text(sink, "tool", true);
        }
        Some("approval.request") => {
            text(sink, "approvalId", true);
            text(sink, "tool", true);
            if let Some(t) = required(sink, obj, path, "tier") {
                if !matches!(t.as_str(), Some("user" | "admin")) {
                    sink.push_with(
                        &path.key("tier"),
                        Code::UnknownApprovalTier,
                        "an approval request's tier is user or admin",
                        Params::new().list("allowed", ["user", "admin"]),
                    );
                }
            }
        }
        Some("run.failed") => text(sink, "error", false),
        _ => {}
    }
}

/// What a run event says, by type (R3).
#[derive(Debug, Clone, PartialEq)]
pub enum RunEventKind {
    /// `run.started`.
    RunStarted,
    /// `text.delta`: more text.
    TextDelta {
        /// The text.
        delta: String,
    },
    /// `tool.call`.
    ToolCall {
        /// The call's id.
        tool_call_id: String,
        /// The tool.
        tool: String,
        /// Its arguments, as sent (`null` when absent).
        arguments: Value,
    },
    /// `approval.request`.
    ApprovalRequest {
        /// The request's id.
        approval_id: String,
        /// The tool waiting for it.
        tool: String,
        /// `user` or `admin`.
        tier: String,
    },
    /// `run.completed`.
    RunCompleted,
    /// `run.failed`.
    RunFailed {
        /// The failure message.
        error: String,
    },
    /// A type this library does not know yet, kept.
    Unknown {
        /// The type as sent.
        event_type: String,
    },
}

/// A typed run event (R3): the ids and receipt every event carries, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEvent {
    /// The run it belongs to.
    pub run_id: String,
    /// The work item it belongs to.
    pub work_item_id: String,
    /// Its sequence number in the log.
    pub seq: u64,
    /// Its receipt metadata, as sent.
    pub receipt: Value,
    /// What it says.
    pub kind: RunEventKind,
}

impl RunEvent {
    /// Checks (R3) and types a flat run event.
    ///
    /// ```
    /// let v = serde_json::json!({"type": "text.delta", "runId": "r", "workItemId": "w", "seq": 2, "receipt": {"id": "x"}, "delta": "Hi"});
    /// let e = agentrules::run::RunEvent::parse(&v).unwrap();
    /// assert_eq!(e.kind, agentrules::run::RunEventKind::TextDelta { delta: "Hi".into() });
    /// ```
    pub fn parse(v: &Value) -> Result<RunEvent, Report> {
        let violations = check_event(v);
        if !violations.is_empty() {
            return Err(Report::new(violations));
        }
        Ok(typed(v))
    }
}

/// Types an event that passed [`check_event`].
fn typed(v: &Value) -> RunEvent {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = match v.get("type").and_then(Value::as_str).unwrap_or_default() {
        "run.started" => RunEventKind::RunStarted,
        "text.delta" => RunEventKind::TextDelta { delta: s("delta") },
        "tool.call" => RunEventKind::ToolCall {
            tool_call_id: s("toolCallId"),
            tool: s("tool"),
            arguments: v.get("arguments").cloned().unwrap_or(Value::Null),
        },
        "approval.request" => {
            RunEventKind::ApprovalRequest { approval_id: s("approvalId"), tool: s("tool"), tier: s("tier") }
        }
        "run.completed" => RunEventKind::RunCompleted,
        "run.failed" => RunEventKind::RunFailed { error: s("error") },
        other => RunEventKind::Unknown { event_type: other.to_string() },
    };
    RunEvent {
        run_id: s("runId"),
        work_item_id: s("workItemId"),
        seq: v.get("seq").and_then(Value::as_u64).unwrap_or_default(),
        receipt: v.get("receipt").cloned().unwrap_or(Value::Null),
        kind,
    }
}

/// Checks a run event log (R3 for each event, then R4): `run.started` first, one run id,
/// sequence numbers strictly increasing, nothing after `run.completed`/`run.failed`.
pub fn check_log(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Value::Array(events) = v else {
        mismatch(&mut sink, &root, "an array of run events", v);
        return sink.out;
    };
    let mut run_id: Option<&str> = None;
    let mut last_seq: Option<i128> = None;
    let mut ended = false;
    for (i, ev) in events.iter().enumerate() {
        let p = root.index(i);
        let before = sink.out.len();
        check_event_at(&mut sink, &p, ev);
        if sink.out.len() > before {
            continue;
        }
        let kind = ev.get("type").and_then(Value::as_str).unwrap_or_default();
        if ended {
            sink.push(&p, Code::AfterTerminal, "nothing may follow run.completed or run.failed");
            continue;
        }
        if (i == 0) != (kind == "run.started") {
            let msg = if i == 0 { "a log starts with run.started" } else { "run.started comes only first" };
            sink.push(&p.key("type"), Code::OutOfOrder, msg);
        }
        let id = ev.get("runId").and_then(Value::as_str).unwrap_or_default();
        match run_id {
            None => run_id = Some(id),
            Some(first) if first != id => {
                sink.push(&p.key("runId"), Code::RunMismatch, "a log holds the events of one run")
            }
            Some(_) => {}
        }
        let seq = ev.get("seq").and_then(crate::context::as_integer);
        if let (Some(prev), Some(s)) = (last_seq, seq) {
            if s <= prev {
                sink.push(&p.key("seq"), Code::OutOfOrder, format!("seq {s} does not follow {prev}"));
            }
        }
        last_seq = seq.or(last_seq);
        ended = matches!(kind, "run.completed" | "run.failed");
    }
    sink.out
}

/// A tool call in the run state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ToolCall {
    /// Its id.
    pub tool_call_id: String,
    /// The tool.
    pub tool: String,
    /// Its arguments, as sent (`null` when absent).
    pub arguments: Value,
    /// Its receipt metadata.
    pub receipt: Value,
}

/// An approval request in the run state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PendingApproval {
    /// Its id.
    pub approval_id: String,
    /// The tool waiting for it.
    pub tool: String,
    /// `user` or `admin`.
    pub tier: String,
    /// Its receipt metadata.
    pub receipt: Value,
}

/// The state a log folds into (R5). Serialised with a fixed key order, so every surface prints
/// the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    /// The run's id.
    pub run_id: String,
    /// Its status.
    pub status: RunStatus,
    /// The accumulated text deltas.
    pub text: String,
    /// Tool calls in order, with receipts.
    pub tool_calls: Vec<ToolCall>,
    /// Approval requests still pending.
    pub pending_approvals: Vec<PendingApproval>,
    /// The failure message of a failed run.
    pub error: Option<String>,
    /// The last sequence number folded.
    pub last_seq: u64,
    /// Events folded.
    pub events: u64,
    /// Events of unknown types (kept, not folded).
    pub unknown_events: u64,
}

/// Folds a valid log into its state (R5); an invalid log is refused with its violations.
///
/// ```
/// use serde_json::json;
/// let r = json!({"id": "rc"});
/// let log = json!([
///   {"type": "run.started", "runId": "r1", "workItemId": "w1", "seq": 1, "receipt": r},
///   {"type": "text.delta", "runId": "r1", "workItemId": "w1", "seq": 2, "receipt": r, "delta": "Hel"},
///   {"type": "text.delta", "runId": "r1", "workItemId": "w1", "seq": 3, "receipt": r, "delta": "lo"},
///   {"type": "run.completed", "runId": "r1", "workItemId": "w1", "seq": 4, "receipt": r}
/// ]);
/// let state = agentrules::run::replay(&log).unwrap();
/// assert_eq!((state.text.as_str(), state.status), ("Hello", agentrules::run::RunStatus::Completed));
/// ```
pub fn replay(log: &Value) -> Result<RunState, Report> {
    let violations = check_log(log);
    if !violations.is_empty() {
        return Err(Report::new(violations));
    }
    let mut s = RunState {
        run_id: String::new(),
        status: RunStatus::Pending,
        text: String::new(),
        tool_calls: Vec::new(),
        pending_approvals: Vec::new(),
        error: None,
        last_seq: 0,
        events: 0,
        unknown_events: 0,
    };
    for ev in log.as_array().into_iter().flatten().map(typed) {
        s.events = s.events.saturating_add(1);
        s.last_seq = ev.seq;
        match ev.kind {
            RunEventKind::RunStarted => {
                s.run_id = ev.run_id;
                s.status = RunStatus::Active;
            }
            RunEventKind::TextDelta { delta } => s.text.push_str(&delta),
            RunEventKind::ToolCall { tool_call_id, tool, arguments } => {
                s.tool_calls.push(ToolCall { tool_call_id, tool, arguments, receipt: ev.receipt })
            }
            RunEventKind::ApprovalRequest { approval_id, tool, tier } => {
                s.pending_approvals.push(PendingApproval { approval_id, tool, tier, receipt: ev.receipt })
            }
            RunEventKind::RunCompleted => {
                s.status = RunStatus::Completed;
                s.pending_approvals.clear();
            }
            RunEventKind::RunFailed { error } => {
                s.status = RunStatus::Failed;
                s.error = Some(error);
                s.pending_approvals.clear();
            }
            RunEventKind::Unknown { .. } => s.unknown_events = s.unknown_events.saturating_add(1),
        }
    }
    Ok(s)
}

/// A decoded SSE event as a flat run event: its data (a JSON object) with `type` set from the
/// SSE event type. Data that is not a JSON object is `invalid_json` / `type_mismatch`.
pub fn event_from_sse(e: &crate::sse::SseEvent) -> Result<Value, Violation> {
    let mut v = crate::json::parse(&e.data)?;
    let Value::Object(obj) = &mut v else {
        return Err(Violation::new(&Pointer::root(), Code::TypeMismatch, "a run event's data is a JSON object")
            .with(crate::json::type_params("an object", crate::json::json_type(&v))));
    };
    obj.insert("type".to_string(), Value::String(e.event.clone()));
    Ok(v)
}

#[cfg(test)]
mod request_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_run_request_needs_its_input_and_nothing_else() {
        assert!(check_run_request(&json!({"input": "go", "agentId": "a", "online": true})).is_empty());
        let codes = |v: Value| check_run_request(&v).into_iter().map(|v| (v.path, v.code)).collect::<Vec<_>>();
        assert_eq!(codes(json!({"input": 3})), vec![("/input".to_string(), Code::TypeMismatch)]);
        assert_eq!(
            codes(json!({"text": "go"})),
            vec![("/text".to_string(), Code::UnknownField), ("/input".to_string(), Code::Required)]
        );
    }
}
