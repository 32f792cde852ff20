//! The NOME endpoints, under `/nome/v1`: threads and their messages, runs with their durable
//! event logs, chat streaming (SSE), the approval queue and tool receipts, connector installs
//! and webhook ingestion. Every rule is the core's; this module reads requests, asks the core
//! and writes answers. The run script is in [`crate::runs`].
//!
//! ## Decisions where the NOME reference is silent
//!
//! - **Paths.** The reference names resources, not paths: `threads` (and their `messages`),
//!   `runs` (with `events`, `stream`, `replay`, `receipts`), `approvals`,
//!   `connectors/installs` (with `events`), `connectors/sweep` and `webhooks/{installId}`, all
//!   under `/nome/v1` beside the Agent API's `/api/v0`.
//! - **Authentication and build identity (E3).** Every NOME request but a webhook delivery
//!   carries `Authorization: Bearer <token>` and the three `X-Nome-Client-*` headers, checked by
//!   the core (`auth::check_headers` for the NOME API). In this order: a missing or malformed
//!   `Authorization` is 401 with the core's violation; a token that is no configured key is 401;
//!   a missing, blank or (for the version) non-semver build identity header is 400 with the
//!   core's violations at `/X-Nome-Client-Surface`, … ; then the rate class (Heavy: posting a
//!   message, creating a run; Standard: the rest). Tokens are the configured keys, whatever
//!   their scopes; a key's `owner` is the user (several keys of one owner are several devices
//!   of one user) and its `role` decides tool calls and approvals (P2, P3).
//! - **Ownership.** Another user's thread, run, approval or install is 403; an id that is none
//!   is 404 (ids are matched without case).
//! - **Threads.** `POST /nome/v1/threads` `{title?}` (H1, H2; an untitled thread is "New
//!   thread"), `PATCH …/{threadId}` `{title}` renames, `DELETE` removes it and its messages
//!   (its runs and their logs stay: a log is append-only). Titles are stored trimmed. Lists are
//!   one page, newest first (`nextCursor` always null).
//! - **Messages.** Posting `{text, domainHints?, agentId?, online?}` to a thread stores the user
//!   message (metadata: its `domainHints`, `runId`, `workItemId`) and creates its run, answered
//!   together (201). The run's `assistant` message joins the thread when the run ends.
//! - **Runs.** `POST /nome/v1/runs` `{input, agentId?, online?}` creates a run directly
//!   (without `agentId`, the first configured agent answers); an unknown `agentId` is 404. A run
//!   is `pending` when answered and moves as [`crate::runs`] says.
//! - **The log and the stream.** `GET …/events` is the stored log (every event with its
//!   `type`, as R4 checks it); `GET …/stream` is `text/event-stream`: each event as `id: <seq>`,
//!   `event: <type>`, `data: <the event without type>`, from the event after `Last-Event-ID`
//!   (an id that is not a sequence number reads as 0: the whole log), then live until the run's
//!   terminal event, after which the stream ends; `: keep-alive` comments every 15 s.
//!   `GET …/replay` answers the core's `replay` of the stored log, byte for byte as
//!   `agentrules sse --replay` prints it for the same events (not wrapped in `data`).
//! - **Approvals.** `GET /nome/v1/approvals` is the queue: the user's pending requests, oldest
//!   first, whichever key (device) made the run; `GET …/{approvalId}` reads any one;
//!   `POST …/approve` and `…/reject` decide with the calling key's role, as the core's P3 says
//!   (403 when the role's rank does not meet the tier, 409 when the request is no longer
//!   pending). The decision records the role and the deciding client's build identity.
//! - **Connectors.** Installs are configured (with their webhook secrets) and start `pending`.
//!   A webhook delivery to `POST /nome/v1/webhooks/{installId}` needs no bearer token: the
//!   core verifies it (W1–W4) with the install's secret, the connector naming the provider.
//!   Verified: 202 with the core's verification, and a passing `health` event on the install;
//!   rejected: 401 with the core's message, `reason` and `header`, and a failed `health` event
//!   whose reason is the W4 reason (so a misconfigured secret shows in the install's health,
//!   K3). An event the install cannot take (a `failed` install takes no health check) leaves
//!   it unchanged. A `google_workspace` install is verified by the core's W5 rule (the bearer
//!   token against the configured JWKS, the channel token) with the install's configured
//!   expectations (without any, the core answers `empty_secret`); a connector the core has no
//!   verification for is 401 with the core's refusal of the provider name, and no health event. `POST …/events`
//!   applies a K2 event a user or job sends (refresh, reinstall, uninstall; 409 when the core
//!   refuses it); `POST /nome/v1/connectors/sweep` runs the core's K5 sweep over the user's
//!   installs at the server's clock and gives each selected install a successful credential
//!   refresh (K3: back to `pending`, awaiting the delivery that proves it). With
//!   `connectorPolicy.sweepEvery` (seconds) configured, a job runs the same sweep over every
//!   user's installs that often.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use agentrules::auth::{check_headers, Api};
use agentrules::connector::{self, FailureSummary, Install, InstallEvent, InstallStatus};
use agentrules::errors::{ApiError, ApiErrorCode, Resource};
use agentrules::policy::{ApprovalEvent, ApprovalStatus, Tier};
use agentrules::thread::MessageMetadata;
use agentrules::webhook::{WebhookProvider, WebhookVerification};
use agentrules::Report;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::{json, Value};

use crate::api::{body_if_found, drained, json_answer, read_json, with_store, Answer, Data, Failure, Page};
use crate::config::ApiKey;
use crate::store::{Change, InstallRec, RunRec, Store, ThreadMessageRec, ThreadRec};
use crate::{now_rfc3339, AppState};

/// The routes of this module.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/nome/v1/threads", get(list_threads).post(create_thread))
        .route("/nome/v1/threads/{id}", get(get_thread).patch(rename_thread).delete(delete_thread))
        .route("/nome/v1/threads/{id}/messages", get(list_messages).post(post_message))
        .route("/nome/v1/runs", get(list_runs).post(create_run))
        .route("/nome/v1/runs/{id}", get(get_run))
        .route("/nome/v1/runs/{id}/events", get(run_events))
        .route("/nome/v1/runs/{id}/stream", get(run_stream))
        .route("/nome/v1/runs/{id}/replay", get(run_replay))
        .route("/nome/v1/runs/{id}/receipts", get(run_receipts))
        .route("/nome/v1/approvals", get(list_approvals))
        .route("/nome/v1/approvals/{id}", get(get_approval))
        .route("/nome/v1/approvals/{id}/approve", post(approve))
        .route("/nome/v1/approvals/{id}/reject", post(reject))
        .route("/nome/v1/connectors/installs", get(list_installs))
        .route("/nome/v1/connectors/installs/{id}", get(get_install))
        .route("/nome/v1/connectors/installs/{id}/events", post(install_event))
        .route("/nome/v1/connectors/sweep", post(sweep))
        .route("/nome/v1/webhooks/{id}", post(webhook))
}

/// A NOME caller: the key (owner, role) and the client's build identity.
pub struct NomeCaller {
    /// The key.
    pub key: ApiKey,
    /// `{surface, version, revision}` from the `X-Nome-Client-*` headers.
    pub client: Value,
}

fn nome_guard(state: &AppState, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<NomeCaller, Failure> {
    let mut doc = serde_json::Map::new();
    let names = ["Authorization", "X-Nome-Client-Surface", "X-Nome-Client-Version", "X-Nome-Client-Revision"];
    for name in names {
        if let Some(v) = headers.get(name) {
            doc.insert(name.into(), Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()));
        }
    }
    let (auth, identity): (Vec<_>, Vec<_>) =
        check_headers(&Value::Object(doc.clone()), Api::Nome).into_iter().partition(|v| v.path == "/Authorization");
    if !auth.is_empty() {
        return Err(ApiError::BadCredentials(auth).into());
    }
    let value = doc.get("Authorization").and_then(Value::as_str).unwrap_or_default();
    let token = value.split_whitespace().nth(1).unwrap_or_default();
    let key = state.config.key(token).ok_or(ApiError::UnknownKey)?.clone();
    if !identity.is_empty() {
        return Err(Failure::Report(Report::new(identity)));
    }
    let heavy = *method == Method::POST && (uri.path() == "/nome/v1/runs" || uri.path().ends_with("/messages"));
    let class =
        if heavy { agentrules::endpoints::RateClass::Heavy } else { agentrules::endpoints::RateClass::Standard };
    crate::api::count(state, &key, class)?;
    let h = |n: &str| doc.get(n).and_then(Value::as_str).map(str::trim).unwrap_or_default().to_string();
    let client = json!({
        "surface": h("X-Nome-Client-Surface"),
        "version": h("X-Nome-Client-Version"),
        "revision": h("X-Nome-Client-Revision"),
    });
    Ok(NomeCaller { key, client })
}

impl axum::extract::FromRequestParts<Arc<AppState>> for NomeCaller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Failure> {
        nome_guard(state, &parts.method, &parts.uri, &parts.headers)
    }
}

async fn nome_caller_of(caller: Result<NomeCaller, Failure>, body: Body) -> Result<(NomeCaller, Body), Failure> {
    match caller {
        Ok(c) => Ok((c, body)),
        Err(refused) => Err(drained(refused, body).await),
    }
}

/// A run as the API answers it.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunBody {
    /// Run id.
    pub id: String,
    /// Its work item (every event carries it).
    pub work_item_id: String,
    /// `pending`, `active`, `completed` or `failed` (R1).
    pub status: agentrules::run::RunStatus,
    /// The agent answering it.
    pub agent_id: String,
    /// The thread of a chat run (`null` for a direct run).
    pub thread_id: Option<String>,
    /// The user message that started a chat run.
    pub message_id: Option<String>,
    /// Its input text.
    pub input: String,
    /// Whether the creating device was online (P2's offline behaviour).
    pub online: bool,
    /// The pending approval the run waits for, if any.
    pub awaiting_approval_id: Option<String>,
    /// The last event's sequence number (0: none yet).
    pub last_seq: u64,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

/// A message posted to a thread and the run it started.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PostedMessage {
    /// The user message.
    pub message: ThreadMessageRec,
    /// Its run, `pending`.
    pub run: RunBody,
}

/// An approval request (P3) as the queue lists it.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalBody {
    /// Approval id (the `approvalId` of its `approval.request` event).
    pub id: String,
    /// The run waiting for it.
    pub run_id: String,
    /// The tool call waiting.
    pub tool: String,
    /// `user` or `admin`.
    pub tier: Tier,
    /// The roles the tool allows (any of them decides a `user` tier; `admin` decides every tier).
    pub allowed_roles: Vec<String>,
    /// `pending`, `approved`, `denied`, `expired` or `cancelled`.
    pub status: ApprovalStatus,
    /// When it was asked.
    pub created_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// The deciding role and client build identity `{role, surface, version, revision}`.
    pub decided_by: Option<Value>,
}

/// A connector install (K1) with its failure summary (K4).
#[derive(Serialize, schemars::JsonSchema)]
pub struct InstallBody {
    /// The install.
    #[serde(flatten)]
    pub install: Install,
    /// What a UI shows.
    pub summary: FailureSummary,
}

/// The sweep's answer.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SweepBody {
    /// The ids of the installs the core's sweep selected, oldest first (each was refreshed).
    pub swept: Vec<String>,
    /// Those installs after their refresh.
    pub installs: Vec<InstallBody>,
}

/// A webhook delivery refused (W4): the envelope, the core's reason and the header concerned.
#[derive(Serialize, schemars::JsonSchema)]
pub struct WebhookRefusal {
    /// The core's message (never a secret, a body or a header value).
    pub error: String,
    /// Always `unauthorized`.
    pub code: ApiErrorCode,
    /// The W4 reason (`signature_mismatch`, `missing_header`, …); absent when the connector
    /// has no verification in the core.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<agentrules::webhook::RejectReason>,
    /// The header concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

fn run_body(store: &Store, r: &RunRec) -> Result<RunBody, Failure> {
    Ok(RunBody {
        id: r.id.clone(),
        work_item_id: r.work_item_id.clone(),
        status: agentrules::run::RunStatus::parse(&r.status).ok_or(ApiError::Internal)?,
        agent_id: r.agent_id.clone(),
        thread_id: r.thread_id.clone(),
        message_id: r.message_id.clone(),
        input: r.input.clone(),
        online: r.online,
        awaiting_approval_id: r.awaiting.clone(),
        last_seq: store.events.get(&r.id).and_then(|l| l.last()).map_or(0, |(s, _)| *s),
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
    })
}

fn approval_body(a: &crate::store::ApprovalRec) -> ApprovalBody {
    ApprovalBody {
        id: a.id.clone(),
        run_id: a.run_id.clone(),
        tool: a.tool.clone(),
        tier: a.request.tier,
        allowed_roles: a.request.allowed_roles.clone(),
        status: a.request.status,
        created_at: a.created_at.clone(),
        decided_at: a.decided_at.clone(),
        decided_by: a.decided_by.clone(),
    }
}

fn install_body(i: &Install) -> InstallBody {
    InstallBody { install: i.clone(), summary: connector::summary(i) }
}

fn thread_of<'a>(store: &'a Store, id: &str, owner: &str) -> Result<&'a ThreadRec, ApiError> {
    let t = store.threads.get(&id.to_ascii_lowercase()).ok_or(ApiError::NotFound(Resource::Thread))?;
    if t.owner != owner {
        return Err(ApiError::NotOwner(Resource::Thread));
    }
    Ok(t)
}

fn run_of<'a>(store: &'a Store, id: &str, owner: &str) -> Result<&'a RunRec, ApiError> {
    let r = store.runs.get(&id.to_ascii_lowercase()).ok_or(ApiError::NotFound(Resource::Run))?;
    if r.owner != owner {
        return Err(ApiError::NotOwner(Resource::Run));
    }
    Ok(r)
}

fn install_of<'a>(store: &'a Store, id: &str, owner: &str) -> Result<&'a InstallRec, ApiError> {
    let i = store.installs.get(&id.to_ascii_lowercase()).ok_or(ApiError::NotFound(Resource::ConnectorInstall))?;
    if i.owner != owner {
        return Err(ApiError::NotOwner(Resource::ConnectorInstall));
    }
    Ok(i)
}

/// Reads a JSON body and checks it with `check`.
async fn checked_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    check: fn(&Value) -> Vec<agentrules::Violation>,
) -> Result<Value, Failure> {
    let v = read_json(body, state.config.context.limits.max_document_bytes, headers).await?;
    let violations = check(&v);
    if !violations.is_empty() {
        return Err(Failure::Report(Report::new(violations)));
    }
    Ok(v)
}

/// The thread's title (H1 checked): trimmed.
fn title_of(v: &Value) -> Option<String> {
    v.get("title").and_then(Value::as_str).map(|t| t.trim().to_string())
}

async fn list_threads(State(state): State<Arc<AppState>>, c: NomeCaller) -> Answer {
    let owner = c.key.owner;
    let page = with_store(&state, move |store| {
        let mut items: Vec<&ThreadRec> = store.threads.values().filter(|t| t.owner == owner).collect();
        items.sort_by_key(|t| std::cmp::Reverse(t.seq));
        Ok(Page { data: items.into_iter().cloned().collect::<Vec<_>>(), next_cursor: None })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

async fn create_thread(
    State(state): State<Arc<AppState>>,
    caller: Result<NomeCaller, Failure>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (c, body) = nome_caller_of(caller, body).await?;
    let v = checked_body(&state, &headers, body, agentrules::thread::check_create).await?;
    let title = title_of(&v).unwrap_or_else(|| "New thread".into());
    let owner = c.key.owner;
    let t = with_store(&state, move |store| {
        let now = now_rfc3339();
        let t =
            ThreadRec { id: store.new_id(), title, created_at: now.clone(), updated_at: now, owner, seq: store.next };
        store.commit(vec![Change::Thread(t.clone())])?;
        Ok(t)
    })
    .await?;
    json_answer(StatusCode::CREATED, &Data { data: t })
}

async fn get_thread(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let t = with_store(&state, move |store| Ok(thread_of(store, &id, &c.key.owner)?.clone())).await?;
    json_answer(StatusCode::OK, &Data { data: t })
}

async fn rename_thread(
    State(state): State<Arc<AppState>>,
    caller: Result<NomeCaller, Failure>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Answer {
    let (c, body) = nome_caller_of(caller, body).await?;
    let owner = c.key.owner;
    let (owner_, id_) = (owner.clone(), id.clone());
    let body = body_if_found(&state, body, move |s| thread_of(s, &id_, &owner_).map(|_| ())).await?;
    let v = checked_body(&state, &headers, body, agentrules::thread::check_rename).await?;
    let title = title_of(&v).ok_or(ApiError::Internal)?;
    let t = with_store(&state, move |store| {
        let mut t = thread_of(store, &id, &owner)?.clone();
        t.title = title;
        t.updated_at = now_rfc3339();
        store.commit(vec![Change::Thread(t.clone())])?;
        Ok(t)
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: t })
}

async fn delete_thread(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    with_store(&state, move |store| {
        let t = thread_of(store, &id, &c.key.owner)?.id.clone();
        store.commit(vec![Change::DeleteThread(t)])?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_messages(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let page = with_store(&state, move |store| {
        let t = thread_of(store, &id, &c.key.owner)?;
        let data = store.thread_messages.get(&t.id).cloned().unwrap_or_default();
        Ok(Page { data, next_cursor: None })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

/// The agent `agent_id` names (the first configured one when none is named).
fn agent_for(state: &AppState, agent_id: Option<&str>) -> Result<String, ApiError> {
    match agent_id {
        Some(id) => state.config.agents.iter().find(|a| a.id == id).map(|a| a.id.clone()),
        None => state.config.agents.first().map(|a| a.id.clone()),
    }
    .ok_or(ApiError::NotFound(Resource::Agent))
}

fn new_run(store: &mut Store, key: &ApiKey, agent_id: String, input: String, online: bool) -> RunRec {
    let id = store.new_id();
    let seq = store.next;
    let now = now_rfc3339();
    RunRec {
        id,
        work_item_id: store.new_id(),
        owner: key.owner.clone(),
        role: key.role.clone(),
        status: "pending".into(),
        agent_id,
        thread_id: None,
        message_id: None,
        input,
        online,
        step: 0,
        awaiting: None,
        created_at: now.clone(),
        updated_at: now,
        seq,
    }
}

async fn post_message(
    State(state): State<Arc<AppState>>,
    caller: Result<NomeCaller, Failure>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Answer {
    let (c, body) = nome_caller_of(caller, body).await?;
    let (owner_, id_) = (c.key.owner.clone(), id.clone());
    let body = body_if_found(&state, body, move |s| thread_of(s, &id_, &owner_).map(|_| ())).await?;
    let v = checked_body(&state, &headers, body, agentrules::thread::check_message_post).await?;
    let agent = agent_for(&state, v.get("agentId").and_then(Value::as_str))?;
    let text = v.get("text").and_then(Value::as_str).unwrap_or_default().to_string();
    let online = v.get("online").and_then(Value::as_bool).unwrap_or(true);
    let hints = v.get("domainHints").cloned().unwrap_or_else(|| json!([]));
    let key = c.key;
    let (posted, run_id) = with_store(&state, move |store| {
        let mut t = thread_of(store, &id, &key.owner)?.clone();
        let mut run = new_run(store, &key, agent, text.clone(), online);
        let md = json!({ "domainHints": hints, "runId": run.id, "workItemId": run.work_item_id });
        let metadata = MessageMetadata::from_value(&md).map_err(Failure::Report)?;
        let now = now_rfc3339();
        let m = ThreadMessageRec {
            id: store.new_id(),
            thread_id: t.id.clone(),
            role: "user".into(),
            text,
            metadata,
            created_at: now.clone(),
        };
        run.thread_id = Some(t.id.clone());
        run.message_id = Some(m.id.clone());
        t.updated_at = now;
        store.commit(vec![Change::Run(run.clone()), Change::ThreadMessage(m.clone()), Change::Thread(t)])?;
        Ok((PostedMessage { message: m, run: run_body(store, &run)? }, run.id))
    })
    .await?;
    crate::runs::spawn(state.clone(), run_id);
    json_answer(StatusCode::CREATED, &Data { data: posted })
}

async fn create_run(
    State(state): State<Arc<AppState>>,
    caller: Result<NomeCaller, Failure>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (c, body) = nome_caller_of(caller, body).await?;
    let v = checked_body(&state, &headers, body, agentrules::run::check_run_request).await?;
    let agent = agent_for(&state, v.get("agentId").and_then(Value::as_str))?;
    let input = v.get("input").and_then(Value::as_str).unwrap_or_default().to_string();
    let online = v.get("online").and_then(Value::as_bool).unwrap_or(true);
    let key = c.key;
    let (body, id) = with_store(&state, move |store| {
        let run = new_run(store, &key, agent, input, online);
        store.commit(vec![Change::Run(run.clone())])?;
        Ok((run_body(store, &run)?, run.id))
    })
    .await?;
    crate::runs::spawn(state.clone(), id);
    json_answer(StatusCode::CREATED, &Data { data: body })
}

async fn list_runs(State(state): State<Arc<AppState>>, c: NomeCaller) -> Answer {
    let page = with_store(&state, move |store| {
        let mut runs: Vec<&RunRec> = store.runs.values().filter(|r| r.owner == c.key.owner).collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.seq));
        let data = runs.into_iter().map(|r| run_body(store, r)).collect::<Result<Vec<_>, _>>()?;
        Ok(Page { data, next_cursor: None })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

async fn get_run(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let body = with_store(&state, move |store| run_body(store, run_of(store, &id, &c.key.owner)?)).await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn run_events(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let log = with_store(&state, move |store| {
        let r = run_of(store, &id, &c.key.owner)?;
        Ok(crate::runs::log_value(store, &r.id)?)
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: log })
}

async fn run_receipts(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let data = with_store(&state, move |store| {
        let r = run_of(store, &id, &c.key.owner)?;
        Ok(store.receipts.get(&r.id).cloned().unwrap_or_default())
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data })
}

async fn run_replay(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let text = with_store(&state, move |store| {
        let r = run_of(store, &id, &c.key.owner)?;
        let log = crate::runs::log_value(store, &r.id)?;
        let replayed = agentrules::run::replay(&log).map_err(|_| ApiError::Internal)?;
        serde_json::to_string(&replayed).map_err(|_| Failure::Api(ApiError::Internal))
    })
    .await?;
    let mut resp = Response::new(Body::from(text));
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(resp)
}

/// One stored event as an SSE block: `id`, `event`, `data` (the event without `type`).
fn sse_block(seq: u64, json: &str) -> Result<String, Failure> {
    let mut v = agentrules::json::parse(json).map_err(|_| ApiError::Internal)?;
    let kind = match &mut v {
        Value::Object(o) => match o.shift_remove("type") {
            Some(Value::String(k)) => k,
            _ => return Err(ApiError::Internal.into()),
        },
        _ => return Err(ApiError::Internal.into()),
    };
    Ok(format!("id: {seq}\nevent: {kind}\ndata: {v}\n\n"))
}

/// What a stream sends next: blocks of the events after `after`, and whether the run has ended
/// with them (or is gone).
fn pending_blocks(state: &AppState, run: &str, after: u64) -> Result<(String, u64, bool), Failure> {
    let store = state.store.lock().map_err(|_| ApiError::Internal)?;
    let Some(r) = store.runs.get(run) else { return Ok((String::new(), after, true)) };
    let terminal = agentrules::run::RunStatus::parse(&r.status).is_none_or(agentrules::run::RunStatus::is_terminal);
    let mut out = String::new();
    let mut last = after;
    for (seq, json) in store.events.get(run).into_iter().flatten() {
        if *seq > after {
            out.push_str(&sse_block(*seq, json)?);
            last = *seq;
        }
    }
    Ok((out, last, terminal))
}

const KEEP_ALIVE: Duration = Duration::from_secs(15);

async fn run_stream(
    State(state): State<Arc<AppState>>,
    c: NomeCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let run = with_store(&state, move |store| Ok(run_of(store, &id, &c.key.owner)?.id.clone())).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let rx = state.events.subscribe();
    let stream =
        futures_util::stream::unfold((state, run, after, rx, false), |(state, run, after, mut rx, ended)| async move {
            if ended {
                return None;
            }
            loop {
                // Marked seen before reading: an event appended after the read wakes the wait.
                rx.borrow_and_update();
                let (blocks, last, terminal) = pending_blocks(&state, &run, after).ok()?;
                if !blocks.is_empty() {
                    let chunk: Result<Bytes, Infallible> = Ok(Bytes::from(blocks));
                    return Some((chunk, (state, run, last, rx, terminal)));
                }
                if terminal {
                    return None;
                }
                match tokio::time::timeout(KEEP_ALIVE, rx.changed()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return None,
                    Err(_) => {
                        let chunk: Result<Bytes, Infallible> = Ok(Bytes::from_static(b": keep-alive\n\n"));
                        return Some((chunk, (state, run, after, rx, false)));
                    }
                }
            }
        });
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

async fn list_approvals(State(state): State<Arc<AppState>>, c: NomeCaller) -> Answer {
    let page = with_store(&state, move |store| {
        let mut items: Vec<&crate::store::ApprovalRec> = store
            .approvals
            .values()
            .filter(|a| a.owner == c.key.owner && a.request.status == ApprovalStatus::Pending)
            .collect();
        items.sort_by(|a, b| (a.created_at.as_str(), a.id.as_str()).cmp(&(b.created_at.as_str(), b.id.as_str())));
        Ok(Page { data: items.into_iter().map(approval_body).collect::<Vec<_>>(), next_cursor: None })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

fn approval_of<'a>(store: &'a Store, id: &str, owner: &str) -> Result<&'a crate::store::ApprovalRec, ApiError> {
    let a = store.approvals.get(&id.to_ascii_lowercase()).ok_or(ApiError::NotFound(Resource::Approval))?;
    if a.owner != owner {
        return Err(ApiError::NotOwner(Resource::Approval));
    }
    Ok(a)
}

async fn get_approval(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let body = with_store(&state, move |store| Ok(approval_body(approval_of(store, &id, &c.key.owner)?))).await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn decide(state: Arc<AppState>, c: NomeCaller, id: String, approve: bool) -> Answer {
    let body = with_store(&state, move |store| {
        let mut a = approval_of(store, &id, &c.key.owner)?.clone();
        let role = c.key.role.clone();
        let event = if approve {
            ApprovalEvent::Approve { role: role.clone() }
        } else {
            ApprovalEvent::Deny { role: role.clone() }
        };
        if let Err(v) = a.request.apply(&event) {
            return Err(if v.code == agentrules::Code::RoleNotAllowed {
                Failure::Api(ApiError::RoleNotAllowed(v))
            } else {
                Failure::State(v.message)
            });
        }
        let mut by = c.client;
        if let Value::Object(o) = &mut by {
            o.insert("role".into(), Value::String(role));
        }
        a.decided_at = Some(now_rfc3339());
        a.decided_by = Some(by);
        store.commit(vec![Change::Approval(a.clone())])?;
        Ok(approval_body(&a))
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn approve(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    decide(state, c, id, true).await
}

async fn reject(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    decide(state, c, id, false).await
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

async fn list_installs(State(state): State<Arc<AppState>>, c: NomeCaller) -> Answer {
    let page = with_store(&state, move |store| {
        let mut items: Vec<&InstallRec> = store.installs.values().filter(|i| i.owner == c.key.owner).collect();
        items.sort_by(|a, b| a.install.id.cmp(&b.install.id));
        Ok(Page { data: items.into_iter().map(|i| install_body(&i.install)).collect::<Vec<_>>(), next_cursor: None })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

async fn get_install(State(state): State<Arc<AppState>>, c: NomeCaller, Path(id): Path<String>) -> Answer {
    let body =
        with_store(&state, move |store| Ok(install_body(&install_of(store, &id, &c.key.owner)?.install))).await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn install_event(
    State(state): State<Arc<AppState>>,
    caller: Result<NomeCaller, Failure>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Answer {
    let (c, body) = nome_caller_of(caller, body).await?;
    let (owner_, id_) = (c.key.owner.clone(), id.clone());
    let body = body_if_found(&state, body, move |s| install_of(s, &id_, &owner_).map(|_| ())).await?;
    let v = checked_body(&state, &headers, body, connector::check_event).await?;
    let event = InstallEvent::from_value(&v).map_err(Failure::Report)?;
    let policy = state.config.connector_policy;
    let body = with_store(&state, move |store| {
        let mut rec = install_of(store, &id, &c.key.owner)?.clone();
        rec.install = connector::apply(&rec.install, &event, policy).map_err(|v| Failure::State(v.message))?;
        store.commit(vec![Change::Install(rec.clone())])?;
        Ok(install_body(&rec.install))
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

/// The core's sweep (K5) at `now` over the installs of `owner` (every user's when `None`); each
/// selected install gets a successful credential refresh (K3), committed in one transaction.
pub fn sweep_installs(
    store: &mut Store,
    owner: Option<&str>,
    now: i64,
    policy: connector::ConnectorPolicy,
) -> Result<SweepBody, crate::store::StoreError> {
    let mine: Vec<Install> =
        store.installs.values().filter(|i| owner.is_none_or(|o| i.owner == o)).map(|i| i.install.clone()).collect();
    let due = connector::sweep(&mine, now, policy);
    let mut changes = Vec::new();
    let mut installs = Vec::new();
    for id in &due {
        let Some(mut rec) = store.installs.get(id).cloned() else { continue };
        let refresh =
            InstallEvent::Refresh { ok: true, at: now.max(rec.install.updated_at.unwrap_or(now)), reason: None };
        if let Ok(next) = connector::apply(&rec.install, &refresh, policy) {
            rec.install = next;
            installs.push(install_body(&rec.install));
            changes.push(Change::Install(rec));
        }
    }
    store.commit(changes)?;
    Ok(SweepBody { swept: due, installs })
}

/// The sweep job of `connectorPolicy.sweepEvery`: every that many seconds, the sweep of every
/// user's installs (the endpoint runs it for one user on demand).
pub fn spawn_sweep_job(state: Arc<AppState>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let st = state.clone();
            let done = tokio::task::spawn_blocking(move || {
                let mut store = st.store.lock().map_err(|_| crate::store::StoreError("poisoned".into()))?;
                sweep_installs(&mut store, None, now_unix(), st.config.connector_policy)
            })
            .await;
            match done {
                Ok(Ok(b)) if !b.swept.is_empty() => state.log(&format!("sweep job refreshed {}", b.swept.join(", "))),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => state.log(&format!("sweep job failed: {}", e.0)),
                Err(e) => state.log(&format!("sweep job failed: {e}")),
            }
        }
    });
}

async fn sweep(State(state): State<Arc<AppState>>, c: NomeCaller) -> Answer {
    let policy = state.config.connector_policy;
    let body =
        with_store(&state, move |store| Ok(sweep_installs(store, Some(&c.key.owner), now_unix(), policy)?)).await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn webhook(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap, body: Body) -> Answer {
    let limit = usize::try_from(state.config.context.limits.max_document_bytes).unwrap_or(usize::MAX);
    let max = state.config.context.limits.max_document_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        Failure::Report(Report::new(vec![agentrules::json::document_too_large(max.saturating_add(1), max)]))
    })?;
    let id = id.to_ascii_lowercase();
    let Some(install) = state.config.installs.iter().find(|i| i.id == id).cloned() else {
        return Err(ApiError::NotFound(Resource::ConnectorInstall).into());
    };
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let now = now_unix();
    let outcome = if GOOGLE.contains(&install.connector.as_str()) {
        // W5: Google signs no body; the token and the channel token are the core's to verify.
        let expect = install.google.clone().unwrap_or_default();
        agentrules::webhook::google::verify_google_json(&pairs, install.jwks.as_ref(), &expect, now)
    } else {
        let provider = match WebhookProvider::from_name(&install.connector) {
            Ok(p) => p,
            Err(refusal) => {
                let body = WebhookRefusal {
                    error: refusal.message,
                    code: ApiErrorCode::Unauthorized,
                    reason: None,
                    header: None,
                };
                return json_answer(StatusCode::UNAUTHORIZED, &body);
            }
        };
        agentrules::webhook::verify(provider, &pairs, &bytes, install.secret.as_bytes(), now)
    };
    let health = match &outcome {
        Ok(()) => InstallEvent::Health { ok: true, at: now, reason: None },
        Err(r) => InstallEvent::Health { ok: false, at: now, reason: Some(r.reason.as_str().to_string()) },
    };
    let policy = state.config.connector_policy;
    with_store(&state, move |store| {
        if let Some(mut rec) = store.installs.get(&id).cloned() {
            if let Ok(next) = connector::apply(&rec.install, &health, policy) {
                rec.install = next;
                store.commit(vec![Change::Install(rec)])?;
            }
        }
        Ok(())
    })
    .await?;
    match outcome {
        Ok(()) => json_answer(StatusCode::ACCEPTED, &Data { data: WebhookVerification::from(Ok(())) }),
        Err(r) => {
            let body = WebhookRefusal {
                error: r.message,
                code: ApiErrorCode::Unauthorized,
                reason: Some(r.reason),
                header: r.header.map(str::to_owned),
            };
            json_answer(StatusCode::UNAUTHORIZED, &body)
        }
    }
}

/// The connector names verified by the core's Google Workspace rule (W5).
const GOOGLE: [&str; 2] = ["google_workspace", "google"];

/// The installs of the configuration, `pending` until their first delivery, for those the
/// store does not hold yet.
pub fn configured_installs(config: &crate::Config, store: &Store) -> Vec<Change> {
    config
        .installs
        .iter()
        .filter(|i| !store.installs.contains_key(&i.id))
        .map(|i| {
            Change::Install(InstallRec {
                install: Install {
                    id: i.id.clone(),
                    connector: i.connector.clone(),
                    status: InstallStatus::Pending,
                    consecutive_failures: 0,
                    updated_at: None,
                    failing_since: None,
                    last_error: None,
                },
                owner: i.owner.clone(),
            })
        })
        .collect()
}
