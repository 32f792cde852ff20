//! Tools, policy and approvals (P1–P4): the tool policy matrix, deciding a call, the approval
//! request state machine and tool receipts.
//!
//! The matrix is JSON:
//!
//! ```json
//! { "tools": { "web_search": { "maxCalls": 5, "approval": "none", "offline": "deny", "roles": ["member", "admin"] },
//!              "send_email": { "maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"] } },
//!   "default": { "maxCalls": 0, "approval": "admin", "offline": "deny", "roles": ["admin"] } }
//! ```
//!
//! Decisions where the API documents are silent: `tools` is required (it may be empty),
//! `default` is optional; every entry states all four fields; tool and role names are non-blank
//! and compared exactly; an unknown tier is `unknown_approval_tier`, an unknown behaviour
//! `unknown_offline_behaviour`, an empty role list `empty_list`. Offline with `allow` goes on
//! to the tier. Deciding an approval (approve or deny) needs the rank of the tier; cancelling
//! does not (the requester withdraws); expiry is the system's. A receipt's ids and tool are
//! non-blank strings, its outcome any non-blank string (unknown outcomes are kept), other
//! fields are metadata and not checked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::read_bounded_int;
use crate::json::{as_object, check_fields, check_text, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Report, Sink, Violation};

/// An approval tier (P1), ordered `none < user < admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// No approval needed.
    None,
    /// Any allowed role approves.
    User,
    /// Only `admin` approves.
    Admin,
}

impl Tier {
    /// The tier's name: `none`, `user` or `admin`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Tier::None => "none",
            Tier::User => "user",
            Tier::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Tier> {
        match s {
            "none" => Some(Tier::None),
            "user" => Some(Tier::User),
            "admin" => Some(Tier::Admin),
            _ => None,
        }
    }
}

/// What a tool does while the device is offline (P1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfflineBehaviour {
    /// Run as online.
    Allow,
    /// Queue the call until online.
    Queue,
    /// Refuse the call.
    Deny,
}

impl OfflineBehaviour {
    fn parse(s: &str) -> Option<OfflineBehaviour> {
        match s {
            "allow" => Some(OfflineBehaviour::Allow),
            "queue" => Some(OfflineBehaviour::Queue),
            "deny" => Some(OfflineBehaviour::Deny),
            _ => None,
        }
    }
}

/// The governance of one tool (P1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ToolPolicy {
    /// Calls allowed per run.
    pub max_calls: u64,
    /// Approval needed before a call runs.
    pub approval: Tier,
    /// Behaviour while offline.
    pub offline: OfflineBehaviour,
    /// Roles allowed to call the tool (non-empty).
    pub roles: Vec<String>,
}

/// A tool policy matrix (P1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicyMatrix {
    /// Policies by tool name.
    pub tools: BTreeMap<String, ToolPolicy>,
    /// The policy of tools not listed.
    pub default: Option<ToolPolicy>,
}

/// The outcome of deciding a tool call (P2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Run the call.
    Allow,
    /// Ask for approval at `tier` first.
    NeedsApproval {
        /// `user` or `admin`.
        tier: Tier,
    },
    /// Hold the call until the device is online.
    Queued,
    /// Refuse the call; `reason` is `unknown_tool`, `role_not_allowed`, `max_calls_exceeded` or
    /// `offline`.
    Deny {
        /// Why.
        reason: Code,
    },
}

impl PolicyMatrix {
    /// Parses and validates a matrix (P1).
    ///
    /// ```
    /// use agentrules::policy::{Decision, PolicyMatrix, Tier};
    /// let m = PolicyMatrix::from_json(r#"{"tools": {"send_email": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}}"#).unwrap();
    /// assert_eq!(m.decide("send_email", "member", 0, true), Decision::NeedsApproval { tier: Tier::Admin });
    /// assert_eq!(m.decide("send_email", "member", 0, false), Decision::Queued);
    /// ```
    pub fn from_json(text: &str) -> Result<PolicyMatrix, Report> {
        crate::json::collect_text(text, read_matrix)
    }

    /// Parses and validates a matrix given as a JSON value.
    pub fn from_value(v: &Value) -> Result<PolicyMatrix, Report> {
        crate::report::collect(|sink| read_matrix(sink, v))
    }

    /// The policy that governs `tool`: its own entry, else the default.
    pub fn policy(&self, tool: &str) -> Option<&ToolPolicy> {
        self.tools.get(tool).or(self.default.as_ref())
    }

    /// Decides a call of `tool` by `role`, with `calls_made` calls of it already in this run,
    /// online or not (P2, in its order).
    pub fn decide(&self, tool: &str, role: &str, calls_made: u64, online: bool) -> Decision {
        let Some(p) = self.policy(tool) else { return Decision::Deny { reason: Code::UnknownTool } };
        if !p.roles.iter().any(|r| r == role) {
            return Decision::Deny { reason: Code::RoleNotAllowed };
        }
        if calls_made >= p.max_calls {
            return Decision::Deny { reason: Code::MaxCallsExceeded };
        }
        if !online {
            match p.offline {
                OfflineBehaviour::Deny => return Decision::Deny { reason: Code::Offline },
                OfflineBehaviour::Queue => return Decision::Queued,
                OfflineBehaviour::Allow => {}
            }
        }
        match p.approval {
            Tier::None => Decision::Allow,
            tier => Decision::NeedsApproval { tier },
        }
    }
}

/// Checks a policy matrix document (`check policy-matrix`).
pub fn check_policy_matrix(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_matrix(&mut sink, v);
    sink.out
}

fn read_matrix(sink: &mut Sink, v: &Value) -> PolicyMatrix {
    let root = Pointer::root();
    let mut m = PolicyMatrix::default();
    let Some(obj) = as_object(sink, &root, v, "an object { tools, default }") else {
        return m;
    };
    check_fields(sink, &root, obj, &["tools", "default"]);
    match obj.get("tools") {
        None => sink.push(&root.key("tools"), Code::Required, "a matrix needs tools (it may be empty)"),
        Some(Value::Object(tools)) => {
            for (name, entry) in tools {
                let p = root.key("tools").key(name);
                if crate::json::is_blank(name) {
                    sink.push(&p, Code::EmptyText, "a tool name must not be blank");
                }
                if let Some(policy) = read_policy(sink, &p, entry) {
                    m.tools.insert(name.clone(), policy);
                }
            }
        }
        Some(other) => mismatch(sink, &root.key("tools"), "an object keyed by tool name", other),
    }
    if let Some(d) = obj.get("default") {
        m.default = read_policy(sink, &root.key("default"), d);
    }
    m
}

fn read_policy(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<ToolPolicy> {
    let obj = as_object(sink, path, v, "an object { maxCalls, approval, offline, roles }")?;
    let before = sink.out.len();
    check_fields(sink, path, obj, &["maxCalls", "approval", "offline", "roles"]);
    let mut required = |key: &str| {
        let got = obj.get(key);
        if got.is_none() {
            sink.push(&path.key(key), Code::Required, format!("a tool policy needs {key}"));
        }
        got
    };
    let (max_calls, approval, offline, roles) =
        (required("maxCalls"), required("approval"), required("offline"), required("roles"));
    let max_calls = max_calls.and_then(|n| read_bounded_int(sink, &path.key("maxCalls"), n, 0, u64::MAX));
    let approval = approval.and_then(|a| {
        read_name(
            sink,
            &path.key("approval"),
            a,
            Tier::parse,
            Code::UnknownApprovalTier,
            "approval tier",
            &["none", "user", "admin"],
        )
    });
    let offline = offline.and_then(|o| {
        let (code, list) = (Code::UnknownOfflineBehaviour, &["allow", "queue", "deny"]);
        read_name(sink, &path.key("offline"), o, OfflineBehaviour::parse, code, "offline behaviour", list)
    });
    let roles = roles.and_then(|r| read_roles(sink, &path.key("roles"), r));
    if sink.out.len() > before {
        return None;
    }
    Some(ToolPolicy { max_calls: max_calls?, approval: approval?, offline: offline?, roles: roles? })
}

/// Reads one of a fixed set of names: `type_mismatch` for a non-string, `code` for another name.
fn read_name<T>(
    sink: &mut Sink,
    path: &Pointer,
    v: &Value,
    parse: fn(&str) -> Option<T>,
    code: Code,
    what: &str,
    known: &[&str],
) -> Option<T> {
    let Value::String(s) = v else {
        mismatch(sink, path, "a string", v);
        return None;
    };
    let parsed = parse(s);
    if parsed.is_none() {
        sink.push_with(
            path,
            code,
            format!("{} is no {what}; use {}", quote(s), crate::report::english_list(known)),
            Params::new().list("allowed", known),
        );
    }
    parsed
}

fn read_roles(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<Vec<String>> {
    let Value::Array(items) = v else {
        mismatch(sink, path, "an array of role names", v);
        return None;
    };
    if items.is_empty() {
        sink.push(path, Code::EmptyList, "a tool needs at least one allowed role");
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        check_text(sink, &path.index(i), item, "a role name");
        if let Value::String(s) = item {
            out.push(s.clone());
        }
    }
    Some(out)
}

/// The status of an approval request (P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Waiting for a decision.
    Pending,
    /// Approved (terminal).
    Approved,
    /// Denied (terminal).
    Denied,
    /// Expired before a decision (terminal).
    Expired,
    /// Withdrawn by the requester (terminal).
    Cancelled,
}

/// Something that happens to an approval request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApprovalEvent {
    /// `role` approves.
    Approve {
        /// The deciding role.
        role: String,
    },
    /// `role` denies.
    Deny {
        /// The deciding role.
        role: String,
    },
    /// The request timed out.
    Expire,
    /// The requester withdrew it.
    Cancel,
}

/// An approval request for one tool call (P3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    /// The tier the call needs (`user` or `admin`).
    pub tier: Tier,
    /// The roles allowed to call the tool (from the matrix).
    pub allowed_roles: Vec<String>,
    /// Where the request stands.
    pub status: ApprovalStatus,
}

/// Whether `role` ranks high enough to decide at `tier`: `admin` decides every tier, any of the
/// tool's allowed roles decides `user`.
pub fn may_decide(tier: Tier, role: &str, allowed_roles: &[String]) -> bool {
    role == "admin" || (tier == Tier::User && allowed_roles.iter().any(|r| r == role))
}

impl ApprovalRequest {
    /// A pending request at `tier` for a tool whose policy is `policy`.
    pub fn new(policy: &ToolPolicy) -> ApprovalRequest {
        ApprovalRequest { tier: policy.approval, allowed_roles: policy.roles.clone(), status: ApprovalStatus::Pending }
    }

    /// Applies `event`: the new status, or `invalid_transition` (the request is no longer
    /// pending) / `role_not_allowed` (the role's rank does not meet the tier).
    ///
    /// ```
    /// use agentrules::policy::{ApprovalEvent, ApprovalRequest, ApprovalStatus, Tier};
    /// let mut r = ApprovalRequest { tier: Tier::Admin, allowed_roles: vec!["member".into(), "admin".into()], status: ApprovalStatus::Pending };
    /// assert!(r.apply(&ApprovalEvent::Approve { role: "member".into() }).is_err());
    /// assert_eq!(r.apply(&ApprovalEvent::Approve { role: "admin".into() }), Ok(ApprovalStatus::Approved));
    /// assert!(r.apply(&ApprovalEvent::Cancel).is_err()); // terminal
    /// ```
    pub fn apply(&mut self, event: &ApprovalEvent) -> Result<ApprovalStatus, Violation> {
        let root = Pointer::root();
        if self.status != ApprovalStatus::Pending {
            return Err(Violation::new(
                &root,
                Code::InvalidTransition,
                format!("the request is already {}; only a pending request changes", status_name(self.status)),
            )
            .with(Params::new().text("from", status_name(self.status))));
        }
        let next = match event {
            ApprovalEvent::Approve { role } | ApprovalEvent::Deny { role } => {
                if !may_decide(self.tier, role, &self.allowed_roles) {
                    return Err(Violation::new(
                        &root,
                        Code::RoleNotAllowed,
                        format!("role {} cannot decide a request at tier {}", quote(role), self.tier.as_str()),
                    )
                    .with(Params::new().text("role", role).text("tier", self.tier.as_str())));
                }
                if matches!(event, ApprovalEvent::Approve { .. }) {
                    ApprovalStatus::Approved
                } else {
                    ApprovalStatus::Denied
                }
            }
            ApprovalEvent::Expire => ApprovalStatus::Expired,
            ApprovalEvent::Cancel => ApprovalStatus::Cancelled,
        };
        self.status = next;
        Ok(next)
    }
}

fn status_name(s: ApprovalStatus) -> &'static str {
    match s {
        ApprovalStatus::Pending => "pending",
        ApprovalStatus::Approved => "approved",
        ApprovalStatus::Denied => "denied",
        ApprovalStatus::Expired => "expired",
        ApprovalStatus::Cancelled => "cancelled",
    }
}

/// Checks a tool receipt (P4): `{ runId, workItemId, tool, outcome, ... }`.
pub fn check_receipt(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "a receipt object") else {
        return sink.out;
    };
    for (key, what) in
        [("runId", "a run id"), ("workItemId", "a work item id"), ("tool", "a tool name"), ("outcome", "an outcome")]
    {
        match obj.get(key) {
            None => sink.push(&root.key(key), Code::Required, format!("a receipt needs {what} ({key})")),
            Some(value) => check_text(&mut sink, &root.key(key), value, key),
        }
    }
    sink.out
}
