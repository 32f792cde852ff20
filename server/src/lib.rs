//! # agentrules-server
//!
//! `agentrules serve`: the Agent API on a developer's machine, rules-exact and stateful. Every
//! answer comes from the `agentrules` core — the launch and follow-up checks, the lifecycle, the
//! list query, the error envelopes and their messages, the key format, the endpoint table with
//! its rate classes, the artifact rules — and agents move through their statuses and produce
//! artifacts ([`pipeline`]). State is in memory, or with `--data PATH` in SQLite ([`store`]).
//! The OpenAPI 3.1 document ([`openapi::document`]) is served at `GET /openapi.json`.
//!
//! It also serves the NOME API under `/nome/v1` ([`nome`]): threads and messages, runs with a
//! durable, append-only event log, their SSE streams and replays (the run script: [`runs`]),
//! the approval queue, tool receipts, connector installs and webhook ingestion, every rule the
//! core's (H1–H4, R1–R5, P1–P4, K1–K5, W1–W5, E3).
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! let server = agentrules_server::Server::start(agentrules_server::Options::default()).await?;
//! println!("listening on http://{}", server.addr);
//! # Ok(()) }
//! ```
//!
//! ## Decisions where the seed's Agent API is silent
//!
//! - **Check order**: authentication (401), scope (403), rate class (429), then the resource
//!   (404 unknown, 403 another user's), then the body (400 with the core's violations), then the
//!   lifecycle (409). An unknown path or a method a path does not take is `404 not_found`.
//! - **Keys and owners**: a key belongs to an owner; keys of one owner see the same agents.
//!   A key without `developer:agent` is `403 forbidden` (RFC 6750's insufficient scope). Rate
//!   classes count per key, every authenticated request of a class (whatever its answer), in the
//!   core's sliding 60-second window; `Retry-After` is whole seconds. Unauthenticated requests
//!   are not counted. `GET /api/v0/workflows`, `GET /api/v0/artifacts/{id}` are Standard, the
//!   upload Heavy.
//! - **400 bodies** carry the core's `violations` (`{path, code, message, params}`) beside
//!   `error` and `code`: a documented extension of the envelope.
//! - **Ids** are lowercase UUIDs (version 7 layout) numbered in creation order from `--seed`; a
//!   path id is matched without case; an id that is no agent's, whatever its shape, is 404.
//! - **Files**: `POST /api/v0/files/upload` takes `multipart/form-data` with a `file` part (at
//!   most 32 MiB by default, `uploadMaxBytes`) and answers `201` with the file itself,
//!   `{id, name, mediaType, sizeBytes, createdAt}`, not wrapped in `data` (the seed's full
//!   example reads `upload.json()["id"]`). Launches do not resolve file ids: any well-formed id
//!   is accepted, as the library accepts it (a platform's files may live where this server
//!   cannot see).
//! - **Workflows**: `GET /api/v0/workflows` lists the configured ones (`kind` `prompt` or
//!   `slots`, with their slots). A launch naming a workflow the server does not know is checked
//!   without a definition (as the library does) and, if that passes, is `404 not_found`.
//! - **Agents**: every agent body is the detail shape (`parentSessionId`, `activeFileIds`
//!   included in list items and in stop's answer too). `activeFileIds` of a workflow run are the
//!   slot files in slot order, then the workflow's own files. The list holds top-level agents
//!   only, newest first; sub-agents are read by id. The cursor is opaque and positional (filters
//!   are given again with it); a cursor this server did not make is 400.
//! - **Follow-up** moves the agent to `running` before answering (the core's transition), so the
//!   202 shows `running`; clients must still allow for the documented race. **Stop** of a
//!   working agent sets a flag that the pipeline acts on at its next step.
//! - **Delete** removes the agent, its messages and its sub-agents; its artifacts stay readable
//!   through `GET /api/v0/artifacts/{artifactId}` with `creatingSessionId: null`.
//! - **Conversation**: messages form a tree (each message's parent is the one before); the
//!   core's `linearize` returns the active branch and `Include` filters the types. `parentId`
//!   is not exposed.

pub mod api;
pub mod config;
pub mod nome;
pub mod openapi;
pub mod pipeline;
pub mod runs;
pub mod store;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use agentrules::endpoints::RateLimiter;

pub use config::Config;
pub use pipeline::Timing;

/// What `agentrules serve` takes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// The port (0: any free port).
    pub port: u16,
    /// The configuration; `None`: the defaults.
    pub config: Option<Config>,
    /// The SQLite database; `None`: in memory.
    pub data: Option<PathBuf>,
    /// The pipeline's timing.
    pub timing: Timing,
    /// The seed of the ids and the demo key.
    pub seed: u64,
    /// Whether to log pipeline failures on standard error.
    pub verbose: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            config: None,
            data: None,
            timing: Timing::INSTANT,
            seed: 0,
            verbose: false,
        }
    }
}

/// The server's shared state.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Agents, conversations, artifacts, files.
    pub store: Mutex<Store>,
    /// One rate limiter (the core's) per key.
    pub limiters: Mutex<HashMap<String, RateLimiter>>,
    /// The pipeline's timing.
    pub timing: Timing,
    /// When the server started (the limiters' clock).
    pub started: Instant,
    /// Bumped after every commit that may have appended run events: streams wait on it.
    pub events: tokio::sync::watch::Sender<u64>,
    verbose: bool,
}

use store::Store;

impl AppState {
    /// Wakes the streams: the run logs may have grown (called after the commit, so a stream
    /// only ever sends what is on disk).
    pub fn events_changed(&self) {
        self.events.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Logs a line on standard error when verbose.
    pub fn log(&self, line: &str) {
        if self.verbose {
            eprintln!("agentrules serve: {line}");
        }
    }
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The configuration in force (its first key is the one printed at start-up).
    pub config: Config,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Binds, reads the database back (resuming the pipelines of working agents) and serves.
    pub async fn start(opts: Options) -> Result<Server, String> {
        let config = opts.config.clone().unwrap_or_else(|| Config::default_for_seed(opts.seed));
        let store = match &opts.data {
            Some(path) => {
                Store::open(path, opts.seed).map_err(|e| format!("cannot open {}: {}", path.display(), e.0))?
            }
            None => Store::memory(opts.seed),
        };
        let mut store = store;
        let installs = nome::configured_installs(&config, &store);
        store.commit(installs).map_err(|e| format!("cannot record the configured installs: {}", e.0))?;
        let working: Vec<(String, u32)> =
            store.agents.values().filter(|a| !a.status.is_terminal()).map(|a| (a.id.clone(), a.turn)).collect();
        let mut active: Vec<(u64, String)> = store
            .runs
            .values()
            .filter(|r| agentrules::run::RunStatus::parse(&r.status).is_some_and(|s| !s.is_terminal()))
            .map(|r| (r.seq, r.id.clone()))
            .collect();
        active.sort();
        let state = Arc::new(AppState {
            config: config.clone(),
            store: Mutex::new(store),
            limiters: Mutex::new(HashMap::new()),
            timing: opts.timing,
            started: Instant::now(),
            events: tokio::sync::watch::Sender::new(0),
            verbose: opts.verbose,
        });
        for (id, turn) in working {
            pipeline::spawn(state.clone(), id, turn);
        }
        for (_, id) in active {
            runs::spawn(state.clone(), id);
        }
        if let Some(every) = config.sweep_every {
            nome::spawn_sweep_job(state.clone(), every);
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(opts.host, opts.port))
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", opts.host, opts.port))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let app = api::router(state);
        let handle = tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Server { addr, config, handle })
    }

    /// Serves until the process ends.
    pub async fn wait(self) -> Result<(), String> {
        match self.handle.await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Stops serving.
    pub fn abort(&self) {
        self.handle.abort();
    }
}

/// Runs `agentrules serve` on a new runtime: prints the address and the first key, then serves
/// until the process is ended.
pub fn run_blocking(opts: Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let server = Server::start(opts).await?;
        println!("agentrules serve: listening on http://{}/api/v0", server.addr);
        if let Some(key) = server.config.keys.first() {
            println!("agentrules serve: API key {}", key.key);
        }
        for w in &server.config.workflows {
            let kind = if w.slots.is_empty() { "prompt" } else { "slots" };
            println!("agentrules serve: workflow {} ({kind}) {}", w.id, w.name);
        }
        server.wait().await
    })
}

/// Now, as the API writes times: RFC 3339 in UTC with milliseconds (`2026-04-09T10:30:00.000Z`).
pub fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}
