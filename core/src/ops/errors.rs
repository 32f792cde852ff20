//! Ops: Errors, retries, endpoints and rate limits (E1–E4).

use serde::{Deserialize, Serialize};

use super::{Document, Op};
use crate::endpoints::{Endpoint, RateClass, RateLimiter};
use crate::errors::{
    decide_retry, ApiError, ApiErrorCode, EnvelopeInfo, ErrorEnvelope, Resource, RetryDecision, RetryPolicy,
};
use crate::refusal::Refusal;
use crate::report::{Report, Violation};

/// `error_envelope`: the error envelope a server answers (E1), for a report's violations (400,
/// `null` when there are none) or for a status and a text.
pub struct ErrorEnvelopeOp;

/// The arguments of [`ErrorEnvelopeOp`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ErrorEnvelopeArgs {
    /// A report's violations.
    Report {
        /// The violations.
        violations: Vec<Violation>,
    },
    /// A status and its text.
    Status {
        /// An HTTP status the API documents (400, 401, 403, 404, 409, 429, 500).
        status: u16,
        /// The text for people.
        error: String,
    },
}

/// The answer of [`ErrorEnvelopeOp`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EnvelopeAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: ErrorEnvelope,
}

impl Op for ErrorEnvelopeOp {
    type Args = ErrorEnvelopeArgs;
    type Answer = Option<EnvelopeAnswer>;
    fn run(a: ErrorEnvelopeArgs) -> Result<Option<EnvelopeAnswer>, Refusal> {
        match a {
            ErrorEnvelopeArgs::Report { violations } => Ok(ErrorEnvelope::from_report(&Report::new(violations))
                .map(|body| EnvelopeAnswer { status: body.code.status().unwrap_or(400), body })),
            ErrorEnvelopeArgs::Status { status, error } => {
                let code = ApiErrorCode::from_status(status)
                    .ok_or_else(|| Refusal::invalid_arguments(format!("no error code for status {status}")))?;
                Ok(Some(EnvelopeAnswer { status, body: ErrorEnvelope { error, code } }))
            }
        }
    }
}

/// `api_error`: what a server answers for a refusal that is not about the body (E1, E3, E4):
/// its status, the envelope and, for a 429, the `Retry-After` seconds ([`ApiError`], what
/// `agentrules serve` answers).
pub struct ApiErrorOp;

/// The arguments of [`ApiErrorOp`]: the refusal, named by `error`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "error", rename_all = "snake_case", deny_unknown_fields)]
pub enum ApiErrorArgs {
    /// 401: the `Authorization` header is missing or malformed; its E3 violations.
    BadCredentials {
        /// The violations of the header's check.
        violations: Vec<Violation>,
    },
    /// 401: a well-formed key the server does not know.
    UnknownKey,
    /// 403: a known key without the `developer:agent` scope.
    MissingScope,
    /// 403: the resource belongs to another user.
    NotOwner {
        /// What the request is about.
        resource: Resource,
    },
    /// 403: the caller's role does not rank high enough for the decision (P3).
    RoleNotAllowed {
        /// The `role_not_allowed` violation of the decision.
        violation: Violation,
    },
    /// 404: no such resource.
    NotFound {
        /// What the request is about.
        resource: Resource,
    },
    /// 404: no endpoint at this method and path.
    NoEndpoint,
    /// 429: the key's requests of a rate class are used up.
    RateLimited {
        /// The class whose window is full.
        class: RateClass,
        /// Whole seconds until a request of the class is accepted again.
        #[serde(rename = "retryAfterSecs")]
        retry_after_secs: u64,
    },
    /// 400: a list cursor no page of this server handed out.
    InvalidCursor,
    /// 400: an upload without its `file` part.
    UploadMissingFile,
    /// 400: an upload larger than the server takes.
    UploadTooLarge {
        /// The limit, in bytes.
        #[serde(rename = "maxBytes")]
        max_bytes: u64,
    },
    /// 500: the server failed.
    Internal,
}

/// The answer of [`ApiErrorOp`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: ErrorEnvelope,
    /// The `Retry-After` header's seconds (a 429 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Op for ApiErrorOp {
    type Args = ApiErrorArgs;
    type Answer = ApiErrorAnswer;
    fn run(a: ApiErrorArgs) -> Result<ApiErrorAnswer, Refusal> {
        let e = match a {
            ApiErrorArgs::BadCredentials { violations } => ApiError::BadCredentials(violations),
            ApiErrorArgs::UnknownKey => ApiError::UnknownKey,
            ApiErrorArgs::MissingScope => ApiError::MissingScope(crate::auth::AGENT_SCOPE),
            ApiErrorArgs::NotOwner { resource } => ApiError::NotOwner(resource),
            ApiErrorArgs::RoleNotAllowed { violation } => ApiError::RoleNotAllowed(violation),
            ApiErrorArgs::NotFound { resource } => ApiError::NotFound(resource),
            ApiErrorArgs::NoEndpoint => ApiError::NoEndpoint,
            ApiErrorArgs::RateLimited { class, retry_after_secs } => ApiError::RateLimited { class, retry_after_secs },
            ApiErrorArgs::InvalidCursor => ApiError::InvalidCursor,
            ApiErrorArgs::UploadMissingFile => ApiError::UploadMissingFile,
            ApiErrorArgs::UploadTooLarge { max_bytes } => ApiError::UploadTooLarge(max_bytes),
            ApiErrorArgs::Internal => ApiError::Internal,
        };
        let retry_after = match e {
            ApiError::RateLimited { retry_after_secs, .. } => Some(retry_after_secs),
            _ => None,
        };
        Ok(ApiErrorAnswer { status: e.status(), body: e.envelope(), retry_after })
    }
}

/// `parse_error_envelope`: reads an error envelope (E1); a body that is not one is refused
/// `invalid_envelope` with its violations.
pub struct ParseErrorEnvelope;

/// The arguments of [`ParseErrorEnvelope`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParseErrorEnvelopeArgs {
    /// The response body, as text or as JSON.
    pub body: Document,
}

impl Op for ParseErrorEnvelope {
    type Args = ParseErrorEnvelopeArgs;
    type Answer = EnvelopeInfo;
    fn run(a: ParseErrorEnvelopeArgs) -> Result<EnvelopeInfo, Refusal> {
        ErrorEnvelope::parse_info(&a.body.text())
    }
}

/// `retry_after`: how long a `Retry-After` value says to wait (E2).
pub struct RetryAfter;

/// The arguments of [`RetryAfter`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetryAfterArgs {
    /// The header's value: seconds or an HTTP date.
    pub value: String,
    /// Now, in Unix seconds.
    pub now: u64,
}

/// The answer of [`RetryAfter`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryWait {
    /// Milliseconds to wait; `null` for a value that is neither seconds nor a date.
    pub wait_ms: Option<u64>,
}

/// The answer of [`RateLimit`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RateWait {
    /// Milliseconds to wait (0: send now).
    pub wait_ms: u64,
}

impl Op for RetryAfter {
    type Args = RetryAfterArgs;
    type Answer = RetryWait;
    fn run(a: RetryAfterArgs) -> Result<RetryWait, Refusal> {
        let wait =
            crate::errors::retry_after(&a.value, a.now).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Ok(RetryWait { wait_ms: wait })
    }
}

/// `retry`: whether and when to retry a failed request (E2), under the default policy.
pub struct Retry;

/// The arguments of [`Retry`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryArgs {
    /// The response's HTTP status.
    pub status: u16,
    /// Attempts made so far.
    pub attempts: u32,
    /// Its `Retry-After` header.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Now, in Unix seconds (0 when absent).
    #[serde(default)]
    pub now: u64,
}

impl Op for Retry {
    type Args = RetryArgs;
    type Answer = RetryDecision;
    fn run(a: RetryArgs) -> Result<RetryDecision, Refusal> {
        Ok(decide_retry(a.status, a.attempts, a.retry_after.as_deref(), a.now, &RetryPolicy::default()))
    }
}

/// `endpoint`: the endpoint a method and path name (E4), `null` for none.
pub struct EndpointOp;

/// The arguments of [`EndpointOp`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EndpointArgs {
    /// The HTTP method.
    pub method: String,
    /// The path, e.g. `/api/v0/agents/019…/stop`.
    pub path: String,
}

impl Op for EndpointOp {
    type Args = EndpointArgs;
    type Answer = Option<Endpoint>;
    fn run(a: EndpointArgs) -> Result<Option<Endpoint>, Refusal> {
        Ok(crate::endpoints::endpoint(&a.method, &a.path))
    }
}

/// `rate_limit`: how long to wait before the next request of a rate class (E4).
pub struct RateLimit;

/// The arguments of [`RateLimit`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RateLimitArgs {
    /// The rate class.
    #[cfg_attr(feature = "schema", schemars(with = "RateClass"))]
    pub class: String,
    /// When the earlier requests of the class were sent, in milliseconds.
    pub sent: Vec<u64>,
    /// Now, in milliseconds.
    pub now: u64,
}

impl Op for RateLimit {
    type Args = RateLimitArgs;
    type Answer = RateWait;
    fn run(a: RateLimitArgs) -> Result<RateWait, Refusal> {
        let class = RateClass::parse(&a.class)
            .ok_or_else(|| Refusal::invalid_arguments(format!("unknown rate class `{}`", a.class)))?;
        let mut rl = RateLimiter::new();
        for t in a.sent {
            rl.record(class, t);
        }
        Ok(RateWait { wait_ms: rl.wait_ms(class, a.now) })
    }
}
