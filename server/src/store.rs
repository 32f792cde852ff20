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
            }
        }
        Ok(())
    }
}
