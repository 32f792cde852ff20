//! The Agent API's endpoint table (E3, E4): method and path → endpoint, scope and rate class;
//! and a pure client-side rate limiter that takes the current time as an argument.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::auth::AGENT_SCOPE;

/// A rate class (E4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RateClass {
    /// 300 requests per minute: list, get, conversation, artifact, stop, delete.
    Standard,
    /// 30 requests per minute: launch, follow-up.
    Heavy,
}

impl RateClass {
    /// Requests allowed per window.
    pub const fn per_minute(self) -> usize {
        match self {
            RateClass::Standard => 300,
            RateClass::Heavy => 30,
        }
    }

    /// Parses `standard` / `heavy`.
    pub fn parse(s: &str) -> Option<RateClass> {
        match s {
            "standard" => Some(RateClass::Standard),
            "heavy" => Some(RateClass::Heavy),
            _ => None,
        }
    }
}

/// The endpoints of the Agent API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndpointName {
    /// `GET /api/v0/agents`
    ListAgents,
    /// `POST /api/v0/agents`
    LaunchAgent,
    /// `GET /api/v0/agents/{id}`
    GetAgent,
    /// `GET /api/v0/agents/{id}/conversation`
    GetConversation,
    /// `GET /api/v0/agents/{id}/artifacts/{artifactId}`
    GetArtifact,
    /// `POST /api/v0/agents/{id}/followup`
    FollowUp,
    /// `POST /api/v0/agents/{id}/stop`
    StopAgent,
    /// `DELETE /api/v0/agents/{id}`
    DeleteAgent,
}

/// What the table says of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// Which endpoint.
    pub name: EndpointName,
    /// The scope the key needs.
    pub scope: &'static str,
    /// Its rate class.
    pub rate_class: RateClass,
}

/// Looks up an endpoint by method and path (`/api/v0/...`; a query string is ignored; the
/// method matches without case). Path parameters are any non-empty segment.
///
/// ```
/// use agentrules::endpoints::{endpoint, EndpointName, RateClass};
/// let e = endpoint("POST", "/api/v0/agents/019abc/followup").unwrap();
/// assert_eq!((e.name, e.rate_class), (EndpointName::FollowUp, RateClass::Heavy));
/// assert!(endpoint("PUT", "/api/v0/agents").is_none());
/// ```
pub fn endpoint(method: &str, path: &str) -> Option<Endpoint> {
    use EndpointName as N;
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rest = path.strip_prefix("/api/v0/agents")?;
    let segs: Vec<&str> = if rest.is_empty() { Vec::new() } else { rest.strip_prefix('/')?.split('/').collect() };
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let m = method.to_ascii_uppercase();
    let name = match (m.as_str(), segs.as_slice()) {
        ("GET", []) => N::ListAgents,
        ("POST", []) => N::LaunchAgent,
        ("GET", [_]) => N::GetAgent,
        ("DELETE", [_]) => N::DeleteAgent,
        ("GET", [_, "conversation"]) => N::GetConversation,
        ("GET", [_, "artifacts", _]) => N::GetArtifact,
        ("POST", [_, "followup"]) => N::FollowUp,
        ("POST", [_, "stop"]) => N::StopAgent,
        _ => return None,
    };
    let rate_class = match name {
        N::LaunchAgent | N::FollowUp => RateClass::Heavy,
        _ => RateClass::Standard,
    };
    Some(Endpoint { name, scope: AGENT_SCOPE, rate_class })
}

/// The window of the rate classes.
pub const WINDOW_MS: u64 = 60_000;

/// A client-side sliding-window limiter (E4): at most `per_minute` requests of a class in any
/// 60-second window. It holds no clock; memory is bounded by the class limits.
///
/// ```
/// use agentrules::endpoints::{RateClass, RateLimiter};
/// let mut rl = RateLimiter::new();
/// for i in 0..30 { assert_eq!(rl.try_acquire(RateClass::Heavy, i * 10), Ok(())); }
/// assert_eq!(rl.try_acquire(RateClass::Heavy, 1_000), Err(59_000)); // first slot frees at 60 s
/// assert_eq!(rl.try_acquire(RateClass::Heavy, 60_000), Ok(()));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    standard: VecDeque<u64>,
    heavy: VecDeque<u64>,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        RateLimiter::default()
    }

    fn log(&mut self, class: RateClass) -> &mut VecDeque<u64> {
        match class {
            RateClass::Standard => &mut self.standard,
            RateClass::Heavy => &mut self.heavy,
        }
    }

    /// Milliseconds to wait at `now_ms` before the next request of `class` may be sent (0: now).
    pub fn wait_ms(&mut self, class: RateClass, now_ms: u64) -> u64 {
        let limit = class.per_minute();
        let log = self.log(class);
        while log.front().is_some_and(|t| t.saturating_add(WINDOW_MS) <= now_ms) {
            log.pop_front();
        }
        if log.len() < limit {
            return 0;
        }
        log.front().map_or(0, |oldest| oldest.saturating_add(WINDOW_MS).saturating_sub(now_ms))
    }

    /// Records a request sent at `now_ms` (a time before the last recorded one counts as that).
    pub fn record(&mut self, class: RateClass, now_ms: u64) {
        let limit = class.per_minute();
        let log = self.log(class);
        let t = log.back().map_or(now_ms, |last| now_ms.max(*last));
        log.push_back(t);
        while log.len() > limit {
            log.pop_front();
        }
    }

    /// Records a request at `now_ms` if one may be sent, or says how long to wait.
    pub fn try_acquire(&mut self, class: RateClass, now_ms: u64) -> Result<(), u64> {
        match self.wait_ms(class, now_ms) {
            0 => {
                self.record(class, now_ms);
                Ok(())
            }
            wait => Err(wait),
        }
    }
}
