//! Ops: Tools, policy and approvals (P2–P4).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Answered, Op};
use crate::policy::{ApprovalEvent, ApprovalRequest, ApprovalStatus, Decision, PolicyMatrix, Tier};
use crate::refusal::{Document, Refusal, RefusalKind};

/// `decide`: what the policy matrix decides for a tool call (P2); an invalid matrix is refused
/// `invalid_matrix` with its violations.
pub struct Decide;

/// The arguments of [`Decide`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DecideArgs {
    /// The policy matrix (`{tools: {name: {maxCalls, approval, offline, roles}}}`).
    pub matrix: Value,
    /// The tool called.
    pub tool: String,
    /// The caller's role.
    pub role: String,
    /// Calls of the tool made so far in the run.
    pub calls: u64,
    /// Whether the client is online.
    pub online: bool,
}

impl Op for Decide {
    type Args = DecideArgs;
    type Answer = Decision;
    fn run(a: DecideArgs) -> Result<Decision, Refusal> {
        let m = PolicyMatrix::from_value(&a.matrix).map_err(|r| Document::PolicyMatrix.refuse_report(r))?;
        Ok(m.decide(&a.tool, &a.role, a.calls, a.online))
    }
}

/// `approval`: an approval request through a series of events (P3), a step per event; an event
/// the request cannot take is refused `invalid_state` in its step and leaves the request as it
/// was.
pub struct Approval;

/// The arguments of [`Approval`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalArgs {
    /// The request's tier.
    pub tier: Tier,
    /// The roles the tool allows.
    pub allowed_roles: Vec<String>,
    /// What happens to the request, in order.
    pub events: Vec<ApprovalEvent>,
}

/// The request's status after one event.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApprovalStep {
    /// The status.
    pub status: ApprovalStatus,
}

impl Op for Approval {
    type Args = ApprovalArgs;
    type Answer = Vec<Answered<ApprovalStep>>;
    fn run(a: ApprovalArgs) -> Result<Vec<Answered<ApprovalStep>>, Refusal> {
        let mut req = ApprovalRequest { tier: a.tier, allowed_roles: a.allowed_roles, status: ApprovalStatus::Pending };
        Ok(a.events
            .iter()
            .map(|e| {
                req.apply(e)
                    .map(|status| ApprovalStep { status })
                    .map_err(|v| Refusal::from_violation(RefusalKind::InvalidState, v))
                    .into()
            })
            .collect())
    }
}
