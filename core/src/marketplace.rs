//! Marketplace and account (M1–M4 of `docs/rules.md`): package install requests checked against
//! the tenant's guardrails and entitlement prerequisites, and Git repository imports.
//!
//! Guardrails and prerequisites come in the context (the library cannot fetch them):
//!
//! ```json
//! { "entitlements": ["marketplace", "codeSearch"],
//!   "marketplace": { "allow": ["acme/*", "weather"], "deny": ["acme/legacy"],
//!                    "prerequisites": { "acme/search": ["codeSearch"] } } }
//! ```
//!
//! Decisions where the NOME reference is silent (each has a conformance case):
//! - **Package ids** (M1) are `name` or `scope/name`; each part 1–64 characters of lowercase
//!   ASCII letters, digits, `.`, `_`, `-`, starting with a letter or digit (`invalid_package_id`).
//!   `version`, when given, is a semantic version (`invalid_version`).
//! - **Guardrails** (M2): a pattern is `*`, `scope/*` or an exact id. `deny` wins over `allow`
//!   (`package_denied`); with an `allow` list, a package no pattern allows is
//!   `package_not_allowed`; without one, everything not denied is allowed.
//! - **Prerequisites** (M3): each entitlement the package needs and the tenant lacks is one
//!   `missing_entitlement` at `/packageId`. Without `entitlements` in the context the check is
//!   skipped, as C4 does.
//! - **Git imports** (M4) take `{ url, ref? }`. Accepted: `https://host[:port]/path`,
//!   `ssh://[user@]host[:port]/path` and scp-like `user@host:path`. Any other scheme (`http`,
//!   `git`, `file`, …) is `unsupported_scheme`; a user name or password in an https URL, a
//!   password in an ssh URL, or a token-like query parameter is `credentials_in_url` (the URL is
//!   stored and shown: a credential in it leaks); other queries, fragments, whitespace, control
//!   characters, a missing host or path, or a leading `-` (option injection into `git`) are
//!   `invalid_url`; more than 2,048 bytes is `too_long`. `ref` follows `git check-ref-format`'s
//!   main rules (`invalid_ref`).

use serde_json::Value;

use crate::context::Context;
pub use crate::context::{is_package_id, Guardrails};
use crate::json::{as_object, check_fields, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Sink, Violation};

/// The longest Git URL accepted (M4), in bytes.
pub const MAX_URL_BYTES: usize = 2048;

fn matches(pattern: &str, id: &str) -> bool {
    pattern == "*"
        || pattern == id
        || pattern.strip_suffix("/*").is_some_and(|scope| id.split_once('/').is_some_and(|(s, _)| s == scope))
}

/// M1–M3: checks a package install request `{ packageId, version? }` (`check marketplace-install`).
///
/// ```
/// let ctx = agentrules::Context::from_json(r#"{"marketplace": {"deny": ["acme/*"]}}"#).unwrap();
/// let v = agentrules::marketplace::check_install(&serde_json::json!({"packageId": "acme/search"}), &ctx);
/// assert_eq!(v[0].code, agentrules::Code::PackageDenied);
/// ```
pub fn check_install(v: &Value, ctx: &Context) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an object") else {
        return sink.out;
    };
    check_fields(&mut sink, &root, obj, &["packageId", "version"]);
    if let Some(ver) = obj.get("version") {
        match ver {
            Value::String(s) if semver::Version::parse(s).is_ok() => {}
            Value::String(s) => sink.push(
                &root.key("version"),
                Code::InvalidVersion,
                format!("{} is not a semantic version (e.g. 1.4.0)", quote(s)),
            ),
            other => mismatch(&mut sink, &root.key("version"), "a version string", other),
        }
    }
    let path = root.key("packageId");
    let id = match obj.get("packageId") {
        None => {
            sink.push(&path, Code::Required, "`packageId` is required");
            return sink.out;
        }
        Some(Value::String(s)) if is_package_id(s) => s.as_str(),
        Some(Value::String(s)) => {
            sink.push(
                &path,
                Code::InvalidPackageId,
                format!(
                    "{} is not a package id (`name` or `scope/name`, lowercase letters, digits, `.`, `_`, `-`)",
                    quote(s)
                ),
            );
            return sink.out;
        }
        Some(other) => {
            mismatch(&mut sink, &path, "a package id string", other);
            return sink.out;
        }
    };
    let Some(g) = &ctx.marketplace else { return sink.out };
    if let Some(p) = g.deny.iter().find(|p| matches(p, id)) {
        sink.push_with(
            &path,
            Code::PackageDenied,
            format!("the tenant's guardrails deny `{id}` (pattern `{p}`)"),
            Params::new().text("pattern", p),
        );
    } else if let Some(allow) = &g.allow {
        if !allow.iter().any(|p| matches(p, id)) {
            sink.push(&path, Code::PackageNotAllowed, format!("`{id}` is not on the tenant's allow list"));
        }
    }
    if let (Some(needs), Some(has)) = (g.prerequisites.get(id), &ctx.entitlements) {
        for e in needs.iter().filter(|e| !has.contains(e)) {
            sink.push_with(
                &path,
                Code::MissingEntitlement,
                format!("`{id}` needs the entitlement {}", quote(e)),
                Params::new().text("entitlement", e),
            );
        }
    }
    sink.out
}

/// M4: checks a Git repository URL; `Err((code, message))` says what is wrong.
///
/// ```
/// use agentrules::marketplace::check_git_url;
/// assert!(check_git_url("https://github.com/acme/tools.git").is_ok());
/// assert!(check_git_url("git@github.com:acme/tools.git").is_ok());
/// assert_eq!(check_git_url("https://user:token@github.com/acme/tools").unwrap_err().0, agentrules::Code::CredentialsInUrl);
/// ```
pub fn check_git_url(url: &str) -> Result<(), (Code, String)> {
    let invalid = |why: &str| Err((Code::InvalidUrl, format!("not a Git repository URL: {why}")));
    if url.len() > MAX_URL_BYTES {
        return Err((Code::TooLong, format!("a repository URL has at most {MAX_URL_BYTES} bytes, not {}", url.len())));
    }
    if url.is_empty() {
        return invalid("it is empty");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid("it contains whitespace or control characters");
    }
    if url.starts_with('-') {
        return invalid("it starts with `-`, which git would read as an option");
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "ssh" {
            return Err((
                Code::UnsupportedScheme,
                format!(
                    "{} is not supported: use https:// or ssh (ssh:// or user@host:path)",
                    quote(&format!("{scheme}://"))
                ),
            ));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let host_port = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                if scheme == "https" {
                    return Err((
                        Code::CredentialsInUrl,
                        "an https URL must not carry a user name or token: use a credential helper".into(),
                    ));
                }
                if userinfo.contains(':') {
                    return Err((Code::CredentialsInUrl, "an ssh URL must not carry a password: use a key".into()));
                }
                if !is_user(userinfo) {
                    return invalid("the user name is not valid");
                }
                host
            }
            None => authority,
        };
        check_host_port(host_port).or_else(invalid)?;
        let (path, query) = match tail.find(['?', '#']) {
            Some(i) => tail.split_at(i),
            None => (tail, ""),
        };
        if !query.is_empty() {
            if has_credential_param(query) {
                return Err((
                    Code::CredentialsInUrl,
                    "the URL's query carries a credential: use a credential helper".into(),
                ));
            }
            return invalid("a repository URL has no query or fragment");
        }
        if path.trim_matches('/').is_empty() {
            return invalid("it names no repository path");
        }
        return Ok(());
    }
    // scp-like: user@host:path
    let Some((user_host, path)) = url.split_once(':') else {
        return invalid("expected https://…, ssh://… or user@host:path");
    };
    let Some((user, host)) = user_host.split_once('@') else {
        if path.contains('@') {
            return Err((Code::CredentialsInUrl, "the URL carries a password: use a key".into()));
        }
        return invalid("expected https://…, ssh://… or user@host:path");
    };
    if !is_user(user) || !is_host(host) {
        return invalid("expected user@host:path with a valid user and host");
    }
    if path.contains(['?', '#']) {
        return invalid("a repository URL has no query or fragment");
    }
    if path.trim_matches('/').is_empty() {
        return invalid("it names no repository path");
    }
    Ok(())
}

fn is_user(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_host(s: &str) -> bool {
    if let Some(v6) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn check_host_port(s: &str) -> Result<(), &'static str> {
    let (host, port) = match s.rfind(':') {
        Some(i) if !s.ends_with(']') => (s.get(..i).unwrap_or(""), s.get(i.saturating_add(1)..)),
        _ => (s, None),
    };
    if !is_host(host) {
        return Err("the host is missing or not valid");
    }
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || !p.parse::<u16>().is_ok_and(|n| n > 0) {
            return Err("the port is not a number from 1 to 65535");
        }
    }
    Ok(())
}

fn has_credential_param(query: &str) -> bool {
    const NAMES: [&str; 8] =
        ["token", "access_token", "private_token", "password", "passwd", "secret", "key", "api_key"];
    query.trim_start_matches(['?', '#']).split(['&', ';']).any(|pair| {
        let name = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
        NAMES.contains(&name.as_str())
    })
}

/// M4: `git check-ref-format`'s main rules for a branch, tag or commit name.
pub fn is_git_ref(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with(['-', '/', '.'])
        && !s.ends_with(['/', '.'])
        && !s.ends_with(".lock")
        && !s.contains("..")
        && !s.contains("//")
        && !s.contains("@{")
        && s != "@"
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
}

/// M4: checks a Git import body `{ url, ref? }` (`check git-import`).
pub fn check_git_import(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an object") else {
        return sink.out;
    };
    check_fields(&mut sink, &root, obj, &["url", "ref"]);
    match obj.get("url") {
        None => sink.push(&root.key("url"), Code::Required, "`url` is required"),
        Some(Value::String(u)) => {
            if let Err((code, message)) = check_git_url(u) {
                let params = match code {
                    Code::TooLong => Params::new().int("length", u.len()).int("max", MAX_URL_BYTES),
                    Code::UnsupportedScheme => Params::new().list("allowed", ["https", "ssh"]),
                    _ => Params::new(),
                };
                sink.push_with(&root.key("url"), code, message, params);
            }
        }
        Some(other) => mismatch(&mut sink, &root.key("url"), "a URL string", other),
    }
    match obj.get("ref") {
        None => {}
        Some(Value::String(r)) if is_git_ref(r) => {}
        Some(Value::String(r)) => sink.push(
            &root.key("ref"),
            Code::InvalidRef,
            format!("{} is not a Git branch, tag or commit name", quote(r)),
        ),
        Some(other) => mismatch(&mut sink, &root.key("ref"), "a string", other),
    }
    sink.out
}
