//! Authentication headers (E3): `Authorization: Bearer <key>` with an `npk_` Agent API key, and
//! the NOME client-identity headers.
//!
//! Headers are checked as a JSON object of name → value; names match without case, and paths
//! use the canonical names (`/Authorization`, `/X-Nome-Client-Version`) whatever case the input
//! used. Other headers are ignored. Decided codes: `invalid_authorization` (not
//! `Bearer <token>`; the scheme matches without case), `invalid_api_key` (an Agent API key
//! without the `npk_` prefix or with nothing after it), `invalid_version` (not semantic
//! versioning 2.0.0). Messages never repeat a key.

use serde_json::{Map, Value};

use crate::json::{as_object, is_blank, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Sink, Violation};

/// The scope every Agent API endpoint needs.
pub const AGENT_SCOPE: &str = "developer:agent";
/// The prefix of Agent API keys.
pub const API_KEY_PREFIX: &str = "npk_";
/// The NOME client-identity headers, each required and non-empty.
pub const NOME_CLIENT_HEADERS: [&str; 3] = ["X-Nome-Client-Surface", "X-Nome-Client-Version", "X-Nome-Client-Revision"];

/// Which API the headers are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The Agent API: an `npk_` key.
    Agent,
    /// The NOME API: any bearer token plus the client-identity headers.
    Nome,
}

/// Checks request headers for `api`.
///
/// ```
/// use agentrules::auth::{check_headers, Api};
/// let ok = serde_json::json!({"authorization": "Bearer npk_abc"});
/// assert!(check_headers(&ok, Api::Agent).is_empty());
/// let bad = serde_json::json!({"Authorization": "Bearer sk_abc"});
/// assert_eq!(check_headers(&bad, Api::Agent)[0].code, agentrules::Code::InvalidApiKey);
/// ```
pub fn check_headers(v: &Value, api: Api) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(headers) = as_object(&mut sink, &root, v, "an object of header names and values") else {
        return sink.out;
    };
    if let Some(token) = header(&mut sink, headers, "Authorization") {
        check_bearer(&mut sink, &root.key("Authorization"), token, api);
    }
    if api == Api::Nome {
        for name in NOME_CLIENT_HEADERS {
            let Some(value) = header(&mut sink, headers, name) else {
                continue;
            };
            let p = root.key(name);
            if is_blank(value) {
                sink.push(&p, Code::EmptyText, format!("the {name} header must not be empty"));
            } else if name == "X-Nome-Client-Version" && semver::Version::parse(value.trim()).is_err() {
                sink.push(
                    &p,
                    Code::InvalidVersion,
                    format!("{} is not a semantic version such as 1.4.2", quote(value)),
                );
            }
        }
    }
    sink.out
}

/// The value of header `name` (matched without case), reporting `required` / `type_mismatch`.
fn header<'a>(sink: &mut Sink, headers: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    let p = Pointer::root().key(name);
    match headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v) {
        None => {
            sink.push(&p, Code::Required, format!("the {name} header is required"));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            mismatch(sink, &p, "a string", other);
            None
        }
    }
}

fn check_bearer(sink: &mut Sink, path: &Pointer, value: &str, api: Api) {
    let mut parts = value.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or_default();
    let token = parts.next().map(str::trim_start).unwrap_or_default();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.chars().any(char::is_whitespace) {
        sink.push(path, Code::InvalidAuthorization, "expected `Bearer <token>`");
        return;
    }
    if api == Api::Agent && (!token.starts_with(API_KEY_PREFIX) || token.len() == API_KEY_PREFIX.len()) {
        sink.push(
            path,
            Code::InvalidApiKey,
            "an Agent API key starts with `npk_`; create one in the Developer Console",
        );
    }
}
