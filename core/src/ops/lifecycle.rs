//! Ops: The agent lifecycle (S2–S6).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn transition(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        from: String,
        to: String,
        via: Option<Via>,
    }
    let a: A = args("transition", a)?;
    let r = check_transition(&AgentStatus::parse(&a.from), &AgentStatus::parse(&a.to), a.via.unwrap_or(Via::Pipeline));
    Ok(match r {
        Ok(()) => json!({"ok": true}),
        Err(v) => json!({"ok": false, "violation": v}),
    })
}

pub(super) fn apply(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        status: String,
        action: String,
    }
    let a: A = args("apply", a)?;
    let action = Action::parse(&a.action).ok_or_else(|| OpError(format!("unknown action `{}`", a.action)))?;
    Ok(match crate::lifecycle::apply(&AgentStatus::parse(&a.status), action) {
        Ok(outcome) => to_json(&outcome),
        Err(e) => json!({"error": e}),
    })
}

pub(super) fn status(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        status: String,
    }
    let a: A = args("status", a)?;
    let s = AgentStatus::parse(&a.status);
    Ok(json!({"status": s, "known": !matches!(s, AgentStatus::Unknown(_)), "terminal": s.is_terminal()}))
}

pub(super) fn poll(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Obs {
        status: String,
        #[serde(default)]
        elapsed_ms: u64,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct A {
        follow_up_from: Option<String>,
        observations: Vec<Obs>,
    }
    let a: A = args("poll", a)?;
    let mut p = match a.follow_up_from {
        Some(s) => Poller::after_follow_up(AgentStatus::parse(&s)),
        None => Poller::new(),
    };
    let steps: Vec<Value> =
        a.observations.iter().map(|o| to_json(&p.observe(&AgentStatus::parse(&o.status), o.elapsed_ms))).collect();
    Ok(Value::Array(steps))
}
