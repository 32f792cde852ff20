//! Property tests (proptest): the invariants of issue 9 that no finite list of cases pins down.
//! - every status pair is a legal transition or `invalid_transition` (agents S2, runs R1, and
//!   every connector status × event is the new install or `invalid_transition`/`out_of_order`);
//! - SSE decoding is independent of how the bytes are chunked;
//! - replay is deterministic and independent of how the recorded stream was chunked;
//! - a launch request that passes validation round-trips through serde unchanged;
//! - adding an unknown field to a request yields exactly one more violation, `unknown_field`;
//! - a webhook signed with the secret verifies, and any flipped bit of the body does not;
//! - a Google token (W5) that verifies stops verifying when any one of its characters changes.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test code (proptest strategies and helpers outside `#[test]`): a failure panics, which fails the test"
)]

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use agentrules::connector::{apply, ConnectorPolicy, Install, InstallEvent, InstallStatus};
use agentrules::lifecycle::{check_transition, legal_transitions, AgentStatus, Via};
use agentrules::run::{can_transition as run_can, replay, RunStatus};
use agentrules::sse::{SseDecoder, SseError, SseItem, SseLimits};
use agentrules::{check, Code, Context, LaunchRequest};
use proptest::prelude::*;
use serde_json::{json, Value};

fn agent_status() -> impl Strategy<Value = AgentStatus> {
    prop_oneof![
        8 => prop::sample::select(AgentStatus::KNOWN.to_vec()),
        1 => "[a-z_]{0,12}".prop_map(|s| AgentStatus::parse(&s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn agent_status_pairs_are_legal_or_invalid_transition(from in agent_status(), to in agent_status(), follow in any::<bool>()) {
        let via = if follow { Via::FollowUp } else { Via::Pipeline };
        match check_transition(&from, &to, via) {
            Ok(()) => prop_assert!(legal_transitions().contains(&(from, to, via))),
            Err(v) => {
                prop_assert_eq!(v.code, Code::InvalidTransition);
                prop_assert!(!legal_transitions().contains(&(from, to, via)));
            }
        }
    }
}

#[test]
fn run_status_pairs_are_legal_or_invalid_transition() {
    let all = ["pending", "active", "completed", "failed"];
    let mut legal = 0;
    for from in all {
        for to in all {
            let r = agentrules::ops::evaluate("run_transition", &json!({"from": from, "to": to})).unwrap();
            let (f, t) = (RunStatus::parse(from).unwrap(), RunStatus::parse(to).unwrap());
            if run_can(f, t) {
                legal += 1;
                assert_eq!(r, json!({"ok": true}));
            } else {
                assert_eq!(r["violation"]["code"], "invalid_transition", "{from} -> {to}: {r}");
            }
        }
    }
    assert_eq!(legal, 3);
}

fn install_status() -> impl Strategy<Value = InstallStatus> {
    prop::sample::select(InstallStatus::ALL.iter().map(|(s, _)| *s).collect::<Vec<_>>())
}

fn install_event() -> impl Strategy<Value = InstallEvent> {
    let at = 0i64..1_000;
    let reason = prop::option::of("[a-z ]{1,20}");
    prop_oneof![
        (any::<bool>(), at.clone(), reason.clone()).prop_map(|(ok, at, reason)| InstallEvent::Health {
            ok,
            at,
            reason
        }),
        (any::<bool>(), at.clone(), reason).prop_map(|(ok, at, reason)| InstallEvent::Refresh { ok, at, reason }),
        at.clone().prop_map(|at| InstallEvent::Reinstall { at }),
        at.prop_map(|at| InstallEvent::Uninstall { at }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// K2/K3: any install and any event give the next install or a refusal, never anything else;
    /// a refusal leaves nothing applied, and the failure count moves only as K3 says.
    #[test]
    fn connector_events_apply_or_are_refused(status in install_status(), fails in 1u32..6, updated in prop::option::of(0i64..1_000),
                                             event in install_event(), threshold in 1u32..5) {
        // A consistent record (K1): only degraded and failed installs carry failures.
        let failing = matches!(status, InstallStatus::Degraded | InstallStatus::Failed);
        let install = Install { id: "i".into(), connector: "c".into(), status,
                                consecutive_failures: if failing { fails } else { 0 },
                                updated_at: updated, failing_since: failing.then_some(0),
                                last_error: failing.then(|| agentrules::connector::InstallError { reason: "x".into(), at: 0 }) };
        prop_assert!(Install::from_value(&serde_json::to_value(&install).unwrap()).is_ok());
        let policy = ConnectorPolicy { failure_threshold: threshold, sweep_after: 300 };
        match apply(&install, &event, policy) {
            Ok(next) => {
                prop_assert!(next.updated_at >= install.updated_at);
                // What apply returns is again a consistent record.
                prop_assert!(Install::from_value(&serde_json::to_value(&next).unwrap()).is_ok(), "{:?}", next);
                if next.status == InstallStatus::Active {
                    prop_assert!(next.consecutive_failures == 0 && next.last_error.is_none() && next.failing_since.is_none());
                    let good = matches!(event, InstallEvent::Health { ok: true, .. } | InstallEvent::Refresh { ok: true, .. });
                    prop_assert!(good, "{:?} made the install active", event);
                }
                if next.status == InstallStatus::Failed && status != InstallStatus::Failed {
                    prop_assert!(next.consecutive_failures >= threshold);
                }
                if next.status == InstallStatus::Degraded {
                    prop_assert!(next.consecutive_failures >= 1 && next.consecutive_failures < threshold);
                    prop_assert!(next.last_error.is_some() && next.failing_since.is_some());
                }
            }
            Err(v) => prop_assert!(matches!(v.code, Code::InvalidTransition | Code::OutOfOrder), "{:?}", v),
        }
    }
}

fn decode(chunks: &[&[u8]]) -> (Vec<SseItem>, String, Option<u64>) {
    let mut d = SseDecoder::new();
    let mut items = Vec::new();
    for c in chunks {
        d.push_into(c, &mut items).unwrap();
    }
    d.finish();
    (items, d.last_event_id().to_string(), d.retry())
}

/// Streams made of the pieces an event stream is made of, including the awkward ones.
fn sse_stream() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        "data: hello",
        "data:",
        "data",
        "data:  two spaces",
        "event: run.started",
        "event:",
        "id: 7",
        "id",
        "id: a\u{0}b",
        "retry: 1500",
        "retry: x",
        "retry:",
        ": a comment",
        ":",
        "unknown: field",
        "\n",
        "\n",
        "\n",
        "\r",
        "\r\n",
        "\r\n",
        "é",
        "\u{1F600}",
        "\u{FEFF}",
        "data: {\"a\": 1}",
        " ",
        "\t",
    ]);
    (prop::bool::ANY, prop::collection::vec(piece, 0..40)).prop_map(|(bom, pieces)| {
        let mut out = if bom { "\u{FEFF}".as_bytes().to_vec() } else { Vec::new() };
        for p in pieces {
            out.extend_from_slice(p.as_bytes());
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// R2: any split of the bytes, UTF-8 sequences and CRLF pairs included, decodes the same.
    #[test]
    fn sse_decoding_is_independent_of_chunking(stream in sse_stream(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let whole = decode(&[&stream]);
        let chunks = split_at(&stream, &cuts);
        prop_assert_eq!(decode(&chunks), whole);
    }

    /// R2 with small limits: lines and events over them fail the same way at the same place,
    /// whatever the split (the items before the error, the error, and nothing after it).
    #[test]
    fn sse_limits_are_independent_of_chunking(stream in sse_stream(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8), line in 1usize..24, event in 1usize..48) {
        let limits = SseLimits { max_line_bytes: line, max_event_bytes: event };
        let whole = decode_limited(&[&stream], limits);
        let chunks = split_at(&stream, &cuts);
        prop_assert_eq!(decode_limited(&chunks, limits), whole);
    }
}

/// `stream` cut at the points `cuts` pick (sorted; empty pieces allowed).
fn split_at<'a>(stream: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut start = 0;
    for p in points {
        chunks.push(&stream[start..p]);
        start = p;
    }
    chunks.push(&stream[start..]);
    chunks
}

/// The items up to the first error, and the error.
fn decode_limited(chunks: &[&[u8]], limits: SseLimits) -> (Vec<SseItem>, Option<SseError>) {
    let mut d = SseDecoder::with_limits(limits);
    let mut items = Vec::new();
    for c in chunks {
        if let Err(e) = d.push_into(c, &mut items) {
            return (items, Some(e));
        }
    }
    (items, None)
}

/// A valid run log: started, some deltas, tool calls and approvals, then completed or failed.
fn run_log() -> impl Strategy<Value = Vec<Value>> {
    let step = prop_oneof![
        "[ -~é\u{1F600}]{0,12}".prop_map(|t| json!({"type": "text.delta", "delta": t})),
        "[a-z_]{1,8}"
            .prop_map(|t| json!({"type": "tool.call", "tool": t, "callId": format!("c_{t}"), "arguments": {"q": t}})),
        "[a-z_]{1,8}".prop_map(
            |t| json!({"type": "approval.request", "approvalId": format!("a_{t}"), "tool": t, "tier": "admin"})
        ),
    ];
    (prop::collection::vec(step, 0..12), any::<bool>(), 1u64..4).prop_map(|(steps, ok, gap)| {
        let mut log = vec![json!({"type": "run.started"})];
        log.extend(steps);
        log.push(if ok { json!({"type": "run.completed"}) } else { json!({"type": "run.failed", "error": "boom"}) });
        for (i, e) in log.iter_mut().enumerate() {
            let o = e.as_object_mut().unwrap();
            o.insert("runId".into(), json!("run_1"));
            o.insert("workItemId".into(), json!("wi_1"));
            o.insert("seq".into(), json!(1 + i as u64 * gap));
            o.insert("receipt".into(), json!({"id": format!("rc_{i}")}));
        }
        log
    })
}

fn as_sse(log: &[Value]) -> Vec<u8> {
    let mut out = String::new();
    for e in log {
        let mut data = e.clone();
        let ty = data.as_object_mut().unwrap().remove("type").unwrap();
        out.push_str(&format!("event: {}\ndata: {}\nid: {}\n\n", ty.as_str().unwrap(), data, e["seq"]));
    }
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// R5: replaying a log is deterministic, and a log recorded as an SSE stream replays to the
    /// same bytes however the stream was chunked.
    #[test]
    fn replay_is_deterministic_and_independent_of_chunking(log in run_log(), size in 1usize..64) {
        let direct = replay(&Value::Array(log.clone()));
        prop_assume!(direct.is_ok());
        let golden = serde_json::to_string(&direct.unwrap()).unwrap();
        prop_assert_eq!(&serde_json::to_string(&replay(&Value::Array(log.clone())).unwrap()).unwrap(), &golden);
        let stream = as_sse(&log);
        let chunks: Vec<&[u8]> = stream.chunks(size).collect();
        let (items, _, _) = decode(&chunks);
        let events: Vec<Value> = items
            .iter()
            .filter_map(|i| match i { SseItem::Event(e) => Some(agentrules::run::event_from_sse(e).unwrap()), _ => None })
            .collect();
        let state = replay(&Value::Array(events)).unwrap();
        prop_assert_eq!(serde_json::to_string(&state).unwrap(), golden);
    }
}

fn launch_body() -> impl Strategy<Value = Value> {
    let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    let text = "[ -~é\u{4e2d}\u{1F600}]{1,40}";
    prop_oneof![
        (text, prop::collection::vec(uuid, 0..4), prop::option::of(uuid), any::<bool>()).prop_map(
            |(t, files, project, web)| {
                let mut body = json!({"prompt": {"text": t}});
                if !files.is_empty() {
                    body["fileIds"] = json!(files);
                }
                if let Some(p) = project {
                    body["projectId"] = json!(p);
                }
                if web {
                    body["capabilities"] = json!({"webSearch": true});
                }
                body
            }
        ),
        (uuid, text).prop_map(|(w, t)| json!({"workflowId": w, "prompt": {"text": t}})),
        (uuid, prop::collection::vec(uuid, 1..3))
            .prop_map(|(w, f)| json!({"workflowId": w, "workflowInputs": {"Drawing Set": f}})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A launch body that passes every rule deserialises and serialises back to the same JSON.
    #[test]
    fn valid_launch_requests_round_trip_through_serde(body in launch_body()) {
        let ctx = Context::from_json(r#"{"entitlements": ["webSearch"]}"#).unwrap();
        let text = body.to_string();
        let report = check("launch", &text, Some(r#"{"entitlements": ["webSearch"]}"#)).unwrap();
        prop_assume!(report.ok);
        let typed = LaunchRequest::parse(&text, &ctx).unwrap();
        prop_assert_eq!(serde_json::to_value(&typed).unwrap(), body);
    }
}

/// Request kinds whose objects reject fields they do not have (responses and metadata ignore them).
const STRICT_KINDS: [&str; 8] = [
    "launch",
    "followup",
    "thread-create",
    "thread-rename",
    "marketplace-install",
    "git-import",
    "connector-install",
    "context",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every corpus request of a strict kind, with one more field it does not have: exactly one
    /// more violation, `unknown_field` at that field's path.
    #[test]
    fn an_unknown_field_is_exactly_one_more_violation(name in "[a-zA-Z_~/]{1,12}") {
        let mut seen = 0;
        for case in corpus::load() {
            let Some(kind) = case.kind() else { continue };
            if !STRICT_KINDS.contains(&kind) || case.value.get("raw").is_some() { continue }
            let Some(Value::Object(obj)) = case.value.get("input") else { continue };
            let key = format!("x_{name}");
            if obj.contains_key(&key) { continue }
            let ctx = case.context_text();
            let before = check(kind, &case.input_text(), ctx.as_deref()).unwrap().violations;
            // A report cut short (too large a document, too many violations) lists no more.
            if before.iter().any(|v| matches!(v.code, Code::DocumentTooLarge | Code::TooManyViolations)) { continue }
            let mut more = obj.clone();
            more.insert(key.clone(), json!(1));
            let after = check(kind, &Value::Object(more).to_string(), ctx.as_deref()).unwrap().violations;
            prop_assert_eq!(after.len(), before.len() + 1, "{}: {:?}", case.label(), after);
            let path = agentrules::Pointer::root().key(&key).to_string();
            prop_assert!(after.iter().any(|v| v.code == Code::UnknownField && v.path == path), "{}: {:?}", case.label(), after);
            seen += 1;
        }
        prop_assert!(seen >= 100, "only {} corpus requests", seen);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// W1/W2: a signature made with the secret verifies; one flipped bit of the body never does.
    #[test]
    fn signed_webhooks_verify_and_flipped_bits_do_not(body in prop::collection::vec(any::<u8>(), 0..2048),
                                                      secret in prop::collection::vec(any::<u8>(), 1..100),
                                                      flip in any::<prop::sample::Index>(), bit in 0u8..8) {
        use agentrules::webhook::{verify, RejectReason, WebhookProvider};
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
        mac.update(&body);
        let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let headers = [("X-Hub-Signature-256", format!("sha256={hex}"))];
        prop_assert!(verify(WebhookProvider::Github, &headers, &body, &secret, 0).is_ok());
        if !body.is_empty() {
            let mut tampered = body.clone();
            let i = flip.index(tampered.len());
            tampered[i] ^= 1 << bit;
            prop_assert_eq!(verify(WebhookProvider::Github, &headers, &tampered, &secret, 0).unwrap_err().reason, RejectReason::SignatureMismatch);
        }
    }

    #[test]
    fn a_google_token_with_any_character_changed_does_not_verify(at in any::<prop::sample::Index>(),
                                                                  with in prop::sample::select(b"AZaz09-_.=+/ ".to_vec())) {
        use agentrules::webhook::google::{verify_google_json, GoogleExpectations};
        let case = corpus::load().into_iter().find(|c| c.op() == Some("verify_google_webhook")).unwrap();
        let a = &case.value["args"];
        let expect = GoogleExpectations::from_value(&a["expect"]).unwrap();
        let header = a["headers"]["Authorization"].as_str().unwrap();
        let now = a["now"].as_i64().unwrap();
        prop_assert!(verify_google_json(&[("Authorization", header)], a.get("keys"), &expect, now).is_ok());
        let token = header.strip_prefix("Bearer ").unwrap();
        let i = at.index(token.len());
        prop_assume!(token.as_bytes()[i] != with);
        let mut changed = token.as_bytes().to_vec();
        changed[i] = with;
        let changed = format!("Bearer {}", String::from_utf8(changed).unwrap());
        prop_assert!(verify_google_json(&[("Authorization", changed.as_str())], a.get("keys"), &expect, now).is_err());
    }
}
