//! The error envelope (E1) and retrying (E2).
//!
//! Decisions where the API documents are silent: a report renders to a 400 envelope whose
//! `error` is the violations as `path: message` joined with `; ` (at most 10, then
//! `and N more`). Backoff without `Retry-After` is deterministic (no jitter: the library has no
//! randomness; callers may add their own): 1 s, 2 s, 4 s, … capped at 60 s, at most 5 attempts
//! in all. `Retry-After` is honoured as given, even beyond the cap; a date in the past means
//! "now"; an unreadable value falls back to the backoff.

use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{as_object, mismatch};
use crate::pointer::Pointer;
use crate::report::{Code, Report, Sink, Violation};
use crate::response::open_enum;

open_enum! {
    /// The machine code of an error envelope (E1).
    ApiErrorCode {
        /// 400: malformed body, missing required fields.
        BadRequest = "bad_request",
        /// 401: missing or invalid API key.
        Unauthorized = "unauthorized",
        /// 403: valid key but not the agent's owner.
        Forbidden = "forbidden",
        /// 404: agent or artifact not found.
        NotFound = "not_found",
        /// 409: operation not allowed in the agent's current status.
        InvalidState = "invalid_state",
        /// 429: too many requests; retry after `Retry-After`.
        RateLimited = "rate_limited",
        /// 500: unexpected server error.
        InternalServerError = "internal_server_error",
    }
}

impl ApiErrorCode {
    /// The HTTP status of a known code.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            ApiErrorCode::BadRequest => 400,
            ApiErrorCode::Unauthorized => 401,
            ApiErrorCode::Forbidden => 403,
            ApiErrorCode::NotFound => 404,
            ApiErrorCode::InvalidState => 409,
            ApiErrorCode::RateLimited => 429,
            ApiErrorCode::InternalServerError => 500,
            ApiErrorCode::Unknown(_) => return None,
        })
    }

    /// The code of a known HTTP status.
    pub fn from_status(status: u16) -> Option<ApiErrorCode> {
        Some(match status {
            400 => ApiErrorCode::BadRequest,
            401 => ApiErrorCode::Unauthorized,
            403 => ApiErrorCode::Forbidden,
            404 => ApiErrorCode::NotFound,
            409 => ApiErrorCode::InvalidState,
            429 => ApiErrorCode::RateLimited,
            500 => ApiErrorCode::InternalServerError,
            _ => return None,
        })
    }
}

/// What every surface answers for a parsed error envelope (E1): the code as written, the text,
/// the code's HTTP status and whether the code is one of the API's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EnvelopeInfo {
    /// The machine code, as the body gave it.
    pub code: String,
    /// The human-readable text.
    pub error: String,
    /// The HTTP status of a known code.
    pub status: Option<u16>,
    /// Whether the code is one the API documents.
    pub known: bool,
}

/// `{ "error": <human text>, "code": <machine code> }` (E1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorEnvelope {
    /// Human-readable description.
    pub error: String,
    /// Machine-readable code; unknown codes are kept.
    pub code: ApiErrorCode,
}

/// The JSON Schema (draft 2020-12) of the error envelope `{ error, code }` (E1), generated from
/// [`ErrorEnvelope`]: what an API answers with an error status.
#[cfg(feature = "schema")]
pub fn envelope_schema() -> Value {
    crate::launch::schema_of::<ErrorEnvelope>()
}

impl ErrorEnvelope {
    /// The envelope as every surface describes it.
    pub fn info(&self) -> EnvelopeInfo {
        EnvelopeInfo {
            code: self.code.as_str().to_string(),
            error: self.error.clone(),
            status: self.code.status(),
            known: !matches!(self.code, ApiErrorCode::Unknown(_)),
        }
    }

    /// Parses a body into its [`EnvelopeInfo`], or the `invalid_envelope` refusal with the
    /// body's violations.
    ///
    /// ```
    /// let info = agentrules::errors::ErrorEnvelope::parse_info(r#"{"error": "no", "code": "teapot"}"#).unwrap();
    /// assert_eq!((info.code.as_str(), info.status, info.known), ("teapot", None, false));
    /// let refused = agentrules::errors::ErrorEnvelope::parse_info("{}").unwrap_err();
    /// assert_eq!(refused.kind, agentrules::RefusalKind::InvalidEnvelope);
    /// ```
    pub fn parse_info(body: &str) -> Result<EnvelopeInfo, crate::Refusal> {
        ErrorEnvelope::parse(body).map(|e| e.info()).map_err(|r| crate::refusal::Document::Envelope.refuse_report(r))
    }

    /// The 400 envelope of a report's violations, or `None` for a clean report.
    ///
    /// ```
    /// let report = agentrules::check("launch", "{}", None).unwrap();
    /// let env = agentrules::errors::ErrorEnvelope::from_report(&report).unwrap();
    /// assert_eq!(env.code.status(), Some(400));
    /// ```
    pub fn from_report(report: &Report) -> Option<ErrorEnvelope> {
        if report.violations.is_empty() {
            return None;
        }
        const SHOWN: usize = 10;
        let mut parts: Vec<String> = report
            .violations
            .iter()
            .take(SHOWN)
            .map(|v| if v.path.is_empty() { v.message.clone() } else { format!("{}: {}", v.path, v.message) })
            .collect();
        if report.violations.len() > SHOWN {
            parts.push(format!("and {} more", report.violations.len().saturating_sub(SHOWN)));
        }
        Some(ErrorEnvelope { error: parts.join("; "), code: ApiErrorCode::BadRequest })
    }

    /// E1: the response a report renders to, `(status, envelope)`: the envelope of
    /// [`ErrorEnvelope::from_report`] with its code's HTTP status (400); `None` for a clean
    /// report. What `error_envelope` answers on every surface.
    ///
    /// ```
    /// let report = agentrules::check("launch", "{}", None).unwrap();
    /// let (status, env) = agentrules::errors::ErrorEnvelope::response_for(&report).unwrap();
    /// assert_eq!((status, env.code.as_str()), (400, "bad_request"));
    /// ```
    pub fn response_for(report: &Report) -> Option<(u16, ErrorEnvelope)> {
        let env = ErrorEnvelope::from_report(report)?;
        Some((env.code.status()?, env))
    }

    /// The 409 envelope of a refused lifecycle action.
    pub fn invalid_state(message: impl Into<String>) -> ErrorEnvelope {
        ErrorEnvelope { error: message.into(), code: ApiErrorCode::InvalidState }
    }

    /// Parses an envelope from a response body.
    pub fn parse(body: &str) -> Result<ErrorEnvelope, Report> {
        let v = crate::json::parse(body).map_err(|v| Report::new(vec![v]))?;
        let violations = check_error_envelope(&v);
        if !violations.is_empty() {
            return Err(Report::new(violations));
        }
        let code = v
            .get("code")
            .and_then(Value::as_str)
            .map(ApiErrorCode::parse)
            .unwrap_or(ApiErrorCode::Unknown(String::new()));
        let error = v.get("error").and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(ErrorEnvelope { error, code })
    }

    /// The envelope's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Checks an error envelope: an object with string `error` and `code`. Other fields are allowed
/// (it is a response: a newer server may add some).
pub fn check_error_envelope(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an object { error, code }") else {
        return sink.out;
    };
    for key in ["error", "code"] {
        match obj.get(key) {
            None => sink.push(&root.key(key), Code::Required, format!("an error envelope needs {key}")),
            Some(Value::String(_)) => {}
            Some(other) => mismatch(&mut sink, &root.key(key), "a string", other),
        }
    }
    sink.out
}

/// Parses a `Retry-After` value (E2): delta seconds (digits only) or an HTTP date, against the
/// caller's current time. Returns the wait, zero for a date in the past, or `None` when the
/// value is neither.
///
/// ```
/// use agentrules::errors::retry_after;
/// assert_eq!(retry_after("120", 0), Some(std::time::Duration::from_secs(120)));
/// // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
/// assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 - 30), Some(std::time::Duration::from_secs(30)));
/// assert_eq!(retry_after("soon", 0), None);
/// ```
pub fn retry_after(value: &str, now_unix_secs: u64) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long number saturates rather than failing.
        return Some(Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let now = UNIX_EPOCH.checked_add(Duration::from_secs(now_unix_secs))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The backoff used when a retryable response carries no usable `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Wait after the first failure, in milliseconds.
    pub base_ms: u64,
    /// Longest backoff wait, in milliseconds.
    pub max_ms: u64,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { base_ms: 1_000, max_ms: 60_000, max_attempts: 5 }
    }
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum RetryDecision {
    /// Send the request again after `after_ms`.
    Retry {
        /// Milliseconds to wait.
        after_ms: u64,
    },
    /// Do not retry.
    GiveUp {
        /// Why: `not_retryable` or `attempts_exhausted`.
        reason: String,
    },
}

/// Whether a status is retryable: 429 and 500 (E2, decided).
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 500)
}

/// Decides whether and when to retry after a response with `status`, the `attempts` made so
/// far (1 after the first response), its `Retry-After` header if any, and the current time.
///
/// ```
/// use agentrules::errors::{decide_retry, RetryDecision, RetryPolicy};
/// let p = RetryPolicy::default();
/// assert_eq!(decide_retry(500, 1, None, 0, &p), RetryDecision::Retry { after_ms: 1_000 });
/// assert_eq!(decide_retry(500, 3, None, 0, &p), RetryDecision::Retry { after_ms: 4_000 });
/// assert_eq!(decide_retry(429, 1, Some("7"), 0, &p), RetryDecision::Retry { after_ms: 7_000 });
/// assert!(matches!(decide_retry(404, 1, None, 0, &p), RetryDecision::GiveUp { .. }));
/// ```
pub fn decide_retry(
    status: u16,
    attempts: u32,
    retry_after_header: Option<&str>,
    now_unix_secs: u64,
    policy: &RetryPolicy,
) -> RetryDecision {
    if !is_retryable(status) {
        return RetryDecision::GiveUp { reason: "not_retryable".into() };
    }
    if attempts >= policy.max_attempts {
        return RetryDecision::GiveUp { reason: "attempts_exhausted".into() };
    }
    if let Some(wait) = retry_after_header.and_then(|h| retry_after(h, now_unix_secs)) {
        return RetryDecision::Retry { after_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX) };
    }
    let exp = attempts.saturating_sub(1).min(63);
    let after_ms = policy.base_ms.saturating_mul(1u64 << exp).min(policy.max_ms);
    RetryDecision::Retry { after_ms }
}

/// What a server refuses a request for, besides a report's violations (400, [`ErrorEnvelope::from_report`])
/// and a lifecycle action in the wrong status (409, [`ErrorEnvelope::invalid_state`]): each with
/// its HTTP status, its code and one message, so every server built on this library (the local
/// `agentrules serve` among them) says the same. Messages never repeat a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the `Authorization` header is missing or malformed; its violations (E3) say why.
    BadCredentials(Vec<Violation>),
    /// 401: a well-formed key that the server does not know.
    UnknownKey,
    /// 403: a known key without the scope the endpoint needs (RFC 6750's `insufficient_scope`).
    MissingScope(&'static str),
    /// 403: the resource belongs to another user.
    NotOwner(Resource),
    /// 404: no such resource (or none visible to the key).
    NotFound(Resource),
    /// 404: no endpoint at this method and path.
    NoEndpoint,
    /// 429: the key's requests of a rate class (E4) are used up; retry after that many seconds.
    RateLimited {
        /// The class whose window is full.
        class: crate::endpoints::RateClass,
        /// Whole seconds until a request of the class is accepted again (the `Retry-After` value).
        retry_after_secs: u64,
    },
    /// 403: the caller's role does not rank high enough for the decision (P3's
    /// `role_not_allowed`); the core's violation says who may decide.
    RoleNotAllowed(Violation),
    /// 400: a list cursor that no page of this server handed out.
    InvalidCursor,
    /// 400: an upload without its `file` part, or not `multipart/form-data`.
    UploadMissingFile,
    /// 400: an upload larger than the server takes, in bytes.
    UploadTooLarge(u64),
    /// 500: the server failed; the request may not have been applied.
    Internal,
}

/// What an [`ApiError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// An agent (`/agents/{id}`).
    Agent,
    /// An artifact.
    Artifact,
    /// A workflow a launch names.
    Workflow,
    /// An uploaded file.
    File,
    /// A NOME thread.
    Thread,
    /// A NOME run.
    Run,
    /// An approval request of a NOME run.
    Approval,
    /// A connector install.
    ConnectorInstall,
}

impl Resource {
    /// The resource in words.
    pub const fn noun(self) -> &'static str {
        match self {
            Resource::Agent => "agent",
            Resource::Artifact => "artifact",
            Resource::Workflow => "workflow",
            Resource::File => "file",
            Resource::Thread => "thread",
            Resource::Run => "run",
            Resource::Approval => "approval request",
            Resource::ConnectorInstall => "connector install",
        }
    }
}

impl ApiError {
    /// The API error code.
    pub fn code(&self) -> ApiErrorCode {
        match self {
            ApiError::BadCredentials(_) | ApiError::UnknownKey => ApiErrorCode::Unauthorized,
            ApiError::MissingScope(_) | ApiError::NotOwner(_) | ApiError::RoleNotAllowed(_) => ApiErrorCode::Forbidden,
            ApiError::NotFound(_) | ApiError::NoEndpoint => ApiErrorCode::NotFound,
            ApiError::RateLimited { .. } => ApiErrorCode::RateLimited,
            ApiError::InvalidCursor | ApiError::UploadMissingFile | ApiError::UploadTooLarge(_) => {
                ApiErrorCode::BadRequest
            }
            ApiError::Internal => ApiErrorCode::InternalServerError,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code().status().unwrap_or(500)
    }

    /// The message for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadCredentials(violations) => match violations.first() {
                Some(v) => format!("missing or invalid API key: {}", v.message),
                None => "missing or invalid API key".to_string(),
            },
            ApiError::UnknownKey => "invalid API key: no such key; create one in the Developer Console".to_string(),
            ApiError::MissingScope(scope) => format!("the API key lacks the `{scope}` scope"),
            ApiError::NotOwner(r) => format!("the {} belongs to another user", r.noun()),
            ApiError::RoleNotAllowed(v) => v.message.clone(),
            ApiError::NotFound(r) => format!("{} not found", r.noun()),
            ApiError::NoEndpoint => "no endpoint at this method and path".to_string(),
            ApiError::RateLimited { class, retry_after_secs } => format!(
                "too many requests: the {} rate class allows {} requests a minute per key; retry after {retry_after_secs} s",
                match class {
                    crate::endpoints::RateClass::Standard => "Standard",
                    crate::endpoints::RateClass::Heavy => "Heavy",
                },
                class.per_minute()
            ),
            ApiError::InvalidCursor => "the cursor is not one this server handed out".to_string(),
            ApiError::UploadMissingFile => "an upload is multipart/form-data with a `file` part".to_string(),
            ApiError::UploadTooLarge(max) => {
                format!("the file is larger than the upload limit of {}", crate::report::readable_bytes(*max))
            }
            ApiError::Internal => "unexpected server error".to_string(),
        }
    }

    /// The envelope `{ error, code }`.
    ///
    /// ```
    /// use agentrules::errors::{ApiError, Resource};
    /// let e = ApiError::NotFound(Resource::Agent);
    /// assert_eq!((e.status(), e.envelope().code.as_str(), e.envelope().error.as_str()), (404, "not_found", "agent not found"));
    /// ```
    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope { error: self.message(), code: self.code() }
    }
}

/// A 400 body with the violations behind it: the envelope of [`ErrorEnvelope::from_report`] and
/// the report's violations, so a client can show each at its field (an extension of E1's
/// envelope: clients that know only `{error, code}` read it unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BadRequestBody {
    /// Human-readable description: the violations as `path: message`.
    pub error: String,
    /// Always `bad_request`.
    pub code: ApiErrorCode,
    /// Every violation, in document order.
    pub violations: Vec<Violation>,
}

impl BadRequestBody {
    /// The body of a report with violations; `None` for a clean report.
    pub fn from_report(report: Report) -> Option<BadRequestBody> {
        let env = ErrorEnvelope::from_report(&report)?;
        Some(BadRequestBody { error: env.error, code: env.code, violations: report.violations })
    }
}

#[cfg(test)]
mod api_error_tests {
    use super::*;
    use crate::endpoints::RateClass;

    #[test]
    fn every_api_error_has_its_documented_status() {
        let cases = [
            (ApiError::BadCredentials(Vec::new()), 401),
            (ApiError::UnknownKey, 401),
            (ApiError::MissingScope(crate::auth::AGENT_SCOPE), 403),
            (ApiError::NotOwner(Resource::Agent), 403),
            (ApiError::NotFound(Resource::Run), 404),
            (
                ApiError::RoleNotAllowed(Violation::new(
                    &crate::Pointer::root(),
                    Code::RoleNotAllowed,
                    "role \"member\" cannot decide a request at tier admin",
                )),
                403,
            ),
            (ApiError::NotFound(Resource::Artifact), 404),
            (ApiError::NoEndpoint, 404),
            (ApiError::RateLimited { class: RateClass::Heavy, retry_after_secs: 3 }, 429),
            (ApiError::InvalidCursor, 400),
            (ApiError::UploadMissingFile, 400),
            (ApiError::UploadTooLarge(10), 400),
            (ApiError::Internal, 500),
        ];
        for (e, status) in cases {
            assert_eq!(e.status(), status, "{e:?}");
            assert!(check_error_envelope(&serde_json::to_value(e.envelope()).unwrap()).is_empty());
            assert!(e.message().chars().next().is_some_and(char::is_lowercase), "{e:?}");
        }
        let heavy = ApiError::RateLimited { class: RateClass::Heavy, retry_after_secs: 3 }.message();
        assert!(heavy.contains("30 requests a minute"), "{heavy}");
    }

    #[test]
    fn a_bad_request_body_carries_the_violations() {
        let report = crate::check("launch", "{}", None).unwrap();
        let body = BadRequestBody::from_report(report.clone()).unwrap();
        assert_eq!((body.code.as_str(), body.violations.len()), ("bad_request", report.violations.len()));
        assert!(BadRequestBody::from_report(Report::new(Vec::new())).is_none());
    }
}
