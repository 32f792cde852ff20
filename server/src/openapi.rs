//! The OpenAPI 3.1 document of the server. Request and response schemas come from the core's
//! schemars types (the launch and follow-up bodies exactly as `agentrules schema` prints them,
//! the response types of `agentrules::response`, the error envelope and the violations); the
//! paths, parameters and the decisions the seed leaves open are written here.

use agentrules::errors::{BadRequestBody, ErrorEnvelope};
use agentrules::launch::{follow_up_schema, launch_schema};
use agentrules::lifecycle::AgentStatus;
use agentrules::response::{Agent, Conversation};
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::api::{ArtifactBody, Data, Page, WorkflowBody};
use crate::pipeline::{EDIT, FAIL, HOLD, QUEUE};
use crate::store::FileRec;

const COMPONENTS: &str = "#/components/schemas/";

/// Moves a root schema's `$defs` into `defs` and points its references at the components.
fn hoist(mut schema: Value, defs: &mut Map<String, Value>) -> Value {
    if let Value::Object(obj) = &mut schema {
        obj.remove("$schema");
        if let Some(Value::Object(d)) = obj.remove("$defs") {
            for (k, v) in d {
                defs.insert(k, v);
            }
        }
    }
    retarget(&mut schema);
    for v in defs.values_mut() {
        retarget(v);
    }
    schema
}

fn retarget(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj.iter_mut() {
                match child {
                    Value::String(s) if k == "$ref" => {
                        if let Some(name) = s.strip_prefix("#/$defs/") {
                            *s = format!("{COMPONENTS}{name}");
                        }
                    }
                    _ => retarget(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(retarget),
        _ => {}
    }
}

struct Schemas {
    generator: schemars::SchemaGenerator,
    extra: Map<String, Value>,
}

impl Schemas {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas/".into());
        Schemas { generator: settings.into_generator(), extra: Map::new() }
    }

    /// A `$ref` to `T`'s component (made on first use).
    fn of<T: JsonSchema>(&mut self) -> Value {
        let s = self.generator.subschema_for::<T>();
        let v = s.to_value();
        if v.get("$ref").is_some() {
            return v;
        }
        // An inlined schema gets a component of its own, so every response refers to one.
        let name = T::schema_name().to_string();
        self.extra.insert(name.clone(), v);
        json!({ "$ref": format!("{COMPONENTS}{name}") })
    }
}

/// `responses` with OpenAPI links on the answer of `status` (so a client, or Schemathesis's
/// stateful phase, knows where the new agent's id goes).
fn with_links(mut responses: Value, status: &str, links: &Map<String, Value>) -> Value {
    if let Some(Value::Object(r)) = responses.get_mut(status) {
        r.insert("links".into(), Value::Object(links.clone()));
    }
    responses
}

/// The document.
pub fn document() -> Value {
    let mut s = Schemas::new();
    let mut extra = Map::new();
    let agent = s.of::<Data<Agent>>();
    let page = s.of::<Page<Agent>>();
    let conversation = s.of::<Data<Conversation>>();
    let artifact = s.of::<Data<ArtifactBody>>();
    let workflows = s.of::<Page<WorkflowBody>>();
    let file = s.of::<FileRec>();
    let envelope = s.of::<ErrorEnvelope>();
    let bad_request = s.of::<BadRequestBody>();
    let nome = NomeRefs::new(&mut s);
    let mut schemas = Map::new();
    for (k, v) in s.generator.take_definitions(true) {
        schemas.insert(k, v);
    }
    schemas.extend(std::mem::take(&mut s.extra));
    let launch = hoist(launch_schema(), &mut extra);
    let follow_up = hoist(follow_up_schema(), &mut extra);
    for (k, v) in extra {
        schemas.entry(k).or_insert(v);
    }
    schemas.insert("LaunchRequest".into(), launch);
    schemas.insert("FollowUpRequest".into(), follow_up);
    let r = |name: &str| json!({ "$ref": format!("{COMPONENTS}{name}") });
    let launch_ref = r("LaunchRequest");
    let follow_up_ref = r("FollowUpRequest");

    let err = |description: &str, schema: &Value| json!({ "description": description, "content": { "application/json": { "schema": schema } } });
    let errors = |codes: &[u16]| -> Map<String, Value> {
        let mut m = Map::new();
        for c in codes {
            let (key, v) = match c {
                400 => ("400", err("bad_request: the body or the query breaks the rules; `violations` lists each problem (an extension of the envelope); a forged cursor or a malformed upload has the plain envelope", &json!({ "anyOf": [bad_request, envelope] }))),
                401 => ("401", err("unauthorized: missing, malformed or unknown API key", &envelope)),
                403 => ("403", err("forbidden: the key lacks the developer:agent scope, or the resource is another user's", &envelope)),
                404 => ("404", err("not_found: no such agent, artifact or workflow (an id of any shape that is no resource's)", &envelope)),
                409 => ("409", err("invalid_state: the action is not allowed in the agent's current status", &envelope)),
                429 => {
                    let mut v = err("rate_limited: the key's requests of this rate class are used up; retry after Retry-After seconds", &envelope);
                    if let Value::Object(o) = &mut v {
                        o.insert("headers".into(), json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer", "minimum": 1 } } }));
                    }
                    ("429", v)
                }
                _ => ("500", err("internal_server_error", &envelope)),
            };
            m.insert(key.into(), v);
        }
        m
    };
    let ok = |status: &str, description: &str, schema: &Value, codes: &[u16]| {
        let mut m = errors(codes);
        m.insert(
            status.into(),
            json!({ "description": description, "content": { "application/json": { "schema": schema } } }),
        );
        Value::Object(m)
    };
    let id_param = json!({ "name": "id", "in": "path", "required": true, "description": "Agent ID", "schema": { "type": "string" } });
    let art_param = json!({ "name": "artifactId", "in": "path", "required": true, "description": "Artifact ID (from the agent's artifacts array)", "schema": { "type": "string" } });
    let statuses: Vec<&str> = AgentStatus::KNOWN.iter().map(AgentStatus::as_str).collect();
    let max_limit = agentrules::Limits::DEFAULT.max_list_limit;
    let standard = "Rate limit: Standard (300 req / min per key).";
    let heavy = "Rate limit: Heavy (30 req / min per key).";
    let std_codes: &[u16] = &[401, 403, 404, 429, 500];
    let directives = format!(
        "The simulated pipeline reads directives in prompt.text: `{FAIL}` ends the run failed, `{HOLD}` keeps it running until stopped, `{QUEUE}` keeps it waiting until stopped, and (follow-up only) `{EDIT}` replaces the previous turn (the conversation branches)."
    );
    let by_id = |op: &str| json!({ "operationId": op, "parameters": { "id": "$response.body#/data/id" } });
    let mut agent_links = Map::new();
    for (name, op) in [
        ("GetAgent", "getAgent"),
        ("GetConversation", "getConversation"),
        ("FollowUp", "followUp"),
        ("StopAgent", "stopAgent"),
        ("DeleteAgent", "deleteAgent"),
    ] {
        agent_links.insert(name.into(), by_id(op));
    }
    let mut artifact_links = Map::new();
    artifact_links.insert(
        "GetAgentArtifact".into(),
        json!({ "operationId": "getAgentArtifact", "parameters": { "id": "$response.body#/data/id", "artifactId": "$response.body#/data/artifacts/0/id" } }),
    );
    artifact_links.insert(
        "GetArtifact".into(),
        json!({ "operationId": "getArtifact", "parameters": { "artifactId": "$response.body#/data/artifacts/0/id" } }),
    );
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Agent API and NOME API (agentrules serve)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Agent API (/api/v0) and the NOME API (/nome/v1) served locally by `agentrules serve`: every check, transition, error envelope and rate class from the agentrules core. See the crate documentation of agentrules-server (modules nome and runs for the NOME part) for the decisions where the API documents are silent."
        },
        "servers": [ { "url": "/" } ],
        "security": [ { "bearer": [] } ],
        "paths": {
            "/api/v0/agents": {
                "get": {
                    "operationId": "listAgents",
                    "summary": "List agents",
                    "description": format!("Top-level background agents of the key's owner, newest first. {standard}"),
                    "x-rate-class": "standard",
                    "parameters": [
                        { "name": "limit", "in": "query", "description": "Number of agents to return", "schema": { "type": "integer", "minimum": 1, "maximum": max_limit, "default": 20 } },
                        { "name": "cursor", "in": "query", "description": "Pagination cursor from a previous response (opaque; a cursor this server did not make is 400)", "schema": { "type": "string", "minLength": 1 } },
                        { "name": "status", "in": "query", "description": "Filter by status", "schema": { "type": "string", "enum": statuses } },
                        { "name": "workflowId", "in": "query", "description": "Filter by workflow ID; `null` excludes agents launched from a workflow", "schema": { "anyOf": [ { "type": "string", "format": "uuid" }, { "const": "null" } ] } }
                    ],
                    "responses": ok("200", "A page of agents", &page, &[400, 401, 403, 429, 500])
                },
                "post": {
                    "operationId": "launchAgent",
                    "summary": "Launch agent",
                    "description": format!("Start a background agent; the body is checked by the core (L1–L11, I1–I6, C1–C4) under the server's context and the named workflow's definition. {directives} {heavy}"),
                    "x-rate-class": "heavy",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": launch_ref } } },
                    "responses": with_links(ok("201", "The new agent, waiting", &agent, &[400, 401, 403, 404, 429, 500]), "201", &agent_links)
                }
            },
            "/api/v0/agents/{id}": {
                "parameters": [ id_param.clone() ],
                "get": {
                    "operationId": "getAgent",
                    "summary": "Get agent",
                    "description": standard,
                    "x-rate-class": "standard",
                    "responses": with_links(ok("200", "The agent", &agent, std_codes), "200", &artifact_links)
                },
                "delete": {
                    "operationId": "deleteAgent",
                    "summary": "Delete agent",
                    "description": format!("Deletes the agent, its messages and its sub-agents; its artifacts stay readable at /api/v0/artifacts/{{artifactId}} with creatingSessionId null. {standard}"),
                    "x-rate-class": "standard",
                    "responses": {
                        "204": { "description": "Deleted" },
                        "401": errors(&[401]).remove("401"),
                        "403": errors(&[403]).remove("403"),
                        "404": errors(&[404]).remove("404"),
                        "429": errors(&[429]).remove("429"),
                        "500": errors(&[500]).remove("500")
                    }
                }
            },
            "/api/v0/agents/{id}/conversation": {
                "parameters": [ id_param.clone() ],
                "get": {
                    "operationId": "getConversation",
                    "summary": "Get agent conversation",
                    "description": format!("The active branch only. {standard}"),
                    "x-rate-class": "standard",
                    "parameters": [ { "name": "include", "in": "query", "description": "Comma-separated optional detail; only `steps`", "schema": { "type": "string", "enum": ["steps", ""] } } ],
                    "responses": ok("200", "The conversation", &conversation, &[400, 401, 403, 404, 429, 500])
                }
            },
            "/api/v0/agents/{id}/artifacts/{artifactId}": {
                "parameters": [ id_param.clone(), art_param.clone() ],
                "get": {
                    "operationId": "getAgentArtifact",
                    "summary": "Get artifact content",
                    "description": standard,
                    "x-rate-class": "standard",
                    "responses": ok("200", "The artifact's latest version", &artifact, std_codes)
                }
            },
            "/api/v0/artifacts/{artifactId}": {
                "parameters": [ art_param ],
                "get": {
                    "operationId": "getArtifact",
                    "summary": "Get artifact content by its own id",
                    "description": format!("The artifact's own endpoint: readable after its agent is deleted (creatingSessionId null). {standard}"),
                    "x-rate-class": "standard",
                    "responses": ok("200", "The artifact's latest version", &artifact, std_codes)
                }
            },
            "/api/v0/agents/{id}/followup": {
                "parameters": [ id_param.clone() ],
                "post": {
                    "operationId": "followUp",
                    "summary": "Add follow-up",
                    "description": format!("Accepted only for a finished, stopped or failed agent, which moves to running before the answer. {directives} {heavy}"),
                    "x-rate-class": "heavy",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": follow_up_ref } } },
                    "responses": ok("202", "The agent", &agent, &[400, 401, 403, 404, 409, 429, 500])
                }
            },
            "/api/v0/agents/{id}/stop": {
                "parameters": [ id_param ],
                "post": {
                    "operationId": "stopAgent",
                    "summary": "Stop agent",
                    "description": format!("Idempotent: waiting stops at once, running or awaiting_tool at the pipeline's next step, a terminal agent is returned unchanged. {standard}"),
                    "x-rate-class": "standard",
                    "responses": ok("200", "The agent", &agent, std_codes)
                }
            },
            "/api/v0/workflows": {
                "get": {
                    "operationId": "listWorkflows",
                    "summary": "List workflows",
                    "description": format!("The configured workflows; one page. {standard}"),
                    "x-rate-class": "standard",
                    "responses": ok("200", "The workflows", &workflows, &[401, 403, 429, 500])
                }
            },
            "/api/v0/files/upload": {
                "post": {
                    "operationId": "uploadFile",
                    "summary": "Upload a file",
                    "description": format!("multipart/form-data with a `file` part (at most 32 MiB by default); answers the file itself, not wrapped in data. {heavy}"),
                    "x-rate-class": "heavy",
                    "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "type": "object", "required": ["file"], "properties": { "file": { "description": "The file: any bytes, with a file name and a content type", "contentMediaType": "application/octet-stream" } } } } } },
                    "responses": ok("201", "The uploaded file", &file, &[400, 401, 403, 429, 500])
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": { "200": { "description": "The OpenAPI document", "content": { "application/json": { "schema": { "type": "object" } } } } }
                }
            }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "npk_… (an Agent API key with the developer:agent scope)" } },
            "schemas": schemas
        }
    });
    nome_paths(&mut doc, &nome, &bad_request, &envelope);
    doc
}

/// The `$ref`s of the NOME schemas.
struct NomeRefs {
    thread: Value,
    threads: Value,
    messages: Value,
    posted: Value,
    run: Value,
    runs: Value,
    events: Value,
    receipts: Value,
    replay: Value,
    approval: Value,
    approvals: Value,
    install: Value,
    installs: Value,
    install_event: Value,
    sweep: Value,
    verified: Value,
    refusal: Value,
}

impl NomeRefs {
    fn new(s: &mut Schemas) -> NomeRefs {
        use crate::nome::{ApprovalBody, InstallBody, PostedMessage, RunBody, SweepBody, WebhookRefusal};
        use crate::store::{ThreadMessageRec, ThreadRec};
        let event = json!({
            "type": "object",
            "description": "A run event (R3): its type, the fields every event carries, and its type's own (text.delta: delta; tool.call: toolCallId, tool, arguments; approval.request: approvalId, tool, tier; run.failed: error).",
            "required": ["type", "runId", "workItemId", "seq", "receipt"],
            "properties": {
                "type": { "type": "string", "description": "run.started, text.delta, tool.call, approval.request, run.completed or run.failed" },
                "runId": { "type": "string" },
                "workItemId": { "type": "string" },
                "seq": { "type": "integer", "minimum": 1 },
                "receipt": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string" } } }
            }
        });
        let receipt = json!({
            "type": "object",
            "description": "A tool receipt (P4): outcome completed, rejected, cancelled, queued or denied (with the core's reason); toolCallId, approvalId and decidedBy when they apply.",
            "required": ["id", "runId", "workItemId", "tool", "outcome"],
            "properties": {
                "id": { "type": "string" }, "runId": { "type": "string" }, "workItemId": { "type": "string" },
                "tool": { "type": "string" }, "outcome": { "type": "string" }
            }
        });
        s.extra.insert("RunEvent".into(), event);
        s.extra.insert("ToolReceipt".into(), receipt);
        s.extra.insert(
            "Data_RunEvents".into(),
            json!({ "type": "object", "required": ["data"], "properties": { "data": { "type": "array", "items": { "$ref": format!("{COMPONENTS}RunEvent") } } } }),
        );
        s.extra.insert(
            "Data_ToolReceipts".into(),
            json!({ "type": "object", "required": ["data"], "properties": { "data": { "type": "array", "items": { "$ref": format!("{COMPONENTS}ToolReceipt") } } } }),
        );
        let r = |name: &str| json!({ "$ref": format!("{COMPONENTS}{name}") });
        NomeRefs {
            thread: s.of::<Data<ThreadRec>>(),
            threads: s.of::<Page<ThreadRec>>(),
            messages: s.of::<Page<ThreadMessageRec>>(),
            posted: s.of::<Data<PostedMessage>>(),
            run: s.of::<Data<RunBody>>(),
            runs: s.of::<Page<RunBody>>(),
            events: r("Data_RunEvents"),
            receipts: r("Data_ToolReceipts"),
            replay: s.of::<agentrules::run::RunState>(),
            approval: s.of::<Data<ApprovalBody>>(),
            approvals: s.of::<Page<ApprovalBody>>(),
            install: s.of::<Data<InstallBody>>(),
            installs: s.of::<Page<InstallBody>>(),
            install_event: s.of::<agentrules::connector::InstallEvent>(),
            sweep: s.of::<Data<SweepBody>>(),
            verified: s.of::<Data<agentrules::webhook::WebhookVerification>>(),
            refusal: s.of::<WebhookRefusal>(),
        }
    }
}

/// The semantic version of `X-Nome-Client-Version` (semver.org's expression), as the core reads it.
const SEMVER: &str = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$";

/// Adds the NOME paths (`/nome/v1`) to `doc`.
fn nome_paths(doc: &mut Value, n: &NomeRefs, bad_request: &Value, envelope: &Value) {
    let identity = json!([
        { "name": "X-Nome-Client-Surface", "in": "header", "required": true, "description": "Build identity (E3): the client surface (web, ios, android, cli, …); non-blank", "schema": { "type": "string", "minLength": 1, "pattern": "\\S" } },
        { "name": "X-Nome-Client-Version", "in": "header", "required": true, "description": "Build identity (E3): the client's semantic version", "schema": { "type": "string", "pattern": SEMVER } },
        { "name": "X-Nome-Client-Revision", "in": "header", "required": true, "description": "Build identity (E3): the client's source revision; non-blank", "schema": { "type": "string", "minLength": 1, "pattern": "\\S" } }
    ]);
    let err =
        |d: &str, schema: &Value| json!({ "description": d, "content": { "application/json": { "schema": schema } } });
    let errors = |codes: &[u16]| -> Map<String, Value> {
        let mut m = Map::new();
        for c in codes {
            let v = match c {
                400 => err("bad_request: a build identity header or the body breaks the rules; `violations` lists each (E3 paths are /X-Nome-Client-…)", &json!({ "anyOf": [bad_request, envelope] })),
                401 => err("unauthorized: missing or malformed Authorization, or a token that is no configured key", envelope),
                403 => err("forbidden: another user's resource, or (approvals) a role below the tier's rank", envelope),
                404 => err("not_found: no such thread, run, approval, install or agent", envelope),
                409 => err("invalid_state: the approval is no longer pending, or the install cannot take the event", envelope),
                429 => {
                    let mut v = err("rate_limited: retry after Retry-After seconds", envelope);
                    if let Value::Object(o) = &mut v {
                        o.insert("headers".into(), json!({ "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer", "minimum": 1 } } }));
                    }
                    v
                }
                _ => err("internal_server_error", envelope),
            };
            m.insert(c.to_string(), v);
        }
        m
    };
    let ok = |status: &str, d: &str, schema: &Value, codes: &[u16]| {
        let mut m = errors(codes);
        m.insert(status.into(), json!({ "description": d, "content": { "application/json": { "schema": schema } } }));
        Value::Object(m)
    };
    let op = |id: &str, summary: &str, description: &str, responses: Value| json!({ "operationId": id, "summary": summary, "description": description, "tags": ["NOME"], "parameters": identity, "responses": responses });
    let with_body = |mut o: Value, schema: Value| {
        if let Value::Object(m) = &mut o {
            m.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": { "schema": schema } } }),
            );
        }
        o
    };
    let path_param = |name: &str, d: &str| json!({ "name": name, "in": "path", "required": true, "description": d, "schema": { "type": "string" } });
    let thread_id = path_param("threadId", "Thread ID");
    let run_id = path_param("runId", "Run ID");
    let approval_id = path_param("approvalId", "Approval ID (the approvalId of its approval.request event)");
    let install_id = path_param("installId", "Connector install ID (configured)");
    let title = json!({ "type": "string", "description": "H1: non-blank, at most 200 characters once trimmed, no control characters" });
    let create_thread = json!({ "type": "object", "additionalProperties": false, "properties": { "title": title } });
    let rename = json!({ "type": "object", "additionalProperties": false, "required": ["title"], "properties": { "title": title } });
    let run_opts = json!({
        "agentId": { "type": "string", "description": "The configured agent that answers (default: the first)" },
        "online": { "type": "boolean", "description": "Whether the device is online (P2's offline behaviour); default true" }
    });
    let mut post_props = json!({
        "text": { "type": "string", "description": "The message; the words naming the agent's tools become tool calls" },
        "domainHints": { "type": "array", "items": { "type": "string" }, "description": "H3: distinct, non-blank" }
    });
    let mut run_props = json!({ "input": { "type": "string", "description": "The run's input; the words naming the agent's tools become tool calls" } });
    for props in [&mut post_props, &mut run_props] {
        if let (Value::Object(p), Value::Object(o)) = (props, &run_opts) {
            p.extend(o.clone());
        }
    }
    let post =
        json!({ "type": "object", "additionalProperties": false, "required": ["text"], "properties": post_props });
    let run_req =
        json!({ "type": "object", "additionalProperties": false, "required": ["input"], "properties": run_props });
    let script = "The local run follows a deterministic script (module runs of agentrules-server): run.started; text.delta `Working on: ` and one per word of the input; for each word naming one of the agent's tools, a call decided by the policy matrix (P2) for the creating key's role — allow: tool.call; needs approval: approval.request, and the run waits until a key of the user decides it; queued or denied: a text.delta and a receipt saying so; then text.delta `Done.` and run.completed (run.failed after the echo when the input holds `[[fail]]`).";
    let std_codes: &[u16] = &[400, 401, 403, 404, 429, 500];
    let list_codes: &[u16] = &[400, 401, 429, 500];
    let heavy = "Rate limit: Heavy (30 req / min per key).";
    let standard = "Rate limit: Standard (300 req / min per key).";
    let run_links = json!({
        "GetRun": { "operationId": "getRun", "parameters": { "runId": "$response.body#/data/id" } },
        "GetRunEvents": { "operationId": "getRunEvents", "parameters": { "runId": "$response.body#/data/id" } },
        "StreamRun": { "operationId": "streamRun", "parameters": { "runId": "$response.body#/data/id" } },
        "ReplayRun": { "operationId": "replayRun", "parameters": { "runId": "$response.body#/data/id" } }
    });
    let thread_links = json!({
        "GetThread": { "operationId": "getThread", "parameters": { "threadId": "$response.body#/data/id" } },
        "PostMessage": { "operationId": "postMessage", "parameters": { "threadId": "$response.body#/data/id" } },
        "ListMessages": { "operationId": "listMessages", "parameters": { "threadId": "$response.body#/data/id" } },
        "RenameThread": { "operationId": "renameThread", "parameters": { "threadId": "$response.body#/data/id" } },
        "DeleteThread": { "operationId": "deleteThread", "parameters": { "threadId": "$response.body#/data/id" } }
    });
    let link = |mut responses: Value, status: &str, links: &Value| {
        if let Some(Value::Object(r)) = responses.get_mut(status) {
            r.insert("links".into(), links.clone());
        }
        responses
    };
    let no_content = {
        let mut m = errors(&[400, 401, 403, 404, 429, 500]);
        m.insert("204".into(), json!({ "description": "Deleted" }));
        Value::Object(m)
    };
    let stream_responses = {
        let mut m = errors(&[400, 401, 403, 404, 429, 500]);
        m.insert("200".into(), json!({
            "description": "text/event-stream: each event as `id: <seq>`, `event: <type>`, `data: <the event without type, JSON>`, from the one after Last-Event-ID, live until the run's terminal event, then the stream ends; `: keep-alive` comments every 15 s",
            "content": { "text/event-stream": { "schema": {
                "type": "object",
                "description": "One event of the stream (as OpenAPI 3.2's itemSchema reads text/event-stream): its id is the event's seq, its event the type, its data the event's JSON without type",
                "required": ["id", "event", "data"],
                "properties": {
                    "id": { "type": "string", "pattern": "^[1-9][0-9]*$" },
                    "event": { "type": "string", "description": "run.started, text.delta, tool.call, approval.request, run.completed or run.failed" },
                    "data": { "type": "string", "contentMediaType": "application/json" }
                }
            } } }
        }));
        Value::Object(m)
    };
    let webhook_responses = json!({
        "202": { "description": "Verified (W1–W3, W5): the core's verification; the install takes a passing health check", "content": { "application/json": { "schema": n.verified } } },
        "400": err("bad_request: the body is larger than maxDocumentBytes", &json!({ "anyOf": [bad_request, envelope] })),
        "401": { "description": "Rejected (W4, W5): the core's message, reason and header; the install takes a failed health check with that reason. A connector without verification in the core has no reason and no health check.", "content": { "application/json": { "schema": { "allOf": [envelope, n.refusal] } } } },
        "404": err("not_found: no configured install with this id", envelope),
        "500": err("internal_server_error", envelope)
    });
    let paths = json!({
        "/nome/v1/threads": {
            "get": op("listThreads", "List threads", &format!("The user's threads, newest first; one page. {standard}"), ok("200", "The threads", &n.threads, list_codes)),
            "post": with_body(op("createThread", "Create thread", &format!("H1, H2; an untitled thread is `New thread`; the title is stored trimmed. {standard}"), link(ok("201", "The thread", &n.thread, list_codes), "201", &thread_links)), create_thread)
        },
        "/nome/v1/threads/{threadId}": {
            "parameters": [thread_id],
            "get": op("getThread", "Get thread", standard, ok("200", "The thread", &n.thread, std_codes)),
            "patch": with_body(op("renameThread", "Rename thread", &format!("H1, H2. {standard}"), ok("200", "The renamed thread", &n.thread, std_codes)), rename),
            "delete": op("deleteThread", "Delete thread", &format!("Deletes the thread and its messages; its runs and their logs stay. {standard}"), no_content)
        },
        "/nome/v1/threads/{threadId}/messages": {
            "parameters": [thread_id],
            "get": op("listMessages", "List messages", &format!("The thread's messages in order, with their metadata (H3, H4). {standard}"), ok("200", "The messages", &n.messages, std_codes)),
            "post": with_body(op("postMessage", "Post a message (chat)", &format!("Stores the user message and starts its run, answered together; the run's assistant message joins the thread when it ends. {script} {heavy}"), ok("201", "The message and its run", &n.posted, std_codes)), post)
        },
        "/nome/v1/runs": {
            "get": op("listRuns", "List runs", &format!("The user's runs, newest first; one page. {standard}"), ok("200", "The runs", &n.runs, list_codes)),
            "post": with_body(op("createRun", "Create a run", &format!("A run directly, or for a configured agent (`agentId`; unknown: 404). {script} {heavy}"), link(ok("201", "The run, pending", &n.run, std_codes), "201", &run_links)), run_req)
        },
        "/nome/v1/runs/{runId}": {
            "parameters": [run_id],
            "get": op("getRun", "Get run", &format!("pending → active → completed | failed (R1). {standard}"), ok("200", "The run", &n.run, std_codes))
        },
        "/nome/v1/runs/{runId}/events": {
            "parameters": [run_id],
            "get": op("getRunEvents", "Get the run's event log", &format!("The durable, append-only log (R4), each event with its type; monitoring an active run reads it again, or streams. {standard}"), ok("200", "The log", &n.events, std_codes))
        },
        "/nome/v1/runs/{runId}/stream": {
            "parameters": [run_id, { "name": "Last-Event-ID", "in": "header", "required": false, "description": "Resume after this seq (an id that is not a seq reads as 0: the whole log)", "schema": { "type": "string" } }],
            "get": op("streamRun", "Stream the run (SSE)", &format!("Server-Sent Events (R2, R3) from the durable log, then live: every event is on disk before it is sent. {standard}"), stream_responses)
        },
        "/nome/v1/runs/{runId}/replay": {
            "parameters": [run_id],
            "get": op("replayRun", "Replay the run", &format!("The core's replay (R5) of the stored log, byte for byte as `agentrules sse --replay` prints it (not wrapped in data). {standard}"), ok("200", "The replayed state", &n.replay, std_codes))
        },
        "/nome/v1/runs/{runId}/receipts": {
            "parameters": [run_id],
            "get": op("getRunReceipts", "Get the run's tool receipts", &format!("Typed receipts (P4), one per tool call decided, in order. {standard}"), ok("200", "The receipts", &n.receipts, std_codes))
        },
        "/nome/v1/approvals": {
            "get": op("listApprovals", "The approval queue", &format!("The user's pending approval requests, oldest first, whichever device (key) made their runs. {standard}"), ok("200", "Pending approvals", &n.approvals, list_codes))
        },
        "/nome/v1/approvals/{approvalId}": {
            "parameters": [approval_id],
            "get": op("getApproval", "Get an approval request", standard, ok("200", "The approval request", &n.approval, std_codes))
        },
        "/nome/v1/connectors/installs": {
            "get": op("listInstalls", "List connector installs", &format!("The user's configured installs (K1) with their failure summaries (K4). {standard}"), ok("200", "The installs", &n.installs, list_codes))
        },
        "/nome/v1/connectors/installs/{installId}": {
            "parameters": [install_id],
            "get": op("getInstall", "Get a connector install", standard, ok("200", "The install", &n.install, std_codes))
        },
        "/nome/v1/connectors/installs/{installId}/events": {
            "parameters": [install_id],
            "post": with_body(op("applyInstallEvent", "Apply an install event", &format!("K2: health, refresh, reinstall or uninstall, as the core applies it (409 when it refuses). {standard}"), ok("200", "The install after the event", &n.install, &[400, 401, 403, 404, 409, 429, 500])), n.install_event.clone())
        },
        "/nome/v1/connectors/sweep": {
            "post": op("sweepInstalls", "Sweep degraded installs", &format!("K5 at the server's clock over the user's installs; each selected install gets a successful credential refresh (K3: pending until a delivery proves it). {standard}"), ok("200", "What was swept", &n.sweep, list_codes))
        },
        "/nome/v1/webhooks/{installId}": {
            "parameters": [install_id],
            "post": {
                "operationId": "deliverWebhook",
                "summary": "Webhook delivery",
                "description": "GitHub (W1), Slack (W2), WhatsApp (W3) or Google Workspace (W5), by the install's connector, verified by the core: W1–W3 with the install's configured secret over the raw body, W5 the Authorization bearer token (RS256, against the configured JWKS) and the X-Goog-Channel-Token with the install's configured expectations. No NOME bearer token, no build identity: the signature authenticates.",
                "tags": ["NOME"],
                "security": [],
                "requestBody": { "required": false, "content": { "application/json": { "schema": {} } } },
                "responses": webhook_responses
            }
        }
    });
    let Value::Object(mut paths) = paths else { return };
    for (verb, what) in [
        ("approve", "the run goes on with the tool call"),
        ("reject", "the tool does not run (receipt outcome rejected)"),
    ] {
        let summary = if verb == "approve" { "Approve" } else { "Reject" };
        let description =
            format!("P3: admin decides every tier, a role the tool allows decides the user tier; {what}. {standard}");
        let decided = ok("200", "The decided request", &n.approval, &[400, 401, 403, 404, 409, 429, 500]);
        paths.insert(
            format!("/nome/v1/approvals/{{approvalId}}/{verb}"),
            json!({ "parameters": [approval_id], "post": op(verb, summary, &description, decided) }),
        );
    }
    // The rate class of each operation, as the guard counts it (the webhook is not counted).
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, o) in item.iter_mut() {
            let Some(o) = o.as_object_mut() else { continue };
            let id = o.get("operationId").and_then(Value::as_str).unwrap_or_default();
            let class = match (method.as_str(), id) {
                (_, "deliverWebhook") => continue,
                ("post", "postMessage" | "createRun") => "heavy",
                _ => "standard",
            };
            o.insert("x-rate-class".into(), Value::String(class.into()));
        }
    }
    if let Some(Value::Object(target)) = doc.get_mut("paths") {
        target.extend(paths);
    }
}
