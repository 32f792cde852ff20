//! # agentrules
//!
//! The rules of the Agent API in one pure Rust core: the same request is rejected for the same
//! reason, at the same JSON path, in a browser, a notebook, a phone app, a server and a shell.
//!
//! Every check returns a [`Report`] of [`Violation`]s `{ path, code, message, params }`: `path` is
//! an RFC 6901 JSON Pointer, `code` a stable [`Code`], `message` an English sentence, `params` the
//! facts a UI needs ([`params`]: the limit, the count, the field, the allowed values). Checks collect
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
//! [`webhook`] (W1–W5), [`connector`] (K1–K5), [`thread`] (H1–H4) and [`marketplace`] (M1–M4);
//! [`context`] holds the facts a check takes from its caller.
// Lints: the workspace's `[workspace.lints]` (the root Cargo.toml): no unsafe code, every public
// item documented, and none of the operations that can panic on input.

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
pub mod params;
pub mod pointer;
pub mod policy;
pub mod refusal;
pub mod report;
pub mod response;
pub mod run;
#[cfg(feature = "schema")]
pub(crate) mod schema;
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
pub use refusal::{Refusal, RefusalKind};
pub use report::{Code, Report, Violation};

/// The checker of a kind: every kind is checked by a function of this one signature.
pub type Checker = fn(&Value, &Context) -> Vec<report::Violation>;

/// One entry of the kind registry ([`Kind::SPECS`]).
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// The kind.
    pub kind: Kind,
    /// Its name, as `check(kind, …)` takes it.
    pub name: &'static str,
    /// The Cargo feature the kind needs, if any (`table`, `more-kinds`).
    pub feature: Option<&'static str>,
    /// What the document is, in a line (the CLI's help, the generated docs).
    pub summary: &'static str,
    /// The function that checks a parsed document of this kind.
    pub check: Checker,
}

/// The kind registry: each kind named once, with its name, feature gate, summary and checker.
/// The enum, [`Kind::ALL`], [`Kind::parse`], [`check_value`], [`TABLE_KINDS`], the CLI's help
/// and every binding's `kinds()` derive from it.
macro_rules! kinds {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal $(, feature = $feature:literal)? => $check:expr; )+) => {
        /// What a document is checked as: the `kind` of `check(kind, input, context?)`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Kind {
            $( #[doc = $doc] $(#[cfg(feature = $feature)])? $variant, )+
        }

        impl Kind {
            /// Every kind of this build, with its name, feature, summary and checker.
            pub const SPECS: &'static [KindSpec] = &[ $(
                $(#[cfg(feature = $feature)])?
                KindSpec {
                    kind: Kind::$variant,
                    name: $name,
                    feature: kinds!(@feature $($feature)?),
                    summary: $doc.trim_ascii(),
                    check: $check,
                },
            )+ ];

            /// Every kind of this build, with its name.
            pub const ALL: &'static [(Kind, &'static str)] = &[ $( $(#[cfg(feature = $feature)])? (Kind::$variant, $name), )+ ];
        }

        /// Every kind name that needs a feature, with the feature, built or not (for a clear
        /// "not in this build").
        const GATED_KINDS: &[(&str, &str)] = &[ $( $( kinds!(@gated $name, $feature), )? )+ ];
    };
    (@feature) => { None };
    (@feature $f:literal) => { Some($f) };
    (@gated $name:literal, $f:literal) => { ($name, $f) };
}

kinds! {
    /// `POST /api/v0/agents` body (L1–L10, I1–I6, C1–C4).
    Launch = "launch" => launch::check_launch;
    /// `POST /api/v0/agents/{id}/followup` body (L11, I1–I6).
    FollowUp = "followup" => launch::check_follow_up;
    /// One image object `{ media_type, data }` (I2–I6), paths relative to it.
    Image = "image" => |v, ctx| {
        let mut sink = report::Sink::default();
        image::check_image(&mut sink, &Pointer::root(), v, &ctx.limits);
        sink.out
    };
    /// Raw image facts `{ media_type, byteLength, head }` (I7), `head` in hex.
    ImageBytes = "image-bytes" => |v, ctx| image::check_image_bytes_doc(v, &ctx.limits);
    /// `GET /api/v0/agents` query parameters as a JSON object (Q1).
    ListQuery = "list-query", feature = "more-kinds" => listing::check_list_query;
    /// `GET /api/v0/agents/{id}/conversation` query parameters (Q2).
    ConversationQuery = "conversation-query", feature = "more-kinds" => |v, _| listing::check_conversation_query(v);
    /// An error envelope `{ error, code }` (E1).
    ErrorEnvelope = "error-envelope", feature = "more-kinds" => |v, _| errors::check_error_envelope(v);
    /// Agent API request headers (E3).
    AgentHeaders = "agent-headers", feature = "more-kinds" => |v, _| auth::check_headers(v, auth::Api::Agent);
    /// NOME request headers (E3).
    NomeHeaders = "nome-headers", feature = "more-kinds" => |v, _| auth::check_headers(v, auth::Api::Nome);
    /// `TABLE` content `{ schema, elements }` (T2–T5).
    Table = "table", feature = "table" => |v, _| table::check_table(v);
    /// A table schema on its own (T3).
    TableSchema = "table-schema", feature = "table" => |v, _| table::check_table_schema(v);
    /// An artifact's `data` (T1, T2).
    Artifact = "artifact", feature = "table" => |v, _| artifact::check_artifact(v);
    /// A tool policy matrix (P1).
    PolicyMatrix = "policy-matrix", feature = "more-kinds" => |v, _| policy::check_policy_matrix(v);
    /// A tool receipt (P4).
    ToolReceipt = "tool-receipt", feature = "more-kinds" => |v, _| policy::check_receipt(v);
    /// One run event, flat with its `type` (R3).
    RunEvent = "run-event", feature = "more-kinds" => |v, _| run::check_event(v);
    /// A run event log (R3, R4).
    RunLog = "run-log", feature = "more-kinds" => |v, _| run::check_log(v);
    /// A context document itself.
    Context = "context" => |v, _| context::check_context(v);
    /// A thread create body `{ title? }` (H1, H2).
    ThreadCreate = "thread-create", feature = "more-kinds" => |v, _| thread::check_create(v);
    /// A thread rename body `{ title }` (H1, H2).
    ThreadRename = "thread-rename", feature = "more-kinds" => |v, _| thread::check_rename(v);
    /// A message's metadata (H3, H4).
    MessageMetadata = "message-metadata", feature = "more-kinds" => |v, _| thread::check_metadata(v);
    /// A connector install record (K1).
    ConnectorInstall = "connector-install", feature = "more-kinds" => |v, _| connector::check_install(v);
    /// A connector install event (K2).
    ConnectorEvent = "connector-event", feature = "more-kinds" => |v, _| connector::check_event(v);
    /// A marketplace package install request (M1–M3).
    MarketplaceInstall = "marketplace-install", feature = "more-kinds" => marketplace::check_install;
    /// A Git repository import `{ url, ref? }` (M4).
    GitImport = "git-import", feature = "more-kinds" => |v, _| marketplace::check_git_import(v);
}

impl Kind {
    /// The kind named `name` (`launch`, `followup`, `list-query`, …).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::SPECS.iter().find(|s| s.name == name).map(|s| s.kind)
    }

    /// The kind's name.
    pub fn name(self) -> &'static str {
        self.spec().map_or("", |s| s.name)
    }

    /// The kind's registry entry.
    pub fn spec(self) -> Option<&'static KindSpec> {
        // The registry lists the kinds in the enum's order (both are written by `kinds!`).
        Kind::SPECS
            .get(self as usize)
            .filter(|s| s.kind == self)
            .or_else(|| Kind::SPECS.iter().find(|s| s.kind == self))
    }
}

/// A caller error of [`check`]: not a violation of the checked document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// The kind is not one this library checks (table kinds need the `table` feature, the kinds
    /// beyond a launch form's the `more-kinds` feature).
    #[error("unknown kind `{0}`; expected one of: {kinds}{hint}",
        kinds = Kind::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "),
        hint = gated_hint(.0))]
    UnknownKind(String),
    /// The context is invalid; its violations have paths into the context.
    #[error("invalid context: {}", .0.violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidContext(Report),
}

/// The refusal every surface gives: `unknown_kind`, or `invalid_context` with the context's
/// violations.
impl From<CheckError> for Refusal {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::UnknownKind(_) => Refusal::new(RefusalKind::UnknownKind, e.to_string()),
            CheckError::InvalidContext(r) => refusal::Document::Context.refuse_report(r),
        }
    }
}

/// Kinds that need the `table` feature (from the kind registry).
pub const TABLE_KINDS: &[&str] = &gated_names::<{ gated_count("table") }>("table");

/// Kinds that need the `more-kinds` feature: every kind beyond a launch form's (launch,
/// follow-up, images, the context), which a build for launch forms alone leaves out.
pub const MORE_KINDS: &[&str] = &gated_names::<{ gated_count("more-kinds") }>("more-kinds");

/// How many kinds need `feature`.
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated for the consts above only, at compile time: an index out of range or an overflow would fail the build, not a run"
)]
const fn gated_count(feature: &str) -> usize {
    let mut n = 0usize;
    let mut i = 0;
    while i < GATED_KINDS.len() {
        if const_eq(GATED_KINDS[i].1, feature) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the kinds that need `feature`, in registry order.
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated for the consts above only, at compile time: an index out of range or an overflow would fail the build, not a run"
)]
const fn gated_names<const N: usize>(feature: &str) -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < GATED_KINDS.len() {
        if const_eq(GATED_KINDS[i].1, feature) {
            out[n] = GATED_KINDS[i].0;
            n += 1;
        }
        i += 1;
    }
    out
}

/// `a == b` in a const context.
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "evaluated for the consts above only, at compile time: an index out of range or an overflow would fail the build, not a run"
)]
const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Why a kind this build lacks is missing, when a feature would have it: which build has it.
fn gated_hint(kind: &str) -> &'static str {
    match GATED_KINDS.iter().find(|(name, _)| *name == kind) {
        Some((_, "table")) => " (table kinds are not in this build: load the table entry)",
        Some(_) => " (this build checks launch forms only: launch, follow-up, image and context documents; a full build, such as the npm package's `agentrules` entry, checks this kind)",
        None => "",
    }
}

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
    if let Err(too_large) = json::check_value_len(v, ctx.limits.max_document_bytes) {
        return Report::new(vec![too_large]);
    }
    check_parsed(kind, v, ctx)
}

fn check_parsed(kind: Kind, v: &Value, ctx: &Context) -> Report {
    Report::new(kind.spec().map(|s| (s.check)(v, ctx)).unwrap_or_default())
}
