//! The simulated pipeline: what an agent does, step by step, deterministically.
//!
//! A top-level agent's first turn: `waiting` → `running`; a `thinking` message; a
//! `find_relevant_pages` tool call; a `dispatch_page_agents` tool call that spawns a sub-agent
//! (its `parentSessionId` is the agent) while the agent is `awaiting_tool`; back to `running`
//! when the sub-agent ends; an `assistant` message; a `MARKDOWN_DOCUMENT` artifact ("Review
//! Results") and a `TABLE` artifact ("Findings", rows that satisfy its schema, both checked by
//! the core's artifact rules before they are stored); `finished`. A follow-up's turn: a
//! `thinking` message, an `assistant` message, a new version of the markdown artifact,
//! `finished`. A sub-agent: `thinking`, `assistant`, `finished`.
//!
//! Every status change is checked by the core's lifecycle (S2) before it is written.
//!
//! Directives in the prompt text (launch or follow-up) select other outcomes:
//! - `[[fail]]`: the turn ends `failed`, with an `error` message (a slot workflow's runs fail
//!   when its configuration says `"outcome": "failed"`);
//! - `[[hold]]`: the agent stays `running` (before any sub-agent) until it is stopped (then
//!   `stopped`) or deleted;
//! - `[[queue]]`: the agent stays `waiting` until it is stopped (at once: `stopped`) or deleted;
//! - `[[edit]]` (follow-up only): the follow-up replaces the previous turn, as an edit in the
//!   product does: the conversation branches and only the new branch is returned.

use std::sync::Arc;
use std::time::Duration;

use agentrules::lifecycle::{check_transition, Via};
use agentrules::response::{ArtifactType, Message, MessageType, Timestamp};
use agentrules::AgentStatus;
use serde_json::{json, Value};

use crate::store::{AgentRec, ArtifactRec, Change, Store, StoreError};
use crate::{now_rfc3339, AppState};

/// `[[fail]]`: the turn fails.
pub const FAIL: &str = "[[fail]]";
/// `[[hold]]`: the agent keeps running until stopped.
pub const HOLD: &str = "[[hold]]";
/// `[[queue]]`: the agent keeps waiting until stopped.
pub const QUEUE: &str = "[[queue]]";
/// `[[edit]]`: a follow-up that replaces the previous turn.
pub const EDIT: &str = "[[edit]]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Thinking,
    FindPages,
    Fail,
    Dispatch,
    AwaitChild,
    Hold,
    Assistant,
    Markdown,
    Table,
    Finish,
}

fn script(a: &AgentRec) -> Vec<Step> {
    use Step as S;
    let mut out = vec![S::Thinking];
    if a.parent_session_id.is_some() {
        out.extend([S::Assistant, S::Finish]);
        return out;
    }
    if a.turn == 0 {
        out.extend([S::FindPages]);
    }
    if a.prompt.contains(HOLD) {
        out.push(S::Hold);
    }
    if a.fail {
        out.push(S::Fail);
        return out;
    }
    if a.turn == 0 {
        out.extend([S::Dispatch, S::AwaitChild]);
    }
    out.push(S::Assistant);
    out.push(S::Markdown);
    if a.turn == 0 {
        out.push(S::Table);
    }
    out.push(S::Finish);
    out
}

/// What a task (an agent's pipeline, a NOME run) does after a step.
pub enum Next {
    /// Take the next step.
    Continue,
    /// Look again after `timing.poll` (waiting for something).
    Wait,
    /// Start the pipeline of this sub-agent, then go on.
    Spawn(String),
    /// Stop: the work is done (or gone).
    Done,
}

/// Starts (or resumes) the pipeline of agent `id` for its current turn.
pub fn spawn(state: Arc<AppState>, id: String, turn: u32) {
    let what = format!("pipeline of agent {id}");
    drive(state, what, move |_, store| advance(store, &id, turn));
}

/// Drives a task: one `step` every `timing.step`, off the async threads and under the store's
/// lock, until it is done or fails (the failure logged with `what`). The streams are woken
/// after every step, once its commit is done.
pub fn drive<F>(state: Arc<AppState>, what: String, step: F)
where
    F: Fn(&AppState, &mut Store) -> Result<Next, StoreError> + Send + Sync + 'static,
{
    let step = Arc::new(step);
    tokio::spawn(async move {
        loop {
            let delay = state.timing.step;
            if delay.is_zero() {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(delay).await;
            }
            let (st, f) = (state.clone(), step.clone());
            let next = tokio::task::spawn_blocking(move || {
                let mut store = st.store.lock().map_err(|_| StoreError("the store's lock is poisoned".into()))?;
                let next = f(&st, &mut store);
                drop(store);
                st.events_changed();
                next
            })
            .await;
            match next {
                Ok(Ok(Next::Continue)) => {}
                Ok(Ok(Next::Wait)) => tokio::time::sleep(state.timing.poll).await,
                Ok(Ok(Next::Spawn(child))) => spawn(state.clone(), child, 0),
                Ok(Ok(Next::Done)) => return,
                Ok(Err(e)) => {
                    state.log(&format!("{what} stopped: {}", e.0));
                    return;
                }
                Err(e) => {
                    state.log(&format!("{what} stopped: {e}"));
                    return;
                }
            }
        }
    });
}

/// Moves `a` to `to` if the lifecycle allows it (S2).
pub fn set_status(a: &mut AgentRec, to: AgentStatus, via: Via) -> Result<(), StoreError> {
    check_transition(&a.status, &to, via).map_err(|v| StoreError(format!("pipeline bug: {}", v.message)))?;
    a.status = to;
    a.updated_at = now_rfc3339();
    Ok(())
}

/// A new message of agent `a`, chained to its last one.
pub fn message(store: &mut Store, agent: &str, kind: MessageType, text: Option<String>) -> Result<Message, StoreError> {
    let parent = store.messages.get(agent).and_then(|m| m.last()).map(|m| m.id.clone());
    message_after(store, parent, kind, text)
}

/// A new message whose parent is `parent`.
pub fn message_after(
    store: &mut Store,
    parent: Option<String>,
    kind: MessageType,
    text: Option<String>,
) -> Result<Message, StoreError> {
    let created = Timestamp::parse(&now_rfc3339()).ok_or_else(|| StoreError("clock gave no RFC 3339 time".into()))?;
    Ok(Message {
        id: store.new_id(),
        parent_id: parent,
        created_at: Some(created),
        kind,
        text,
        redacted: None,
        tool_name: None,
        status: None,
        sub_agent_id: None,
    })
}

fn advance(store: &mut Store, id: &str, turn: u32) -> Result<Next, StoreError> {
    let Some(mut a) = store.agents.get(id).cloned() else {
        return Ok(Next::Done); // deleted
    };
    if a.turn != turn || a.status.is_terminal() {
        return Ok(Next::Done);
    }
    if a.stop_requested {
        a.stop_requested = false;
        set_status(&mut a, AgentStatus::Stopped, Via::Pipeline)?;
        store.commit(vec![Change::Agent(a)])?;
        return Ok(Next::Done);
    }
    if a.status == AgentStatus::Waiting {
        if a.prompt.contains(QUEUE) {
            return Ok(Next::Wait);
        }
        set_status(&mut a, AgentStatus::Running, Via::Pipeline)?;
        store.commit(vec![Change::Agent(a)])?;
        return Ok(Next::Continue);
    }
    let steps = script(&a);
    let Some(step) = steps.get(usize::try_from(a.step).unwrap_or(usize::MAX)).copied() else {
        return Err(StoreError(format!("pipeline bug: no step {} of turn {}", a.step, a.turn)));
    };
    let mut changes = Vec::new();
    let mut next = Next::Continue;
    match step {
        Step::Thinking => {
            let mut m = message(store, id, MessageType::Thinking, Some(thinking_text(&a)))?;
            m.redacted = Some(false);
            changes.push(Change::Message(id.to_string(), m));
        }
        Step::FindPages => {
            let mut m = message(store, id, MessageType::Tool, None)?;
            m.tool_name = Some("find_relevant_pages".into());
            m.status = Some("completed".into());
            changes.push(Change::Message(id.to_string(), m));
        }
        Step::Fail => {
            let m = message(
                store,
                id,
                MessageType::Error,
                Some("the simulated run failed, as its directive asked".into()),
            )?;
            changes.push(Change::Message(id.to_string(), m));
            set_status(&mut a, AgentStatus::Failed, Via::Pipeline)?;
            next = Next::Done;
        }
        Step::Dispatch => {
            let child_id = store.new_id();
            let mut child = AgentRec::new(
                child_id.clone(),
                store.next,
                a.owner.clone(),
                "Review the relevant pages and report what they say".into(),
                a.active_file_ids.clone(),
            );
            child.project_id = a.project_id.clone();
            child.parent_session_id = Some(a.id.clone());
            let first = message_after(store, None, MessageType::User, Some(child.prompt.clone()))?;
            let mut m = message(store, id, MessageType::Tool, None)?;
            m.tool_name = Some("dispatch_page_agents".into());
            m.status = Some("completed".into());
            m.sub_agent_id = Some(child_id.clone());
            changes.push(Change::Agent(child));
            changes.push(Change::Message(child_id.clone(), first));
            changes.push(Change::Message(id.to_string(), m));
            set_status(&mut a, AgentStatus::AwaitingTool, Via::Pipeline)?;
            next = Next::Spawn(child_id);
        }
        Step::AwaitChild => {
            let child = store
                .messages
                .get(id)
                .and_then(|ms| ms.iter().rev().find_map(|m| m.sub_agent_id.clone()))
                .and_then(|c| store.agents.get(&c));
            if child.is_some_and(|c| !c.status.is_terminal()) {
                return Ok(Next::Wait);
            }
            set_status(&mut a, AgentStatus::Running, Via::Pipeline)?;
        }
        Step::Hold => return Ok(Next::Wait),
        Step::Assistant => {
            let m = message(store, id, MessageType::Assistant, Some(assistant_text(&a)))?;
            changes.push(Change::Message(id.to_string(), m));
        }
        Step::Markdown => {
            let existing = a
                .artifact_ids
                .iter()
                .find_map(|x| store.artifacts.get(x).filter(|r| r.kind == ArtifactType::MarkdownDocument).cloned());
            let rec = match existing {
                Some(mut r) => {
                    r.version = r.version.saturating_add(1);
                    r.content = Value::String(markdown(&a, r.version));
                    r
                }
                None => {
                    let rec = ArtifactRec {
                        id: store.new_id(),
                        owner: a.owner.clone(),
                        creating_session_id: Some(a.id.clone()),
                        name: "Review Results".into(),
                        kind: ArtifactType::MarkdownDocument,
                        version: 1,
                        content: Value::String(markdown(&a, 1)),
                        created_at: now_rfc3339(),
                    };
                    a.artifact_ids.push(rec.id.clone());
                    rec
                }
            };
            check_content(&rec)?;
            changes.push(Change::Artifact(rec));
        }
        Step::Table => {
            let rec = ArtifactRec {
                id: store.new_id(),
                owner: a.owner.clone(),
                creating_session_id: Some(a.id.clone()),
                name: "Findings".into(),
                kind: ArtifactType::Table,
                version: 1,
                content: table(&a),
                created_at: now_rfc3339(),
            };
            check_content(&rec)?;
            a.artifact_ids.push(rec.id.clone());
            changes.push(Change::Artifact(rec));
        }
        Step::Finish => {
            set_status(&mut a, AgentStatus::Finished, Via::Pipeline)?;
            next = Next::Done;
        }
    }
    a.step = a.step.saturating_add(1);
    a.updated_at = now_rfc3339();
    changes.push(Change::Agent(a));
    store.commit(changes)?;
    Ok(next)
}

/// The core's artifact rules (T1–T4) on what the pipeline made: a table's rows satisfy its schema.
fn check_content(rec: &ArtifactRec) -> Result<(), StoreError> {
    let data = json!({ "type": rec.kind.as_str(), "version": rec.version, "content": rec.content });
    match agentrules::artifact::check_artifact(&data).first() {
        None => Ok(()),
        Some(v) => Err(StoreError(format!("pipeline bug: artifact {}: {} at {}", rec.name, v.message, v.path))),
    }
}

fn subject(a: &AgentRec) -> String {
    let text: String = a
        .prompt
        .replace(FAIL, "")
        .replace(HOLD, "")
        .replace(QUEUE, "")
        .replace(EDIT, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let short: String = text.chars().take(80).collect();
    if short.is_empty() {
        "the submitted documents".into()
    } else {
        short
    }
}

fn thinking_text(a: &AgentRec) -> String {
    format!("I need to work out what is asked: {}", subject(a))
}

fn assistant_text(a: &AgentRec) -> String {
    match (&a.parent_session_id, a.turn) {
        (Some(_), _) => "The relevant pages are reviewed; nothing on them contradicts the request.".into(),
        (None, 0) => format!(
            "I reviewed {} file(s) for: {}. The results and the findings table are attached.",
            a.active_file_ids.len(),
            subject(a)
        ),
        (None, _) => format!("Follow-up done: {}. The results document is updated.", subject(a)),
    }
}

fn markdown(a: &AgentRec, version: u64) -> String {
    let mut s = format!("# Review Results\n\n## Summary\n\n{}\n\n## Files\n\n", subject(a));
    if a.active_file_ids.is_empty() {
        s.push_str("No files were attached.\n");
    }
    for f in &a.active_file_ids {
        s.push_str(&format!("- `{f}`\n"));
    }
    s.push_str(&format!("\n_Version {version}, turn {}._\n", a.turn));
    s
}

fn table(a: &AgentRec) -> Value {
    let schema = json!({
        "type": "object",
        "properties": {
            "issue": { "type": "string", "minLength": 1 },
            "severity": { "enum": ["low", "medium", "high"] },
            "page": { "type": "integer", "minimum": 1 }
        },
        "required": ["issue", "severity"],
        "additionalProperties": false
    });
    let issues = [
        ("Missing fire rating on wall assembly", "high"),
        ("Door hardware schedule incomplete", "medium"),
        ("Sheet index lists a drawing that is not in the set", "low"),
    ];
    let files = u64::try_from(a.active_file_ids.len()).unwrap_or(0);
    let elements: Vec<Value> = issues
        .iter()
        .zip(1u64..)
        .map(|((issue, severity), n)| {
            json!({ "key": format!("row-{n}"), "value": { "issue": issue, "severity": severity, "page": n.saturating_add(files) } })
        })
        .collect();
    json!({ "schema": schema, "elements": elements })
}

/// The step delays of `--timing`.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Between two steps (zero: as fast as the runtime goes).
    pub step: Duration,
    /// How often a waiting agent looks again (a held agent, a parent awaiting its sub-agent).
    pub poll: Duration,
}

impl Timing {
    /// `instant`: no delay between steps (tests).
    pub const INSTANT: Timing = Timing { step: Duration::ZERO, poll: Duration::from_millis(5) };
    /// `fast`: 40 ms a step, so a test can watch a run stream and kill the server in its middle.
    pub const FAST: Timing = Timing { step: Duration::from_millis(40), poll: Duration::from_millis(10) };
    /// `demo`: about a second a step, so a person can watch the statuses change.
    pub const DEMO: Timing = Timing { step: Duration::from_millis(1200), poll: Duration::from_millis(500) };
}
