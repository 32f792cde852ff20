//! The agent lifecycle (S1–S6): statuses, legal transitions, follow-up, stop, delete and the
//! client-side poll schedule.
//!
//! ```text
//! waiting ──▶ running ◀──▶ awaiting_tool
//!    │           │               │
//!    ▼           ▼               ▼
//!  stopped/failed  finished | stopped | failed ──follow-up──▶ running
//! ```
//!
//! Decisions where the API documents are silent: the poll interval starts at 5 s and doubles
//! while the status is unchanged, up to 60 s; any change resets it to 5 s. After a follow-up, a
//! poll that still shows the prior terminal status is "not yet running" for a grace window of
//! 60 s ([`FOLLOW_UP_GRACE_MS`]) after the follow-up was accepted; past it, the status is taken
//! as the new outcome (a run may finish between two polls).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::pointer::Pointer;
use crate::refusal::{Refusal, RefusalKind};
use crate::report::{quote, Code, Violation};

/// The status of an agent (S1). Statuses this library does not know (a newer server's) are kept
/// as [`AgentStatus::Unknown`] and never make parsing fail.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AgentStatus {
    /// Queued, not yet processing; only ever the initial status.
    Waiting,
    /// Actively processing.
    Running,
    /// Waiting for an asynchronous tool call.
    AwaitingTool,
    /// Completed successfully (terminal).
    Finished,
    /// Stopped by the user (terminal).
    Stopped,
    /// Ended with an error (terminal).
    Failed,
    /// A status this library does not know.
    Unknown(String),
}

impl AgentStatus {
    /// The six known statuses.
    pub const KNOWN: [AgentStatus; 6] = [
        AgentStatus::Waiting,
        AgentStatus::Running,
        AgentStatus::AwaitingTool,
        AgentStatus::Finished,
        AgentStatus::Stopped,
        AgentStatus::Failed,
    ];

    /// Parses a status; unknown text becomes [`AgentStatus::Unknown`].
    pub fn parse(s: &str) -> AgentStatus {
        match s {
            "waiting" => AgentStatus::Waiting,
            "running" => AgentStatus::Running,
            "awaiting_tool" => AgentStatus::AwaitingTool,
            "finished" => AgentStatus::Finished,
            "stopped" => AgentStatus::Stopped,
            "failed" => AgentStatus::Failed,
            other => AgentStatus::Unknown(other.to_string()),
        }
    }

    /// Parses a known status only (for requests, where an unknown status is an error).
    pub fn parse_known(s: &str) -> Option<AgentStatus> {
        match AgentStatus::parse(s) {
            AgentStatus::Unknown(_) => None,
            known => Some(known),
        }
    }

    /// The status's wire text.
    pub fn as_str(&self) -> &str {
        match self {
            AgentStatus::Waiting => "waiting",
            AgentStatus::Running => "running",
            AgentStatus::AwaitingTool => "awaiting_tool",
            AgentStatus::Finished => "finished",
            AgentStatus::Stopped => "stopped",
            AgentStatus::Failed => "failed",
            AgentStatus::Unknown(s) => s,
        }
    }

    /// `finished`, `stopped` and `failed` are terminal (S1). An unknown status is not.
    pub fn is_terminal(&self) -> bool {
        matches!(self, AgentStatus::Finished | AgentStatus::Stopped | AgentStatus::Failed)
    }

    /// `running` and `awaiting_tool`: the agent is working.
    pub fn is_active(&self) -> bool {
        matches!(self, AgentStatus::Running | AgentStatus::AwaitingTool)
    }
}

impl fmt::Display for AgentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AgentStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AgentStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(AgentStatus::parse(&s))
    }
}

/// The TypeScript type of [`AgentStatus`] (its serde form is written by hand, so tsify cannot
/// derive it): the six statuses, and any other string a newer server may send.
#[cfg(feature = "wasm")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const AGENT_STATUS_TS: &'static str = r#"
/** The status of an agent (S1); unknown statuses from a newer server are kept as strings. */
export type AgentStatus = "waiting" | "running" | "awaiting_tool" | "finished" | "stopped" | "failed" | (string & {});
"#;

/// How a status change happened: on its own, or through a follow-up (S2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The pipeline moved the agent.
    Pipeline,
    /// A follow-up resumed a terminal agent.
    FollowUp,
}

/// Whether `from → to` is a legal transition (S2). Terminal statuses go back to `running` only
/// through a follow-up; nothing ever returns to `waiting`; unknown statuses have no known
/// transitions.
pub fn can_transition(from: &AgentStatus, to: &AgentStatus, via: Via) -> bool {
    use AgentStatus as S;
    match via {
        Via::FollowUp => from.is_terminal() && *to == S::Running,
        Via::Pipeline => matches!(
            (from, to),
            (S::Waiting, S::Running | S::Stopped | S::Failed)
                | (S::Running, S::AwaitingTool | S::Finished | S::Stopped | S::Failed)
                | (S::AwaitingTool, S::Running | S::Finished | S::Stopped | S::Failed)
        ),
    }
}

/// S2 as a check: `Ok(())` or an `invalid_transition` violation at `""`.
pub fn check_transition(from: &AgentStatus, to: &AgentStatus, via: Via) -> Result<(), Violation> {
    if can_transition(from, to, via) {
        return Ok(());
    }
    let how = match via {
        Via::FollowUp if !from.is_terminal() => " through a follow-up (only terminal agents take one)".to_string(),
        Via::FollowUp => " through a follow-up".to_string(),
        Via::Pipeline if from.is_terminal() && *to == AgentStatus::Running => " except through a follow-up".to_string(),
        Via::Pipeline => String::new(),
    };
    Err(Violation::new(
        &Pointer::root(),
        Code::InvalidTransition,
        format!("an agent cannot go from {} to {}{how}", quote(from.as_str()), quote(to.as_str())),
    )
    .with(crate::report::Params::new().text("from", from.as_str()).text("to", to.as_str())))
}

/// Every legal `(from, to, via)` triple among the known statuses.
pub fn legal_transitions() -> Vec<(AgentStatus, AgentStatus, Via)> {
    let mut out = Vec::new();
    for from in AgentStatus::KNOWN {
        for to in AgentStatus::KNOWN {
            for via in [Via::Pipeline, Via::FollowUp] {
                if can_transition(&from, &to, via) {
                    out.push((from.clone(), to.clone(), via));
                }
            }
        }
    }
    out
}

/// A client action on an agent, as the CLI's `transition` command and the corpus name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// `POST /agents/{id}/followup` (S3).
    FollowUp,
    /// `POST /agents/{id}/stop` (S4).
    Stop,
    /// `DELETE /agents/{id}` (S5).
    Delete,
}

impl Action {
    /// Parses `follow_up` (or `followup`), `stop`, `delete`.
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "follow_up" | "followup" | "follow-up" => Some(Action::FollowUp),
            "stop" => Some(Action::Stop),
            "delete" => Some(Action::Delete),
            _ => None,
        }
    }

    /// [`Action::parse`], or the `invalid_arguments` refusal every surface gives for another
    /// name.
    pub fn from_name(s: &str) -> Result<Action, Refusal> {
        Action::parse(s).ok_or_else(|| {
            Refusal::invalid_arguments(format!("unknown action {}: use follow_up, stop or delete", quote(s)))
        })
    }
}

impl Via {
    /// `pipeline` (also for none) or `follow_up`, else the `invalid_arguments` refusal every
    /// surface gives.
    pub fn from_name(s: Option<&str>) -> Result<Via, Refusal> {
        match s {
            None | Some("pipeline") => Ok(Via::Pipeline),
            Some("follow_up") => Ok(Via::FollowUp),
            Some(other) => {
                Err(Refusal::invalid_arguments(format!("unknown via {}: use pipeline or follow_up", quote(other))))
            }
        }
    }
}

/// What the server does with an action in a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ActionOutcome {
    /// The status changes at once to `status`.
    Transition {
        /// The new status.
        #[cfg_attr(feature = "wasm", tsify(type = "AgentStatus"))]
        status: AgentStatus,
    },
    /// The change is requested; the status stays until a poll shows the final one (S4).
    Requested {
        /// The status the response still shows.
        #[cfg_attr(feature = "wasm", tsify(type = "AgentStatus"))]
        status: AgentStatus,
    },
    /// Nothing changes; the current status is returned without error (S4 on a terminal agent).
    NoOp {
        /// The unchanged status.
        #[cfg_attr(feature = "wasm", tsify(type = "AgentStatus"))]
        status: AgentStatus,
    },
    /// The agent is deleted (S5); `aborted_first` when it was working. Its artifacts remain.
    Deleted {
        /// Whether a running agent was aborted before the delete.
        aborted_first: bool,
    },
}

/// A 409 `invalid_state` refusal (S3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InvalidState {
    /// Always [`Code::InvalidState`].
    pub code: Code,
    /// Why, for people.
    pub message: String,
}

/// The refusal every surface gives: `invalid_state` with the message.
impl From<InvalidState> for Refusal {
    fn from(e: InvalidState) -> Self {
        Refusal::new(RefusalKind::InvalidState, e.message)
    }
}

/// What `action` does to an agent in `status` (S3–S5).
///
/// ```
/// use agentrules::lifecycle::{apply, Action, ActionOutcome, AgentStatus};
/// assert_eq!(apply(&AgentStatus::Finished, Action::FollowUp), Ok(ActionOutcome::Transition { status: AgentStatus::Running }));
/// assert!(apply(&AgentStatus::Running, Action::FollowUp).is_err());
/// assert_eq!(apply(&AgentStatus::Running, Action::Stop), Ok(ActionOutcome::Requested { status: AgentStatus::Running }));
/// ```
pub fn apply(status: &AgentStatus, action: Action) -> Result<ActionOutcome, InvalidState> {
    use AgentStatus as S;
    match action {
        Action::FollowUp if status.is_terminal() => Ok(ActionOutcome::Transition { status: S::Running }),
        Action::FollowUp => Err(InvalidState {
            code: Code::InvalidState,
            message: format!(
                "a follow-up is accepted only when the agent is finished, stopped or failed; it is {}",
                quote(status.as_str())
            ),
        }),
        Action::Stop => match status {
            S::Waiting => Ok(ActionOutcome::Transition { status: S::Stopped }),
            s if s.is_active() => Ok(ActionOutcome::Requested { status: s.clone() }),
            s if s.is_terminal() => Ok(ActionOutcome::NoOp { status: s.clone() }),
            // An unknown status: the server decides; the client can only request.
            s => Ok(ActionOutcome::Requested { status: s.clone() }),
        },
        Action::Delete => Ok(ActionOutcome::Deleted { aborted_first: status.is_active() }),
    }
}

/// The first poll interval (S6).
pub const POLL_INITIAL_MS: u64 = 5_000;
/// The longest poll interval (S6, decided).
pub const POLL_MAX_MS: u64 = 60_000;
/// How long after a follow-up the prior terminal status still means "not yet running" (S3).
pub const FOLLOW_UP_GRACE_MS: u64 = 60_000;

/// What a poller should do after observing a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PollStep {
    /// Poll again after `after_ms`.
    Wait {
        /// Milliseconds to wait.
        after_ms: u64,
    },
    /// Stop polling: `status` is the outcome.
    Done {
        /// The terminal status.
        #[cfg_attr(feature = "wasm", tsify(type = "AgentStatus"))]
        status: AgentStatus,
    },
}

/// The client-side poll schedule (S6), with the follow-up window of S3. It holds no clock: the
/// caller passes the elapsed time since the follow-up when it has sent one.
///
/// ```
/// use agentrules::lifecycle::{AgentStatus as S, PollStep, Poller};
/// let mut p = Poller::new();
/// assert_eq!(p.observe(&S::Running, 0), PollStep::Wait { after_ms: 5_000 });
/// assert_eq!(p.observe(&S::Running, 0), PollStep::Wait { after_ms: 10_000 });
/// assert_eq!(p.observe(&S::Finished, 0), PollStep::Done { status: S::Finished });
///
/// let mut p = Poller::after_follow_up(S::Finished);
/// assert_eq!(p.observe(&S::Finished, 1_000), PollStep::Wait { after_ms: 5_000 }); // not yet running
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Poller {
    last: Option<AgentStatus>,
    interval_ms: u64,
    follow_up_from: Option<AgentStatus>,
}

impl Poller {
    /// A poller for an agent just launched or fetched.
    pub fn new() -> Self {
        Poller::default()
    }

    /// A poller for an agent that has just accepted a follow-up while in `prior` (terminal).
    pub fn after_follow_up(prior: AgentStatus) -> Self {
        Poller { follow_up_from: Some(prior), ..Poller::default() }
    }

    /// Observes the status a poll returned, `elapsed_ms` after the follow-up (ignored without
    /// one), and says what to do next.
    pub fn observe(&mut self, status: &AgentStatus, elapsed_ms: u64) -> PollStep {
        if let Some(prior) = &self.follow_up_from {
            if status == prior && elapsed_ms < FOLLOW_UP_GRACE_MS {
                // The pipeline has not picked the follow-up up yet (S3).
                return self.wait(status);
            }
            // Once anything else is seen (or the window is over), the follow-up has taken.
            self.follow_up_from = None;
        }
        if status.is_terminal() {
            return PollStep::Done { status: status.clone() };
        }
        self.wait(status)
    }

    fn wait(&mut self, status: &AgentStatus) -> PollStep {
        let changed = self.last.as_ref() != Some(status);
        self.interval_ms = if changed || self.interval_ms == 0 {
            POLL_INITIAL_MS
        } else {
            self.interval_ms.saturating_mul(2).min(POLL_MAX_MS)
        };
        self.last = Some(status.clone());
        PollStep::Wait { after_ms: self.interval_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_is_legal_or_invalid() {
        let legal = legal_transitions();
        assert_eq!(legal.iter().filter(|t| t.2 == Via::Pipeline).count(), 11);
        assert_eq!(legal.iter().filter(|t| t.2 == Via::FollowUp).count(), 3);
        for from in AgentStatus::KNOWN {
            assert!(!can_transition(&from, &AgentStatus::Waiting, Via::Pipeline));
        }
    }

    #[test]
    fn poll_backs_off_to_the_cap_and_resets() {
        let mut p = Poller::new();
        let waits: Vec<_> = (0..6).map(|_| p.observe(&AgentStatus::Waiting, 0)).collect();
        assert_eq!(waits.last(), Some(&PollStep::Wait { after_ms: 60_000 }));
        assert_eq!(p.observe(&AgentStatus::Running, 0), PollStep::Wait { after_ms: 5_000 });
    }
}
