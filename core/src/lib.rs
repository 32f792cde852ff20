//! # agentrules
//!
//! The rules of the Agent API in one pure Rust core: the same request is rejected for the same
//! reason, at the same JSON path, in a browser, a notebook, a phone app, a server and a shell.
//!
//! Every check returns a [`Report`] of [`Violation`]s `{ path, code, message }`: `path` is an
//! RFC 6901 JSON Pointer, `code` a stable [`Code`], `message` an English sentence. Checks collect
//! every violation in document order and never panic; the core does no I/O and reads no clock.
//!
//! ```
//! let report = agentrules::check("launch", r#"{"prompt": {"text": ""}, "fileIds": ["x"]}"#, None).unwrap();
//! assert!(!report.ok);
//! let found: Vec<(&str, &str)> = report.violations.iter().map(|v| (v.path.as_str(), v.code.as_str())).collect();
//! assert_eq!(found, [("/prompt/text", "empty_text"), ("/fileIds/0", "invalid_uuid")]);
//! ```
//!
//! The areas follow the rule catalogue, `docs/rules.md`: [`lifecycle`] (S1–S6), [`launch`]
//! (L1–L11), [`image`] (I1–I7), [`capabilities`] (C1–C4), [`listing`] and [`response`] (Q1–Q4),
//! [`errors`], [`auth`] and [`endpoints`] (E1–E4), [`artifact`] and [`table`] (T1–T5),
//! [`policy`] (P1–P4), [`run`] and [`sse`] (R1–R5), and for the NOME reference's other rules
//! [`webhook`] (W1–W4), [`connector`] (K1–K5), [`thread`] (H1–H4) and [`marketplace`] (M1–M4);
//! [`context`] holds the facts a check takes from its caller.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented,
    clippy::string_slice
)]

#[cfg(feature = "table")]
pub mod artifact;
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("agentrules");

pub mod auth;
pub mod capabilities;
pub mod connector;
pub mod context;
pub mod endpoints;
pub mod errors;
pub mod image;
pub mod json;
pub mod launch;
pub mod lifecycle;
pub mod listing;
pub mod marketplace;
pub mod ops;
pub mod pointer;
pub mod policy;
pub mod report;
pub mod response;
pub mod run;
pub mod sse;
#[cfg(feature = "table")]
pub mod table;
#[cfg(feature = "table")]
pub mod table_bounds;
pub mod thread;
pub mod webhook;

use serde_json::Value;

pub use context::{Context, Limits, Slot, WorkflowDef};
pub use json::is_uuid;
pub use launch::{FollowUpRequest, LaunchRequest};
pub use lifecycle::AgentStatus;
pub use listing::ListQuery;
pub use pointer::Pointer;
pub use report::{Code, Report, Violation};

/// What a document is checked as: the `kind` of `check(kind, input, context?)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `POST /api/v0/agents` body (L1–L10, I1–I6, C1–C4).
    Launch,
    /// `POST /api/v0/agents/{id}/followup` body (L11, I1–I6).
    FollowUp,
    /// One image object `{ media_type, data }` (I2–I6), paths relative to it.
    Image,
    /// Raw image facts `{ media_type, byteLength, head }` (I7), `head` in hex.
    ImageBytes,
    /// `GET /api/v0/agents` query parameters as a JSON object (Q1).
    ListQuery,
    /// `GET /api/v0/agents/{id}/conversation` query parameters (Q2).
    ConversationQuery,
    /// An error envelope `{ error, code }` (E1).
    ErrorEnvelope,
    /// Agent API request headers (E3).
    AgentHeaders,
    /// NOME request headers (E3).
    NomeHeaders,
    /// `TABLE` content `{ schema, elements }` (T2–T5).
    #[cfg(feature = "table")]
    Table,
    /// A table schema on its own (T3).
    #[cfg(feature = "table")]
    TableSchema,
    /// An artifact's `data` (T1, T2).
    #[cfg(feature = "table")]
    Artifact,
    /// A tool policy matrix (P1).
    PolicyMatrix,
    /// A tool receipt (P4).
    ToolReceipt,
    /// One run event, flat with its `type` (R3).
    RunEvent,
    /// A run event log (R3, R4).
    RunLog,
    /// A context document itself.
    Context,
    /// A thread create body `{ title? }` (H1, H2).
    ThreadCreate,
    /// A thread rename body `{ title }` (H1, H2).
    ThreadRename,
    /// A message's metadata (H3, H4).
    MessageMetadata,
    /// A connector install record (K1).
    ConnectorInstall,
    /// A connector install event (K2).
    ConnectorEvent,
    /// A marketplace package install request (M1–M3).
    MarketplaceInstall,
    /// A Git repository import `{ url, ref? }` (M4).
    GitImport,
}

impl Kind {
    /// Every kind, with its name.
    pub const ALL: &'static [(Kind, &'static str)] = &[
        (Kind::Launch, "launch"),
        (Kind::FollowUp, "followup"),
        (Kind::Image, "image"),
        (Kind::ImageBytes, "image-bytes"),
        (Kind::ListQuery, "list-query"),
        (Kind::ConversationQuery, "conversation-query"),
        (Kind::ErrorEnvelope, "error-envelope"),
        (Kind::AgentHeaders, "agent-headers"),
        (Kind::NomeHeaders, "nome-headers"),
        #[cfg(feature = "table")]
        (Kind::Table, "table"),
        #[cfg(feature = "table")]
        (Kind::TableSchema, "table-schema"),
        #[cfg(feature = "table")]
        (Kind::Artifact, "artifact"),
        (Kind::PolicyMatrix, "policy-matrix"),
        (Kind::ToolReceipt, "tool-receipt"),
        (Kind::RunEvent, "run-event"),
        (Kind::RunLog, "run-log"),
        (Kind::Context, "context"),
        (Kind::ThreadCreate, "thread-create"),
        (Kind::ThreadRename, "thread-rename"),
        (Kind::MessageMetadata, "message-metadata"),
        (Kind::ConnectorInstall, "connector-install"),
        (Kind::ConnectorEvent, "connector-event"),
        (Kind::MarketplaceInstall, "marketplace-install"),
        (Kind::GitImport, "git-import"),
    ];

    /// The kind named `name` (`launch`, `followup`, `list-query`, …).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }

    /// The kind's name.
    pub fn name(self) -> &'static str {
        Kind::ALL.iter().find(|(k, _)| *k == self).map_or("", |(_, n)| n)
    }
}

/// A caller error of [`check`]: not a violation of the checked document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The kind is not one this library checks (table kinds need the `table` feature).
    #[error("unknown kind `{0}`; expected one of: {kinds}{hint}",
        kinds = Kind::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "),
        hint = if TABLE_KINDS.contains(&.0.as_str()) { " (table kinds are not in this build: load the table entry)" } else { "" })]
    UnknownKind(String),
    /// The context is invalid; its violations have paths into the context.
    #[error("invalid context: {}", .0.violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidContext(Report),
}

/// Kinds that need the `table` feature.
pub const TABLE_KINDS: [&str; 3] = ["table", "table-schema", "artifact"];

/// Checks `input` (JSON text) as `kind`, with an optional context (JSON text). Input that is not
/// JSON is one `invalid_json` violation; an unknown kind or an invalid context is an `Err`.
pub fn check(kind: &str, input: &str, context: Option<&str>) -> Result<Report, CheckError> {
    let kind = Kind::parse(kind).ok_or_else(|| CheckError::UnknownKind(kind.to_string()))?;
    let ctx = match context {
        Some(c) => Context::from_json(c).map_err(CheckError::InvalidContext)?,
        None => Context::default(),
    };
    Ok(check_bytes(kind, input.as_bytes(), &ctx))
}

/// Checks a document given as JSON bytes (UTF-8) as `kind` under `ctx`: the context's
/// `maxDocumentBytes` applies first, then parsing (see [`json::parse`]), then the rules.
pub fn check_bytes(kind: Kind, input: &[u8], ctx: &Context) -> Report {
    match json::parse_limited(input, ctx.limits.max_document_bytes) {
        Ok(v) => check_parsed(kind, &v, ctx),
        Err(v) => Report::new(vec![v]),
    }
}

/// Checks an already-parsed document as `kind` under `ctx`. The context's `maxDocumentBytes`
/// applies to the value's compact JSON text ([`json::encoded_len`]), as it applies to text:
/// a document given as a JS object or a Python dict is held to the same limit.
pub fn check_value(kind: Kind, v: &Value, ctx: &Context) -> Report {
    let max = ctx.limits.max_document_bytes;
    if json::encoded_len(v, max) > max {
        // The whole length, for the same message as the same document given as text.
        return Report::new(vec![json::document_too_large(json::encoded_len(v, u64::MAX), max)]);
    }
    check_parsed(kind, v, ctx)
}

fn check_parsed(kind: Kind, v: &Value, ctx: &Context) -> Report {
    let violations = match kind {
        Kind::Launch => launch::check_launch(v, ctx),
        Kind::FollowUp => launch::check_follow_up(v, ctx),
        Kind::Image => {
            let mut sink = report::Sink::default();
            image::check_image(&mut sink, &Pointer::root(), v, &ctx.limits);
            sink.out
        }
        Kind::ImageBytes => image::check_image_bytes_doc(v, &ctx.limits),
        Kind::ListQuery => listing::check_list_query(v, ctx),
        Kind::ConversationQuery => listing::check_conversation_query(v),
        Kind::ErrorEnvelope => errors::check_error_envelope(v),
        Kind::AgentHeaders => auth::check_headers(v, auth::Api::Agent),
        Kind::NomeHeaders => auth::check_headers(v, auth::Api::Nome),
        #[cfg(feature = "table")]
        Kind::Table => table::check_table(v),
        #[cfg(feature = "table")]
        Kind::TableSchema => table::check_table_schema(v),
        #[cfg(feature = "table")]
        Kind::Artifact => artifact::check_artifact(v),
        Kind::PolicyMatrix => policy::check_policy_matrix(v),
        Kind::ToolReceipt => policy::check_receipt(v),
        Kind::RunEvent => run::check_event(v),
        Kind::RunLog => run::check_log(v),
        Kind::Context => context::check_context(v),
        Kind::ThreadCreate => thread::check_create(v),
        Kind::ThreadRename => thread::check_rename(v),
        Kind::MessageMetadata => thread::check_metadata(v),
        Kind::ConnectorInstall => connector::check_install(v),
        Kind::ConnectorEvent => connector::check_event(v),
        Kind::MarketplaceInstall => marketplace::check_install(v, ctx),
        Kind::GitImport => marketplace::check_git_import(v),
    };
    Report::new(violations)
}
