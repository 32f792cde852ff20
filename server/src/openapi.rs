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
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Agent API (agentrules serve)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Agent API served locally by `agentrules serve`: every check, transition, error envelope and rate class from the agentrules core. See the crate documentation of agentrules-server for the decisions where the API documents are silent."
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
    })
}
