//! Ops: The agent lifecycle (S2–S6).

use serde::{Deserialize, Serialize};

use super::{Checked, Op};
use crate::lifecycle::{check_transition, Action, ActionOutcome, AgentStatus, PollStep, Poller, Via};
use crate::refusal::Refusal;

/// `transition`: may an agent's status change from `from` to `to` (S2)?
pub struct Transition;

/// The arguments of [`Transition`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TransitionArgs {
    /// The status before.
    pub from: AgentStatus,
    /// The status after.
    pub to: AgentStatus,
    /// How the change happened (`pipeline` when absent).
    #[serde(default)]
    pub via: Option<Via>,
}

impl Op for Transition {
    type Args = TransitionArgs;
    type Answer = Checked;
    fn run(a: TransitionArgs) -> Result<Checked, Refusal> {
        Ok(check_transition(&a.from, &a.to, a.via.unwrap_or(Via::Pipeline)).into())
    }
}

/// `apply`: what an action does to an agent in a status (S3–S5); an action the status does not
/// allow is refused `invalid_state`.
pub struct Apply;

/// The arguments of [`Apply`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApplyArgs {
    /// The agent's status.
    pub status: AgentStatus,
    /// The action: `follow_up`, `stop` or `delete`.
    #[cfg_attr(feature = "schema", schemars(with = "Action"))]
    pub action: String,
}

impl Op for Apply {
    type Args = ApplyArgs;
    type Answer = ActionOutcome;
    fn run(a: ApplyArgs) -> Result<ActionOutcome, Refusal> {
        let action = Action::from_name(&a.action)?;
        crate::lifecycle::apply(&a.status, action).map_err(Refusal::from)
    }
}

/// `status`: what the library knows of a status (S1).
pub struct Status;

/// The arguments of [`Status`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusArgs {
    /// A status, known or not.
    pub status: AgentStatus,
}

/// The answer of [`Status`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusInfo {
    /// The status.
    pub status: AgentStatus,
    /// Whether it is one of the six the API documents.
    pub known: bool,
    /// Whether it is terminal.
    pub terminal: bool,
}

impl Op for Status {
    type Args = StatusArgs;
    type Answer = StatusInfo;
    fn run(a: StatusArgs) -> Result<StatusInfo, Refusal> {
        let known = !matches!(a.status, AgentStatus::Unknown(_));
        Ok(StatusInfo { terminal: a.status.is_terminal(), known, status: a.status })
    }
}

/// `poll`: the poll schedule's steps for a series of observed statuses (S6, S3).
pub struct Poll;

/// One observation of [`PollArgs`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// The status seen.
    pub status: AgentStatus,
    /// Milliseconds since the follow-up (0 when absent).
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// The arguments of [`Poll`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PollArgs {
    /// The terminal status a follow-up was sent from, if one was.
    #[serde(default)]
    pub follow_up_from: Option<AgentStatus>,
    /// The statuses seen, in order.
    pub observations: Vec<Observation>,
}

impl Op for Poll {
    type Args = PollArgs;
    type Answer = Vec<PollStep>;
    fn run(a: PollArgs) -> Result<Vec<PollStep>, Refusal> {
        let mut p = match a.follow_up_from {
            Some(s) => Poller::after_follow_up(s),
            None => Poller::new(),
        };
        Ok(a.observations.iter().map(|o| p.observe(&o.status, o.elapsed_ms)).collect())
    }
}
