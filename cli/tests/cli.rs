//! Runs the `agentrules` binary on the conformance corpus and on its own behaviours: exit
//! codes, output formats, stdin, contexts, the lifecycle command and large images.
#![expect(
    clippy::expect_used,
    reason = "test helpers (outside `#[test]`, which clippy.toml covers): a binary that does not start fails the test"
)]

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agentrules"))
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("the binary runs");
    writer.join().expect("stdin writer");
    out
}

fn temp_file(contents: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = std::env::temp_dir().join(format!(
        "agentrules-cli-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&p, contents).expect("temp file");
    p
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn corpus_through_the_binary() {
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in corpus::load() {
        let outcome = if let Some(kind) = case.kind() {
            let ctx = case.context_text().map(|c| temp_file(&c));
            let mut args = vec!["check", kind, "-", "--format", "json"];
            let ctx_s = ctx.as_ref().map(|p| p.to_string_lossy().into_owned());
            if let Some(c) = &ctx_s {
                args.extend(["--context", c.as_str()]);
            }
            let out = run(&args, case.input_text().as_bytes());
            if let Some(p) = ctx {
                let _ = std::fs::remove_file(p);
            }
            let want_exit = if case.expected_pairs().is_empty() { 0 } else { 1 };
            match serde_json::from_str::<Value>(stdout(&out).trim()) {
                Ok(report) if out.status.code() == Some(want_exit) => corpus::compare_report(&case, &report),
                Ok(report) => Err(format!("exit {:?}, expected {want_exit}: {report}", out.status.code())),
                Err(e) => Err(format!(
                    "stdout is not JSON ({e}): {} / {}",
                    stdout(&out),
                    String::from_utf8_lossy(&out.stderr)
                )),
            }
        } else if let Some(op) = case.op() {
            let out = run(&["op", op, "-"], case.value["args"].to_string().as_bytes());
            match serde_json::from_str::<Value>(stdout(&out).trim()) {
                Ok(result) => corpus::compare_op(&case, &result),
                Err(e) => Err(format!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr))),
            }
        } else {
            Err("a case needs kind or op".into())
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{}\n   {e}", case.label())),
        }
    }
    println!("cli conformance: {passed} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_output_is_exactly_ok_and_violations() {
    let out = run(&["check", "launch", "--format", "json"], br#"{"prompt": {"text": ""}}"#);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["ok", "violations"]);
    let viol = &v["violations"][0];
    let vkeys: Vec<&String> = viol.as_object().unwrap().keys().collect();
    assert_eq!(vkeys, ["path", "code", "message", "params"]);
    assert_eq!(viol["path"], "/prompt/text");
}

#[test]
fn text_output_is_one_line_per_violation() {
    let out = run(&["check", "launch"], br#"{"prompt": {"text": " "}, "fileIds": ["a"]}"#);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("/prompt/text: ") && lines[0].ends_with("[empty_text]"), "{text}");
    assert!(lines[1].ends_with("[invalid_uuid]"), "{text}");
}

#[test]
fn valid_input_exits_zero() {
    let ex = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/launch/simple.json");
    let out = run(&["check", "launch", ex], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out).trim(), "ok: no violations");
}

#[test]
fn examples_are_what_their_names_say() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/launch"));
    let ctx = dir.join("context.slot-workflow.json");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("context.") || !name.ends_with(".json") {
            continue;
        }
        seen += 1;
        let path = p.to_string_lossy().into_owned();
        let mut args = vec!["check", "launch", path.as_str()];
        let ctx_s = ctx.to_string_lossy().into_owned();
        if name.contains("slot") {
            args.extend(["--context", ctx_s.as_str()]);
        }
        let want = if name.starts_with("invalid") { 1 } else { 0 };
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(want), "{name}: {}", stdout(&out));
    }
    assert!(seen >= 5, "only {seen} examples");
}

#[test]
fn not_json_is_a_violation_not_a_usage_error() {
    let out = run(&["check", "launch", "--format", "json"], b"prompt: hello");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["violations"][0]["code"], "invalid_json");
    assert!(v["violations"][0]["message"].as_str().unwrap().contains("byte 0"));
    let out = run(&["check", "launch", "--format", "json"], b"\xff\xfe{}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["check", "launc"], b"{}").status.code(), Some(2));
    assert_eq!(run(&["check", "launch", "/no/such/file.json"], b"").status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], b"").status.code(), Some(2));
    assert_eq!(run(&["check", "launch", "--format", "yaml"], b"{}").status.code(), Some(2));
    let bad_ctx = temp_file(r#"{"limits": {"maxImages": 10}}"#);
    let out = run(&["check", "launch", "--context", bad_ctx.to_str().unwrap()], br#"{"prompt":{"text":"x"}}"#);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/limits/maxImages") && err.contains("out_of_range"), "{err}");
    assert!(stdout(&out).is_empty(), "a context error must not mix into the report");
    let _ = std::fs::remove_file(bad_ctx);
}

#[test]
fn codes_lists_every_code() {
    let out = run(&["codes", "--format", "json"], b"");
    let listed: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let want: Vec<&str> = agentrules::Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed.iter().map(|c| c["code"].as_str().unwrap_or_default()).collect::<Vec<_>>(), want);
    assert_eq!(serde_json::to_value(agentrules::Code::catalogue()).unwrap(), Value::Array(listed));
    let text = stdout(&run(&["codes"], b""));
    assert_eq!(text.lines().count(), want.len());
}

#[test]
fn schema_prints_the_committed_schemas() {
    for (name, file) in [
        ("launch", "launch.schema.json"),
        ("followup", "followup.schema.json"),
        ("report", "report.schema.json"),
        ("error-envelope", "error-envelope.schema.json"),
    ] {
        let out = run(&["schema", name], b"");
        assert_eq!(out.status.code(), Some(0));
        let committed = std::fs::read_to_string(format!("{}/../schemas/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(stdout(&out), committed, "schemas/{file} is stale");
    }
    assert_eq!(run(&["schema", "nope"], b"").status.code(), Some(2));
}

#[test]
fn transition_answers_lifecycle_questions() {
    let t = |from: &str, ev: &str| {
        let o = run(&["transition", from, ev], b"");
        (o.status.code(), stdout(&o).trim().to_string())
    };
    assert_eq!(t("finished", "follow_up"), (Some(0), "running".into()));
    let (code, text) = t("running", "follow_up");
    assert_eq!(code, Some(1));
    assert!(text.starts_with("409 invalid_state"), "{text}");
    assert_eq!(t("waiting", "stop"), (Some(0), "stopped".into()));
    assert!(t("running", "stop").1.contains("requested"));
    assert!(t("failed", "stop").1.starts_with("failed"));
    assert!(t("running", "delete").1.contains("aborted first"));
    assert_eq!(t("waiting", "running"), (Some(0), "running".into()));
    let (code, text) = t("finished", "running");
    assert_eq!(code, Some(1));
    assert!(text.ends_with("[invalid_transition]"), "{text}");
    assert_eq!(t("paused", "stop").0, Some(2));
    assert_eq!(t("running", "explode").0, Some(2));
    let o = run(&["transition", "running", "waiting", "--format", "json"], b"");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["violation"]["code"], "invalid_transition");
}

fn png_file(decoded_len: usize) -> PathBuf {
    use base64::Engine;
    let mut bytes = vec![0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.resize(decoded_len, 0);
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    temp_file(&format!(r#"{{"prompt":{{"text":"look","images":[{{"media_type":"image/png","data":"{data}"}}]}}}}"#))
}

#[test]
fn twenty_mib_png_boundary_through_the_cli() {
    let ok = png_file(20 * 1024 * 1024);
    let out = run(&["check", "launch", ok.to_str().unwrap(), "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let big = png_file(20 * 1024 * 1024 + 1);
    let out = run(&["check", "launch", big.to_str().unwrap(), "--format", "json"], b"");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["violations"][0]["code"], "image_too_large");
    assert_eq!(v["violations"][0]["path"], "/prompt/images/0/data");
    assert!(stdout(&out).len() < 500, "the payload must not be echoed");
    let _ = std::fs::remove_file(ok);
    let _ = std::fs::remove_file(big);
}

#[test]
fn decide_prints_the_decision() {
    let m = temp_file(
        r#"{"tools": {"send_email": {"maxCalls": 2, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}}"#,
    );
    let mp = m.to_str().unwrap();
    let d = |extra: &[&str]| {
        let mut args = vec!["decide", "--matrix", mp, "--tool", "send_email", "--role", "member"];
        args.extend_from_slice(extra);
        let o = run(&args, b"");
        (o.status.code(), stdout(&o).trim().to_string())
    };
    assert_eq!(d(&[]).1, "needs_approval (tier admin)");
    assert_eq!(d(&["--offline"]).1, "queued: the call runs when the device is online");
    assert_eq!(d(&["--calls", "2"]).1, "deny: max_calls_exceeded");
    assert_eq!(d(&["--format", "json"]).1, r#"{"decision":"needs_approval","tier":"admin"}"#);
    let o = run(&["decide", "--matrix", mp, "--tool", "x", "--role", "member", "--format", "json"], b"");
    assert_eq!(stdout(&o).trim(), r#"{"decision":"deny","reason":"unknown_tool"}"#);
    let bad = temp_file(r#"{"tools": {"t": {"maxCalls": -1}}}"#);
    let o = run(&["decide", "--matrix", bad.to_str().unwrap(), "--tool", "t", "--role", "a"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/tools/t/maxCalls"));
    let _ = std::fs::remove_file(m);
    let _ = std::fs::remove_file(bad);
}

#[test]
fn table_check_from_a_file() {
    let t = temp_file(
        r#"{"schema": {"type": "object", "properties": {"issue": {"type": "string"}}}, "elements": [{"key": "row-1", "value": {"issue": 7}}]}"#,
    );
    let o = run(&["check", "table", t.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "/elements/0/value/issue: value is not of type \"string\" [schema_type]");
    let o = run(&["check", "table-schema", "-"], br#"{"type": "object"}"#);
    assert_eq!(o.status.code(), Some(0));
    let _ = std::fs::remove_file(t);
}

#[test]
fn sse_prints_one_json_object_per_item() {
    let stream =
        b"retry: 3000\r\nid: 1\r\nevent: run.started\r\ndata: {}\r\n\r\n: ping\n\ndata: a\ndata: b\n\ndata: dropped";
    let out = run(&["sse", "-"], stream);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"retry": 3000}),
            serde_json::json!({"event": "run.started", "data": "{}", "id": "1"}),
            serde_json::json!({"event": "message", "data": "a\nb", "id": "1"}),
        ]
    );
}

#[test]
fn sse_replay_prints_the_run_state() {
    let ev = |t: &str, seq: u32, extra: &str| {
        format!("event: {t}\ndata: {{\"runId\":\"r\",\"workItemId\":\"w\",\"seq\":{seq},\"receipt\":{{\"id\":\"x\"}}{extra}}}\n\n")
    };
    let stream = ev("run.started", 1, "") + &ev("text.delta", 2, ",\"delta\":\"Hi\"") + &ev("run.completed", 3, "");
    let out = run(&["sse", "--replay"], stream.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let state: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!((state["status"].as_str(), state["text"].as_str()), (Some("completed"), Some("Hi")));
    let bad = ev("text.delta", 1, ",\"delta\":\"x\"");
    let out = run(&["sse", "--replay"], bad.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("[out_of_order]"));
}

/// Every `verify_webhook` case of the corpus (the GitHub and Slack documentation vectors among
/// them) through `agentrules verify-webhook` exactly as a shell would call it: the secret in an
/// environment variable, one `--header` per header, the raw body on stdin.
#[test]
fn verify_webhook_runs_the_webhook_corpus() {
    use base64::Engine as _;
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in corpus::load() {
        if case.op() != Some("verify_webhook") {
            continue;
        }
        let a = &case.value["args"];
        let secret = a["secret"].as_str().unwrap_or_default();
        if secret.is_empty() {
            continue; // an empty --secret-env is a usage error, tested below
        }
        let headers: Vec<String> = match &a["headers"] {
            Value::Object(o) => o.iter().map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or(""))).collect(),
            Value::Array(p) => {
                p.iter().map(|p| format!("{}: {}", p[0].as_str().unwrap(), p[1].as_str().unwrap())).collect()
            }
            other => panic!("a hook's headers are an object or an array of pairs, not {other}"),
        };
        let body: Vec<u8> = match &a["body"] {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Object(o) if o.contains_key("hex") => {
                let h = o["hex"].as_str().unwrap();
                h.as_bytes()
                    .chunks(2)
                    .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
                    .collect()
            }
            Value::Object(o) => {
                base64::engine::general_purpose::STANDARD.decode(o["base64"].as_str().unwrap()).unwrap()
            }
            other => panic!("a hook's body is a string, {{hex}} or {{base64}}, not {other}"),
        };
        // A name that is no HTTP token (a trailing no-break space) cannot be a `--header` line:
        // the CLI refuses the line itself (a usage error), which the next check asserts.
        if headers.iter().any(|h| agentrules::webhook::parse_header_line(h).is_none()) {
            let out = bin()
                .args(["verify-webhook", "--provider", "github", "--secret-env", "PATH", "--header", &headers[0], "-"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{}", case.label());
            continue;
        }
        let now = a["now"].as_i64().unwrap_or(0).to_string();
        let provider = a["provider"].as_str().unwrap();
        let mut args =
            vec!["verify-webhook", "--provider", provider, "--secret-env", "AGENTRULES_TEST_SECRET", "--now", &now];
        for h in &headers {
            args.extend(["--header", h.as_str()]);
        }
        args.extend(["--format", "json", "-"]);
        let mut cmd = bin();
        cmd.args(&args).env("AGENTRULES_TEST_SECRET", secret);
        let out = {
            let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
            child.stdin.take().unwrap().write_all(&body).unwrap();
            child.wait_with_output().unwrap()
        };
        if let Err(e) = judge_verification(&case, &out) {
            failures.push(format!("{}\n   {e}", case.label()));
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} webhook cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `verify_google_webhook` case of the corpus (W5) through `agentrules
/// verify-google-webhook`: the JWKS document in a file, the channel token in an environment
/// variable, one `--header` per header. The cases whose expectations the CLI cannot spell (an
/// empty channel token variable is a usage error) are asserted as such.
#[test]
fn verify_google_webhook_runs_the_google_corpus() {
    let dir = std::env::temp_dir().join(format!("agentrules-google-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, case) in corpus::load().into_iter().enumerate() {
        if case.op() != Some("verify_google_webhook") {
            continue;
        }
        let a = &case.value["args"];
        let e = &a["expect"];
        let headers: Vec<String> = match &a["headers"] {
            Value::Object(o) => o.iter().map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or(""))).collect(),
            Value::Array(p) => {
                p.iter().map(|p| format!("{}: {}", p[0].as_str().unwrap(), p[1].as_str().unwrap())).collect()
            }
            other => panic!("headers are an object or an array of pairs, not {other}"),
        };
        let now = a["now"].as_i64().unwrap_or(0).to_string();
        let mut args: Vec<String> =
            vec!["verify-google-webhook".into(), "--now".into(), now, "--format".into(), "json".into()];
        if let Some(keys) = a.get("keys") {
            let path = dir.join(format!("keys-{i}.json"));
            let text = keys.as_str().map_or_else(|| keys.to_string(), str::to_owned);
            std::fs::write(&path, text).unwrap();
            args.extend(["--keys".into(), path.display().to_string()]);
        }
        for (flag, key) in [("--audience", "audience"), ("--email", "email")] {
            if let Some(v) = e[key].as_str() {
                args.extend([flag.into(), v.into()]);
            }
        }
        if let Some(s) = e["skewSeconds"].as_u64() {
            args.extend(["--skew-seconds".into(), s.to_string()]);
        }
        if e.get("channelToken").is_some() {
            args.extend(["--channel-token-env".into(), "AR_CHANNEL_TOKEN".into()]);
        }
        for h in &headers {
            args.extend(["--header".into(), h.clone()]);
        }
        let mut cmd = bin();
        cmd.args(&args);
        match e["channelToken"].as_str() {
            Some(t) => cmd.env("AR_CHANNEL_TOKEN", t),
            None => cmd.env_remove("AR_CHANNEL_TOKEN"),
        };
        let out = cmd.output().unwrap();
        if let Err(e) = judge_verification(&case, &out) {
            failures.push(format!("{}\n   {e}", case.label()));
        }
        checked += 1;
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(checked >= 60, "only {checked} Google webhook cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn verify_webhook_text_output_and_usage_errors() {
    let gh =
        ["--header", "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"];
    let call = |args: &[&str], env: Option<&str>, body: &[u8]| {
        let mut cmd = bin();
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        match env {
            Some(s) => cmd.env("AR_SECRET", s),
            None => cmd.env_remove("AR_SECRET"),
        };
        let mut child = cmd.spawn().unwrap();
        // A usage error exits before reading stdin: a broken pipe here is expected then.
        let _ = child.stdin.take().unwrap().write_all(body);
        child.wait_with_output().unwrap()
    };
    let base = ["verify-webhook", "--provider", "github", "--secret-env", "AR_SECRET"];
    let args: Vec<&str> = base.iter().chain(gh.iter()).copied().collect();
    let o = call(&args, Some("It's a Secret to Everybody"), b"Hello, World!");
    assert_eq!((o.status.code(), stdout(&o).trim()), (Some(0), "verified"));
    let o = call(&args, Some("It's a Secret to Everybody"), b"Hello, World?");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("rejected: ") && stdout(&o).trim().ends_with("[signature_mismatch]"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("Secret to Everybody"));
    // Usage errors: exit 2.
    assert_eq!(call(&args, None, b"x").status.code(), Some(2), "unset variable");
    assert_eq!(call(&args, Some(""), b"x").status.code(), Some(2), "empty variable");
    let bad_header: Vec<&str> = base.iter().copied().chain(["--header", "no colon here"]).collect();
    assert_eq!(call(&bad_header, Some("s"), b"x").status.code(), Some(2));
    let bad_provider = ["verify-webhook", "--provider", "gitlab", "--secret-env", "AR_SECRET"];
    assert_eq!(call(&bad_provider, Some("s"), b"x").status.code(), Some(2));
    let missing_file: Vec<&str> = args.iter().copied().chain(["/nonexistent/body"]).collect();
    assert_eq!(call(&missing_file, Some("s"), b"").status.code(), Some(2));
}

#[test]
fn connector_commands() {
    let install = temp_file(
        r#"{"id": "in_1", "connector": "slack", "status": "degraded", "consecutiveFailures": 2, "updatedAt": 100, "failingSince": 50, "lastError": {"reason": "token expired", "at": 100}}"#,
    );
    let fail = temp_file(r#"{"type": "health", "ok": false, "at": 200, "reason": "invalid_auth"}"#);
    let health = temp_file(r#"{"type": "health", "ok": true, "at": 200}"#);
    let ip = install.to_str().unwrap();
    let o = run(&["connector", "apply", ip, fail.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0));
    let next: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!((next["status"].as_str(), next["consecutiveFailures"].as_u64()), (Some("failed"), Some(3)));
    let failed = temp_file(stdout(&o).trim());
    let o = run(&["connector", "apply", failed.to_str().unwrap(), health.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[invalid_transition]"), "{}", stdout(&o));
    let o = run(&["connector", "summary", ip], b"");
    let s: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(s["nextStep"], "auto_recovery");
    let fleet = temp_file(&format!("[{}]", std::fs::read_to_string(&install).unwrap()));
    let o = run(&["connector", "sweep", fleet.to_str().unwrap(), "--now", "400"], b"");
    assert_eq!((o.status.code(), stdout(&o).trim()), (Some(0), "in_1"));
    let o = run(&["connector", "sweep", fleet.to_str().unwrap(), "--now", "399"], b"");
    assert_eq!(stdout(&o).trim(), "");
    let bad = temp_file(r#"{"id": "x"}"#);
    let o = run(&["connector", "summary", bad.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    for p in [install, fail, health, failed, fleet, bad] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn a_closed_standard_output_is_not_a_panic() {
    // `agentrules … | head -0`: the reader is gone before the first line. The output is dropped,
    // the exit code still says what the command found, and nothing panics.
    for (args, code) in [(vec!["codes"], 0), (vec!["check", "list-query", "-"], 1), (vec!["schema", "launch"], 0)] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        // A command that reads no input may be gone before it is written.
        let _ = child.stdin.take().expect("stdin").write_all(br#"{"limit": 500}"#);
        let out = child.wait_with_output().expect("the binary ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_closed_standard_output_ends_sse_quietly() {
    // `agentrules sse | head -1`: no "Broken pipe" and exit 0 (the stream itself was fine).
    let stream: String = (0..20_000).map(|i| format!("data: {i}\n\n")).collect();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child =
        bin().args(["sse", "-"]).stdin(Stdio::piped()).stdout(writer).stderr(Stdio::piped()).spawn().expect("starts");
    let _ = child.stdin.take().expect("stdin").write_all(stream.as_bytes());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn inputs_are_read_through_a_bound_and_the_core_reader() {
    // An endless input is not read past the limit.
    let o = run(&["check", "launch", "/dev/zero", "--format", "json"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("document_too_large"), "{}", stdout(&o));
    let ctx = temp_file(r#"{"limits": {"maxDocumentBytes": 1000}}"#);
    let o = run(&["check", "launch", "-", "--context", ctx.to_str().unwrap(), "--format", "json"], &[b' '; 5000]);
    assert!(stdout(&o).contains("reading stopped there"), "{}", stdout(&o));
    // `op` refuses a repeated name, as every other surface does.
    let o = run(&["op", "retry_after"], br#"{"value": "120", "value": "5", "now": 0}"#);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("duplicate_field"));
    // A context or a matrix that is not UTF-8 is refused, not decoded lossily.
    let bad = std::env::temp_dir().join(format!("agentrules-cli-{}-bad.json", std::process::id()));
    std::fs::write(&bad, b"{\"entitlements\": [\"web\xffSearch\"]}").unwrap();
    let o = run(&["check", "launch", "-", "--context", bad.to_str().unwrap()], br#"{"prompt": {"text": "x"}}"#);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let o = run(&["decide", "--matrix", bad.to_str().unwrap(), "--tool", "t", "--role", "r", "--calls", "0"], b"");
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn webhook_header_values_follow_the_core_rule() {
    // A CRLF left in the value is malformed (only spaces and tabs are trimmed), as in every binding.
    let body = temp_file("Hello, World!");
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    for (value, code) in [(format!("  {sig}\t"), 0), (format!("{sig}\r\n"), 1), (format!("{sig}\u{a0}"), 1)] {
        let header = format!("X-Hub-Signature-256:{value}");
        let out = bin()
            .args(["verify-webhook", "--provider", "github", "--secret-env", "AR_TEST_SECRET", "--header", &header])
            .arg(&body)
            .env("AR_TEST_SECRET", "It's a Secret to Everybody")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(code), "{value:?}: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// A `verify-webhook` / `verify-google-webhook` run judged against its corpus case: exit 0 with a
/// verified answer, 1 with a rejection, and the answer the case expects.
fn judge_verification(case: &corpus::Case, out: &std::process::Output) -> Result<(), String> {
    let result: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let want_exit = if result.get("verified").and_then(Value::as_bool) == Some(true) { 0 } else { 1 };
    if out.status.code() == Some(want_exit) {
        corpus::compare_op(case, &result)
    } else {
        Err(format!("exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr)))
    }
}
