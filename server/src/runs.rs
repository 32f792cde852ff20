//! NOME runs: the deterministic script a local run follows, and its durable event log.
//!
//! A local server has no model, so a run's events follow from its input and its agent's tools,
//! always the same way:
//!
//! 1. `run.started` (the run moves `pending → active`, R1);
//! 2. a `text.delta` `"Working on: "`, then one `text.delta` per word of the input (the word
//!    and a space: the run echoes its input);
//! 3. for every word of the input that is the name of one of the agent's tools (in the order
//!    of the input, repeats included), a tool call decided by the core's policy matrix (P2)
//!    for the role of the key that created the run, the calls of that tool already made in the
//!    run, and whether the creating device was online (`online`, default true):
//!    - `allow`: a `tool.call` event; its receipt (P4) has outcome `completed`;
//!    - `needs_approval`: an `approval.request` event and a pending approval (P3); the run
//!      waits, `active`, until a key of the run's user decides it with the rank the tier
//!      needs (`POST /nome/v1/approvals/{approvalId}/approve` or `/reject`). Approved: the
//!      `tool.call` event follows (receipt outcome `completed`, with the approval's id);
//!      rejected: a `text.delta` says so (receipt outcome `rejected`);
//!    - `queued` (offline, `queue`): a `text.delta` says so; receipt outcome `queued`;
//!    - `deny`: a `text.delta` names the core's reason; receipt outcome `denied` with `reason`
//!      (`unknown_tool` cannot happen: only the agent's tools are called);
//! 4. a `text.delta` `"Done."` and `run.completed` (`active → completed`). An input containing
//!    `[[fail]]` ends after step 2 with `run.failed` (`active → failed`) instead.
//!
//! A chat run (started by posting a message to a thread) then adds the `assistant` message to
//! its thread: the run's replayed text, with metadata (H3/H4) `tierUsed: "local"`,
//! `toolsInvoked` (the tools that ran), `episodeIds: [runId]`, the user message's
//! `domainHints`, `runId` and `workItemId`, checked by the core before it is stored.
//!
//! Every event carries `runId`, `workItemId`, `seq` (1, 2, …) and `receipt: { id }` (R3): the
//! receipt id of a tool call or approval request is its tool receipt's; other events get one of
//! their own. Each event is checked by the core (R3, and R4 against the log so far) and
//! appended to the log in the same SQLite transaction that moves the run on, *before* it is in
//! memory, so before any stream can send it: an event a client received is on disk. On start
//! the server resumes every run that is not terminal from its stored step.

use std::sync::Arc;

use agentrules::policy::{ApprovalRequest, ApprovalStatus, Decision};
use agentrules::run::{can_transition, RunStatus};
use agentrules::thread::MessageMetadata;
use serde_json::{json, Map, Value};

use crate::pipeline::Next;
use crate::store::{ApprovalRec, Change, RunRec, Store, StoreError, ThreadMessageRec};
use crate::{now_rfc3339, AppState};

/// The directive that makes a run fail (as the Agent API's pipeline).
pub const FAIL: &str = crate::pipeline::FAIL;

/// One step of a run's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `run.started`.
    Start,
    /// A `text.delta`.
    Delta(String),
    /// A tool call, decided by the policy matrix.
    Tool(String),
    /// `run.completed`.
    Complete,
    /// `run.failed`.
    Fail,
}

/// The words of the input (directives left out).
fn words(input: &str) -> Vec<&str> {
    input.split_whitespace().filter(|w| *w != FAIL).collect()
}

/// The script of a run whose agent has `tools` (see the module docs).
pub fn script(input: &str, tools: &[String]) -> Vec<Step> {
    let mut out = vec![Step::Start, Step::Delta("Working on: ".into())];
    let ws = words(input);
    out.extend(ws.iter().map(|w| Step::Delta(format!("{w} "))));
    if input.contains(FAIL) {
        out.push(Step::Fail);
        return out;
    }
    for w in &ws {
        let name = w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'));
        if tools.iter().any(|t| t == name) {
            out.push(Step::Tool(name.to_string()));
        }
    }
    out.push(Step::Delta("Done.".into()));
    out.push(Step::Complete);
    out
}

/// Starts (or resumes) the task of run `id`.
pub fn spawn(state: Arc<AppState>, id: String) {
    let what = format!("run {id}");
    crate::pipeline::drive(state, what, move |st, store| advance(st, store, &id));
}

/// The stored log of `run` as the JSON array the core's `check_log` and `replay` read.
pub fn log_value(store: &Store, run: &str) -> Result<Value, StoreError> {
    let mut out = Vec::new();
    for (_, json) in store.events.get(run).into_iter().flatten() {
        out.push(agentrules::json::parse(json).map_err(|v| StoreError(format!("stored event: {}", v.message)))?);
    }
    Ok(Value::Array(out))
}

/// Builds the next event of `run`: the common fields, then `fields`; checked by the core (R3,
/// and R4 with the log so far).
fn event(store: &Store, run: &RunRec, kind: &str, receipt: &str, fields: Value) -> Result<(u64, String), StoreError> {
    let seq = store.events.get(&run.id).and_then(|l| l.last()).map_or(1, |(s, _)| s.saturating_add(1));
    let mut obj = Map::new();
    obj.insert("type".into(), Value::String(kind.into()));
    obj.insert("runId".into(), Value::String(run.id.clone()));
    obj.insert("workItemId".into(), Value::String(run.work_item_id.clone()));
    obj.insert("seq".into(), Value::from(seq));
    obj.insert("receipt".into(), json!({ "id": receipt }));
    if let Value::Object(extra) = fields {
        obj.extend(extra);
    }
    let ev = Value::Object(obj);
    let mut log = log_value(store, &run.id)?;
    if let Value::Array(items) = &mut log {
        items.push(ev.clone());
    }
    if let Some(v) = agentrules::run::check_log(&log).first() {
        return Err(StoreError(format!("run bug: event {kind}: {} at {}", v.message, v.path)));
    }
    Ok((seq, ev.to_string()))
}

/// A tool call that runs: its receipt (outcome `completed`, with `extra`) and its `tool.call`
/// event, whose receipt id is the receipt's.
fn tool_call(store: &mut Store, run: &RunRec, tool: &str, rid: &str, extra: Value) -> Result<[Change; 2], StoreError> {
    let call_id = store.new_id();
    let mut fields = json!({ "toolCallId": call_id });
    if let (Value::Object(f), Value::Object(e)) = (&mut fields, extra) {
        f.extend(e);
    }
    let r = receipt(run, rid, tool, "completed", fields)?;
    let args = json!({ "toolCallId": call_id, "tool": tool, "arguments": { "input": run.input } });
    let (seq, ev) = event(store, run, "tool.call", rid, args)?;
    Ok([Change::Receipt(run.id.clone(), r), Change::Event(run.id.clone(), seq, ev)])
}

/// Moves `run` to `to` if R1 allows it.
fn set_status(run: &mut RunRec, to: RunStatus) -> Result<(), StoreError> {
    let from = RunStatus::parse(&run.status).ok_or_else(|| StoreError(format!("run bug: status {}", run.status)))?;
    if !can_transition(from, to) {
        return Err(StoreError(format!("run bug: {} cannot move to {to:?}", run.status)));
    }
    run.status = serde_json::to_value(to).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    Ok(())
}

/// A tool receipt (P4), checked by the core.
fn receipt(run: &RunRec, id: &str, tool: &str, outcome: &str, extra: Value) -> Result<Value, StoreError> {
    let mut r = json!({ "id": id, "runId": run.id, "workItemId": run.work_item_id, "tool": tool, "outcome": outcome });
    if let (Value::Object(o), Value::Object(e)) = (&mut r, extra) {
        o.extend(e);
    }
    if let Some(v) = agentrules::policy::check_receipt(&r).first() {
        return Err(StoreError(format!("run bug: receipt: {} at {}", v.message, v.path)));
    }
    Ok(r)
}

fn advance(state: &AppState, store: &mut Store, id: &str) -> Result<Next, StoreError> {
    let Some(mut run) = store.runs.get(id).cloned() else { return Ok(Next::Done) };
    if RunStatus::parse(&run.status).is_none_or(RunStatus::is_terminal) {
        return Ok(Next::Done);
    }
    let tools = state.config.agents.iter().find(|a| a.id == run.agent_id).map(|a| a.tools.clone()).unwrap_or_default();
    let steps = script(&run.input, &tools);
    let Some(step) = steps.get(usize::try_from(run.step).unwrap_or(usize::MAX)).cloned() else {
        return Err(StoreError(format!("run bug: no step {} of run {id}", run.step)));
    };
    let mut changes = Vec::new();
    let mut next = Next::Continue;
    let mut advance_step = true;
    match step {
        Step::Start => {
            set_status(&mut run, RunStatus::Active)?;
            let rid = store.new_id();
            let (seq, ev) = event(store, &run, "run.started", &rid, json!({}))?;
            changes.push(Change::Event(run.id.clone(), seq, ev));
        }
        Step::Delta(text) => {
            let rid = store.new_id();
            let (seq, ev) = event(store, &run, "text.delta", &rid, json!({ "delta": text }))?;
            changes.push(Change::Event(run.id.clone(), seq, ev));
        }
        Step::Tool(tool) => match run.awaiting.clone() {
            Some(approval_id) => {
                let Some(a) = store.approvals.get(&approval_id).cloned() else {
                    return Err(StoreError(format!("run bug: approval {approval_id} is gone")));
                };
                match a.request.status {
                    ApprovalStatus::Pending => return Ok(Next::Wait),
                    ApprovalStatus::Approved => {
                        let rid = store.new_id();
                        let extra = json!({ "approvalId": approval_id, "decidedBy": a.decided_by });
                        changes.extend(tool_call(store, &run, &tool, &rid, extra)?);
                    }
                    other => {
                        let outcome = if other == ApprovalStatus::Denied { "rejected" } else { "cancelled" };
                        let rid = store.new_id();
                        let r = receipt(&run, &rid, &tool, outcome, json!({ "approvalId": approval_id }))?;
                        let text = format!("{tool} was {outcome}: it did not run. ");
                        let (seq, ev) = event(store, &run, "text.delta", &rid, json!({ "delta": text }))?;
                        changes.push(Change::Receipt(run.id.clone(), r));
                        changes.push(Change::Event(run.id.clone(), seq, ev));
                    }
                }
                run.awaiting = None;
            }
            None => {
                let made = store
                    .receipts
                    .get(&run.id)
                    .into_iter()
                    .flatten()
                    .filter(|r| {
                        r.get("tool").and_then(Value::as_str) == Some(tool.as_str())
                            && r.get("outcome").and_then(Value::as_str) == Some("completed")
                    })
                    .count();
                let made = u64::try_from(made).unwrap_or(u64::MAX);
                let rid = store.new_id();
                match state.config.policy.decide(&tool, &run.role, made, run.online) {
                    Decision::Allow => {
                        changes.extend(tool_call(store, &run, &tool, &rid, json!({}))?);
                    }
                    Decision::NeedsApproval { tier } => {
                        let policy =
                            state.config.policy.policy(&tool).cloned().ok_or_else(|| {
                                StoreError(format!("run bug: {tool} needs approval but has no policy"))
                            })?;
                        let approval_id = store.new_id();
                        let rec = ApprovalRec {
                            id: approval_id.clone(),
                            run_id: run.id.clone(),
                            owner: run.owner.clone(),
                            tool: tool.clone(),
                            request: ApprovalRequest::new(&policy),
                            created_at: now_rfc3339(),
                            decided_at: None,
                            decided_by: None,
                        };
                        let (seq, ev) = event(
                            store,
                            &run,
                            "approval.request",
                            &approval_id,
                            json!({ "approvalId": approval_id, "tool": tool, "tier": tier.as_str() }),
                        )?;
                        changes.push(Change::Approval(rec));
                        changes.push(Change::Event(run.id.clone(), seq, ev));
                        run.awaiting = Some(approval_id);
                        advance_step = false;
                    }
                    Decision::Queued => {
                        let r = receipt(&run, &rid, &tool, "queued", json!({}))?;
                        let text = format!("{tool} is queued until the device is online. ");
                        let (seq, ev) = event(store, &run, "text.delta", &rid, json!({ "delta": text }))?;
                        changes.push(Change::Receipt(run.id.clone(), r));
                        changes.push(Change::Event(run.id.clone(), seq, ev));
                    }
                    Decision::Deny { reason } => {
                        let r = receipt(&run, &rid, &tool, "denied", json!({ "reason": reason.as_str() }))?;
                        let text = format!("{tool} was refused ({}). ", reason.as_str());
                        let (seq, ev) = event(store, &run, "text.delta", &rid, json!({ "delta": text }))?;
                        changes.push(Change::Receipt(run.id.clone(), r));
                        changes.push(Change::Event(run.id.clone(), seq, ev));
                    }
                }
            }
        },
        Step::Complete | Step::Fail => {
            let failed = step == Step::Fail;
            set_status(&mut run, if failed { RunStatus::Failed } else { RunStatus::Completed })?;
            let rid = store.new_id();
            let (seq, ev) = if failed {
                let error = "the simulated run failed, as its input asked";
                event(store, &run, "run.failed", &rid, json!({ "error": error }))?
            } else {
                event(store, &run, "run.completed", &rid, json!({}))?
            };
            changes.push(Change::Event(run.id.clone(), seq, ev.clone()));
            if let Some(thread) = run.thread_id.clone().filter(|t| store.threads.contains_key(t)) {
                let mut log = log_value(store, &run.id)?;
                if let Value::Array(items) = &mut log {
                    items.push(agentrules::json::parse(&ev).map_err(|v| StoreError(v.message))?);
                }
                let replayed =
                    agentrules::run::replay(&log).map_err(|_| StoreError("run bug: the log does not replay".into()))?;
                let hints = run
                    .message_id
                    .as_ref()
                    .and_then(|m| store.thread_messages.get(&thread)?.iter().find(|x| &x.id == m))
                    .map(|m| m.metadata.domain_hints.clone())
                    .unwrap_or_default();
                let metadata = json!({
                    "domainHints": hints,
                    "tierUsed": "local",
                    "toolsInvoked": replayed.tool_calls.iter().map(|c| c.tool.clone()).collect::<Vec<_>>(),
                    "episodeIds": [run.id],
                    "runId": run.id,
                    "workItemId": run.work_item_id,
                });
                let metadata = MessageMetadata::from_value(&metadata)
                    .map_err(|_| StoreError("run bug: the assistant message's metadata".into()))?;
                let text = replayed.error.clone().unwrap_or(replayed.text);
                let m = ThreadMessageRec {
                    id: store.new_id(),
                    thread_id: thread.clone(),
                    role: "assistant".into(),
                    text,
                    metadata,
                    created_at: now_rfc3339(),
                };
                if let Some(mut t) = store.threads.get(&thread).cloned() {
                    t.updated_at = now_rfc3339();
                    changes.push(Change::Thread(t));
                }
                changes.push(Change::ThreadMessage(m));
            }
            next = Next::Done;
        }
    }
    if advance_step {
        run.step = run.step.saturating_add(1);
    }
    run.updated_at = now_rfc3339();
    changes.push(Change::Run(run));
    store.commit(changes)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_echoes_the_input_and_calls_the_named_tools() {
        let tools = vec!["web_search".to_string(), "send_email".to_string()];
        let s = script("please send_email, then web_search", &tools);
        assert_eq!(s.first(), Some(&Step::Start));
        assert_eq!(
            s.iter().filter_map(|x| if let Step::Tool(t) = x { Some(t.as_str()) } else { None }).collect::<Vec<_>>(),
            vec!["send_email", "web_search"]
        );
        assert_eq!(s.last(), Some(&Step::Complete));
        assert_eq!(script("x [[fail]] send_email", &tools).last(), Some(&Step::Fail));
    }
}
