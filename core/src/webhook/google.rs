//! W5: Google Workspace push notifications — the OIDC bearer token Google signs (Pub/Sub push,
//! the Workspace Events API) and the channel token of a watch channel (Drive, Calendar).
//!
//! Pure, like W1–W3: the caller passes the headers, **Google's signing keys as a JWKS document it
//! fetched itself** (`https://www.googleapis.com/oauth2/v3/certs`, cached as its `Cache-Control`
//! says), what it expects and the current Unix time. Nothing is fetched, no clock is read, no
//! random number is drawn.
//!
//! | check | when | reason |
//! |---|---|---|
//! | `Authorization: Bearer <jwt>`, once | an `audience` is expected | `missing_header`, `duplicate_header`, `malformed_header` |
//! | the token: three base64url segments, no padding, at most [`MAX_TOKEN_BYTES`] | | `malformed_token` |
//! | header `alg` exactly `RS256` (before any key is looked at) | | `unsupported_algorithm` |
//! | header `kid` names an RSA signing key of the JWKS | | `unknown_key` |
//! | RSASSA-PKCS1-v1_5 SHA-256 signature over `header.payload` | | `signature_mismatch` |
//! | `iss` is `https://accounts.google.com` or `accounts.google.com` | | `wrong_issuer` |
//! | `aud` is the expected audience (or an array holding it) | | `wrong_audience` |
//! | `exp`: `now < exp + skew` | | `token_expired` |
//! | `iat` (and `nbf` if present): `≤ now + skew` | | `token_not_yet_valid` |
//! | `email` equal to the expected service account, `email_verified: true` | an `email` is expected | `email_mismatch`, `email_not_verified` |
//! | `X-Goog-Channel-Token` equal, in constant time, to the token registered | a `channelToken` is expected | `missing_header`, `duplicate_header`, `channel_token_mismatch` |
//!
//! ```
//! use agentrules::webhook::google::{verify_google, GoogleExpectations};
//! use agentrules::webhook::RejectReason;
//! let expect = GoogleExpectations { channel_token: Some("tok-123".into()), ..Default::default() };
//! let headers = [("X-Goog-Channel-ID", "chan-1"), ("X-Goog-Channel-Token", "tok-123")];
//! assert!(verify_google(&headers, None, &expect, 0).is_ok());
//! let forged = [("X-Goog-Channel-Token", "tok-124")];
//! assert_eq!(verify_google(&forged, None, &expect, 0).unwrap_err().reason, RejectReason::ChannelTokenMismatch);
//! ```
//!
//! Decisions where Google's and the JWT documents leave room (each has a conformance case):
//! - **What is checked is what the caller names.** An `audience` turns on the bearer token (and
//!   needs `keys`); a `channelToken` turns on the channel header; both may be given. Naming
//!   neither, an empty one, or an `email` without an `audience` is `empty_secret`: a
//!   configuration that verifies nothing. The body is not signed by Google and is not read.
//! - **The algorithm is fixed:** `alg` must be exactly `RS256`. `none`, `HS256` (which a verifier
//!   keyed by "the public key" as an HMAC secret would accept: algorithm confusion) and every
//!   other value are `unsupported_algorithm`, decided from the token's header before any key is
//!   looked up. A `crit` header member is `malformed_token` (no extension is understood).
//! - **Keys:** `kid` is required (Google always sends it; `unknown_key` without it). A JWKS key
//!   is a candidate when `kty` is `RSA`, `use` is absent or `sig` and `alg` is absent or `RS256`;
//!   other keys (EC keys, encryption keys) are skipped. A candidate's `n` and `e` are base64url
//!   without padding, the modulus 2048 to 4096 bits ([`MIN_MODULUS_BITS`], [`MAX_MODULUS_BITS`]),
//!   the exponent odd and at most 2^33 − 1; a candidate that is not, a repeated `kid`, more than
//!   [`MAX_KEYS`] keys or more than [`MAX_JWKS_BYTES`] of JSON make the document `invalid_keys`
//!   (the caller's fetch went wrong: fail closed, say so).
//! - **The claims are read only after the signature verifies**, so a tampered payload is
//!   `signature_mismatch`, whatever it says. Header and claims are strict JSON objects (a
//!   repeated name is `malformed_token`).
//! - **Issuers:** both spellings Google documents, `https://accounts.google.com` and
//!   `accounts.google.com`; nothing else.
//! - **Audience:** `aud` a string equal to the expected one, or an array of strings holding it
//!   (RFC 7519 §4.1.3). Compared exactly.
//! - **Time:** `exp` and `iat` are required integers (Unix seconds). With a skew `s`
//!   ([`DEFAULT_SKEW_SECS`] = 300 s unless the caller gives `skewSeconds`, at most
//!   [`MAX_SKEW_SECS`]): a token is expired when `now ≥ exp + s` (RFC 7519: the time must be
//!   *before* `exp`; PyJWT's rule), and not yet valid when `iat > now + s` or `nbf > now + s`.
//!   No maximum lifetime is imposed (Google's tokens live an hour).
//! - **Email:** only when the caller names the service account: `email` equal to it exactly,
//!   then `email_verified` the JSON boolean `true` (a string `"true"` is not).
//! - **`Authorization`:** the scheme `Bearer` in any case (RFC 9110 §11.1), one space, the token;
//!   anything else is `malformed_header`.
//! - **Channel token:** compared in constant time (both sides keyed into HMAC-SHA256 by the
//!   expected token, the tags compared with `verify_slice`), so neither its bytes nor its length
//!   leak through timing.

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use rsa::sha2::{Digest, Sha256};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{header, reject, HmacSha256, RejectReason, Rejection};

/// The issuers Google documents for its ID tokens.
pub const GOOGLE_ISSUERS: [&str; 2] = ["https://accounts.google.com", "accounts.google.com"];
/// The clock skew allowed on `exp`, `iat` and `nbf` when the caller gives none.
pub const DEFAULT_SKEW_SECS: u32 = 300;
/// The largest skew a caller may give (beyond it is `empty_secret`: a misconfiguration).
pub const MAX_SKEW_SECS: u32 = 3600;
/// The longest bearer token read (Google's are about 1 KB).
pub const MAX_TOKEN_BYTES: usize = 8192;
/// The longest JWKS document read, as JSON text (Google's is about 1.5 KB).
pub const MAX_JWKS_BYTES: usize = 65_536;
/// The most keys a JWKS document may hold (Google publishes two or three).
pub const MAX_KEYS: usize = 32;
/// The smallest RSA modulus accepted, in bits.
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (bounds the work of one verification).
pub const MAX_MODULUS_BITS: usize = 4096;

/// A modulus's bytes, with room for one leading zero.
const MAX_MODULUS_BYTES: usize = MAX_MODULUS_BITS / 8 + 1;

const AUTHORIZATION: &str = "Authorization";
const CHANNEL_TOKEN: &str = "X-Goog-Channel-Token";

/// What the caller expects of a Google push notification (W5). Each member names a check; the
/// ones left out are not made (see the module's decisions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GoogleExpectations {
    /// The `aud` the bearer token must carry (the push endpoint's URL, or the audience set on the
    /// subscription). Given, the `Authorization: Bearer` token is required and verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub audience: Option<String>,
    /// The service account the token's `email` must be (and `email_verified` true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub email: Option<String>,
    /// The token registered with the watch channel; given, `X-Goog-Channel-Token` must equal it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub channel_token: Option<String>,
    /// The clock skew allowed on `exp`, `iat` and `nbf`, in seconds (300 when absent, at most
    /// 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub skew_seconds: Option<u32>,
}

impl GoogleExpectations {
    /// The expectations given as a JSON object (`{audience?, email?, channelToken?,
    /// skewSeconds?}`), or the `invalid_arguments` refusal every surface gives for another shape.
    pub fn from_value(v: &Value) -> Result<GoogleExpectations, crate::Refusal> {
        GoogleExpectations::deserialize(v)
            .map_err(|e| crate::Refusal::invalid_arguments(format!("invalid Google expectations: {e}")))
    }
}

/// Google's signing keys, read from a JWKS document once (verify many tokens with
/// [`verify_google_with_keys`]).
#[derive(Debug, Clone)]
pub struct GoogleKeys {
    keys: Vec<(String, rsa::PublicKey)>,
}

fn invalid_keys(why: &str) -> Rejection {
    reject(RejectReason::InvalidKeys, None, format!("the JWKS document is not usable: {why}"))
}

fn b64url(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()
}

impl GoogleKeys {
    /// Reads a JWKS document given as JSON text (at most [`MAX_JWKS_BYTES`]).
    pub fn from_jwks(text: &str) -> Result<GoogleKeys, Rejection> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(invalid_keys(&format!("it is longer than {MAX_JWKS_BYTES} bytes")));
        }
        let v = crate::json::parse_limited(text.as_bytes(), MAX_JWKS_BYTES as u64)
            .map_err(|_| invalid_keys("it is not strict JSON (text, no repeated names)"))?;
        GoogleKeys::from_value(&v)
    }

    /// Reads a JWKS document given as a JSON value (`{"keys": [...]}`, at most [`MAX_JWKS_BYTES`]
    /// as compact JSON).
    pub fn from_value(v: &Value) -> Result<GoogleKeys, Rejection> {
        if crate::json::check_value_len(v, MAX_JWKS_BYTES as u64).is_err() {
            return Err(invalid_keys(&format!("it is longer than {MAX_JWKS_BYTES} bytes")));
        }
        let list = v
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_keys("it is not an object with a `keys` array"))?;
        if list.len() > MAX_KEYS {
            return Err(invalid_keys(&format!("it holds more than {MAX_KEYS} keys")));
        }
        let mut keys: Vec<(String, rsa::PublicKey)> = Vec::with_capacity(list.len());
        for k in list {
            let k = k.as_object().ok_or_else(|| invalid_keys("a key is not an object"))?;
            let text = |name: &str| k.get(name).and_then(Value::as_str);
            let candidate = text("kty") == Some("RSA")
                && k.get("use").is_none_or(|u| u.as_str() == Some("sig"))
                && k.get("alg").is_none_or(|a| a.as_str() == Some("RS256"));
            if !candidate {
                continue;
            }
            let kid = text("kid").ok_or_else(|| invalid_keys("an RSA signing key has no `kid`"))?;
            if keys.iter().any(|(id, _)| id == kid) {
                return Err(invalid_keys("two RSA signing keys share one `kid`"));
            }
            let n = text("n").and_then(b64url).ok_or_else(|| invalid_keys("a key's `n` is not base64url"))?;
            let e = text("e").and_then(b64url).ok_or_else(|| invalid_keys("a key's `e` is not base64url"))?;
            if n.len() > MAX_MODULUS_BYTES || e.len() > 8 {
                return Err(invalid_keys("a key's modulus or exponent is too long"));
            }
            let key = rsa::PublicKey::new_with_size_limits(
                rsa::BoxedUint::from_be_slice_vartime(&n),
                rsa::BoxedUint::from_be_slice_vartime(&e),
                MIN_MODULUS_BITS..=MAX_MODULUS_BITS,
            )
            .map_err(|_| invalid_keys("a key is not an RSA public key of 2048 to 4096 bits"))?;
            keys.push((kid.to_owned(), key));
        }
        Ok(GoogleKeys { keys })
    }

    fn get(&self, kid: &str) -> Option<&rsa::PublicKey> {
        self.keys.iter().find(|(id, _)| id == kid).map(|(_, k)| k)
    }
}

fn token_error(reason: RejectReason, message: impl Into<String>) -> Rejection {
    reject(reason, Some(AUTHORIZATION), message.into())
}

fn malformed(why: &str) -> Rejection {
    token_error(RejectReason::MalformedToken, format!("the bearer token is not a compact JWS: {why}"))
}

/// A JSON object of a token segment, strictly parsed.
fn segment_object(seg: &str, what: &str) -> Result<Map<String, Value>, Rejection> {
    let bytes = b64url(seg).ok_or_else(|| malformed(&format!("its {what} is not base64url without padding")))?;
    match crate::json::parse_limited(&bytes, MAX_TOKEN_BYTES as u64) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(malformed(&format!("its {what} is not a strict JSON object"))),
    }
}

/// The bearer token of the `Authorization` header.
fn bearer<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> Result<&str, Rejection> {
    let value = header(headers, AUTHORIZATION)?;
    let bad = || {
        reject(
            RejectReason::MalformedHeader,
            Some(AUTHORIZATION),
            format!("the {AUTHORIZATION} header is not `Bearer` and a token"),
        )
    };
    let (scheme, token) = value.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("Bearer") || token.is_empty() {
        return Err(bad());
    }
    Ok(token)
}

/// An integer claim (NumericDate in whole seconds), when present.
fn time_claim(claims: &Map<String, Value>, name: &str, required: bool) -> Result<Option<i64>, Rejection> {
    match claims.get(name) {
        None if !required => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            token_error(RejectReason::MalformedToken, format!("the token's `{name}` is not a Unix time in seconds"))
        }),
        None => Err(token_error(RejectReason::MalformedToken, format!("the token has no `{name}` claim"))),
    }
}

/// The bearer token verified against the keys and the expectations (`audience` given).
fn check_token<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    keys: &GoogleKeys,
    audience: &str,
    expect: &GoogleExpectations,
    skew: i64,
    now: i64,
) -> Result<(), Rejection> {
    let token = bearer(headers)?;
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed(&format!("it is longer than {MAX_TOKEN_BYTES} bytes")));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("it is not three segments separated by dots"));
    };
    let head = segment_object(h, "header")?;
    if head.contains_key("crit") {
        return Err(malformed("it has a `crit` header, which no extension here understands"));
    }
    match head.get("alg") {
        Some(Value::String(a)) if a == "RS256" => {}
        Some(Value::String(_)) => {
            return Err(token_error(
                RejectReason::UnsupportedAlgorithm,
                "the token's algorithm is not RS256, the only one Google signs with",
            ))
        }
        _ => return Err(malformed("its header has no `alg` string")),
    }
    let Some(Value::String(kid)) = head.get("kid") else {
        return Err(token_error(RejectReason::UnknownKey, "the token names no key (`kid`)"));
    };
    let key = keys
        .get(kid)
        .ok_or_else(|| token_error(RejectReason::UnknownKey, "the token's `kid` is not a signing key of the JWKS"))?;
    let sig = b64url(s).ok_or_else(|| malformed("its signature is not base64url without padding"))?;
    let signed = token.len().saturating_sub(s.len()).saturating_sub(1);
    let input = token.as_bytes().get(..signed).unwrap_or_default();
    let hashed = Sha256::digest(input);
    key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &hashed, &sig).map_err(|_| {
        token_error(
            RejectReason::SignatureMismatch,
            "the token's signature does not verify with its key: it was altered, or not signed by Google",
        )
    })?;
    let claims = segment_object(p, "payload")?;
    if !claims.get("iss").and_then(Value::as_str).is_some_and(|i| GOOGLE_ISSUERS.contains(&i)) {
        return Err(token_error(RejectReason::WrongIssuer, "the token was not issued by accounts.google.com"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(token_error(RejectReason::WrongAudience, "the token is not addressed to the expected audience"));
    }
    let exp = time_claim(&claims, "exp", true)?.unwrap_or(i64::MIN);
    if i128::from(now) >= i128::from(exp).saturating_add(i128::from(skew)) {
        return Err(token_error(
            RejectReason::TokenExpired,
            format!("the token expired {} s ago (skew {skew} s)", i128::from(now).saturating_sub(i128::from(exp))),
        ));
    }
    for name in ["iat", "nbf"] {
        if let Some(t) = time_claim(&claims, name, name == "iat")? {
            if i128::from(t) > i128::from(now).saturating_add(i128::from(skew)) {
                return Err(token_error(
                    RejectReason::TokenNotYetValid,
                    format!(
                        "the token's `{name}` is {} s ahead, more than the skew of {skew} s",
                        i128::from(t).saturating_sub(i128::from(now))
                    ),
                ));
            }
        }
    }
    if let Some(email) = &expect.email {
        if claims.get("email").and_then(Value::as_str) != Some(email.as_str()) {
            return Err(token_error(
                RejectReason::EmailMismatch,
                "the token's email is not the expected service account",
            ));
        }
        if claims.get("email_verified") != Some(&Value::Bool(true)) {
            return Err(token_error(RejectReason::EmailNotVerified, "the token's email is not verified by Google"));
        }
    }
    Ok(())
}

/// `X-Goog-Channel-Token` compared in constant time with the registered token.
fn check_channel<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)], expected: &str) -> Result<(), Rejection> {
    let given = header(headers, CHANNEL_TOKEN)?;
    let tag = |bytes: &[u8]| {
        HmacSha256::new_from_slice(expected.as_bytes()).map(|mut m| {
            m.update(bytes);
            m
        })
    };
    let want = tag(expected.as_bytes()).map(|m| m.finalize().into_bytes());
    let ok = match (tag(given.as_bytes()), want) {
        (Ok(m), Ok(w)) => m.verify_slice(&w).is_ok(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(reject(
            RejectReason::ChannelTokenMismatch,
            Some(CHANNEL_TOKEN),
            format!("the {CHANNEL_TOKEN} header is not the token registered with the channel"),
        ))
    }
}

fn nothing(why: &str) -> Rejection {
    reject(RejectReason::EmptySecret, None, format!("nothing can be verified: {why}"))
}

/// Verifies a Google Workspace push notification (W5) with keys already read.
pub fn verify_google_with_keys<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    keys: Option<&GoogleKeys>,
    expect: &GoogleExpectations,
    now: i64,
) -> Result<(), Rejection> {
    let skew = settings(expect)?;
    if let Some(audience) = &expect.audience {
        let keys = keys.ok_or_else(|| invalid_keys("no keys were given to verify the bearer token"))?;
        check_token(headers, keys, audience, expect, i64::from(skew), now)?;
    }
    if let Some(t) = &expect.channel_token {
        check_channel(headers, t)?;
    }
    Ok(())
}

/// The skew, once the expectations are known to verify something.
fn settings(expect: &GoogleExpectations) -> Result<u32, Rejection> {
    let skew = expect.skew_seconds.unwrap_or(DEFAULT_SKEW_SECS);
    if skew > MAX_SKEW_SECS {
        return Err(nothing(&format!("a skew of more than {MAX_SKEW_SECS} s accepts stale tokens")));
    }
    match (&expect.audience, &expect.channel_token) {
        (None, None) => return Err(nothing("no audience and no channel token are expected")),
        (Some(a), _) if a.is_empty() => return Err(nothing("the expected audience is empty")),
        (_, Some(t)) if t.is_empty() => return Err(nothing("the expected channel token is empty")),
        (None, _) if expect.email.is_some() => {
            return Err(nothing("an expected email needs an audience: it is a claim of the bearer token"))
        }
        _ => {}
    }
    Ok(skew)
}

/// Verifies a Google Workspace push notification (W5). `keys` is Google's JWKS document as JSON
/// text (needed when an `audience` is expected); `now` the current Unix time in seconds.
pub fn verify_google<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    keys: Option<&str>,
    expect: &GoogleExpectations,
    now: i64,
) -> Result<(), Rejection> {
    settings(expect)?;
    let parsed = match (&expect.audience, keys) {
        (Some(_), Some(text)) => Some(GoogleKeys::from_jwks(text)?),
        _ => None,
    };
    verify_google_with_keys(headers, parsed.as_ref(), expect, now)
}

/// [`verify_google`] with the JWKS document as a JSON value: an object, its JSON text as a
/// string, or absent (`null`).
pub fn verify_google_json<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
    keys: Option<&Value>,
    expect: &GoogleExpectations,
    now: i64,
) -> Result<(), Rejection> {
    settings(expect)?;
    let parsed = match (&expect.audience, keys) {
        (None, _) | (_, None | Some(Value::Null)) => None,
        (Some(_), Some(Value::String(text))) => Some(GoogleKeys::from_jwks(text)?),
        (Some(_), Some(v)) => Some(GoogleKeys::from_value(v)?),
    };
    verify_google_with_keys(headers, parsed.as_ref(), expect, now)
}
