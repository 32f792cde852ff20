//! The server's configuration: the context document the library takes (`entitlements`,
//! `limits`, `marketplace`), extended with the API keys, the workflows and the server's own
//! settings. Every key is optional; without a file the defaults of [`Config::default_for_seed`]
//! apply (one demo key, one prompt workflow, one slot workflow).
//!
//! ```json
//! { "keys": [ { "key": "npk_alice", "owner": "alice", "scopes": ["developer:agent"] } ],
//!   "workflows": [ { "id": "019def34-0000-7000-8000-000000000002", "name": "Document review",
//!                    "slots": [ { "name": "Documents", "multiple": true, "required": true } ],
//!                    "fileIds": [], "outcome": "finished" } ],
//!   "rateLimits": true,
//!   "uploadMaxBytes": 33554432,
//!   "entitlements": ["codeSearch", "webSearch"],
//!   "limits": { "maxImages": 4 } }
//! ```
//!
//! The NOME part (module [`crate::nome`]) adds:
//!
//! ```json
//! { "keys": [ { "key": "npk_alice", "owner": "alice", "role": "admin" } ],
//!   "agents": [ { "id": "assistant", "name": "Assistant", "tools": ["web_search", "send_email"] } ],
//!   "policy": { "tools": { "web_search": { "maxCalls": 2, "approval": "none", "offline": "deny", "roles": ["member", "admin"] } } },
//!   "installs": [ { "id": "019def34-0000-7000-8000-0000000000a1", "connector": "github", "owner": "alice", "secret": "…" },
//!                 { "id": "019def34-0000-7000-8000-0000000000a4", "connector": "google_workspace", "owner": "alice",
//!                   "google": { "audience": "https://example.com/push", "channelToken": "…" }, "jwks": { "keys": [] } } ],
//!   "connectorPolicy": { "failureThreshold": 3, "sweepAfter": 300, "sweepEvery": 60 } }
//! ```
//!
//! A key's `role` (default `member`) is the role P2 and P3 read: the role its runs call tools
//! with and the rank its approvals decide with. `agents` are the NOME agents a run is answered
//! by (default: one, `assistant`, with the tools of the default policy); `policy` the tool
//! policy matrix (P1, checked by the core; default in [`default_policy`]); `installs` the
//! connector installs with their webhook secrets (never answered by any endpoint) and, for
//! `google_workspace` (W5), the core's expectations (`google`) and Google's keys (`jwks`, a JWKS
//! document the operator fetched: the server fetches nothing);
//! `connectorPolicy` the core's K3/K5 tunables and, with `sweepEvery` (seconds), the
//! period of the sweep job.
//!
//! A key's `owner` (default: the key itself) is the user its agents belong to: keys of one
//! owner see the same agents, another owner's agents are `403 forbidden`. `scopes` defaults to
//! `["developer:agent"]`. A workflow's `slots` follow the context's `workflow.slots` (the core
//! checks them): `[]` (the default) is a prompt-driven workflow. `outcome` (`finished`, the
//! default, or `failed`) is how its runs end, since a slot workflow has no prompt to carry a
//! directive. `rateLimits: false` turns the rate classes off (for conformance harnesses that
//! replay hundreds of launches; the limits are on by default).

use agentrules::auth::{check_headers, Api, AGENT_SCOPE};
use agentrules::{Context, Slot};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// One API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The key, `npk_…`.
    pub key: String,
    /// The user its agents belong to.
    pub owner: String,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// Its role (P2, P3): `member` unless configured.
    pub role: String,
}

/// A NOME agent: what answers a run, with the tools it may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomeAgent {
    /// Its id (any non-blank text).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The tools it calls, in order (each governed by the policy matrix).
    pub tools: Vec<String>,
}

/// A configured connector install and its webhook secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallConfig {
    /// The install's id.
    pub id: String,
    /// The connector (`github`, `slack`, `whatsapp`, `google_workspace`).
    pub connector: String,
    /// The user it belongs to.
    pub owner: String,
    /// The signing secret its deliveries are verified with (GitHub, Slack, WhatsApp).
    pub secret: String,
    /// Google Workspace (W5): what a delivery must prove (`audience`, `email`, `channelToken`,
    /// `skewSeconds`, as the core's `GoogleExpectations`).
    pub google: Option<agentrules::webhook::google::GoogleExpectations>,
    /// Google Workspace (W5): Google's signing keys, a JWKS document (read by the core).
    pub jwks: Option<Value>,
}

/// How a workflow's runs end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The run finishes with its artifacts.
    Finished,
    /// The run fails with an error message.
    Failed,
}

/// One workflow the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// Its id (lowercase UUID).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its file-input slots; empty for a prompt-driven workflow.
    pub slots: Vec<Slot>,
    /// Files attached to the workflow itself (added to every run's `activeFileIds`).
    pub file_ids: Vec<String>,
    /// How its runs end.
    pub outcome: Outcome,
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API keys.
    pub keys: Vec<ApiKey>,
    /// The workflows.
    pub workflows: Vec<Workflow>,
    /// The context every check runs under (its `workflow` is set per launch).
    pub context: Context,
    /// Whether the rate classes are enforced.
    pub rate_limits: bool,
    /// The largest upload, in bytes.
    pub upload_max_bytes: u64,
    /// The NOME agents.
    pub agents: Vec<NomeAgent>,
    /// The tool policy matrix (P1).
    pub policy: agentrules::policy::PolicyMatrix,
    /// The connector installs.
    pub installs: Vec<InstallConfig>,
    /// K3/K5 tunables.
    pub connector_policy: agentrules::connector::ConnectorPolicy,
    /// How often the sweep job runs (`connectorPolicy.sweepEvery`, seconds); `None`: no job.
    pub sweep_every: Option<std::time::Duration>,
}

/// The default tool policy matrix: `web_search` runs at once (twice a run at most, refused
/// offline), `send_email` needs a `user` approval (once a run, queued offline), `delete_files`
/// an `admin` approval (refused offline).
pub fn default_policy() -> agentrules::policy::PolicyMatrix {
    let m = json!({ "tools": {
        "web_search": { "maxCalls": 2, "approval": "none", "offline": "deny", "roles": ["member", "admin"] },
        "send_email": { "maxCalls": 1, "approval": "user", "offline": "queue", "roles": ["member", "admin"] },
        "delete_files": { "maxCalls": 1, "approval": "admin", "offline": "deny", "roles": ["member", "admin"] }
    } });
    agentrules::policy::PolicyMatrix::from_value(&m).unwrap_or_default()
}

/// The default NOME agent: `assistant`, with the default policy's tools.
pub fn default_agents() -> Vec<NomeAgent> {
    vec![NomeAgent {
        id: "assistant".into(),
        name: "Assistant".into(),
        tools: vec!["web_search".into(), "send_email".into(), "delete_files".into()],
    }]
}

/// The default largest upload: 32 MiB.
pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// The default prompt-driven workflow's id.
pub const DEFAULT_PROMPT_WORKFLOW: &str = "019def34-0000-7000-8000-000000000001";
/// The default slot workflow's id (one multiple slot, `Documents`, as the seed's full example).
pub const DEFAULT_SLOT_WORKFLOW: &str = "019def34-0000-7000-8000-000000000002";

const FIELDS: [&str; 8] =
    ["keys", "workflows", "rateLimits", "uploadMaxBytes", "agents", "policy", "installs", "connectorPolicy"];

impl Config {
    /// The configuration without a file: one demo key (derived from the seed, so the same seed
    /// prints the same key), a prompt workflow and a slot workflow, both capabilities entitled.
    pub fn default_for_seed(seed: u64) -> Config {
        let digest = Sha256::digest(format!("agentrules-serve demo key {seed}").as_bytes());
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let key = format!("npk_demo_{hex}");
        Config {
            keys: vec![ApiKey { key, owner: "demo".into(), scopes: vec![AGENT_SCOPE.into()], role: "member".into() }],
            workflows: vec![
                Workflow {
                    id: DEFAULT_PROMPT_WORKFLOW.into(),
                    name: "Compliance review".into(),
                    slots: Vec::new(),
                    file_ids: Vec::new(),
                    outcome: Outcome::Finished,
                },
                Workflow {
                    id: DEFAULT_SLOT_WORKFLOW.into(),
                    name: "Document review".into(),
                    slots: vec![Slot { name: "Documents".into(), multiple: true, required: true }],
                    file_ids: Vec::new(),
                    outcome: Outcome::Finished,
                },
            ],
            context: Context {
                entitlements: Some(vec!["codeSearch".into(), "webSearch".into()]),
                ..Context::default()
            },
            rate_limits: true,
            upload_max_bytes: DEFAULT_UPLOAD_MAX_BYTES,
            agents: default_agents(),
            policy: default_policy(),
            installs: Vec::new(),
            connector_policy: agentrules::connector::ConnectorPolicy::default(),
            sweep_every: None,
        }
    }

    /// Reads a configuration document (JSON text). Keys and workflows left out fall back to the
    /// defaults of [`Config::default_for_seed`]; the context part is checked by the core.
    pub fn from_json(text: &str, seed: u64) -> Result<Config, String> {
        let v: Value =
            agentrules::json::parse(text).map_err(|v| format!("the configuration is not JSON: {}", v.message))?;
        let Value::Object(obj) = v else {
            return Err("the configuration is a JSON object".into());
        };
        let mut config = Config::default_for_seed(seed);
        let mut context = Map::new();
        for (k, v) in obj {
            match k.as_str() {
                "keys" => config.keys = read_keys(&v)?,
                "workflows" => config.workflows = read_workflows(&v)?,
                "rateLimits" => config.rate_limits = v.as_bool().ok_or("rateLimits is true or false")?,
                "uploadMaxBytes" => {
                    config.upload_max_bytes =
                        v.as_u64().filter(|n| *n > 0).ok_or("uploadMaxBytes is a positive integer")?;
                }
                "agents" => config.agents = read_agents(&v)?,
                "policy" => {
                    config.policy = agentrules::policy::PolicyMatrix::from_value(&v).map_err(|r| {
                        format!(
                            "invalid policy: {}",
                            r.violations.first().map(|x| format!("{}: {}", x.path, x.message)).unwrap_or_default()
                        )
                    })?;
                }
                "installs" => config.installs = read_installs(&v)?,
                "connectorPolicy" => {
                    let mut v = v;
                    let every = v.as_object_mut().and_then(|o| o.remove("sweepEvery"));
                    config.connector_policy = serde_json::from_value(v)
                        .ok()
                        .filter(|p: &agentrules::connector::ConnectorPolicy| {
                            p.failure_threshold >= 1 && p.sweep_after >= 0
                        })
                        .ok_or(
                            "connectorPolicy is { failureThreshold (>= 1), sweepAfter (>= 0 s), sweepEvery? (>= 1 s) }",
                        )?;
                    if let Some(e) = every {
                        let secs = e
                            .as_u64()
                            .filter(|n| *n >= 1)
                            .ok_or("connectorPolicy.sweepEvery is whole seconds, at least 1")?;
                        config.sweep_every = Some(std::time::Duration::from_secs(secs));
                    }
                }
                "workflow" => return Err("a server's workflows go in `workflows`, not `workflow`".into()),
                _ => {
                    context.insert(k, v);
                }
            }
        }
        let had_entitlements = context.contains_key("entitlements");
        config.context = Context::from_value(&Value::Object(context)).map_err(|r| {
            let known = FIELDS.join(", ");
            format!(
                "invalid configuration ({known} or context fields): {}",
                agentrules::refusal::Document::Context.refuse_report(r).message
            )
        })?;
        if !had_entitlements {
            // Without `entitlements` in the file the capability check does not run (as the library).
            config.context.entitlements = None;
        }
        Ok(config)
    }

    /// The key record of a bearer token.
    pub fn key(&self, token: &str) -> Option<&ApiKey> {
        self.keys.iter().find(|k| k.key == token)
    }

    /// The workflow with this id (compared without case).
    pub fn workflow(&self, id: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id.eq_ignore_ascii_case(id))
    }

    /// The context a launch naming `workflow` is checked under.
    pub fn context_for(&self, workflow: Option<&Workflow>) -> Context {
        let mut ctx = self.context.clone();
        ctx.workflow =
            workflow.map(|w| agentrules::WorkflowDef { id: Some(w.id.clone()), slots: Some(w.slots.clone()) });
        ctx
    }
}

fn read_keys(v: &Value) -> Result<Vec<ApiKey>, String> {
    let items = v.as_array().ok_or("keys is an array of {key, owner?, scopes?}")?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let key = item.get("key").and_then(Value::as_str).ok_or("every key has a `key` string")?;
        // The key must be one a client can send: the core's E3 check of `Bearer <key>`.
        let violations = check_headers(&json!({ "Authorization": format!("Bearer {key}") }), Api::Agent);
        if let Some(v) = violations.first() {
            return Err(format!("key is not an Agent API key: {}", v.message));
        }
        let owner = match item.get("owner") {
            None => key.to_string(),
            Some(o) => o.as_str().ok_or("a key's owner is a string")?.to_string(),
        };
        let scopes = match item.get("scopes") {
            None => vec![AGENT_SCOPE.to_string()],
            Some(s) => s
                .as_array()
                .ok_or("a key's scopes are an array of strings")?
                .iter()
                .map(|x| x.as_str().map(str::to_owned).ok_or("a key's scopes are an array of strings"))
                .collect::<Result<_, _>>()?,
        };
        let role = match item.get("role") {
            None => "member".to_string(),
            Some(r) => r
                .as_str()
                .filter(|r| !agentrules::json::is_blank(r))
                .ok_or("a key's role is a non-blank string")?
                .to_string(),
        };
        out.push(ApiKey { key: key.to_string(), owner, scopes, role });
    }
    Ok(out)
}

fn read_workflows(v: &Value) -> Result<Vec<Workflow>, String> {
    let items = v.as_array().ok_or("workflows is an array")?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let id = item.get("id").ok_or("every workflow has an id")?;
        let slots = item.get("slots").cloned().unwrap_or_else(|| json!([]));
        // The core reads the definition: id a UUID, slots as the context's.
        let ctx = Context::from_value(&json!({ "workflow": { "id": id, "slots": slots } })).map_err(|r| {
            format!("invalid workflow: {}", agentrules::refusal::Document::Context.refuse_report(r).message)
        })?;
        let def = ctx.workflow.ok_or("invalid workflow")?;
        let name = item.get("name").and_then(Value::as_str).unwrap_or("Workflow").to_string();
        let file_ids = match item.get("fileIds") {
            None => Vec::new(),
            Some(f) => {
                serde_json::from_value::<Vec<String>>(f.clone()).map_err(|_| "a workflow's fileIds are strings")?
            }
        };
        if let Some(bad) = file_ids.iter().find(|f| !agentrules::is_uuid(f)) {
            return Err(format!("workflow file id `{bad}` is not a UUID"));
        }
        let outcome = match item.get("outcome") {
            None => Outcome::Finished,
            Some(o) => serde_json::from_value(o.clone()).map_err(|_| "a workflow's outcome is finished or failed")?,
        };
        out.push(Workflow {
            id: def.id.unwrap_or_default().to_ascii_lowercase(),
            name,
            slots: def.slots.unwrap_or_default(),
            file_ids,
            outcome,
        });
    }
    Ok(out)
}

fn read_agents(v: &Value) -> Result<Vec<NomeAgent>, String> {
    let items = v.as_array().ok_or("agents is an array of {id, name?, tools}")?;
    let mut out: Vec<NomeAgent> = Vec::with_capacity(items.len());
    for item in items {
        let id = item.get("id").and_then(Value::as_str).filter(|s| !agentrules::json::is_blank(s));
        let id = id.ok_or("every agent has a non-blank `id`")?.to_string();
        if out.iter().any(|a| a.id == id) {
            return Err(format!("agent `{id}` is configured twice"));
        }
        let name = item.get("name").and_then(Value::as_str).unwrap_or(&id).to_string();
        let tools = serde_json::from_value::<Vec<String>>(item.get("tools").cloned().unwrap_or_else(|| json!([])))
            .map_err(|_| "an agent's tools are tool names")?;
        out.push(NomeAgent { id, name, tools });
    }
    Ok(out)
}

fn read_installs(v: &Value) -> Result<Vec<InstallConfig>, String> {
    let items = v.as_array().ok_or("installs is an array of {id, connector, owner, secret}")?;
    let mut out: Vec<InstallConfig> = Vec::with_capacity(items.len());
    for item in items {
        let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
        let id = text("id").filter(|s| agentrules::is_uuid(s)).ok_or("every install has a UUID `id`")?;
        let id = id.to_ascii_lowercase();
        if out.iter().any(|i| i.id == id) {
            return Err(format!("install `{id}` is configured twice"));
        }
        let connector =
            text("connector").filter(|s| !agentrules::json::is_blank(s)).ok_or("every install names its connector")?;
        let owner = text("owner").ok_or("every install has an owner")?;
        let secret = text("secret").unwrap_or_default();
        let google = match item.get("google") {
            None => None,
            Some(g) => Some(
                agentrules::webhook::google::GoogleExpectations::from_value(g)
                    .map_err(|r| format!("install `{id}`: {}", r.message))?,
            ),
        };
        let jwks = item.get("jwks").cloned();
        if let Some(k) = &jwks {
            agentrules::webhook::google::GoogleKeys::from_value(k)
                .map_err(|r| format!("install `{id}`: {}", r.message))?;
        }
        out.push(InstallConfig { id, connector, owner, secret, google, jwks });
    }
    Ok(out)
}
