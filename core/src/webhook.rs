//! Webhook verification (W1–W5 of `docs/rules.md`): is this request really from GitHub, Slack,
//! WhatsApp (Meta) or Google Workspace?
//!
//! Pure: the caller passes the request's headers, the **raw body bytes** exactly as they arrived
//! (never a re-serialised body: one changed space breaks the signature), the signing secret and
//! the current Unix time. Signatures are compared in constant time (`hmac`'s `verify_slice`).
//!
//! | provider | header | signed bytes | freshness |
//! |---|---|---|---|
//! | `github` | `X-Hub-Signature-256: sha256=<hex>` | the body | none (GitHub sends no timestamp) |
//! | `slack` | `X-Slack-Signature: v0=<hex>`, `X-Slack-Request-Timestamp: <unix s>` | `v0:{timestamp}:{body}` | at most 300 s from `now`, either way |
//! | `whatsapp` | `X-Hub-Signature-256: sha256=<hex>` (Meta's app secret) | the body | none |
//!
//! ```
//! use agentrules::webhook::{verify, WebhookProvider, RejectReason};
//! let headers = [("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")];
//! // GitHub's documented example.
//! assert!(verify(WebhookProvider::Github, &headers, b"Hello, World!", b"It's a Secret to Everybody", 0).is_ok());
//! let tampered = verify(WebhookProvider::Github, &headers, b"Hello, World?", b"It's a Secret to Everybody", 0);
//! assert_eq!(tampered.unwrap_err().reason, RejectReason::SignatureMismatch);
//! ```
//!
//! Decisions where the providers' documents leave room (each has a conformance case):
//! - Header names are matched case-insensitively (ASCII) and exactly: nothing is trimmed from a
//!   name, so `"X-Hub-Signature-256\u{a0}"` is another header. Values are trimmed of spaces and
//!   tabs only (HTTP optional whitespace); any other character left over (a CR, an LF, a
//!   no-break space, U+3000, a vertical tab) makes the value `malformed_header`. Every surface
//!   reads headers through this one rule; a `Name: value` line (the CLI's `--header`) is read by
//!   [`parse_header_line`]. A header that is needed and given more than once is rejected
//!   (`duplicate_header`): two signatures are an ambiguity an attacker could exploit.
//! - Hex digits are accepted in either case; the digest must be exactly 64 of them.
//! - An empty secret is rejected (`empty_secret`) before anything else: an HMAC keyed with
//!   nothing proves nothing.
//! - Slack's timestamp is ASCII digits only; a request exactly 300 s old (or ahead) is accepted,
//!   301 s is not. The timestamp is checked before the signature, as Slack recommends.
//! - Google Workspace (the fourth source the NOME reference names, W5) signs no body: it sends an
//!   OIDC bearer token signed with Google's rotating RSA keys, and a watch channel's token. The
//!   caller fetches the keys (a JWKS document) as it keeps its secrets, and passes them; the
//!   module [`google`] verifies the token (RS256 only), its claims against the caller's
//!   expectations and clock, and the channel token. Its outcome is the same
//!   [`WebhookVerification`], with the reasons of W5.

pub mod google;

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Slack's replay window: a request more than this many seconds from `now` is rejected.
pub const SLACK_TOLERANCE_SECS: i64 = 300;

/// A webhook source with a signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "lowercase")]
pub enum WebhookProvider {
    /// GitHub (W1).
    Github,
    /// Slack (W2).
    Slack,
    /// WhatsApp Business / Meta (W3).
    Whatsapp,
}

impl WebhookProvider {
    /// Every provider, with its name.
    pub const ALL: [(WebhookProvider, &'static str); 3] = [
        (WebhookProvider::Github, "github"),
        (WebhookProvider::Slack, "slack"),
        (WebhookProvider::Whatsapp, "whatsapp"),
    ];

    /// The provider named `name` (`github`, `slack`, `whatsapp`).
    pub fn parse(name: &str) -> Option<WebhookProvider> {
        WebhookProvider::ALL.iter().find(|(_, n)| *n == name).map(|(p, _)| *p)
    }

    /// [`WebhookProvider::parse`], or the `invalid_arguments` refusal every surface gives for
    /// another name.
    pub fn from_name(name: &str) -> Result<WebhookProvider, crate::Refusal> {
        WebhookProvider::parse(name).ok_or_else(|| {
            let names: Vec<&str> = WebhookProvider::ALL.iter().map(|(_, n)| *n).collect();
            crate::Refusal::invalid_arguments(format!(
                "unknown provider {}: {}",
                crate::report::quote(name),
                names.join(", ")
            ))
        })
    }

    /// The provider's name.
    pub fn name(self) -> &'static str {
        WebhookProvider::ALL.iter().find(|(p, _)| *p == self).map_or("", |(_, n)| n)
    }

    fn label(self) -> &'static str {
        match self {
            WebhookProvider::Github => "GitHub",
            WebhookProvider::Slack => "Slack",
            WebhookProvider::Whatsapp => "WhatsApp",
        }
    }
}

/// Why a request was rejected (W4, W5). Stable snake_case names, like violation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The secret is empty: a configuration error, nothing can be verified.
    EmptySecret,
    /// A header the scheme needs is absent.
    MissingHeader,
    /// A header the scheme needs appears more than once.
    DuplicateHeader,
    /// A header is present but not in the scheme's form (prefix, hex, digits).
    MalformedHeader,
    /// Slack: the timestamp is more than 300 s in the past (a replay, or a slow queue).
    StaleTimestamp,
    /// Slack: the timestamp is more than 300 s in the future.
    FutureTimestamp,
    /// The signature does not match the body and secret: tampered, or the wrong secret (W5: the
    /// token's signature does not verify with its key).
    SignatureMismatch,
    /// W5: the bearer token is not a compact JWS of strict JSON objects, or a claim that must be
    /// there is absent or not of its type.
    MalformedToken,
    /// W5: the token's `alg` is not `RS256` (`none`, `HS256`, …).
    UnsupportedAlgorithm,
    /// W5: the token names no `kid`, or one that is not an RSA signing key of the JWKS.
    UnknownKey,
    /// W5: the JWKS document given is not usable (not JSON, a malformed or weak key, too big).
    InvalidKeys,
    /// W5: the token is not issued by `accounts.google.com`.
    WrongIssuer,
    /// W5: the token's `aud` is not the expected audience.
    WrongAudience,
    /// W5: `now` is at or past `exp` plus the skew.
    TokenExpired,
    /// W5: `iat` or `nbf` is beyond `now` plus the skew.
    TokenNotYetValid,
    /// W5: the token's `email` is not the expected service account.
    EmailMismatch,
    /// W5: the token's `email_verified` is not `true`.
    EmailNotVerified,
    /// W5: `X-Goog-Channel-Token` is not the token registered with the channel.
    ChannelTokenMismatch,
}

impl RejectReason {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectReason::EmptySecret => "empty_secret",
            RejectReason::MissingHeader => "missing_header",
            RejectReason::DuplicateHeader => "duplicate_header",
            RejectReason::MalformedHeader => "malformed_header",
            RejectReason::StaleTimestamp => "stale_timestamp",
            RejectReason::FutureTimestamp => "future_timestamp",
            RejectReason::SignatureMismatch => "signature_mismatch",
            RejectReason::MalformedToken => "malformed_token",
            RejectReason::UnsupportedAlgorithm => "unsupported_algorithm",
            RejectReason::UnknownKey => "unknown_key",
            RejectReason::InvalidKeys => "invalid_keys",
            RejectReason::WrongIssuer => "wrong_issuer",
            RejectReason::WrongAudience => "wrong_audience",
            RejectReason::TokenExpired => "token_expired",
            RejectReason::TokenNotYetValid => "token_not_yet_valid",
            RejectReason::EmailMismatch => "email_mismatch",
            RejectReason::EmailNotVerified => "email_not_verified",
            RejectReason::ChannelTokenMismatch => "channel_token_mismatch",
        }
    }
}

/// A rejected request: the reason, the header concerned (canonical spelling) and a sentence for
/// logs. The message never contains the secret, the body or a header's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Rejection {
    /// Why.
    pub reason: RejectReason,
    /// The header concerned, when there is one.
    pub header: Option<&'static str>,
    /// An English sentence (lowercase start, no trailing period).
    pub message: String,
}

/// The outcome of a verification as data, for bindings and JSON: `verified` is true exactly
/// when `reason` is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WebhookVerification {
    /// True when the request is authentic (and, for Slack, fresh).
    pub verified: bool,
    /// Why not, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub reason: Option<RejectReason>,
    /// The header concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub header: Option<String>,
    /// `verified` or what was wrong.
    pub message: String,
}

impl From<Result<(), Rejection>> for WebhookVerification {
    fn from(r: Result<(), Rejection>) -> Self {
        match r {
            Ok(()) => WebhookVerification { verified: true, reason: None, header: None, message: "verified".into() },
            Err(e) => WebhookVerification {
                verified: false,
                reason: Some(e.reason),
                header: e.header.map(str::to_owned),
                message: e.message,
            },
        }
    }
}

const HUB_SIGNATURE: &str = "X-Hub-Signature-256";
const SLACK_SIGNATURE: &str = "X-Slack-Signature";
const SLACK_TIMESTAMP: &str = "X-Slack-Request-Timestamp";

fn reject(reason: RejectReason, header: Option<&'static str>, message: String) -> Rejection {
    Rejection { reason, header, message }
}

/// A `Name: value` header line: the name (a non-empty HTTP token) and the value as given after
/// the colon (verification trims its spaces and tabs), or `None` when the line is not a header.
///
/// ```
/// use agentrules::webhook::parse_header_line;
/// assert_eq!(parse_header_line("X-Hub-Signature-256: sha256=ab"), Some(("X-Hub-Signature-256", " sha256=ab")));
/// assert_eq!(parse_header_line("X-Hub-Signature-256 : x"), None); // no space before the colon
/// assert_eq!(parse_header_line(": x"), None);
/// ```
pub fn parse_header_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    (!name.is_empty() && name.bytes().all(token)).then_some((name, value))
}

/// The one value of header `name` (ASCII case-insensitive, nothing trimmed from the name),
/// trimmed of HTTP optional whitespace (spaces and tabs).
fn header<'a, N: AsRef<str>, V: AsRef<str>>(headers: &'a [(N, V)], name: &'static str) -> Result<&'a str, Rejection> {
    let mut found = headers.iter().filter(|(n, _)| n.as_ref().eq_ignore_ascii_case(name));
    let Some((_, first)) = found.next() else {
        return Err(reject(RejectReason::MissingHeader, Some(name), format!("the {name} header is missing")));
    };
    if found.next().is_some() {
        return Err(reject(
            RejectReason::DuplicateHeader,
            Some(name),
            format!("the {name} header appears more than once"),
        ));
    }
    Ok(first.as_ref().trim_matches([' ', '\t']))
}

/// 64 hex digits after `prefix`, decoded.
fn digest(value: &str, prefix: &str, name: &'static str) -> Result<[u8; 32], Rejection> {
    let malformed = || {
        reject(
            RejectReason::MalformedHeader,
            Some(name),
            format!("the {name} header is not `{prefix}` and 64 hex digits"),
        )
    };
    let hex = value.strip_prefix(prefix).ok_or_else(malformed)?.as_bytes();
    if hex.len() != 64 {
        return Err(malformed());
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let digit = |b: u8| char::from(b).to_digit(16);
        match pair {
            [h, l] => match (digit(*h), digit(*l)) {
                (Some(h), Some(l)) => {
                    *o = u8::try_from(h.saturating_mul(16).saturating_add(l)).map_err(|_| malformed())?
                }
                _ => return Err(malformed()),
            },
            _ => return Err(malformed()),
        }
    }
    Ok(out)
}

/// HMAC-SHA256 of `parts` under `secret`, compared in constant time with `expected`.
fn check_mac(
    secret: &[u8],
    parts: &[&[u8]],
    expected: &[u8; 32],
    provider: WebhookProvider,
    name: &'static str,
) -> Result<(), Rejection> {
    let mut mac = HmacSha256::new_from_slice(secret)
        .map_err(|_| reject(RejectReason::EmptySecret, None, "the secret cannot key an HMAC".into()))?;
    for p in parts {
        mac.update(p);
    }
    mac.verify_slice(expected).map_err(|_| {
        reject(
            RejectReason::SignatureMismatch,
            Some(name),
            format!(
                "the {} signature does not match the body: it was altered, or the secret is not this one",
                provider.label()
            ),
        )
    })
}

/// Verifies a webhook request (W1–W4). `headers` are `(name, value)` pairs as received; `body`
/// the raw bytes; `now` the current Unix time in seconds (used by Slack only).
pub fn verify<N: AsRef<str>, V: AsRef<str>>(
    provider: WebhookProvider,
    headers: &[(N, V)],
    body: &[u8],
    secret: &[u8],
    now: i64,
) -> Result<(), Rejection> {
    if secret.is_empty() {
        return Err(reject(RejectReason::EmptySecret, None, "the signing secret is empty".into()));
    }
    match provider {
        WebhookProvider::Github | WebhookProvider::Whatsapp => {
            let expected = digest(header(headers, HUB_SIGNATURE)?, "sha256=", HUB_SIGNATURE)?;
            check_mac(secret, &[body], &expected, provider, HUB_SIGNATURE)
        }
        WebhookProvider::Slack => {
            let ts_text = header(headers, SLACK_TIMESTAMP)?;
            let sig = header(headers, SLACK_SIGNATURE)?;
            let malformed_ts = || {
                reject(
                    RejectReason::MalformedHeader,
                    Some(SLACK_TIMESTAMP),
                    format!("the {SLACK_TIMESTAMP} header is not a Unix time in seconds"),
                )
            };
            if ts_text.is_empty() || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed_ts());
            }
            let ts: i64 = ts_text.parse().map_err(|_| malformed_ts())?;
            let age = i128::from(now).saturating_sub(i128::from(ts));
            if age > i128::from(SLACK_TOLERANCE_SECS) {
                return Err(reject(
                    RejectReason::StaleTimestamp,
                    Some(SLACK_TIMESTAMP),
                    format!(
                        "the request was signed {age} s ago, more than {SLACK_TOLERANCE_SECS} s: a possible replay"
                    ),
                ));
            }
            if age.saturating_neg() > i128::from(SLACK_TOLERANCE_SECS) {
                return Err(reject(
                    RejectReason::FutureTimestamp,
                    Some(SLACK_TIMESTAMP),
                    format!(
                        "the request is dated {} s ahead, more than {SLACK_TOLERANCE_SECS} s",
                        age.saturating_neg()
                    ),
                ));
            }
            let expected = digest(sig, "v0=", SLACK_SIGNATURE)?;
            check_mac(secret, &[b"v0:", ts_text.as_bytes(), b":", body], &expected, provider, SLACK_SIGNATURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GH_SECRET: &[u8] = b"It's a Secret to Everybody";
    const GH_SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const SLACK_SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const SLACK_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SLACK_SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const SLACK_TS: i64 = 1_531_420_618;

    fn slack(ts: &str, sig: &str, body: &str, now: i64) -> Result<(), Rejection> {
        let h = [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig)];
        verify(WebhookProvider::Slack, &h, body.as_bytes(), SLACK_SECRET, now)
    }

    #[test]
    fn published_vectors_verify() {
        assert!(
            verify(WebhookProvider::Github, &[("x-hub-signature-256", GH_SIG)], b"Hello, World!", GH_SECRET, 0).is_ok()
        );
        assert!(slack("1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS).is_ok());
        assert!(slack("1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS + 300).is_ok());
        assert!(slack("1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS - 300).is_ok());
    }

    #[test]
    fn rejections_have_reasons() {
        let r = |x: Result<(), Rejection>| x.unwrap_err().reason;
        assert_eq!(r(slack("1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS + 301)), RejectReason::StaleTimestamp);
        assert_eq!(r(slack("1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS - 301)), RejectReason::FutureTimestamp);
        assert_eq!(
            r(slack("1531420618", SLACK_SIG, &SLACK_BODY.replace("foobar", "foobaz"), SLACK_TS)),
            RejectReason::SignatureMismatch
        );
        assert_eq!(r(slack("-1531420618", SLACK_SIG, SLACK_BODY, SLACK_TS)), RejectReason::MalformedHeader);
        assert_eq!(r(slack("99999999999999999999999", SLACK_SIG, SLACK_BODY, SLACK_TS)), RejectReason::MalformedHeader);
        assert_eq!(
            r(slack("1531420618", &SLACK_SIG.replace("v0=", "v1="), SLACK_BODY, SLACK_TS)),
            RejectReason::MalformedHeader
        );
        let none: [(&str, &str); 0] = [];
        assert_eq!(r(verify(WebhookProvider::Github, &none, b"", GH_SECRET, 0)), RejectReason::MissingHeader);
        assert_eq!(
            r(verify(WebhookProvider::Github, &[("X-Hub-Signature-256", GH_SIG)], b"Hello, World!", b"", 0)),
            RejectReason::EmptySecret
        );
        let twice = [("X-Hub-Signature-256", GH_SIG), ("x-hub-signature-256", GH_SIG)];
        assert_eq!(
            r(verify(WebhookProvider::Whatsapp, &twice, b"Hello, World!", GH_SECRET, 0)),
            RejectReason::DuplicateHeader
        );
        let upper = GH_SIG.to_uppercase().replace("SHA256=", "sha256=");
        assert!(verify(
            WebhookProvider::Github,
            &[("X-Hub-Signature-256", upper.as_str())],
            b"Hello, World!",
            GH_SECRET,
            0
        )
        .is_ok());
        let short = GH_SIG.strip_suffix("17").unwrap();
        assert_eq!(
            r(verify(WebhookProvider::Github, &[("X-Hub-Signature-256", short)], b"", GH_SECRET, 0)),
            RejectReason::MalformedHeader
        );
        assert_eq!(
            r(verify(WebhookProvider::Github, &[("X-Hub-Signature-256", "sha256=é")], b"", GH_SECRET, 0)),
            RejectReason::MalformedHeader
        );
    }

    #[test]
    fn messages_never_carry_secret_or_values() {
        let e =
            verify(WebhookProvider::Github, &[("X-Hub-Signature-256", GH_SIG)], b"Hello", GH_SECRET, 0).unwrap_err();
        assert!(!e.message.contains("Secret") && !e.message.contains("757107"), "{}", e.message);
    }
}
