//! No secret or payload in a message: API keys, webhook secrets and signatures, credentials in
//! URLs, image payloads and long user strings never appear verbatim in a violation message or a
//! webhook rejection; control characters in input never reach a message unescaped.
#![expect(
    clippy::unwrap_used,
    clippy::string_slice,
    reason = "test code: ASCII payloads sliced for a search, and helpers that panic, which fails the test"
)]

#[path = "../../tests/support/corpus.rs"]
#[expect(dead_code, reason = "this suite uses a part of the shared corpus helpers")]
mod corpus;

use agentrules::webhook::{verify, WebhookProvider};
use agentrules::{check, Violation};
use serde_json::{json, Value};

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(o) => o.iter().for_each(|(k, i)| {
            out.push(k.clone());
            strings(i, out);
        }),
        _ => {}
    }
}

fn messages(kind: &str, input: &Value) -> Vec<Violation> {
    check(kind, &input.to_string(), None).unwrap().violations
}

/// Every corpus case: no input string longer than a quoted excerpt (40 characters) appears in a
/// message, and no message holds a control character.
#[test]
fn corpus_messages_hold_excerpts_only() {
    let mut checked = 0;
    for case in corpus::load() {
        let Some(kind) = case.kind() else { continue };
        let Ok(report) = check(kind, &case.input_text(), case.context_text().as_deref()) else { continue };
        let mut inputs = Vec::new();
        if let Some(v) = case.value.get("input") {
            strings(v, &mut inputs);
        }
        for v in &report.violations {
            assert!(!v.message.chars().any(char::is_control), "{}: control character in {:?}", case.label(), v.message);
            for s in inputs.iter().filter(|s| s.chars().count() > 40) {
                assert!(!v.message.contains(s.as_str()), "{}: {:?} holds an input verbatim", case.label(), v.message);
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} messages");
}

#[test]
fn api_keys_and_tokens_are_never_echoed() {
    for key in ["sk_live_9f8e7d6c5b4a", "npk", "ghp_0123456789abcdef0123456789abcdef0123", "tok en"] {
        for kind in ["agent-headers", "nome-headers"] {
            let vs = messages(kind, &json!({"Authorization": format!("Bearer {key}"), "X-Nome-Client-Version": "x"}));
            let vs2 = messages(kind, &json!({"Authorization": key}));
            for v in vs.iter().chain(&vs2) {
                assert!(
                    !v.message.contains(key) || v.message.contains("npk_"),
                    "{kind}: {:?} echoes the key",
                    v.message
                );
            }
        }
    }
    // Credentials inside a Git URL: the message names the problem, never the URL.
    for url in [
        "https://x-access-token:ghp_SECRET123@github.com/a/b.git",
        "ssh://git:hunter2hunter2@github.com/a/b.git",
        "https://gitlab.com/a/b.git?private_token=glpat-SECRET123",
    ] {
        for v in messages("git-import", &json!({"url": url})) {
            assert!(!v.message.contains("SECRET123") && !v.message.contains("hunter2"), "{:?}", v.message);
        }
    }
}

#[test]
fn webhook_rejections_never_hold_secret_signature_or_body() {
    let secret = b"whsec_super_secret_value_0123456789";
    let body = b"{\"payload\": \"confidential-body-content\"}";
    let sig = "sha256=0000000000000000000000000000000000000000000000000000000000000000";
    for provider in [WebhookProvider::Github, WebhookProvider::Whatsapp, WebhookProvider::Slack] {
        let headers = [
            ("X-Hub-Signature-256", sig),
            ("X-Slack-Signature", "v0=00ff"),
            ("X-Slack-Request-Timestamp", "1700000000"),
        ];
        for now in [1_700_000_000, 0] {
            let e = verify(provider, &headers, body, secret, now).unwrap_err();
            // (The age of a Slack timestamp is stated; the header's value is not.)
            for needle in ["whsec", "super_secret", "confidential", "0000000000", "00ff"] {
                assert!(!e.message.contains(needle), "{provider:?}: {:?} holds {needle}", e.message);
            }
        }
    }
}

#[test]
fn google_rejections_never_hold_tokens_audiences_or_emails() {
    use agentrules::webhook::google::{verify_google, GoogleExpectations};
    let expect = GoogleExpectations {
        audience: Some("https://secret-audience.example/".into()),
        email: Some("hidden-account@example.iam.gserviceaccount.com".into()),
        channel_token: Some("chan_secret_token_42".into()),
        skew_seconds: None,
    };
    let token = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJjb25maWRlbnRpYWwifQ.c2lnbmF0dXJlX3NlY3JldA";
    for headers in [
        vec![("Authorization", format!("Bearer {token}")), ("X-Goog-Channel-Token", "chan_secret_token_43".into())],
        vec![("Authorization", "Basic c2VjcmV0".into())],
        vec![("X-Goog-Channel-Token", "chan_secret_token_43".into())],
    ] {
        for keys in [Some(r#"{"keys": []}"#), Some("{not json secret"), None] {
            let e = verify_google(&headers, keys, &expect, 0).unwrap_err();
            for needle in ["secret", "hidden-account", "eyJ", "chan_", "c2Vj", "confidential"] {
                assert!(!e.message.contains(needle), "{:?} holds {needle}", e.message);
            }
        }
    }
}

#[test]
fn image_payloads_and_long_strings_are_cut() {
    let data = "QUJD".repeat(50_000);
    let body = json!({"prompt": {"text": "x", "images": [{"media_type": "image/tiff", "data": format!("{data}!")}]}});
    for v in messages("launch", &body) {
        assert!(v.message.len() < 300 && !v.message.contains(&data[..200]), "{:?}", v.message);
    }
    let long = "ü".repeat(10_000);
    let body = json!({"prompt": {"text": "x"}, long.clone(): 1, "capabilities": {long.clone(): true}});
    for v in messages("launch", &body) {
        assert!(v.message.chars().count() < 300, "{:?}", v.message);
        // Paths carry keys in full (they are addresses, not messages).
        assert!(!v.message.contains(&long[..200]));
    }
    let hostile = "\u{1b}[31mred\u{7}\r\nnext";
    for v in messages("thread-rename", &json!({"title": 5, hostile: 1})) {
        assert!(!v.message.chars().any(char::is_control), "{:?}", v.message);
    }
}
