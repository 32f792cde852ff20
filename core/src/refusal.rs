//! Refusals: the errors of a call that are not a report about the checked document.
//!
//! A check answers a [`Report`] of violations. A call can also be *refused*: its
//! arguments have the wrong shape, its context is invalid, the lifecycle forbids the action, a
//! stream passed its limit, or a function that *asserts* (e.g. "render this list query") met a
//! document with violations. A [`Refusal`] is `{ kind, message, violations }`: `kind` is one of
//! the closed list [`RefusalKind::ALL`], `message` a sentence for people made here (so every
//! surface says the same), `violations` the problems behind it, if any.
//!
//! Every binding maps a `Refusal` one to one: JS throws `AgentRulesError` with `code = kind`,
//! Python raises `ValidationError` with `code = kind`, Swift and Kotlin throw `AgentRulesError`
//! whose `kind()` is this enum. The names are public API: a kind is never renamed.
//!
//! ```
//! use agentrules::refusal::{Refusal, RefusalKind};
//! let r = Refusal::from_violations(RefusalKind::BadRequest, "invalid list query", Vec::new());
//! assert_eq!((r.kind.as_str(), r.message.as_str()), ("bad_request", "invalid list query"));
//! assert_eq!(RefusalKind::from_name("invalid_stream"), Some(RefusalKind::InvalidStream));
//! ```

use serde::Serialize;

use crate::report::{Report, Violation};

macro_rules! refusal_kinds {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal ),+ $(,)?) => {
        /// What kind of refusal a [`Refusal`] is. A closed list: every surface has exactly these.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        pub enum RefusalKind {
            $( #[doc = $doc] $variant, )+
        }

        impl RefusalKind {
            /// Every kind, in catalogue order.
            pub const ALL: &'static [RefusalKind] = &[ $( RefusalKind::$variant, )+ ];

            /// The stable snake_case name.
            pub const fn as_str(self) -> &'static str {
                match self { $( RefusalKind::$variant => $name, )+ }
            }

            /// The kind with this snake_case name, if there is one.
            pub fn from_name(name: &str) -> Option<RefusalKind> {
                match name { $( $name => Some(RefusalKind::$variant), )+ _ => None }
            }

            /// What the kind means, for documentation and generated bindings.
            pub const fn description(self) -> &'static str {
                match self { $( RefusalKind::$variant => $doc.trim_ascii(), )+ }
            }
        }
    };
}

refusal_kinds! {
    /// An asserted document has violations (a launch body, a list query, a run log, an install).
    BadRequest = "bad_request",
    /// The context (workflow definition, entitlements, limits) is invalid.
    InvalidContext = "invalid_context",
    /// An argument of the wrong type or shape, or a number out of its range.
    InvalidArguments = "invalid_arguments",
    /// An event stream passed its line or event limit.
    InvalidStream = "invalid_stream",
    /// The action or event cannot apply in the current state (the server answers 409).
    InvalidState = "invalid_state",
    /// A table schema that does not compile.
    InvalidSchema = "invalid_schema",
    /// A policy matrix with violations.
    InvalidMatrix = "invalid_matrix",
    /// A body that is not an error envelope.
    InvalidEnvelope = "invalid_envelope",
    /// A server response without its documented shape (a body that does not parse as its kind, a conversation whose parent links form a cycle).
    InvalidResponse = "invalid_response",
    /// `check` with a kind this build does not have.
    UnknownKind = "unknown_kind",
    /// The library itself failed (out of memory, a lost wasm instance, a bug); the call is lost.
    Internal = "internal",
}

impl Serialize for RefusalKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for RefusalKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused call: `{ kind, message, violations }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[error("{message}")]
pub struct Refusal {
    /// What kind of refusal this is.
    pub kind: RefusalKind,
    /// A sentence for people; for a refusal with violations, the [`summary`] of them.
    pub message: String,
    /// The violations behind the refusal (empty for argument, state and stream refusals).
    pub violations: Vec<Violation>,
}

impl Refusal {
    /// A refusal with a message and no violations.
    pub fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Refusal { kind, message: message.into(), violations: Vec::new() }
    }

    /// A refusal because of `violations`, its message their [`summary`] under `what`.
    pub fn from_violations(kind: RefusalKind, what: &str, violations: Vec<Violation>) -> Self {
        Refusal { kind, message: summary(what, &violations), violations }
    }

    /// A refusal because of a report's violations.
    pub fn from_report(kind: RefusalKind, what: &str, report: Report) -> Self {
        Refusal::from_violations(kind, what, report.violations)
    }

    /// What an asserting launch check (`assertValidLaunch` in JS, Swift and Kotlin) throws for a
    /// report with violations: `bad_request`, "the launch request is invalid: …", the report's
    /// violations attached. `None` for a clean report.
    pub fn from_launch_report(report: Report) -> Option<Self> {
        (!report.ok).then(|| Refusal::from_report(RefusalKind::BadRequest, "the launch request is invalid", report))
    }

    /// A refusal because of one violation, its message the violation's.
    pub fn from_violation(kind: RefusalKind, v: Violation) -> Self {
        Refusal { kind, message: v.message.clone(), violations: vec![v] }
    }

    /// `invalid_arguments` with a message.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Refusal::new(RefusalKind::InvalidArguments, message)
    }

    /// `internal` with a message.
    pub fn internal(message: impl Into<String>) -> Self {
        Refusal::new(RefusalKind::Internal, message)
    }
}

/// The documents whose violations refuse a call, each with its refusal kind and the words its
/// summary starts with: one place for what every surface says when, say, a run log is invalid.
///
/// ```
/// use agentrules::{refusal::Document, Code, Pointer, RefusalKind, Violation};
/// let v = Violation::new(&Pointer::root().key("seq"), Code::OutOfOrder, "seq 2 follows seq 3");
/// let r = Document::RunLog.refuse(vec![v]);
/// assert_eq!((r.kind, r.message.as_str()), (RefusalKind::BadRequest, "invalid run log: /seq: seq 2 follows seq 3 [out_of_order]"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// A launch body or another checked request (`bad_request`).
    Request,
    /// The context of a check (`invalid_context`).
    Context,
    /// The query of `GET /agents` (`bad_request`).
    ListQuery,
    /// The `include` parameter of a conversation (`bad_request`).
    Include,
    /// A tool policy matrix (`invalid_matrix`).
    PolicyMatrix,
    /// A table artifact's schema (`invalid_schema`).
    TableSchema,
    /// A run's event log (`bad_request`).
    RunLog,
    /// A connector install (`bad_request`).
    Install,
    /// An event of a connector install (`bad_request`).
    InstallEvent,
    /// A body read as an error envelope (`invalid_envelope`).
    Envelope,
    /// Whatever a report was made of, raised by its holder (Python's `raise_for_violations`,
    /// which does not know what was checked; `bad_request`).
    Checked,
}

impl Document {
    /// The refusal kind of this document's violations.
    pub const fn kind(self) -> RefusalKind {
        match self {
            Document::Context => RefusalKind::InvalidContext,
            Document::PolicyMatrix => RefusalKind::InvalidMatrix,
            Document::TableSchema => RefusalKind::InvalidSchema,
            Document::Envelope => RefusalKind::InvalidEnvelope,
            Document::Request
            | Document::ListQuery
            | Document::Include
            | Document::RunLog
            | Document::Install
            | Document::InstallEvent
            | Document::Checked => RefusalKind::BadRequest,
        }
    }

    /// What the summary says before the first violation.
    pub const fn what(self) -> &'static str {
        match self {
            Document::Request => "the request is invalid",
            Document::Context => "invalid context",
            Document::ListQuery => "invalid list query",
            Document::Include => "invalid include",
            Document::PolicyMatrix => "invalid policy matrix",
            Document::TableSchema => "invalid table schema",
            Document::RunLog => "invalid run log",
            Document::Install => "invalid install",
            Document::InstallEvent => "invalid install event",
            Document::Envelope => "not an error envelope",
            Document::Checked => "the document is invalid",
        }
    }

    /// The refusal of `violations` of this document.
    pub fn refuse(self, violations: Vec<Violation>) -> Refusal {
        Refusal::from_violations(self.kind(), self.what(), violations)
    }

    /// The refusal of a report's violations of this document.
    pub fn refuse_report(self, report: Report) -> Refusal {
        self.refuse(report.violations)
    }
}

/// The one summary of violations every surface shows: `what`, then the first violation
/// (`path: message [code]`, the document itself written `(document)`), then `(and N more)`.
///
/// ```
/// use agentrules::{refusal::summary, Code, Pointer, Violation};
/// let v = Violation::new(&Pointer::root().key("limit"), Code::OutOfRange, "at most 100");
/// assert_eq!(summary("invalid list query", &[v.clone(), v]), "invalid list query: /limit: at most 100 [out_of_range] (and 1 more)");
/// ```
pub fn summary(what: &str, violations: &[Violation]) -> String {
    match violations {
        [] => what.to_string(),
        [one] => format!("{what}: {one}"),
        [one, rest @ ..] => format!("{what}: {one} (and {} more)", rest.len()),
    }
}

/// A number argument that is a count or a size, as a host language gives it (a JS number, a
/// float): a non-negative integer of at most 2^53, else the `invalid_arguments` refusal naming
/// `what`.
///
/// ```
/// use agentrules::refusal::count;
/// assert_eq!(count(3.0, "callsMade"), Ok(3));
/// assert!(count(f64::NAN, "callsMade").is_err() && count(1.5, "callsMade").is_err());
/// ```
pub fn count(n: f64, what: &str) -> Result<u64, Refusal> {
    const MAX: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX {
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked: an integer in 0..=2^53")]
        Ok(n as u64)
    } else {
        Err(Refusal::invalid_arguments(format!("{what} must be a non-negative integer (at most 2^53)")))
    }
}

/// A point in time in Unix seconds as a host language gives it: a finite number within ±2^53
/// (its floor), else the `invalid_arguments` refusal naming `what`.
pub fn unix_seconds(n: f64, what: &str) -> Result<i64, Refusal> {
    if n.is_finite() && n.abs() <= 9_007_199_254_740_992.0 {
        #[expect(clippy::cast_possible_truncation, reason = "checked: finite and within ±2^53")]
        Ok(n.floor() as i64)
    } else {
        Err(Refusal::invalid_arguments(format!("{what} must be a finite number of seconds")))
    }
}
