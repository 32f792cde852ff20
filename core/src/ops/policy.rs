//! Ops: Tools, policy and approvals (P2–P4).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn decide(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        matrix: Value,
        tool: String,
        role: String,
        calls: u64,
        online: bool,
    }
    let a: A = args("decide", a)?;
    Ok(match crate::policy::PolicyMatrix::from_value(&a.matrix) {
        Ok(m) => to_json(&m.decide(&a.tool, &a.role, a.calls, a.online)),
        Err(rep) => json!({"violations": rep.violations}),
    })
}

pub(super) fn approval(a: &Value) -> Result<Value, OpError> {
    use crate::policy::{ApprovalEvent, ApprovalRequest, ApprovalStatus, Tier};
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct A {
        tier: Tier,
        allowed_roles: Vec<String>,
        events: Vec<ApprovalEvent>,
    }
    let a: A = args("approval", a)?;
    let mut req = ApprovalRequest { tier: a.tier, allowed_roles: a.allowed_roles, status: ApprovalStatus::Pending };
    let steps: Vec<Value> = a
        .events
        .iter()
        .map(|e| match req.apply(e) {
            Ok(s) => json!({"status": s}),
            Err(v) => json!({"error": v}),
        })
        .collect();
    Ok(Value::Array(steps))
}
