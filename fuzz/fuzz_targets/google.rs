//! W5 (Google Workspace) on arbitrary bearer tokens and JWKS documents: never panics. Seeded with
//! the corpus's tokens and keys (fuzz/seed.py), so mutations reach the signature and the claims.
#![no_main]
use agentrules::webhook::google::{verify_google, GoogleExpectations};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    // rest = token \0 JWKS text (none when absent).
    let mut parts = rest.splitn(2, |b| *b == 0);
    let token = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let keys = parts.next().map(|k| String::from_utf8_lossy(k).into_owned());
    let expect = GoogleExpectations {
        audience: Some("https://push.example.com/google/events".into()),
        email: (sel & 1 == 1).then(|| "events-push@example-project.iam.gserviceaccount.com".into()),
        channel_token: (sel & 2 == 2).then(|| "channel-token-4f1c2a".into()),
        skew_seconds: Some(u32::from(sel >> 2) * 60),
    };
    let headers = [("Authorization", format!("Bearer {token}")), ("X-Goog-Channel-Token", "channel-token-4f1c2a".into())];
    let r = verify_google(&headers, keys.as_deref(), &expect, 1_760_000_000);
    // A message never quotes the token (one that looks like a compact JWS: messages are words).
    let jws = token.len() >= 32
        && token.split('.').count() == 3
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if let (Err(e), true) = (r, jws) {
        assert!(!e.message.contains(&token), "a message quotes the token");
    }
});
