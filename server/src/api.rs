//! The HTTP endpoints: each reads the request, asks the core, and writes the answer.

use std::collections::HashMap;
use std::sync::Arc;

use agentrules::endpoints::{endpoint, RateClass};
use agentrules::errors::{ApiError, BadRequestBody, ErrorEnvelope, Resource};
use agentrules::launch::{LaunchRequest, SlotValue};
use agentrules::lifecycle::{apply, Action, ActionOutcome, Via};
use agentrules::listing::{check_conversation_query, linearize, Include, WorkflowFilter};
use agentrules::response::{Agent, ArtifactRef, Conversation, MessageType, Timestamp};
use agentrules::{json as core_json, Kind, ListQuery, Report};
use axum::body::Body;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::Value;

use crate::config::ApiKey;
use crate::pipeline::{self, message, message_after, set_status, EDIT, FAIL};
use crate::store::{AgentRec, Change, FileRec, Store, StoreError};
use crate::{now_rfc3339, AppState};

/// An answer that is an error: the status, the envelope (with violations for a 400 of a report).
pub enum Failure {
    /// One of the core's API errors.
    Api(ApiError),
    /// A report's violations (400).
    Report(Report),
    /// A lifecycle action refused in the current status (409).
    State(String),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

impl From<StoreError> for Failure {
    fn from(_: StoreError) -> Self {
        Failure::Api(ApiError::Internal)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Api(e) => {
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut resp = (status, axum::Json(e.envelope())).into_response();
                if let ApiError::RateLimited { retry_after_secs, .. } = e {
                    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                        resp.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                }
                resp
            }
            Failure::Report(report) => match BadRequestBody::from_report(report) {
                Some(body) => (StatusCode::BAD_REQUEST, axum::Json(body)).into_response(),
                None => Failure::Api(ApiError::Internal).into_response(),
            },
            Failure::State(message) => {
                let env = ErrorEnvelope::invalid_state(message);
                let status =
                    env.code.status().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::CONFLICT);
                (status, axum::Json(env)).into_response()
            }
        }
    }
}

pub(crate) type Answer = Result<Response, Failure>;

/// `{ "data": … }`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "Data_{T}")]
pub struct Data<T> {
    /// The payload.
    pub data: T,
}

/// A page of agents or workflows: `{ data, nextCursor }`.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "Page_{T}")]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// The next page's cursor, `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An artifact's content, with the agent that made it (`null` once that agent is deleted).
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactBody {
    /// The artifact, as the core's response type.
    #[serde(flatten)]
    pub artifact: agentrules::response::Artifact,
    /// The agent that produced it; `null` after that agent was deleted.
    pub creating_session_id: Option<String>,
}

/// A workflow, as `GET /api/v0/workflows` lists it.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowBody {
    /// Workflow id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `prompt` (launch with `prompt.text`) or `slots` (launch with `workflowInputs`).
    pub kind: &'static str,
    /// The file-input slots, by name.
    pub slots: Vec<SlotBody>,
}

/// A workflow's file-input slot.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SlotBody {
    /// The key in `workflowInputs`.
    pub name: String,
    /// `true`: an array of file ids; `false`: one file id.
    pub multiple: bool,
    /// `false`: `null` leaves it unset.
    pub required: bool,
}

pub(crate) fn json_answer<T: Serialize>(status: StatusCode, body: &T) -> Answer {
    Ok((status, axum::Json(serde_json::to_value(body).map_err(|_| ApiError::Internal)?)).into_response())
}

/// The router of every endpoint.
pub fn router(state: Arc<AppState>) -> Router {
    let upload_limit = usize::try_from(state.config.upload_max_bytes.saturating_add(1024 * 1024)).unwrap_or(usize::MAX);
    Router::new()
        .route("/api/v0/agents", get(list_agents).post(launch))
        .route("/api/v0/agents/{id}", get(get_agent).delete(delete_agent))
        .route("/api/v0/agents/{id}/conversation", get(conversation))
        .route("/api/v0/agents/{id}/artifacts/{artifact}", get(agent_artifact))
        .route("/api/v0/agents/{id}/followup", post(follow_up))
        .route("/api/v0/agents/{id}/stop", post(stop))
        .route("/api/v0/artifacts/{artifact}", get(artifact))
        .route("/api/v0/workflows", get(workflows))
        .route("/api/v0/files/upload", post(upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .route("/openapi.json", get(openapi))
        .merge(crate::nome::routes())
        .fallback(no_endpoint)
        .method_not_allowed_fallback(no_endpoint)
        .with_state(state)
}

async fn no_endpoint() -> Response {
    Failure::Api(ApiError::NoEndpoint).into_response()
}

async fn openapi() -> Response {
    axum::Json(crate::openapi::document()).into_response()
}

/// Authenticates the request (E3), checks the scope and counts it against the key's rate class
/// (E4). The core's endpoint table gives the class and scope of its endpoints; the server's own
/// endpoints are Standard, the upload Heavy.
pub(crate) fn guard(state: &AppState, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<ApiKey, ApiError> {
    let (class, scope) = match endpoint(method.as_str(), uri.path()) {
        Some(e) => (e.rate_class, e.scope),
        None if uri.path() == "/api/v0/files/upload" => (RateClass::Heavy, agentrules::auth::AGENT_SCOPE),
        None => (RateClass::Standard, agentrules::auth::AGENT_SCOPE),
    };
    let mut doc = serde_json::Map::new();
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        doc.insert("Authorization".into(), Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()));
    }
    let violations = agentrules::auth::check_headers(&Value::Object(doc.clone()), agentrules::auth::Api::Agent);
    if !violations.is_empty() {
        return Err(ApiError::BadCredentials(violations));
    }
    let value = doc.get("Authorization").and_then(Value::as_str).unwrap_or_default();
    // E3 passed: `Bearer <token>`, one token.
    let token = value.split_whitespace().nth(1).unwrap_or_default();
    let key = state.config.key(token).ok_or(ApiError::UnknownKey)?;
    if !key.scopes.iter().any(|s| s == scope) {
        return Err(ApiError::MissingScope(scope));
    }
    count(state, key, class)?;
    Ok(key.clone())
}

/// Counts a request of `key` against its rate class (E4, the core's limiter), or the 429.
pub(crate) fn count(state: &AppState, key: &ApiKey, class: RateClass) -> Result<(), ApiError> {
    if state.config.rate_limits {
        let now = u64::try_from(state.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut limiters = state.limiters.lock().map_err(|_| ApiError::Internal)?;
        let limiter = limiters.entry(key.key.clone()).or_default();
        if let Err(wait_ms) = limiter.try_acquire(class, now) {
            return Err(ApiError::RateLimited { class, retry_after_secs: wait_ms.div_ceil(1000).max(1) });
        }
    }
    Ok(())
}

/// The authenticated caller of an endpoint, its request counted against its rate class, as an
/// extractor (a rejection is the 401, 403 or 429 answer).
pub struct Caller(pub ApiKey);

impl axum::extract::FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Failure> {
        Ok(Caller(guard(state, &parts.method, &parts.uri, &parts.headers)?))
    }
}

/// Runs `f` on the store off the async threads (a database commit waits for the disk).
pub(crate) async fn with_store<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&mut Store) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = st.store.lock().map_err(|_| Failure::Api(ApiError::Internal))?;
        f(&mut store)
    })
    .await
    .map_err(|_| Failure::Api(ApiError::Internal))?
}

/// The agent `id` of `owner`: 404 when there is none, 403 when it is another user's.
fn owned<'a>(store: &'a Store, id: &str, owner: &str) -> Result<&'a AgentRec, ApiError> {
    let a = store.agents.get(&id.to_ascii_lowercase()).ok_or(ApiError::NotFound(Resource::Agent))?;
    if a.owner != owner {
        return Err(ApiError::NotOwner(Resource::Agent));
    }
    Ok(a)
}

/// The core's response type of an agent.
fn agent_body(store: &Store, a: &AgentRec) -> Result<Agent, Failure> {
    let ts = |s: &str| Timestamp::parse(s).ok_or(Failure::Api(ApiError::Internal));
    let mut artifacts = Vec::with_capacity(a.artifact_ids.len());
    for id in &a.artifact_ids {
        if let Some(r) = store.artifacts.get(id) {
            artifacts.push(ArtifactRef {
                id: r.id.clone(),
                name: r.name.clone(),
                kind: r.kind.clone(),
                created_at: ts(&r.created_at)?,
            });
        }
    }
    Ok(Agent {
        id: a.id.clone(),
        status: a.status.clone(),
        workflow_id: a.workflow_id.clone(),
        project_id: a.project_id.clone(),
        parent_session_id: a.parent_session_id.clone(),
        active_file_ids: a.active_file_ids.clone(),
        artifacts,
        created_at: ts(&a.created_at)?,
        updated_at: ts(&a.updated_at)?,
    })
}

/// Reads a JSON body for the core: at most the context's `maxDocumentBytes`, then parsed by the
/// core (which reports `invalid_json`, `duplicate_field`, `document_too_large`).
pub(crate) async fn read_json(body: Body, max: u64, headers: &HeaderMap) -> Result<Value, Failure> {
    let limit = usize::try_from(max.saturating_add(1)).unwrap_or(usize::MAX);
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => core_json::parse_limited(&bytes, max).map_err(|v| Failure::Report(Report::new(vec![v]))),
        Err(_) => {
            let len = headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(max.saturating_add(1));
            Err(Failure::Report(Report::new(vec![core_json::document_too_large(len, max)])))
        }
    }
}

/// The caller of a request with a body, or its refusal once a small body is read: a client's
/// keep-alive connection survives a 401 or a 429 (hyper closes a connection whose request body
/// was left unread).
pub(crate) async fn caller_of(caller: Result<Caller, Failure>, body: Body) -> Result<(ApiKey, Body), Failure> {
    match caller {
        Ok(Caller(key)) => Ok((key, body)),
        Err(refused) => Err(drained(refused, body).await),
    }
}

/// The request `body`, once `exists` finds the resource the request is about (the caller's);
/// otherwise its refusal, once a small body is read (as [`caller_of`]), before the body's rules.
pub(crate) async fn body_if_found(
    state: &Arc<AppState>,
    body: Body,
    exists: impl FnOnce(&Store) -> Result<(), ApiError> + Send + 'static,
) -> Result<Body, Failure> {
    match with_store(state, move |s| exists(s).map_err(Failure::from)).await {
        Ok(()) => Ok(body),
        Err(refused) => Err(drained(refused, body).await),
    }
}

/// `refused`, once a small request body is read.
pub(crate) async fn drained(refused: Failure, body: Body) -> Failure {
    let _ = axum::body::to_bytes(body, DRAINED_BODY_BYTES).await;
    refused
}

/// The largest body read before a refusal is answered (larger ones cost their connection).
const DRAINED_BODY_BYTES: usize = 64 * 1024;

async fn launch(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, Failure>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (key, body) = caller_of(caller, body).await?;
    let v = read_json(body, state.config.context.limits.max_document_bytes, &headers).await?;
    let named = v.get("workflowId").and_then(Value::as_str);
    let workflow = named.and_then(|id| state.config.workflow(id)).cloned();
    let ctx = state.config.context_for(workflow.as_ref());
    let report = agentrules::check_value(Kind::Launch, &v, &ctx);
    if !report.ok {
        return Err(Failure::Report(report));
    }
    if named.is_some() && workflow.is_none() {
        return Err(ApiError::NotFound(Resource::Workflow).into());
    }
    let req: LaunchRequest = serde_json::from_value(v).map_err(|_| ApiError::Internal)?;
    let prompt = req.prompt.as_ref().and_then(|p| p.text.clone()).unwrap_or_default();
    let mut files: Vec<String> = req.file_ids.clone().unwrap_or_default();
    if let (Some(w), Some(inputs)) = (&workflow, &req.workflow_inputs) {
        for slot in &w.slots {
            match inputs.get(&slot.name) {
                Some(SlotValue::One(f)) => files.push(f.clone()),
                Some(SlotValue::Many(fs)) => files.extend(fs.iter().cloned()),
                Some(SlotValue::Unset) | None => {}
            }
        }
    }
    if let Some(w) = &workflow {
        files.extend(w.file_ids.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    files = files.into_iter().map(|f| f.to_ascii_lowercase()).filter(|f| seen.insert(f.clone())).collect();
    let fail = prompt.contains(FAIL) || workflow.as_ref().is_some_and(|w| w.outcome == crate::config::Outcome::Failed);
    let owner = key.owner.clone();
    let (agent, id) = with_store(&state, move |store| {
        let id = store.new_id();
        let mut rec = AgentRec::new(id.clone(), store.next, owner, prompt.clone(), files);
        rec.workflow_id = workflow.as_ref().map(|w| w.id.clone());
        rec.project_id = req.project_id.as_ref().map(|p| p.to_ascii_lowercase());
        rec.fail = fail;
        let text = if prompt.is_empty() {
            format!("Run the workflow {}", workflow.as_ref().map_or("", |w| w.name.as_str()))
        } else {
            prompt
        };
        let first = message_after(store, None, MessageType::User, Some(text))?;
        store.commit(vec![Change::Agent(rec), Change::Message(id.clone(), first)])?;
        let rec = store.agents.get(&id).ok_or(ApiError::Internal)?;
        Ok((agent_body(store, rec)?, id))
    })
    .await?;
    pipeline::spawn(state.clone(), id, 0);
    json_answer(StatusCode::CREATED, &Data { data: agent })
}

async fn list_agents(State(state): State<Arc<AppState>>, Caller(key): Caller, RawQuery(query): RawQuery) -> Answer {
    let q = ListQuery::from_query_string(query.as_deref().unwrap_or_default(), &state.config.context)
        .map_err(Failure::Report)?;
    let before = match &q.cursor {
        None => None,
        Some(c) => Some(decode_cursor(c).ok_or(ApiError::InvalidCursor)?),
    };
    let owner = key.owner;
    let page = with_store(&state, move |store| {
        let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut next_cursor = None;
        let range = match before {
            Some(b) => store.order.range(..b),
            None => store.order.range(..),
        };
        for (seq, id) in range.rev() {
            let Some(a) = store.agents.get(id) else { continue };
            let wanted = a.owner == owner
                && a.parent_session_id.is_none()
                && q.status.as_ref().is_none_or(|s| *s == a.status)
                && match &q.workflow_id {
                    None => true,
                    Some(WorkflowFilter::NoWorkflow) => a.workflow_id.is_none(),
                    Some(WorkflowFilter::Id(w)) => a.workflow_id.as_deref() == Some(w.as_str()),
                };
            if !wanted {
                continue;
            }
            if items.len() == limit {
                next_cursor = items.last().map(|(s, _)| encode_cursor(*s));
                break;
            }
            items.push((*seq, agent_body(store, a)?));
        }
        Ok(Page { data: items.into_iter().map(|(_, a)| a).collect(), next_cursor })
    })
    .await?;
    json_answer(StatusCode::OK, &page)
}

/// A cursor: the creation number of the last agent of the page, in base64url (opaque to clients).
fn encode_cursor(seq: u64) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("after:{seq}"))
}

fn decode_cursor(c: &str) -> Option<u64> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("after:")?.parse().ok()
}

async fn get_agent(State(state): State<Arc<AppState>>, Caller(key): Caller, Path(id): Path<String>) -> Answer {
    let agent = with_store(&state, move |store| agent_body(store, owned(store, &id, &key.owner)?)).await?;
    json_answer(StatusCode::OK, &Data { data: agent })
}

async fn conversation(
    State(state): State<Arc<AppState>>,
    Caller(key): Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let mut params = serde_json::Map::new();
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes()) {
        params.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    let violations = check_conversation_query(&Value::Object(params.clone()));
    if !violations.is_empty() {
        return Err(Failure::Report(Report::new(violations)));
    }
    let include = Include::parse(params.get("include").and_then(Value::as_str).unwrap_or_default())
        .map_err(|v| Failure::Report(Report::new(v)))?;
    let body = with_store(&state, move |store| {
        let a = owned(store, &id, &key.owner)?;
        let all = store.messages.get(&a.id).cloned().unwrap_or_default();
        let chain = linearize(&all).map_err(|_| ApiError::Internal)?;
        let messages = chain
            .into_iter()
            .filter(|m| include.shows(&m.kind))
            .map(|m| {
                let mut m = m.clone();
                m.parent_id = None;
                m
            })
            .collect();
        Ok(Conversation { id: a.id.clone(), messages })
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

fn artifact_body(
    store: &Store,
    artifact: &str,
    owner: &str,
    agent: Option<&AgentRec>,
) -> Result<ArtifactBody, Failure> {
    let id = artifact.to_ascii_lowercase();
    let r = store.artifacts.get(&id).ok_or(ApiError::NotFound(Resource::Artifact))?;
    if let Some(a) = agent {
        if !a.artifact_ids.contains(&id) {
            return Err(ApiError::NotFound(Resource::Artifact).into());
        }
    } else if r.owner != owner {
        return Err(ApiError::NotOwner(Resource::Artifact).into());
    }
    Ok(ArtifactBody {
        artifact: agentrules::response::Artifact {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            version: r.version,
            content: r.content.clone(),
            created_at: Timestamp::parse(&r.created_at).ok_or(ApiError::Internal)?,
        },
        creating_session_id: r.creating_session_id.clone(),
    })
}

async fn agent_artifact(
    State(state): State<Arc<AppState>>,
    Caller(key): Caller,
    Path((id, artifact)): Path<(String, String)>,
) -> Answer {
    let body = with_store(&state, move |store| {
        let a = owned(store, &id, &key.owner)?;
        artifact_body(store, &artifact, &key.owner, Some(a))
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn artifact(State(state): State<Arc<AppState>>, Caller(key): Caller, Path(artifact): Path<String>) -> Answer {
    let body = with_store(&state, move |store| artifact_body(store, &artifact, &key.owner, None)).await?;
    json_answer(StatusCode::OK, &Data { data: body })
}

async fn follow_up(
    State(state): State<Arc<AppState>>,
    caller: Result<Caller, Failure>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Answer {
    let (key, body) = caller_of(caller, body).await?;
    let (owner, agent) = (key.owner.clone(), id.clone());
    let body = body_if_found(&state, body, move |store| owned(store, &agent, &owner).map(|_| ())).await?;
    let v = read_json(body, state.config.context.limits.max_document_bytes, &headers).await?;
    let report = agentrules::check_value(Kind::FollowUp, &v, &state.config.context);
    if !report.ok {
        return Err(Failure::Report(report));
    }
    let req: agentrules::FollowUpRequest = serde_json::from_value(v).map_err(|_| ApiError::Internal)?;
    let text = req.prompt.text;
    let (agent, id, turn) = with_store(&state, move |store| {
        let mut a = owned(store, &id, &key.owner)?.clone();
        match apply(&a.status, Action::FollowUp) {
            Err(refused) => return Err(Failure::State(refused.message)),
            Ok(ActionOutcome::Transition { status }) => set_status(&mut a, status, Via::FollowUp)?,
            Ok(_) => return Err(ApiError::Internal.into()),
        }
        let edit = text.contains(EDIT);
        let parent = if edit {
            // The previous turn's user message is replaced: the new one hangs where it hung.
            let ms = store.messages.get(&a.id);
            ms.and_then(|ms| ms.iter().rev().find(|m| m.kind == MessageType::User)).and_then(|m| m.parent_id.clone())
        } else {
            store.messages.get(&a.id).and_then(|m| m.last()).map(|m| m.id.clone())
        };
        let first = if edit && parent.is_none() {
            message_after(store, None, MessageType::User, Some(text.clone()))?
        } else if edit {
            message_after(store, parent, MessageType::User, Some(text.clone()))?
        } else {
            message(store, &a.id, MessageType::User, Some(text.clone()))?
        };
        a.turn = a.turn.saturating_add(1);
        a.step = 0;
        a.stop_requested = false;
        a.fail = text.contains(FAIL);
        a.prompt = text;
        let aid = a.id.clone();
        let turn = a.turn;
        store.commit(vec![Change::Message(aid.clone(), first), Change::Agent(a)])?;
        let rec = store.agents.get(&aid).ok_or(ApiError::Internal)?;
        Ok((agent_body(store, rec)?, aid, turn))
    })
    .await?;
    pipeline::spawn(state.clone(), id, turn);
    json_answer(StatusCode::ACCEPTED, &Data { data: agent })
}

async fn stop(State(state): State<Arc<AppState>>, Caller(key): Caller, Path(id): Path<String>) -> Answer {
    let agent = with_store(&state, move |store| {
        let mut a = owned(store, &id, &key.owner)?.clone();
        match apply(&a.status, Action::Stop) {
            Ok(ActionOutcome::Transition { status }) => {
                set_status(&mut a, status, Via::Pipeline)?;
                store.commit(vec![Change::Agent(a.clone())])?;
            }
            Ok(ActionOutcome::Requested { .. }) => {
                if !a.stop_requested {
                    a.stop_requested = true;
                    store.commit(vec![Change::Agent(a.clone())])?;
                }
            }
            Ok(ActionOutcome::NoOp { .. }) => {}
            Ok(ActionOutcome::Deleted { .. }) => return Err(ApiError::Internal.into()),
            Err(refused) => return Err(Failure::State(refused.message)),
        }
        agent_body(store, &a)
    })
    .await?;
    json_answer(StatusCode::OK, &Data { data: agent })
}

async fn delete_agent(State(state): State<Arc<AppState>>, Caller(key): Caller, Path(id): Path<String>) -> Answer {
    with_store(&state, move |store| {
        let a = owned(store, &id, &key.owner)?.clone();
        // S5: allowed in every status; a working agent's pipeline finds it gone at its next step
        // (the store's lock is the pipeline's: it is released when this commit is done).
        let Ok(ActionOutcome::Deleted { .. }) = apply(&a.status, Action::Delete) else {
            return Err(ApiError::Internal.into());
        };
        // Its sub-agents go with it (they are part of its session); artifacts stay, unowned.
        let mut doomed = vec![a.id.clone()];
        doomed.extend(
            store
                .agents
                .values()
                .filter(|c| c.parent_session_id.as_deref() == Some(a.id.as_str()))
                .map(|c| c.id.clone()),
        );
        let mut changes = Vec::new();
        let mut by_artifact: HashMap<String, ()> = HashMap::new();
        for d in &doomed {
            if let Some(rec) = store.agents.get(d) {
                for art in &rec.artifact_ids {
                    if let Some(r) = store.artifacts.get(art) {
                        if by_artifact.insert(art.clone(), ()).is_none() {
                            let mut r = r.clone();
                            r.creating_session_id = None;
                            changes.push(Change::Artifact(r));
                        }
                    }
                }
            }
            changes.push(Change::DeleteAgent(d.clone()));
        }
        store.commit(changes)?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn workflows(State(state): State<Arc<AppState>>, _caller: Caller) -> Answer {
    let data = state
        .config
        .workflows
        .iter()
        .map(|w| WorkflowBody {
            id: w.id.clone(),
            name: w.name.clone(),
            kind: if w.slots.is_empty() { "prompt" } else { "slots" },
            slots: w
                .slots
                .iter()
                .map(|s| SlotBody { name: s.name.clone(), multiple: s.multiple, required: s.required })
                .collect(),
        })
        .collect();
    json_answer(StatusCode::OK, &Page { data, next_cursor: None })
}

async fn upload(
    State(state): State<Arc<AppState>>,
    Caller(key): Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Answer {
    let mut multipart = multipart.map_err(|_| ApiError::UploadMissingFile)?;
    let max = state.config.upload_max_bytes;
    let mut found = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError::UploadTooLarge(max).into()),
            Err(_) => return Err(ApiError::UploadMissingFile.into()),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_string();
        let media_type = field.content_type().unwrap_or("application/octet-stream").to_string();
        let mut field = field;
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    bytes.extend_from_slice(&chunk);
                    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max {
                        return Err(ApiError::UploadTooLarge(max).into());
                    }
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError::UploadTooLarge(max).into())
                }
                Err(_) => return Err(ApiError::UploadMissingFile.into()),
            }
        }
        found = Some((name, media_type, bytes));
        break;
    }
    let (name, media_type, bytes) = found.ok_or(ApiError::UploadMissingFile)?;
    let owner = key.owner;
    let rec = with_store(&state, move |store| {
        let rec = FileRec {
            id: store.new_id(),
            name,
            media_type,
            size_bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            created_at: now_rfc3339(),
            owner,
        };
        store.commit(vec![Change::File(rec.clone(), bytes)])?;
        Ok(rec)
    })
    .await?;
    json_answer(StatusCode::CREATED, &rec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_refuse_others() {
        assert_eq!(super::decode_cursor(&super::encode_cursor(42)), Some(42));
        assert_eq!(super::decode_cursor("nope"), None);
    }
}
