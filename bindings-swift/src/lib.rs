//! The uniffi binding: the core's rules for Swift (iOS) and Kotlin (Android).
//!
//! A translation layer only (DESIGN.md principle 1). `Code`, `Violation`, `Report`, `Tier` and
//! `Decision` are the core's own types (derived behind its `uniffi` feature); this crate adds
//! the functions, the objects (`PolicyMatrix`, `TableValidator`, `SseDecoder`, `Poller`) and
//! `AgentRulesError`
//! (an error object: a kind, a readable message, the violations). Every exported function that takes input from the
//! caller returns a `Result`, and none can panic: the core never panics on input.
// Lints: the workspace's (the root Cargo.toml): no unsafe code, none of the operations that can
// panic on input.

use agentrules::lifecycle::{self, Action};
use agentrules::policy::Decision;
use agentrules::refusal::Document;
use std::sync::{Arc, Mutex};

use agentrules::{Code, Context, Kind, Refusal, RefusalKind, Report, Violation};

uniffi::setup_scaffolding!();

/// Why a call was refused: a `kind`, a readable message (the exception's message in Swift and
/// Kotlin) and, where there are some, the violations behind it.
#[derive(Debug, thiserror::Error, uniffi::Object)]
#[uniffi::export(Debug, Display)]
#[error("{message}")]
pub struct AgentRulesError {
    kind: RefusalKind,
    message: String,
    violations: Vec<Violation>,
}

#[uniffi::export]
impl AgentRulesError {
    /// What kind of refusal this is.
    pub fn kind(&self) -> RefusalKind {
        self.kind
    }

    /// The readable message.
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// The violations behind the refusal (empty for lifecycle and argument errors).
    pub fn violations(&self) -> Vec<Violation> {
        self.violations.clone()
    }
}

type Refused = Arc<AgentRulesError>;

/// The core's refusal as the thrown `AgentRulesError`, one to one.
fn refuse(r: Refusal) -> Refused {
    Arc::new(AgentRulesError { kind: r.kind, message: r.message, violations: r.violations })
}

fn refuse_from_report(doc: Document, report: Report) -> Refused {
    refuse(doc.refuse_report(report))
}

fn context(json: Option<String>) -> Result<Context, Refused> {
    match json {
        None => Ok(Context::default()),
        Some(text) => Context::from_json(&text).map_err(|r| refuse(agentrules::CheckError::InvalidContext(r).into())),
    }
}

fn check_kind(kind: Kind, input_json: &str, context_json: Option<String>) -> Result<Report, Refused> {
    let ctx = context(context_json)?;
    Ok(agentrules::check_bytes(kind, input_json.as_bytes(), &ctx))
}

/// Checks `input_json` as `kind` (`launch`, `followup`, `list-query`, `table`, …) with an
/// optional context. Problems with the input are the report's; an unknown kind or an invalid
/// context throws.
#[uniffi::export]
pub fn check(kind: String, input_json: String, context_json: Option<String>) -> Result<Report, Refused> {
    let k = Kind::parse(&kind).ok_or_else(|| refuse(agentrules::CheckError::UnknownKind(kind.clone()).into()))?;
    check_kind(k, &input_json, context_json)
}

/// Checks `input` given as raw bytes (`Data` / `ByteArray`, e.g. a file or an HTTP body) as
/// `kind`: bytes that are not UTF-8 are `invalid_json`, as everywhere else, instead of being
/// replaced on their way into a `String`.
#[uniffi::export]
pub fn check_bytes(kind: String, input: Vec<u8>, context_json: Option<String>) -> Result<Report, Refused> {
    let k = Kind::parse(&kind).ok_or_else(|| refuse(agentrules::CheckError::UnknownKind(kind.clone()).into()))?;
    let ctx = context(context_json)?;
    Ok(agentrules::check_bytes(k, &input, &ctx))
}

/// Checks a launch body (`POST /api/v0/agents`).
#[uniffi::export]
pub fn validate_launch(input_json: String, context_json: Option<String>) -> Result<Report, Refused> {
    check_kind(Kind::Launch, &input_json, context_json)
}

/// Checks a launch body and throws `BadRequest`, the violations attached, when it has any (as
/// the npm package's `assertValidLaunch`).
#[uniffi::export]
pub fn assert_valid_launch(input_json: String, context_json: Option<String>) -> Result<(), Refused> {
    let report = check_kind(Kind::Launch, &input_json, context_json)?;
    Refusal::from_launch_report(report).map_or(Ok(()), |r| Err(refuse(r)))
}

/// Checks a follow-up body (`POST /api/v0/agents/{id}/followup`).
#[uniffi::export]
pub fn validate_follow_up(input_json: String, context_json: Option<String>) -> Result<Report, Refused> {
    check_kind(Kind::FollowUp, &input_json, context_json)
}

/// I7: checks a photo before it is base64-encoded, from its media type, its first bytes (16
/// are enough) and its byte length. Paths are `/media_type` and `/data`.
#[uniffi::export]
pub fn check_image(
    media_type: String,
    head: Vec<u8>,
    byte_length: u64,
    context_json: Option<String>,
) -> Result<Report, Refused> {
    let ctx = context(context_json)?;
    Ok(Report::new(agentrules::image::check_image_bytes(&media_type, byte_length, &head, &ctx.limits)))
}

/// Every violation code, in catalogue order.
#[uniffi::export]
pub fn codes() -> Vec<agentrules::report::CodeInfo> {
    Code::catalogue()
}

/// Every kind `check` accepts in this build, in the core's registry order.
#[uniffi::export]
pub fn kinds() -> Vec<String> {
    Kind::ALL.iter().map(|(_, n)| (*n).to_string()).collect()
}

/// Every refusal kind (what an `AgentRulesError` can be), in catalogue order.
#[uniffi::export]
pub fn refusal_kinds() -> Vec<RefusalKind> {
    RefusalKind::ALL.to_vec()
}

/// The stable snake_case name of a refusal kind (the `code` JS and Python errors carry).
#[uniffi::export]
pub fn refusal_kind_name(kind: RefusalKind) -> String {
    kind.as_str().to_string()
}

/// The stable snake_case name of a code (as the JSON reports carry it).
#[uniffi::export]
pub fn code_name(code: Code) -> String {
    code.as_str().to_string()
}

/// The status of an agent (S1); a status this library does not know is kept as `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AgentStatus {
    /// `waiting`: queued, not yet processing; only ever the initial status.
    Waiting,
    /// `running`: actively processing.
    Running,
    /// `awaiting_tool`: waiting for an asynchronous tool call.
    AwaitingTool,
    /// `finished`: completed successfully (terminal).
    Finished,
    /// `stopped`: stopped by the user (terminal).
    Stopped,
    /// `failed`: ended with an error (terminal).
    Failed,
    /// A status this library does not know.
    Unknown {
        /// The status's wire text, as received.
        value: String,
    },
}

impl From<&AgentStatus> for lifecycle::AgentStatus {
    fn from(s: &AgentStatus) -> Self {
        use lifecycle::AgentStatus as S;
        match s {
            AgentStatus::Waiting => S::Waiting,
            AgentStatus::Running => S::Running,
            AgentStatus::AwaitingTool => S::AwaitingTool,
            AgentStatus::Finished => S::Finished,
            AgentStatus::Stopped => S::Stopped,
            AgentStatus::Failed => S::Failed,
            AgentStatus::Unknown { value } => S::parse(value),
        }
    }
}

impl From<lifecycle::AgentStatus> for AgentStatus {
    fn from(s: lifecycle::AgentStatus) -> Self {
        use lifecycle::AgentStatus as S;
        match s {
            S::Waiting => AgentStatus::Waiting,
            S::Running => AgentStatus::Running,
            S::AwaitingTool => AgentStatus::AwaitingTool,
            S::Finished => AgentStatus::Finished,
            S::Stopped => AgentStatus::Stopped,
            S::Failed => AgentStatus::Failed,
            S::Unknown(value) => AgentStatus::Unknown { value },
        }
    }
}

/// A status from its wire text (`"awaiting_tool"`); unknown text becomes `Unknown`.
#[uniffi::export]
pub fn parse_status(text: String) -> AgentStatus {
    lifecycle::AgentStatus::parse(&text).into()
}

/// S1: whether a status is terminal.
#[uniffi::export]
pub fn is_terminal(status: AgentStatus) -> bool {
    lifecycle::AgentStatus::from(&status).is_terminal()
}

/// S2: whether `from → to` is legal, on its own or through a follow-up.
#[uniffi::export]
pub fn can_transition(from: AgentStatus, to: AgentStatus, via_follow_up: bool) -> bool {
    let via = if via_follow_up { lifecycle::Via::FollowUp } else { lifecycle::Via::Pipeline };
    lifecycle::can_transition(&(&from).into(), &(&to).into(), via)
}

/// A client action on an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AgentAction {
    /// Send a follow-up prompt (S3).
    FollowUp,
    /// Stop the agent (S4).
    Stop,
    /// Delete the agent (S5).
    Delete,
}

/// What an action does (S3–S5).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ActionOutcome {
    /// The status changes at once.
    Transition {
        /// The new status.
        status: AgentStatus,
    },
    /// Requested: the status changes later (poll).
    Requested {
        /// The status the response still shows.
        status: AgentStatus,
    },
    /// Nothing changes (a stop of a terminal agent).
    NoOp {
        /// The unchanged status.
        status: AgentStatus,
    },
    /// Deleted; a working agent is aborted first. Its artifacts remain.
    Deleted {
        /// Whether a running agent was aborted before the delete.
        aborted_first: bool,
    },
}

/// S3–S5: what `action` does to an agent in `status`; throws `InvalidState` where the server
/// answers 409.
#[uniffi::export]
pub fn apply_action(status: AgentStatus, action: AgentAction) -> Result<ActionOutcome, Refused> {
    let a = match action {
        AgentAction::FollowUp => Action::FollowUp,
        AgentAction::Stop => Action::Stop,
        AgentAction::Delete => Action::Delete,
    };
    match lifecycle::apply(&(&status).into(), a) {
        Ok(lifecycle::ActionOutcome::Transition { status }) => Ok(ActionOutcome::Transition { status: status.into() }),
        Ok(lifecycle::ActionOutcome::Requested { status }) => Ok(ActionOutcome::Requested { status: status.into() }),
        Ok(lifecycle::ActionOutcome::NoOp { status }) => Ok(ActionOutcome::NoOp { status: status.into() }),
        Ok(lifecycle::ActionOutcome::Deleted { aborted_first }) => Ok(ActionOutcome::Deleted { aborted_first }),
        Err(e) => Err(refuse(e.into())),
    }
}

/// What a poller should do after observing a status (S6).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PollStep {
    /// Poll again after `after_ms` milliseconds.
    Wait {
        /// Milliseconds to wait.
        after_ms: u64,
    },
    /// Stop polling: `status` is the outcome.
    Done {
        /// The terminal status.
        status: AgentStatus,
    },
}

/// S6: the client-side poll schedule, with the follow-up window of S3. It holds no clock: pass
/// the milliseconds since the follow-up when one was sent.
#[derive(uniffi::Object)]
pub struct Poller {
    inner: Mutex<lifecycle::Poller>,
}

#[uniffi::export]
impl Poller {
    /// A poller for an agent just launched or fetched, or, given `follow_up_from`, for one that
    /// has just accepted a follow-up in that (terminal) status.
    #[uniffi::constructor(default(follow_up_from = None))]
    pub fn new(follow_up_from: Option<AgentStatus>) -> Self {
        let inner = match follow_up_from {
            Some(s) => lifecycle::Poller::after_follow_up((&s).into()),
            None => lifecycle::Poller::new(),
        };
        Poller { inner: Mutex::new(inner) }
    }

    /// Observes a polled status, `elapsed_ms` after the follow-up (ignored without one): wait
    /// and poll again, or done.
    #[uniffi::method(default(elapsed_ms = 0))]
    pub fn observe(&self, status: AgentStatus, elapsed_ms: u64) -> PollStep {
        let mut p = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match p.observe(&(&status).into(), elapsed_ms) {
            lifecycle::PollStep::Wait { after_ms } => PollStep::Wait { after_ms },
            lifecycle::PollStep::Done { status } => PollStep::Done { status: status.into() },
        }
    }
}

/// Q1: the canonical query string of a list query (JSON object of parameters).
#[uniffi::export]
pub fn render_list_query(query_json: String, context_json: Option<String>) -> Result<String, Refused> {
    let ctx = context(context_json)?;
    let bad = |r: Report| refuse_from_report(Document::ListQuery, r);
    let v = agentrules::json::parse(&query_json).map_err(|v| bad(Report::new(vec![v])))?;
    agentrules::ListQuery::from_value(&v, &ctx).map(|q| q.to_query_string()).map_err(bad)
}

/// A parsed error envelope (E1); an unknown code is kept (`known` is false, `status` null).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorEnvelope {
    /// The envelope's `code`, as received.
    pub code: String,
    /// The envelope's `error`: the server's message.
    pub error: String,
    /// The HTTP status the code goes with (E1), null for an unknown code.
    pub status: Option<u16>,
    /// Whether the code is one of the API's error codes.
    pub known: bool,
}

/// E1: parses an error envelope from a response body.
#[uniffi::export]
pub fn parse_error_envelope(body: String) -> Result<ErrorEnvelope, Refused> {
    let i = agentrules::errors::ErrorEnvelope::parse_info(&body).map_err(refuse)?;
    Ok(ErrorEnvelope { code: i.code, error: i.error, status: i.status, known: i.known })
}

/// The response a report renders to (E1).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorResponse {
    /// The HTTP status (400).
    pub status: u16,
    /// The envelope's `code` (`bad_request`).
    pub code: String,
    /// The envelope's `error`: the violations as readable text.
    pub error: String,
    /// The envelope as JSON text (`{"error": …, "code": …}`): the response body.
    pub body_json: String,
}

/// E1: the response a report's violations render to, or null for a clean report.
#[uniffi::export]
pub fn error_envelope(report: Report) -> Option<ErrorResponse> {
    let (status, env) = agentrules::errors::ErrorEnvelope::response_for(&Report::new(report.violations))?;
    Some(ErrorResponse {
        status,
        code: env.code.as_str().to_string(),
        error: env.error.clone(),
        body_json: env.to_json(),
    })
}

/// E2: milliseconds to wait for a `Retry-After` value at `now_unix_seconds`, or null when the
/// value is neither delta seconds nor an HTTP date.
#[uniffi::export]
pub fn retry_after_ms(value: String, now_unix_seconds: u64) -> Option<u64> {
    agentrules::errors::retry_after(&value, now_unix_seconds).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Runs one of the core's non-validation operations (`agentrules::ops`) on JSON arguments and
/// returns the JSON result.
#[uniffi::export]
pub fn evaluate(op: String, args_json: String) -> Result<String, Refused> {
    let args = agentrules::json::parse(&args_json)
        .map_err(|v| refuse(Refusal::from_violation(RefusalKind::InvalidArguments, v)))?;
    agentrules::ops::evaluate(&op, &args).map(|v| v.to_string()).map_err(refuse)
}

/// P1/P2: a tool policy matrix, validated once, deciding tool calls.
#[derive(uniffi::Object)]
pub struct PolicyMatrix {
    inner: agentrules::policy::PolicyMatrix,
}

#[uniffi::export]
impl PolicyMatrix {
    /// Parses a matrix; throws `InvalidMatrix` with the violations.
    #[uniffi::constructor]
    pub fn new(matrix_json: String) -> Result<Self, Refused> {
        agentrules::policy::PolicyMatrix::from_json(&matrix_json)
            .map(|inner| PolicyMatrix { inner })
            .map_err(|r| refuse_from_report(Document::PolicyMatrix, r))
    }

    /// Decides a call (P2).
    pub fn decide(&self, tool: String, role: String, calls_made: u64, online: bool) -> Decision {
        self.inner.decide(&tool, &role, calls_made, online)
    }
}

/// T3–T5: a JSON Schema compiled once, validating any number of table rows.
#[derive(uniffi::Object)]
pub struct TableValidator {
    inner: agentrules::table::TableValidator,
}

#[uniffi::export]
impl TableValidator {
    /// Compiles a table schema; throws `InvalidSchema` with violations inside the schema.
    #[uniffi::constructor]
    pub fn new(schema_json: String) -> Result<Self, Refused> {
        let invalid = |r: Report| refuse_from_report(Document::TableSchema, r);
        let v = agentrules::json::parse(&schema_json).map_err(|v| invalid(Report::new(vec![v])))?;
        agentrules::table::TableValidator::new(&v).map(|inner| TableValidator { inner }).map_err(invalid)
    }

    /// Validates table elements (a JSON array of `{key, value}`): violations at
    /// `/elements/<i>/...`.
    pub fn validate_elements(&self, elements_json: String) -> Result<Report, Refused> {
        let v = agentrules::json::parse(&elements_json)
            .map_err(|v| refuse(Refusal::from_violation(RefusalKind::InvalidArguments, v)))?;
        Ok(Report::new(self.inner.validate_elements_value(&v).map_err(refuse)?))
    }

    /// Validates one row value (JSON): violations at its instance paths.
    pub fn validate_value(&self, value_json: String) -> Result<Report, Refused> {
        let v = agentrules::json::parse(&value_json)
            .map_err(|v| refuse(Refusal::from_violation(RefusalKind::InvalidArguments, v)))?;
        Ok(Report::new(self.inner.validate_value(&v)))
    }
}

/// R2: an incremental Server-Sent Events decoder: push body chunks, get events and retry values
/// in stream order.
#[derive(uniffi::Object)]
pub struct SseDecoder {
    inner: Mutex<agentrules::sse::SseDecoder>,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder { inner: Mutex::new(agentrules::sse::SseDecoder::new()) }
    }
}

#[uniffi::export]
impl SseDecoder {
    /// A decoder; `max_line_bytes` (1 to 256 MiB; default 1 MiB) bounds one line, an event's
    /// data is bounded at 16 MiB. Throws `InvalidArguments` outside those bounds.
    #[uniffi::constructor(default(max_line_bytes = None))]
    pub fn new(max_line_bytes: Option<u64>) -> Result<Self, Refused> {
        let limits = match max_line_bytes {
            None => agentrules::sse::SseLimits::default(),
            Some(n) => agentrules::sse::SseLimits::with_max_line_bytes(n).map_err(refuse)?,
        };
        Ok(SseDecoder { inner: Mutex::new(agentrules::sse::SseDecoder::with_limits(limits)) })
    }

    /// Decodes a chunk; throws `InvalidStream` past a line or event limit.
    pub fn push(&self, chunk: Vec<u8>) -> Result<Vec<agentrules::sse::SseItem>, Refused> {
        let mut d = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        d.push(&chunk).map_err(|e| refuse(e.into()))
    }

    /// Ends the stream: an incomplete event is dropped.
    pub fn finish(&self) {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).finish();
    }

    /// The last event id in force.
    pub fn last_event_id(&self) -> String {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).last_event_id().to_string()
    }

    /// The last valid `retry` value, in milliseconds.
    pub fn retry(&self) -> Option<u64> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).retry()
    }
}

/// R5: replays a run event log (JSON array of flat events) into the run state, as JSON text:
/// the same bytes on every surface.
#[uniffi::export]
pub fn replay_json(log_json: String) -> Result<String, Refused> {
    let v =
        agentrules::json::parse(&log_json).map_err(|v| refuse(Refusal::from_violation(RefusalKind::BadRequest, v)))?;
    let state = agentrules::run::replay(&v).map_err(|r| refuse_from_report(Document::RunLog, r))?;
    serde_json::to_string(&state).map_err(|e| refuse(Refusal::internal(e.to_string())))
}

/// One HTTP header as received.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// The header's name (matched case-insensitively).
    pub name: String,
    /// Its value.
    pub value: String,
}

/// W1–W4: verifies a webhook request over its raw body bytes (`Data` in Swift, `ByteArray` in
/// Kotlin). Never throws: the result says `verified` or the `reason`.
#[uniffi::export]
pub fn verify_webhook(
    provider: agentrules::webhook::WebhookProvider,
    headers: Vec<HttpHeader>,
    body: Vec<u8>,
    secret: Vec<u8>,
    now_unix_seconds: i64,
) -> agentrules::webhook::WebhookVerification {
    let pairs: Vec<(String, String)> = headers.into_iter().map(|h| (h.name, h.value)).collect();
    agentrules::webhook::verify(provider, &pairs, &body, &secret, now_unix_seconds).into()
}

/// W5: verifies a Google Workspace push notification: the `Authorization: Bearer` token (RS256)
/// against Google's JWKS document `keys_json` (its JSON text, fetched and cached by the caller;
/// nil when no audience is expected) and the `X-Goog-Channel-Token`, as `expect` says. Never
/// throws: the result says `verified` or the `reason`.
#[uniffi::export]
pub fn verify_google_webhook(
    headers: Vec<HttpHeader>,
    keys_json: Option<String>,
    expect: agentrules::webhook::google::GoogleExpectations,
    now_unix_seconds: i64,
) -> agentrules::webhook::WebhookVerification {
    let pairs: Vec<(String, String)> = headers.into_iter().map(|h| (h.name, h.value)).collect();
    agentrules::webhook::google::verify_google(&pairs, keys_json.as_deref(), &expect, now_unix_seconds).into()
}

/// K1: parses a connector install record from the server's JSON.
#[uniffi::export]
pub fn parse_install(json: String) -> Result<agentrules::connector::Install, Refused> {
    let v = agentrules::json::parse(&json).map_err(|v| refuse(Refusal::from_violation(RefusalKind::BadRequest, v)))?;
    agentrules::connector::Install::from_value(&v).map_err(|r| refuse_from_report(Document::Install, r))
}

/// The default connector policy: 3 failures in a row fail an install; the sweep retries after 300 s.
#[uniffi::export]
pub fn default_connector_policy() -> agentrules::connector::ConnectorPolicy {
    agentrules::connector::ConnectorPolicy::default()
}

/// K2/K3: the install after `event`; throws `InvalidState` (the violation `invalid_transition` or
/// `out_of_order` in `violations`) when the event cannot apply.
#[uniffi::export]
pub fn apply_connector_event(
    install: agentrules::connector::Install,
    event: agentrules::connector::InstallEvent,
    policy: agentrules::connector::ConnectorPolicy,
) -> Result<agentrules::connector::Install, Refused> {
    agentrules::connector::apply(&install, &event, policy)
        .map_err(|v| refuse(Refusal::from_violation(RefusalKind::InvalidState, v)))
}

/// K4: the failure summary of an install, for a UI.
#[uniffi::export]
pub fn connector_summary(install: agentrules::connector::Install) -> agentrules::connector::FailureSummary {
    agentrules::connector::summary(&install)
}

/// K5: the ids of the installs a recovery sweep at `now_unix_seconds` should retry.
#[uniffi::export]
pub fn sweep_connectors(
    installs: Vec<agentrules::connector::Install>,
    now_unix_seconds: i64,
    policy: agentrules::connector::ConnectorPolicy,
) -> Vec<String> {
    agentrules::connector::sweep(&installs, now_unix_seconds, policy)
}

/// Panics inside Rust, on purpose: the test of panic safety calls it to show a Rust panic
/// reaches Kotlin/Swift as a thrown error (uniffi's `InternalException`) and not an abort. Not
/// part of the API.
#[doc(hidden)]
#[uniffi::export]
#[expect(clippy::panic, reason = "the panic-safety test's hook: it panics on purpose")]
pub fn internal_panic_for_tests() {
    panic!("a forced internal failure (panic-safety test)");
}
