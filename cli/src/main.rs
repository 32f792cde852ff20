//! `agentrules`: check Agent API requests from a shell or CI.
//!
//! Exit codes: 0 valid, 1 violations (or a refused transition), 2 usage error, unreadable file
//! or invalid context.

use std::io::Read;
use std::process::ExitCode;

/// `println!` without the panic when standard output is closed early (`agentrules codes |
/// head -3`): the rest of the output is dropped and the exit code still says what the command
/// found. Any other write error (a full disk) ends the command with exit code 2.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("agentrules: cannot write the output: {e}");
                std::process::exit(2);
            }
        }
    }};
}

use agentrules::lifecycle::{apply, check_transition, Action, ActionOutcome, AgentStatus, Via};
use agentrules::{Code, Context, Kind, Report};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "agentrules", version, about = "Check Agent API requests against the rule catalogue, docs/rules.md")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// The paces of `agentrules serve`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Timing {
    Instant,
    Fast,
    Demo,
}

/// The formats of `agentrules codes`: Markdown is `docs/codes.md`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CodesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Agent API and the NOME API locally, every answer from the core (`agentrules openapi`
    /// documents it)
    Serve {
        /// The port (0: any free port)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The address to bind
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// A configuration file: the context document plus `keys`, `workflows` and (NOME) `agents`,
        /// `policy`, `installs`, `connectorPolicy`
        #[arg(long)]
        config: Option<String>,
        /// An SQLite database to keep the state in (created if missing); in memory without it
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// The pipeline's pace: instant (tests), fast (40 ms a step: runs a test can watch) or demo
        /// (about a second a step)
        #[arg(long, value_enum, default_value = "demo")]
        timing: Timing,
        /// The seed of the ids and of the demo key
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Print the OpenAPI 3.1 document of `agentrules serve`
    Openapi,
    /// Check a document as one of the kinds (`agentrules kinds` lists them)
    Check {
        /// What the document is
        kind: String,
        /// The document (JSON); `-` or nothing reads standard input
        file: Option<String>,
        /// A context document (workflow definition, entitlements, limits)
        #[arg(long)]
        context: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Print a JSON Schema: a request body (launch, followup), the context document, a report or an
    /// error envelope (error-envelope)
    Schema {
        /// launch | followup | context | report | error-envelope
        name: String,
    },
    /// List every kind `check` takes, with what it is
    Kinds {
        /// Output format (json: `[{kind, summary, feature}]`)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List every violation code with its message template (json and markdown: with its params)
    Codes {
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: CodesFormat,
    },
    /// List every refusal kind (the `code` of a thrown or raised error that is not a report)
    Refusals {
        /// Output format (json: `[{kind, description}]`)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Answer a lifecycle question: `<from> <to-status>` (is it a legal transition?) or
    /// `<from> <action>` with action follow_up, stop or delete
    Transition {
        /// The agent's current status
        from: String,
        /// A target status, or an action: follow_up, stop, delete
        event: String,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Decide a tool call against a policy matrix: allow, needs_approval, queued or deny
    Decide {
        /// The policy matrix (JSON)
        #[arg(long)]
        matrix: String,
        /// The tool to call
        #[arg(long)]
        tool: String,
        /// The caller's role
        #[arg(long)]
        role: String,
        /// Calls of this tool already made in this run
        #[arg(long, default_value_t = 0)]
        calls: u64,
        /// The device is offline
        #[arg(long)]
        offline: bool,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Decode a Server-Sent Events stream: one JSON object per line, {"event", "data", "id"}
    /// for each dispatched event and {"retry"} for each valid retry field, in stream order
    Sse {
        /// The stream; `-` or nothing reads standard input (incrementally)
        file: Option<String>,
        /// Read the events as a run event log and print the replayed run state instead
        #[arg(long)]
        replay: bool,
    },
    /// Verify a webhook request's signature (GitHub, Slack, WhatsApp) over the raw body: exit 0
    /// when verified, 1 with the reason when rejected
    VerifyWebhook {
        /// Who sent it
        #[arg(long, value_enum)]
        provider: ProviderArg,
        /// The environment variable holding the secret (never the secret itself: it would land
        /// in the shell's history)
        #[arg(long, value_name = "VAR")]
        secret_env: String,
        /// A request header, `Name: value`; repeat for each header
        #[arg(long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// The current Unix time in seconds (Slack's freshness window); default: the clock
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<i64>,
        /// The raw body; `-` or nothing reads standard input
        file: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Verify a Google Workspace push notification (W5): the `Authorization: Bearer` token
    /// against Google's JWKS document (fetched by the caller) and the audience, and the channel
    /// token; exit 0 when verified, 1 with the reason when rejected
    VerifyGoogleWebhook {
        /// Google's JWKS document (https://www.googleapis.com/oauth2/v3/certs, saved); needed
        /// with --audience
        #[arg(long, value_name = "FILE")]
        keys: Option<String>,
        /// The `aud` the token must carry; turns the bearer token check on
        #[arg(long)]
        audience: Option<String>,
        /// The service account the token's `email` must be (and verified)
        #[arg(long)]
        email: Option<String>,
        /// The environment variable holding the channel token registered with the watch channel;
        /// turns the `X-Goog-Channel-Token` check on
        #[arg(long, value_name = "VAR")]
        channel_token_env: Option<String>,
        /// The clock skew allowed on exp, iat and nbf (default 300, at most 3600)
        #[arg(long, value_name = "SECONDS")]
        skew_seconds: Option<u32>,
        /// A request header, `Name: value`; repeat for each header
        #[arg(long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// The current Unix time in seconds; default: the clock
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<i64>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Connector installs: apply an event, summarise an install's health, or select the
    /// installs a recovery sweep should retry
    Connector {
        #[command(subcommand)]
        command: ConnectorCommand,
    },
    /// Run one of the core's non-validation operations on JSON arguments (see `agentrules::ops`)
    Op {
        /// The operation, e.g. retry_after, endpoint, linearize (`--list` lists them)
        #[arg(required_unless_present = "list")]
        name: Option<String>,
        /// The arguments (JSON); `-` or nothing reads standard input
        file: Option<String>,
        /// List every op with its arguments and answer, from the core's op registry
        #[arg(long, conflicts_with = "file")]
        list: bool,
        /// Output format of `--list` (json: `[{op, summary}]`)
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ProviderArg {
    Github,
    Slack,
    Whatsapp,
}

#[derive(Subcommand)]
enum ConnectorCommand {
    /// The install after an event (K2, K3); exit 1 when the event is refused
    Apply {
        /// The install record (JSON)
        install: String,
        /// The event (JSON), e.g. {"type": "health", "ok": false, "at": 1700000000}
        event: String,
        /// Failures in a row that make an install failed
        #[arg(long, default_value_t = 3)]
        failure_threshold: u32,
    },
    /// The failure summary of an install (K4)
    Summary {
        /// The install record (JSON)
        install: String,
    },
    /// The ids of the installs a sweep at `--now` should retry, one per line (K5)
    Sweep {
        /// A JSON array of install records
        installs: String,
        /// The current Unix time in seconds
        #[arg(long)]
        now: i64,
        /// Seconds after its last event before a degraded install is retried
        #[arg(long, default_value_t = 300)]
        sweep_after: i64,
    },
}

fn serve(
    port: u16,
    host: std::net::IpAddr,
    config: Option<String>,
    data: Option<std::path::PathBuf>,
    timing: Timing,
    seed: u64,
) -> Result<u8, String> {
    let config = match config {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            Some(agentrules_server::Config::from_json(&text, seed).map_err(|e| format!("{path}: {e}"))?)
        }
        None => None,
    };
    let timing = match timing {
        Timing::Instant => agentrules_server::Timing::INSTANT,
        Timing::Fast => agentrules_server::Timing::FAST,
        Timing::Demo => agentrules_server::Timing::DEMO,
    };
    let opts = agentrules_server::Options { host, port, config, data, timing, seed, verbose: true };
    agentrules_server::run_blocking(opts)?;
    Ok(0)
}

/// The help of `check`, its kinds listed from the core's kind registry.
fn check_help() -> String {
    let mut out = String::from("Check a document as one of these kinds:\n");
    for k in Kind::SPECS {
        out.push_str(&format!("\n  {:<20} {}", k.name, k.summary));
    }
    out
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().mut_subcommand("check", |c| c.long_about(check_help())).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("agentrules: {msg}");
            ExitCode::from(2)
        }
    }
}

/// What reading an input gave: its bytes, or more than the limit: a file's known size, or
/// `None` when reading stopped at the limit.
enum Input {
    Bytes(Vec<u8>),
    TooLarge(Option<u64>),
}

/// Reads a file (`-` or none: standard input), never more than `max` bytes and one: input
/// past the limit (`/dev/zero`, `yes |`) is not read, whatever its source.
fn read_limited(file: Option<&str>, max: u64) -> Result<Input, String> {
    let mut buf = Vec::new();
    let read = match file {
        None | Some("-") => std::io::stdin().lock().take(max.saturating_add(1)).read_to_end(&mut buf),
        Some(path) => {
            let f = std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            // A regular file larger than the limit is refused from its size, without reading.
            if let Ok(m) = f.metadata() {
                if m.is_file() && m.len() > max {
                    return Ok(Input::TooLarge(Some(m.len())));
                }
            }
            f.take(max.saturating_add(1)).read_to_end(&mut buf)
        }
    };
    read.map_err(|e| format!("cannot read `{}`: {e}", file.unwrap_or("-")))?;
    let len = u64::try_from(buf.len()).unwrap_or(u64::MAX);
    Ok(if len > max { Input::TooLarge(None) } else { Input::Bytes(buf) })
}

/// Reads an input that is not the checked document (a context, a matrix, arguments, a body):
/// held to the default `maxDocumentBytes`, a usage error past it.
fn read_input(file: Option<&str>) -> Result<Vec<u8>, String> {
    let max = agentrules::Limits::DEFAULT.max_document_bytes;
    match read_limited(file, max)? {
        Input::Bytes(b) => Ok(b),
        Input::TooLarge(_) => {
            Err(format!("`{}` is larger than {max} bytes, the most agentrules reads", file.unwrap_or("-")))
        }
    }
}

/// Reads a JSON input that is not the checked document with the core's reader (UTF-8 only,
/// duplicate names refused, the depth and size limits).
fn read_json_input(file: Option<&str>, what: &str) -> Result<serde_json::Value, String> {
    let bytes = read_input(file)?;
    agentrules::json::parse_bytes(&bytes).map_err(|v| format!("{what} `{}`: {v}", file.unwrap_or("-")))
}

fn print_report(report: &Report, format: Format) {
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text if report.ok => println!("ok: no violations"),
        Format::Text => {
            for v in &report.violations {
                println!("{v}");
            }
        }
    }
}

fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Check { kind, file, context, format } => {
            let kind = Kind::parse(&kind).ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|(_, n)| *n).collect();
                format!("unknown kind `{kind}`; expected one of: {}", names.join(", "))
            })?;
            let ctx = match context {
                None => Context::default(),
                Some(path) => {
                    let v = read_json_input(Some(&path), "invalid context")?;
                    Context::from_value(&v).map_err(|r| refused("context", &path, &r))?
                }
            };
            // Reading stops at the context's limit: a larger input is not read.
            let max = ctx.limits.max_document_bytes;
            let report = match read_limited(file.as_deref(), max)? {
                Input::TooLarge(Some(len)) => Report::new(vec![agentrules::json::document_too_large(len, max)]),
                Input::TooLarge(None) => Report::new(vec![agentrules::json::document_over_limit(max)]),
                Input::Bytes(bytes) => agentrules::check_bytes(kind, &bytes, &ctx),
            };
            print_report(&report, format);
            Ok(u8::from(!report.ok))
        }
        Command::Schema { name } => {
            let schema = match name.as_str() {
                "launch" => agentrules::launch::launch_schema(),
                "followup" | "follow-up" => agentrules::launch::follow_up_schema(),
                "context" => agentrules::context::context_schema(),
                "report" => agentrules::report::report_schema(),
                "error-envelope" => agentrules::errors::envelope_schema(),
                other => {
                    return Err(format!(
                        "unknown schema `{other}`; expected launch, followup, context, report or error-envelope"
                    ))
                }
            };
            println!("{}", serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?);
            Ok(0)
        }
        Command::Codes { format } => {
            match format {
                CodesFormat::Json => {
                    println!("{}", serde_json::to_string(&Code::catalogue()).map_err(|e| e.to_string())?);
                }
                CodesFormat::Text => Code::ALL.iter().for_each(|c| println!("{c}\t{}", c.template())),
                CodesFormat::Markdown => print!("{}", Code::catalogue_markdown()),
            }
            Ok(0)
        }
        Command::Kinds { format } => {
            match format {
                Format::Json => {
                    let all: Vec<serde_json::Value> = Kind::SPECS
                        .iter()
                        .map(|k| serde_json::json!({"kind": k.name, "summary": k.summary, "feature": k.feature}))
                        .collect();
                    println!("{}", serde_json::to_string(&all).map_err(|e| e.to_string())?);
                }
                Format::Text => Kind::SPECS.iter().for_each(|k| println!("{}", k.name)),
            }
            Ok(0)
        }
        Command::Refusals { format } => {
            use agentrules::RefusalKind;
            match format {
                Format::Json => {
                    let all: Vec<serde_json::Value> = RefusalKind::ALL
                        .iter()
                        .map(|k| serde_json::json!({"kind": k.as_str(), "description": k.description()}))
                        .collect();
                    println!("{}", serde_json::to_string(&all).map_err(|e| e.to_string())?);
                }
                Format::Text => RefusalKind::ALL.iter().for_each(|k| println!("{}", k.as_str())),
            }
            Ok(0)
        }
        Command::Transition { from, event, format } => transition(&from, &event, format),
        Command::Decide { matrix, tool, role, calls, offline, format } => {
            use agentrules::policy::{Decision, PolicyMatrix};
            let v = read_json_input(Some(&matrix), "invalid policy matrix")?;
            let m = PolicyMatrix::from_value(&v).map_err(|r| refused("policy matrix", &matrix, &r))?;
            let d = m.decide(&tool, &role, calls, !offline);
            match format {
                Format::Json => println!("{}", serde_json::to_string(&d).map_err(|e| e.to_string())?),
                Format::Text => match d {
                    Decision::Allow => println!("allow"),
                    Decision::NeedsApproval { tier } => println!("needs_approval (tier {})", tier.as_str()),
                    Decision::Queued => println!("queued: the call runs when the device is online"),
                    Decision::Deny { reason } => println!("deny: {reason}"),
                },
            }
            Ok(0)
        }
        Command::Sse { file, replay } => sse(file.as_deref(), replay),
        Command::VerifyWebhook { provider, secret_env, headers, now, file, format } => {
            verify_webhook(provider, &secret_env, &headers, now, file.as_deref(), format)
        }
        Command::VerifyGoogleWebhook {
            keys,
            audience,
            email,
            channel_token_env,
            skew_seconds,
            headers,
            now,
            format,
        } => {
            let channel_token = match channel_token_env {
                None => None,
                Some(var) => Some(std::env::var(&var).map_err(|_| {
                    format!("the environment variable `{var}` (--channel-token-env) is not set or not UTF-8")
                })?),
            };
            let expect =
                agentrules::webhook::google::GoogleExpectations { audience, email, channel_token, skew_seconds };
            verify_google_webhook(keys.as_deref(), &expect, &headers, now, format)
        }
        Command::Connector { command } => connector(command),
        Command::Serve { port, host, config, data, timing, seed } => serve(port, host, config, data, timing, seed),
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&agentrules_server::openapi::document()).unwrap_or_default());
            Ok(0)
        }
        Command::Op { list: true, format, .. } => {
            let specs = agentrules::ops::SPECS;
            match format {
                Format::Json => {
                    let all: Vec<serde_json::Value> = specs
                        .iter()
                        .zip(agentrules::ops::schemas())
                        .map(|(o, s)| {
                            serde_json::json!({"op": o.name, "summary": o.summary, "args": s.args, "answer": s.answer})
                        })
                        .collect();
                    println!("{}", serde_json::to_string(&all).map_err(|e| e.to_string())?);
                }
                Format::Text => specs.iter().for_each(|o| println!("{:<22} {}", o.name, o.summary)),
            }
            Ok(0)
        }
        Command::Op { name, file, .. } => {
            let name = name.unwrap_or_default();
            let args = read_json_input(file.as_deref(), "invalid arguments")?;
            let out = agentrules::ops::evaluate(&name, &args).map_err(|e| e.to_string())?;
            println!("{out}");
            Ok(0)
        }
    }
}

fn sse(file: Option<&str>, replay: bool) -> Result<u8, String> {
    use agentrules::sse::{SseDecoder, SseItem};
    use std::io::Write;
    let mut reader: Box<dyn Read> = match file {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?),
    };
    let mut decoder = SseDecoder::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut items = Vec::new();
    let mut log = Vec::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    loop {
        let n = reader.read(&mut buf).map_err(|e| format!("cannot read the stream: {e}"))?;
        if n == 0 {
            break;
        }
        if let Err(e) = decoder.push_into(buf.get(..n).unwrap_or_default(), &mut items) {
            let _ = out.flush();
            eprintln!("agentrules: the stream is refused: {e}");
            return Ok(1);
        }
        for item in items.drain(..) {
            if replay {
                if let SseItem::Event(e) = &item {
                    match agentrules::run::event_from_sse(e) {
                        Ok(v) => log.push(v),
                        Err(v) => {
                            eprintln!("agentrules: event {} is not a run event: {v}", log.len());
                            return Ok(1);
                        }
                    }
                }
            } else {
                let line = serde_json::to_string(&item).map_err(|e| e.to_string())?;
                if !emit(&mut out, &line)? {
                    return Ok(0);
                }
            }
        }
    }
    decoder.finish();
    if !replay {
        return finish_output(&mut out, 0);
    }
    let code = match agentrules::run::replay(&serde_json::Value::Array(log)) {
        Ok(state) => {
            emit(&mut out, &serde_json::to_string(&state).map_err(|e| e.to_string())?)?;
            0
        }
        Err(report) => {
            for v in &report.violations {
                if !emit(&mut out, &v.to_string())? {
                    break;
                }
            }
            1
        }
    };
    finish_output(&mut out, code)
}

/// Flushes a streamed output and gives `code`; a closed standard output is no error.
fn finish_output(out: &mut impl std::io::Write, code: u8) -> Result<u8, String> {
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write the output: {e}")),
        _ => Ok(code),
    }
}

/// Writes one line of a streamed output: `false` when standard output was closed (`| head -1`),
/// which ends the command quietly with the outcome so far; any other write error is an error.
fn emit(out: &mut impl std::io::Write, line: &str) -> Result<bool, String> {
    match writeln!(out, "{line}") {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(format!("cannot write the output: {e}")),
    }
}

fn verify_webhook(
    provider: ProviderArg,
    secret_env: &str,
    headers: &[String],
    now: Option<i64>,
    file: Option<&str>,
    format: Format,
) -> Result<u8, String> {
    use agentrules::webhook::{verify, WebhookProvider, WebhookVerification};
    let provider = match provider {
        ProviderArg::Github => WebhookProvider::Github,
        ProviderArg::Slack => WebhookProvider::Slack,
        ProviderArg::Whatsapp => WebhookProvider::Whatsapp,
    };
    let secret = std::env::var_os(secret_env)
        .ok_or_else(|| format!("the environment variable `{secret_env}` (--secret-env) is not set"))?;
    let secret = secret.into_encoded_bytes();
    if secret.is_empty() {
        return Err(format!("the environment variable `{secret_env}` (--secret-env) is empty"));
    }
    // The core's header rule: the value as given, trimmed of spaces and tabs by `verify`.
    let pairs = header_pairs(headers)?;
    let now = now_or_clock(now)?;
    let body = read_input(file)?;
    let outcome: WebhookVerification = verify(provider, &pairs, &body, &secret, now).into();
    print_verification(&outcome, format)
}

/// The `Name: value` lines of `--header`, by the core's header rule.
fn header_pairs(headers: &[String]) -> Result<Vec<(&str, &str)>, String> {
    headers
        .iter()
        .map(|h| {
            agentrules::webhook::parse_header_line(h).ok_or_else(|| format!("--header `{h}` is not `Name: value`"))
        })
        .collect()
}

fn now_or_clock(now: Option<i64>) -> Result<i64, String> {
    match now {
        Some(n) => Ok(n),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| format!("the clock is before 1970: {e}"))
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
    }
}

fn print_verification(outcome: &agentrules::webhook::WebhookVerification, format: Format) -> Result<u8, String> {
    match format {
        Format::Json => println!("{}", serde_json::to_string(outcome).map_err(|e| e.to_string())?),
        Format::Text if outcome.verified => println!("verified"),
        Format::Text => println!(
            "rejected: {} [{}]",
            outcome.message,
            outcome.reason.map_or("", agentrules::webhook::RejectReason::as_str)
        ),
    }
    Ok(u8::from(!outcome.verified))
}

fn verify_google_webhook(
    keys: Option<&str>,
    expect: &agentrules::webhook::google::GoogleExpectations,
    headers: &[String],
    now: Option<i64>,
    format: Format,
) -> Result<u8, String> {
    let pairs = header_pairs(headers)?;
    let now = now_or_clock(now)?;
    // The document's text as it is: the core reads it (not JSON, too long: `invalid_keys`).
    let text = match keys {
        Some(path) => {
            Some(String::from_utf8(read_input(Some(path))?).map_err(|_| format!("--keys `{path}` is not UTF-8"))?)
        }
        None => None,
    };
    let outcome = agentrules::webhook::google::verify_google(&pairs, text.as_deref(), expect, now).into();
    print_verification(&outcome, format)
}

fn refused(what: &str, path: &str, report: &Report) -> String {
    let lines: Vec<String> = report.violations.iter().map(|v| format!("  {v}")).collect();
    format!("invalid {what} `{path}`:\n{}", lines.join("\n"))
}

fn connector(command: ConnectorCommand) -> Result<u8, String> {
    use agentrules::connector::{apply, summary, sweep, ConnectorPolicy, Install, InstallEvent};
    match command {
        ConnectorCommand::Apply { install, event, failure_threshold } => {
            let i = Install::from_value(&read_json_input(Some(&install), "install")?)
                .map_err(|r| refused("install", &install, &r))?;
            let e = InstallEvent::from_value(&read_json_input(Some(&event), "event")?)
                .map_err(|r| refused("event", &event, &r))?;
            let policy = ConnectorPolicy { failure_threshold, ..ConnectorPolicy::default() };
            match apply(&i, &e, policy) {
                Ok(next) => {
                    println!("{}", serde_json::to_string(&next).map_err(|e| e.to_string())?);
                    Ok(0)
                }
                Err(v) => {
                    println!("{v}");
                    Ok(1)
                }
            }
        }
        ConnectorCommand::Summary { install } => {
            let i = Install::from_value(&read_json_input(Some(&install), "install")?)
                .map_err(|r| refused("install", &install, &r))?;
            println!("{}", serde_json::to_string(&summary(&i)).map_err(|e| e.to_string())?);
            Ok(0)
        }
        ConnectorCommand::Sweep { installs, now, sweep_after } => {
            let v = read_json_input(Some(&installs), "installs")?;
            let serde_json::Value::Array(items) = v else {
                return Err(format!("installs `{installs}` is not a JSON array"));
            };
            let list = items
                .iter()
                .map(|i| Install::from_value(i).map_err(|r| refused("install", &installs, &r)))
                .collect::<Result<Vec<_>, _>>()?;
            let policy = ConnectorPolicy { sweep_after, ..ConnectorPolicy::default() };
            for id in sweep(&list, now, policy) {
                println!("{id}");
            }
            Ok(0)
        }
    }
}

fn transition(from: &str, event: &str, format: Format) -> Result<u8, String> {
    let from_status = AgentStatus::parse_known(from).ok_or_else(|| {
        format!("unknown status `{from}`; expected waiting, running, awaiting_tool, finished, stopped or failed")
    })?;
    if let Some(to) = AgentStatus::parse_known(event) {
        let r = check_transition(&from_status, &to, Via::Pipeline);
        match (format, &r) {
            (Format::Json, Ok(())) => println!("{}", serde_json::json!({"ok": true, "status": to})),
            (Format::Json, Err(v)) => {
                println!("{}", serde_json::json!({"ok": false, "violation": v}))
            }
            (Format::Text, Ok(())) => println!("{to}"),
            (Format::Text, Err(v)) => println!("{} [{}]", v.message, v.code),
        }
        return Ok(u8::from(r.is_err()));
    }
    let action = Action::parse(event)
        .ok_or_else(|| format!("unknown event `{event}`; expected a status or follow_up, stop, delete"))?;
    let r = apply(&from_status, action);
    match format {
        Format::Json => {
            let v = match &r {
                Ok(o) => serde_json::to_value(o).map_err(|e| e.to_string())?,
                Err(e) => serde_json::json!({"error": e}),
            };
            println!("{v}");
        }
        Format::Text => match &r {
            Ok(ActionOutcome::Transition { status }) => println!("{status}"),
            Ok(ActionOutcome::Requested { status }) => {
                println!("{status} (stop requested: the status changes later; poll to see it)")
            }
            Ok(ActionOutcome::NoOp { status }) => {
                println!("{status} (already terminal: nothing changes)")
            }
            Ok(ActionOutcome::Deleted { aborted_first: true }) => {
                println!("deleted (the running agent is aborted first; its artifacts remain)")
            }
            Ok(ActionOutcome::Deleted { aborted_first: false }) => println!("deleted (its artifacts remain)"),
            Err(e) => println!("409 {}: {}", e.code, e.message),
        },
    }
    Ok(u8::from(r.is_err()))
}
