//! Listing and reading (Q1–Q3): the `GET /agents` query, the conversation `include` parameter
//! and message filtering, and the active branch of an edited conversation.
//!
//! Decisions where the API documents are silent:
//! - The list query is checked as a JSON object of parameters: `limit` a JSON integer (a string
//!   such as `"20"` is a `type_mismatch`; [`ListQuery::from_query_string`] converts a URL query
//!   first), `cursor` a non-empty string (`empty_text`), `workflowId` a UUID, the string
//!   `"null"` or JSON `null` (both exclude workflow agents). Other keys are `unknown_field`.
//! - The canonical query string always states `limit` (20 when not given), lists keys sorted,
//!   lowercases the workflow id and percent-encodes everything outside RFC 3986's unreserved set.
//! - `include` items are trimmed of spaces; an empty `include` asks for nothing extra; an empty
//!   item (`steps,`) is `unknown_include`.
//! - A conversation none of whose messages has a `parentId` is linear and kept in order.

use std::collections::{HashMap, HashSet};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::{read_bounded_int, Context, Limits};
use crate::json::{as_object, check_uuid, mismatch};
use crate::lifecycle::AgentStatus;
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Report, Sink, Violation};
use crate::response::{Message, MessageType, Timestamp};

/// The `workflowId` filter of a list query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowFilter {
    /// Only agents of this workflow (lowercase UUID).
    Id(String),
    /// `workflowId=null`: only agents launched without a workflow.
    NoWorkflow,
}

/// A valid `GET /api/v0/agents` query (Q1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Page size, 1 to the limit (default 20).
    pub limit: u64,
    /// Opaque pagination cursor from a previous page.
    pub cursor: Option<String>,
    /// Only agents in this status.
    pub status: Option<AgentStatus>,
    /// The workflow filter.
    pub workflow_id: Option<WorkflowFilter>,
}

const QUERY_FIELDS: [&str; 4] = ["limit", "cursor", "status", "workflowId"];

/// Checks a list query given as a JSON object of parameters (Q1).
pub fn check_list_query(v: &Value, ctx: &Context) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_list_query(&mut sink, v, &ctx.limits);
    sink.out
}

fn read_list_query(sink: &mut Sink, v: &Value, limits: &Limits) -> ListQuery {
    let root = Pointer::root();
    let mut q = ListQuery {
        limit: Limits::DEFAULT_LIST_LIMIT.min(limits.max_list_limit),
        cursor: None,
        status: None,
        workflow_id: None,
    };
    let Some(obj) = as_object(sink, &root, v, "an object of query parameters") else {
        return q;
    };
    for (key, value) in obj {
        let p = root.key(key);
        match key.as_str() {
            "limit" => {
                if let Some(n) = read_bounded_int(sink, &p, value, 1, limits.max_list_limit) {
                    q.limit = n;
                }
            }
            "cursor" => match value {
                Value::String(s) if s.is_empty() => sink.push(&p, Code::EmptyText, "cursor must not be empty"),
                Value::String(s) => q.cursor = Some(s.clone()),
                other => mismatch(sink, &p, "a string", other),
            },
            "status" => match value {
                Value::String(s) => match AgentStatus::parse_known(s) {
                    Some(st) => q.status = Some(st),
                    None => sink.push_with(
                        &p,
                        Code::UnknownStatus,
                        format!(
                            "{} is no agent status; use waiting, running, awaiting_tool, finished, stopped or failed",
                            quote(s)
                        ),
                        Params::new().list("allowed", AgentStatus::KNOWN.iter().map(AgentStatus::as_str)),
                    ),
                },
                other => mismatch(sink, &p, "a status string", other),
            },
            "workflowId" => match value {
                Value::Null => q.workflow_id = Some(WorkflowFilter::NoWorkflow),
                Value::String(s) if s == "null" => q.workflow_id = Some(WorkflowFilter::NoWorkflow),
                other => {
                    if let Some(id) = check_uuid(sink, &p, other) {
                        q.workflow_id = Some(WorkflowFilter::Id(id.to_ascii_lowercase()));
                    }
                }
            },
            _ => sink.push_with(
                &p,
                Code::UnknownField,
                format!("unknown query parameter {}; expected one of {}", quote(key), QUERY_FIELDS.join(", ")),
                Params::new().list("allowed", QUERY_FIELDS),
            ),
        }
    }
    q
}

/// Characters kept as they are in a query value: RFC 3986's unreserved set.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

impl ListQuery {
    /// Checks a list query (a JSON object of parameters) and returns it typed.
    ///
    /// ```
    /// let q = agentrules::ListQuery::from_value(&serde_json::json!({"status": "running", "limit": 5}), &Default::default()).unwrap();
    /// assert_eq!(q.to_query_string(), "limit=5&status=running");
    /// ```
    pub fn from_value(v: &Value, ctx: &Context) -> Result<ListQuery, Report> {
        crate::report::collect(|sink| read_list_query(sink, v, &ctx.limits))
    }

    /// Reads a URL query string (`limit=20&status=running`, with or without a leading `?`):
    /// a `limit` of ASCII digits becomes a number, everything else stays a string, then the
    /// same checks as [`ListQuery::from_value`] run. A repeated parameter keeps its last value.
    pub fn from_query_string(query: &str, ctx: &Context) -> Result<ListQuery, Report> {
        let mut map = serde_json::Map::new();
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = decode_component(k);
            let v = decode_component(v);
            let value = if k == "limit" && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v))
            } else {
                Value::String(v)
            };
            map.insert(k, value);
        }
        ListQuery::from_value(&Value::Object(map), ctx)
    }

    /// The one canonical query string of this query: keys sorted, values percent-encoded,
    /// `limit` always stated.
    pub fn to_query_string(&self) -> String {
        let mut parts: Vec<(&str, String)> = Vec::with_capacity(4);
        if let Some(c) = &self.cursor {
            parts.push(("cursor", c.clone()));
        }
        parts.push(("limit", self.limit.to_string()));
        if let Some(s) = &self.status {
            parts.push(("status", s.as_str().to_string()));
        }
        match &self.workflow_id {
            Some(WorkflowFilter::Id(id)) => parts.push(("workflowId", id.clone())),
            Some(WorkflowFilter::NoWorkflow) => parts.push(("workflowId", "null".to_string())),
            None => {}
        }
        parts.iter().map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE))).collect::<Vec<_>>().join("&")
    }
}

fn decode_component(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus).decode_utf8_lossy().into_owned()
}

/// The parsed `include` parameter of `GET /agents/{id}/conversation` (Q2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Include {
    /// `steps`: also `thinking`, `tool` and `compaction` messages.
    pub steps: bool,
}

impl Include {
    /// Parses a comma-separated `include` value.
    ///
    /// ```
    /// assert!(agentrules::listing::Include::parse("steps").unwrap().steps);
    /// assert!(agentrules::listing::Include::parse("steps,tools").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Include, Vec<Violation>> {
        let mut sink = Sink::default();
        let inc = read_include(&mut sink, &Pointer::root().key("include"), s);
        if sink.out.is_empty() {
            Ok(inc)
        } else {
            Err(sink.out)
        }
    }

    /// Whether a message of this type is returned under this `include`. Unknown types are kept:
    /// a newer server returned them for a reason.
    pub fn shows(&self, t: &MessageType) -> bool {
        match t {
            MessageType::User | MessageType::Assistant | MessageType::Error | MessageType::Unknown(_) => true,
            MessageType::Thinking | MessageType::Tool | MessageType::Compaction => self.steps,
        }
    }

    /// The messages a response under this `include` contains, in order.
    pub fn filter<'a>(&self, messages: &'a [Message]) -> Vec<&'a Message> {
        messages.iter().filter(|m| self.shows(&m.kind)).collect()
    }
}

fn read_include(sink: &mut Sink, path: &Pointer, s: &str) -> Include {
    let mut inc = Include::default();
    if s.trim().is_empty() {
        return inc;
    }
    for item in s.split(',').map(str::trim) {
        match item {
            "steps" => inc.steps = true,
            other => sink.push_with(
                path,
                Code::UnknownInclude,
                format!("{} is not a known include; only `steps` is", quote(other)),
                Params::new().list("allowed", ["steps"]),
            ),
        }
    }
    inc
}

/// Checks a conversation query `{ "include": "steps" }` (Q2).
pub fn check_conversation_query(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an object of query parameters") else {
        return sink.out;
    };
    for (key, value) in obj {
        let p = root.key(key);
        match (key.as_str(), value) {
            ("include", Value::String(s)) => {
                read_include(&mut sink, &p, s);
            }
            ("include", other) => mismatch(&mut sink, &p, "a comma-separated string", other),
            _ => sink.push_with(
                &p,
                Code::UnknownField,
                format!("unknown query parameter {}; expected include", quote(key)),
                Params::new().list("allowed", ["include"]),
            ),
        }
    }
    sink.out
}

/// Why a conversation tree cannot be linearised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinearizeError {
    /// Following `parentId` from a leaf comes back to a message already on the chain.
    #[error("the conversation's parent links form a cycle at message {0}")]
    Cycle(String),
}

/// The refusal every surface gives: `invalid_response` with the error's message.
impl From<LinearizeError> for crate::Refusal {
    fn from(e: LinearizeError) -> Self {
        crate::Refusal::new(crate::RefusalKind::InvalidResponse, e.to_string())
    }
}

/// The active branch of a conversation (Q3): the chain from the root to the newest leaf (newest
/// `createdAt`, ties broken by the larger id, compared without case). A message whose
/// `parentId` names no message in the list starts the chain.
///
/// ```
/// use agentrules::response::Message;
/// let msgs: Vec<Message> = serde_json::from_value(serde_json::json!([
///   {"id": "a", "type": "user", "text": "hi", "createdAt": "2026-04-09T10:00:00Z"},
///   {"id": "b", "parentId": "a", "type": "assistant", "text": "old", "createdAt": "2026-04-09T10:01:00Z"},
///   {"id": "c", "parentId": "a", "type": "assistant", "text": "new", "createdAt": "2026-04-09T10:02:00Z"}
/// ])).unwrap();
/// let chain: Vec<&str> = agentrules::listing::linearize(&msgs).unwrap().iter().map(|m| m.id.as_str()).collect();
/// assert_eq!(chain, ["a", "c"]);
/// ```
pub fn linearize(messages: &[Message]) -> Result<Vec<&Message>, LinearizeError> {
    if messages.iter().all(|m| m.parent_id.is_none()) {
        return Ok(messages.iter().collect());
    }
    let by_id: HashMap<&str, &Message> = messages.iter().map(|m| (m.id.as_str(), m)).collect();
    let parents: HashSet<&str> = messages.iter().filter_map(|m| m.parent_id.as_deref()).collect();
    let newest = messages.iter().filter(|m| !parents.contains(m.id.as_str())).max_by_key(|m| order_key(m));
    let Some(mut cur) = newest else {
        // Every message is somebody's parent: the links are circular.
        let id = messages.first().map(|m| m.id.clone()).unwrap_or_default();
        return Err(LinearizeError::Cycle(id));
    };
    let mut chain = vec![cur];
    let mut seen = HashSet::from([cur.id.as_str()]);
    while let Some(parent) = cur.parent_id.as_deref().and_then(|p| by_id.get(p)) {
        if !seen.insert(parent.id.as_str()) {
            return Err(LinearizeError::Cycle(parent.id.clone()));
        }
        chain.push(parent);
        cur = parent;
    }
    chain.reverse();
    Ok(chain)
}

fn order_key(m: &Message) -> (Option<i128>, String) {
    (m.created_at.as_ref().and_then(Timestamp::unix_nanos), m.id.to_ascii_lowercase())
}
