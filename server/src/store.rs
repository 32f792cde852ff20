//! The server's state: agents, their conversations, artifacts and uploaded files, in memory,
//! and with `--data PATH` also in an SQLite database (rusqlite, bundled SQLite).
//!
//! Durability: every change is written in one SQLite transaction (WAL journal,
//! `synchronous = FULL`, so the commit is on disk when it returns) *before* it is applied in
//! memory and before the request is answered: an acknowledged write survives `kill -9`. On
//! start the database is read back whole; agents that were working resume their pipeline.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use agentrules::response::{ArtifactType, Message};
use agentrules::AgentStatus;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// An agent as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRec {
    /// Its id.
    pub id: String,
    /// Creation order (the list's order and cursors).
    pub seq: u64,
    /// The user it belongs to.
    pub owner: String,
    /// Current status.
    pub status: AgentStatus,
    /// The workflow it runs.
    pub workflow_id: Option<String>,
    /// Its project.
    pub project_id: Option<String>,
    /// The agent that spawned it.
    pub parent_session_id: Option<String>,
    /// Files it can read.
    pub active_file_ids: Vec<String>,
    /// Artifacts it produced, in order.
    pub artifact_ids: Vec<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The turn the pipeline runs (0: the launch, then one per follow-up).
    pub turn: u32,
    /// The next step of the turn.
    pub step: u32,
    /// A stop was requested while it worked.
    pub stop_requested: bool,
    /// The prompt text of the current turn (directives are read from it).
    pub prompt: String,
    /// Whether the run should fail (a directive or the workflow's outcome).
    pub fail: bool,
}

impl AgentRec {
    /// A new `waiting` top-level agent without a workflow, created now.
    pub fn new(id: String, seq: u64, owner: String, prompt: String, active_file_ids: Vec<String>) -> AgentRec {
        let now = crate::now_rfc3339();
        AgentRec {
            id,
            seq,
            owner,
            status: AgentStatus::Waiting,
            workflow_id: None,
            project_id: None,
            parent_session_id: None,
            active_file_ids,
            artifact_ids: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
            turn: 0,
            step: 0,
            stop_requested: false,
            prompt,
            fail: false,
        }
    }
}

/// An artifact as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRec {
    /// Its id.
    pub id: String,
    /// The user it belongs to.
    pub owner: String,
    /// The agent that made it; `None` once that agent is deleted.
    pub creating_session_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ArtifactType,
    /// Version, from 1.
    pub version: u64,
    /// Its content.
    pub content: Value,
    /// Creation time.
    pub created_at: String,
}

/// An uploaded file (its bytes are stored beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileRec {
    /// File id, for `fileIds` and `workflowInputs`.
    pub id: String,
    /// The file name the upload gave.
    pub name: String,
    /// The media type the upload gave (`application/octet-stream` when none).
    pub media_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Upload time.
    pub created_at: String,
    /// The user it belongs to.
    #[serde(skip_serializing)]
    #[schemars(skip)]
    pub owner: String,
}

/// A NOME thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadRec {
    /// Its id.
    pub id: String,
    /// Its title (H1).
    pub title: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change: a rename or a message (RFC 3339).
    pub updated_at: String,
    /// The user it belongs to.
    #[serde(default, skip_serializing)]
    #[schemars(skip)]
    pub owner: String,
    /// Creation order.
    #[serde(default, skip_serializing)]
    #[schemars(skip)]
    pub seq: u64,
}

/// A message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThreadMessageRec {
    /// Its id.
    pub id: String,
    /// The thread it is in.
    pub thread_id: String,
    /// `user` (posted) or `assistant` (written when the run it started ends).
    pub role: String,
    /// Its text.
    pub text: String,
    /// Its metadata (H3, H4): domain hints, tier used, tools invoked, episode ids, run and work item.
    pub metadata: agentrules::thread::MessageMetadata,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A NOME run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRec {
    /// Its id.
    pub id: String,
    /// Its one work item.
    pub work_item_id: String,
    /// The user it belongs to.
    pub owner: String,
    /// The role its tool calls are decided for (the creating key's).
    pub role: String,
    /// `pending`, `active`, `completed`, `failed` (R1).
    pub status: String,
    /// The agent answering it.
    pub agent_id: String,
    /// The thread of a chat run.
    pub thread_id: Option<String>,
    /// The message that started a chat run.
    pub message_id: Option<String>,
    /// Its input text.
    pub input: String,
    /// Whether the creating device was online (P2).
    pub online: bool,
    /// The next step of its script.
    pub step: u32,
    /// The approval the current step waits for.
    pub awaiting: Option<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Creation order.
    pub seq: u64,
}

/// An approval request (P3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRec {
    /// Its id.
    pub id: String,
    /// The run waiting for it.
    pub run_id: String,
    /// The user it belongs to.
    pub owner: String,
    /// The tool call waiting.
    pub tool: String,
    /// The core's request: tier, allowed roles, status.
    pub request: agentrules::policy::ApprovalRequest,
    /// When it was asked (RFC 3339).
    pub created_at: String,
    /// When it was decided.
    pub decided_at: Option<String>,
    /// Who decided it: the role and the client's build identity.
    pub decided_by: Option<Value>,
}

/// A connector install (K1) and the user it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallRec {
    /// The core's record.
    pub install: agentrules::connector::Install,
    /// The user it belongs to.
    pub owner: String,
}

/// One change, as written to the database.
#[derive(Debug, Clone)]
pub enum Change {
    /// An agent created or updated.
    Agent(AgentRec),
    /// An agent deleted, with its messages.
    DeleteAgent(String),
    /// A message appended to an agent's conversation.
    Message(String, Message),
    /// An artifact created or updated.
    Artifact(ArtifactRec),
    /// A file uploaded, with its bytes.
    File(FileRec, Vec<u8>),
    /// A thread created or renamed.
    Thread(ThreadRec),
    /// A thread deleted, with its messages (its runs and their logs stay).
    DeleteThread(String),
    /// A message appended to a thread.
    ThreadMessage(ThreadMessageRec),
    /// A run created or updated.
    Run(RunRec),
    /// An event appended to a run's log: run id, seq, the event's JSON text.
    Event(String, u64, String),
    /// An approval request created or decided.
    Approval(ApprovalRec),
    /// A tool receipt (P4) of a run: run id, the receipt.
    Receipt(String, Value),
    /// A connector install changed.
    Install(InstallRec),
}

/// The state.
#[derive(Debug, Default)]
pub struct Store {
    /// Agents by id.
    pub agents: HashMap<String, AgentRec>,
    /// Agent ids by creation order.
    pub order: BTreeMap<u64, String>,
    /// Conversations by agent id, in order.
    pub messages: HashMap<String, Vec<Message>>,
    /// Artifacts by id.
    pub artifacts: HashMap<String, ArtifactRec>,
    /// Uploaded files by id.
    pub files: HashMap<String, FileRec>,
    /// NOME threads by id.
    pub threads: HashMap<String, ThreadRec>,
    /// Thread messages by thread id, in order.
    pub thread_messages: HashMap<String, Vec<ThreadMessageRec>>,
    /// NOME runs by id.
    pub runs: HashMap<String, RunRec>,
    /// Each run's event log, in order: (seq, the event's JSON text as stored).
    pub events: HashMap<String, Vec<(u64, String)>>,
    /// Approval requests by id.
    pub approvals: HashMap<String, ApprovalRec>,
    /// Tool receipts by run id, in order.
    pub receipts: HashMap<String, Vec<Value>>,
    /// Connector installs by id.
    pub installs: HashMap<String, InstallRec>,
    /// The next id number.
    pub next: u64,
    /// The id seed.
    pub seed: u64,
    db: Option<Connection>,
}

/// A database failure (the change was not applied).
#[derive(Debug)]
pub struct StoreError(pub String);

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError(e.to_string())
    }
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, n INTEGER NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_agent ON messages (agent_id, n);
CREATE TABLE IF NOT EXISTS artifacts (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, json TEXT NOT NULL, bytes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS threads (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS thread_messages (id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, n INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS approvals (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS receipts (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, n INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS installs (id TEXT PRIMARY KEY, json TEXT NOT NULL);
";

impl Store {
    /// An empty in-memory store.
    pub fn memory(seed: u64) -> Store {
        Store { seed, ..Store::default() }
    }

    /// A store backed by the database at `path` (created if missing), read back whole.
    pub fn open(path: &Path, seed: u64) -> Result<Store, StoreError> {
        let db = Connection::open(path)?;
        db.execute_batch(SCHEMA)?;
        let mut store = Store { seed, ..Store::default() };
        let stored_seed: Option<String> =
            db.query_row("SELECT value FROM meta WHERE key = 'seed'", [], |r| r.get(0)).optional()?;
        match stored_seed.and_then(|s| s.parse::<u64>().ok()) {
            // The ids go on from the seed the database was made with.
            Some(s) => store.seed = s,
            None => {
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?1)", params![seed.to_string()])?;
            }
        }
        let next: Option<String> =
            db.query_row("SELECT value FROM meta WHERE key = 'next'", [], |r| r.get(0)).optional()?;
        store.next = next.and_then(|s| s.parse().ok()).unwrap_or(0);
        {
            let mut q = db.prepare("SELECT json FROM agents ORDER BY seq")?;
            let rows = q.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                let a: AgentRec = serde_json::from_str(&row?)?;
                store.order.insert(a.seq, a.id.clone());
                store.agents.insert(a.id.clone(), a);
            }
            let mut q = db.prepare("SELECT agent_id, json FROM messages ORDER BY agent_id, n")?;
            let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (agent, json) = row?;
                let m: Message = serde_json::from_str(&json)?;
                store.messages.entry(agent).or_default().push(m);
            }
            let mut q = db.prepare("SELECT json FROM artifacts")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let a: ArtifactRec = serde_json::from_str(&row?)?;
                store.artifacts.insert(a.id.clone(), a);
            }
            let mut q = db.prepare("SELECT json FROM files")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let f: FileRec = serde_json::from_str(&row?)?;
                store.files.insert(f.id.clone(), f);
            }
            let mut q = db.prepare("SELECT json FROM threads ORDER BY seq")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let t: ThreadRec = serde_json::from_str(&row?)?;
                store.threads.insert(t.id.clone(), t);
            }
            let mut q = db.prepare("SELECT json FROM thread_messages ORDER BY thread_id, n")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let m: ThreadMessageRec = serde_json::from_str(&row?)?;
                store.thread_messages.entry(m.thread_id.clone()).or_default().push(m);
            }
            let mut q = db.prepare("SELECT json FROM runs ORDER BY seq")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let r: RunRec = serde_json::from_str(&row?)?;
                store.runs.insert(r.id.clone(), r);
            }
            let mut q = db.prepare("SELECT run_id, seq, json FROM run_events ORDER BY run_id, seq")?;
            let rows =
                q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?;
            for row in rows {
                let (run, seq, json) = row?;
                store.events.entry(run).or_default().push((u64::try_from(seq).unwrap_or_default(), json));
            }
            let mut q = db.prepare("SELECT json FROM approvals")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let a: ApprovalRec = serde_json::from_str(&row?)?;
                store.approvals.insert(a.id.clone(), a);
            }
            let mut q = db.prepare("SELECT run_id, json FROM receipts ORDER BY run_id, n")?;
            for row in q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
                let (run, json) = row?;
                store.receipts.entry(run).or_default().push(serde_json::from_str(&json)?);
            }
            let mut q = db.prepare("SELECT json FROM installs")?;
            for row in q.query_map([], |r| r.get::<_, String>(0))? {
                let i: InstallRec = serde_json::from_str(&row?)?;
                store.installs.insert(i.install.id.clone(), i);
            }
        }
        store.db = Some(db);
        Ok(store)
    }

    /// A new id: UUID-shaped (version 7 layout), its first 48 bits the id number so ids sort in
    /// creation order, the rest derived from the seed. The same seed and the same sequence of
    /// requests give the same ids.
    pub fn new_id(&mut self) -> String {
        let n = self.next;
        self.next = self.next.saturating_add(1);
        let prefix = 0x019a_0000_0000_u64.saturating_add(n) & 0xffff_ffff_ffff;
        let digest = Sha256::digest(format!("{}:{n}", self.seed).as_bytes());
        let mut b = [0u8; 16];
        for (slot, byte) in b.iter_mut().zip(prefix.to_be_bytes().iter().skip(2).chain(digest.iter())) {
            *slot = *byte;
        }
        if let Some(x) = b.get_mut(6) {
            *x = (*x & 0x0f) | 0x70;
        }
        if let Some(x) = b.get_mut(8) {
            *x = (*x & 0x3f) | 0x80;
        }
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default().to_string();
        format!("{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
    }

    /// Writes `changes` durably (one transaction) and then applies them in memory. Nothing is
    /// applied when the write fails.
    pub fn commit(&mut self, changes: Vec<Change>) -> Result<(), StoreError> {
        if let Some(db) = self.db.as_mut() {
            let tx = db.transaction()?;
            for c in &changes {
                match c {
                    Change::Agent(a) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO agents (id, seq, json) VALUES (?1, ?2, ?3)",
                            params![a.id, i64::try_from(a.seq).unwrap_or(i64::MAX), serde_json::to_string(a)?],
                        )?;
                    }
                    Change::DeleteAgent(id) => {
                        tx.execute("DELETE FROM agents WHERE id = ?1", params![id])?;
                        tx.execute("DELETE FROM messages WHERE agent_id = ?1", params![id])?;
                    }
                    Change::Message(agent, m) => {
                        let n = self.messages.get(agent).map_or(0, Vec::len);
                        tx.execute(
                            "INSERT OR REPLACE INTO messages (id, agent_id, n, json) VALUES (?1, ?2, ?3, ?4)",
                            params![m.id, agent, i64::try_from(n).unwrap_or(i64::MAX), serde_json::to_string(m)?],
                        )?;
                    }
                    Change::Artifact(a) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO artifacts (id, json) VALUES (?1, ?2)",
                            params![a.id, serde_json::to_string(a)?],
                        )?;
                    }
                    Change::File(f, bytes) => {
                        let mut json = serde_json::to_value(f)?;
                        if let Value::Object(o) = &mut json {
                            o.insert("owner".into(), Value::String(f.owner.clone()));
                        }
                        tx.execute(
                            "INSERT OR REPLACE INTO files (id, json, bytes) VALUES (?1, ?2, ?3)",
                            params![f.id, json.to_string(), bytes],
                        )?;
                    }
                    Change::Thread(t) => {
                        let mut json = serde_json::to_value(t)?;
                        if let Value::Object(o) = &mut json {
                            o.insert("owner".into(), Value::String(t.owner.clone()));
                            o.insert("seq".into(), Value::from(t.seq));
                        }
                        tx.execute(
                            "INSERT OR REPLACE INTO threads (id, seq, json) VALUES (?1, ?2, ?3)",
                            params![t.id, i64::try_from(t.seq).unwrap_or(i64::MAX), json.to_string()],
                        )?;
                    }
                    Change::DeleteThread(id) => {
                        tx.execute("DELETE FROM threads WHERE id = ?1", params![id])?;
                        tx.execute("DELETE FROM thread_messages WHERE thread_id = ?1", params![id])?;
                    }
                    Change::ThreadMessage(m) => {
                        let n = self.thread_messages.get(&m.thread_id).map_or(0, Vec::len);
                        tx.execute(
                            "INSERT INTO thread_messages (id, thread_id, n, json) VALUES (?1, ?2, ?3, ?4)",
                            params![m.id, m.thread_id, i64::try_from(n).unwrap_or(i64::MAX), serde_json::to_string(m)?],
                        )?;
                    }
                    Change::Run(r) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO runs (id, seq, json) VALUES (?1, ?2, ?3)",
                            params![r.id, i64::try_from(r.seq).unwrap_or(i64::MAX), serde_json::to_string(r)?],
                        )?;
                    }
                    Change::Event(run, seq, json) => {
                        // Append-only: a second event at a seq fails the whole transaction.
                        tx.execute(
                            "INSERT INTO run_events (run_id, seq, json) VALUES (?1, ?2, ?3)",
                            params![run, i64::try_from(*seq).unwrap_or(i64::MAX), json],
                        )?;
                    }
                    Change::Approval(a) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO approvals (id, json) VALUES (?1, ?2)",
                            params![a.id, serde_json::to_string(a)?],
                        )?;
                    }
                    Change::Receipt(run, r) => {
                        let n = self.receipts.get(run).map_or(0, Vec::len);
                        let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
                        tx.execute(
                            "INSERT INTO receipts (id, run_id, n, json) VALUES (?1, ?2, ?3, ?4)",
                            params![id, run, i64::try_from(n).unwrap_or(i64::MAX), r.to_string()],
                        )?;
                    }
                    Change::Install(i) => {
                        tx.execute(
                            "INSERT OR REPLACE INTO installs (id, json) VALUES (?1, ?2)",
                            params![i.install.id, serde_json::to_string(i)?],
                        )?;
                    }
                }
            }
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next', ?1)", params![self.next.to_string()])?;
            tx.commit()?;
        }
        for c in changes {
            match c {
                Change::Agent(a) => {
                    self.order.insert(a.seq, a.id.clone());
                    self.agents.insert(a.id.clone(), a);
                }
                Change::DeleteAgent(id) => {
                    if let Some(a) = self.agents.remove(&id) {
                        self.order.remove(&a.seq);
                    }
                    self.messages.remove(&id);
                }
                Change::Message(agent, m) => self.messages.entry(agent).or_default().push(m),
                Change::Artifact(a) => {
                    self.artifacts.insert(a.id.clone(), a);
                }
                Change::File(f, _) => {
                    self.files.insert(f.id.clone(), f);
                }
                Change::Thread(t) => {
                    self.threads.insert(t.id.clone(), t);
                }
                Change::DeleteThread(id) => {
                    self.threads.remove(&id);
                    self.thread_messages.remove(&id);
                }
                Change::ThreadMessage(m) => self.thread_messages.entry(m.thread_id.clone()).or_default().push(m),
                Change::Run(r) => {
                    self.runs.insert(r.id.clone(), r);
                }
                Change::Event(run, seq, json) => self.events.entry(run).or_default().push((seq, json)),
                Change::Approval(a) => {
                    self.approvals.insert(a.id.clone(), a);
                }
                Change::Receipt(run, r) => self.receipts.entry(run).or_default().push(r),
                Change::Install(i) => {
                    self.installs.insert(i.install.id.clone(), i);
                }
            }
        }
        Ok(())
    }
}
