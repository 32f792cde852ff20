//! Webhook verification on arbitrary headers, bodies and secrets: never panics, and a request
//! signed with the secret always verifies (for Slack, with a fresh timestamp).
#![no_main]
use agentrules::webhook::{verify, WebhookProvider};
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;

fn hex_mac(secret: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let provider = [WebhookProvider::Github, WebhookProvider::Slack, WebhookProvider::Whatsapp][usize::from(sel % 3)];
    // rest = header block \0 secret \0 body; header lines are `name: value`.
    let mut parts = rest.splitn(3, |b| *b == 0);
    let head = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let secret = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let headers: Vec<(String, String)> =
        head.lines().filter_map(|l| l.split_once(':').map(|(n, v)| (n.to_string(), v.to_string()))).collect();
    let now = i64::from(sel) * 1_000_003;
    let _ = verify(provider, &headers, body, secret, now);
    if secret.is_empty() {
        return;
    }
    let signed: Vec<(String, String)> = match provider {
        WebhookProvider::Slack => {
            let ts = now.to_string();
            let sig = hex_mac(secret, &[b"v0:", ts.as_bytes(), b":", body]);
            vec![("X-Slack-Request-Timestamp".into(), ts), ("X-Slack-Signature".into(), format!("v0={sig}"))]
        }
        _ => vec![("X-Hub-Signature-256".into(), format!("sha256={}", hex_mac(secret, &[body])))],
    };
    assert!(verify(provider, &signed, body, secret, now).is_ok(), "a correctly signed request was rejected");
});
