//! Typed response values (Q4): agents, list pages, conversations and artifacts, parsed leniently.
//!
//! Responses come from a server that may be newer than this library: unknown fields are
//! ignored, and unknown statuses, message types and artifact types are kept as `Unknown` rather
//! than failing. Ids are kept as the server sends them (the seed's examples abbreviate them).
//! Timestamps must be RFC 3339.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::lifecycle::AgentStatus;

/// An RFC 3339 timestamp, kept as sent (so it serialises back unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// Parses an RFC 3339 timestamp.
    pub fn parse(s: &str) -> Option<Timestamp> {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|_| Timestamp(s.to_string()))
    }

    /// The timestamp as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Nanoseconds since the Unix epoch, for ordering instants written with different offsets.
    pub fn unix_nanos(&self) -> Option<i128> {
        time::OffsetDateTime::parse(&self.0, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(time::OffsetDateTime::unix_timestamp_nanos)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not an RFC 3339 timestamp")))
    }
}

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal ),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
            /// A value this library does not know yet, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Parses the wire text; unknown text is kept.
            pub fn parse(s: &str) -> Self {
                match s { $( $text => $name::$variant, )+ other => $name::Unknown(other.to_string()) }
            }
            /// The wire text.
            pub fn as_str(&self) -> &str {
                match self { $( $name::$variant => $text, )+ $name::Unknown(s) => s }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&<String as ::serde::Deserialize>::deserialize(d)?))
            }
        }
        #[cfg(feature = "schema")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::schema::open_string(&[ $( $text, )+ ])
            }
        }
    };
}
pub(crate) use open_enum;

open_enum! {
    /// The type of a conversation message (Q2).
    MessageType {
        /// The user's prompt text.
        User = "user",
        /// The agent's response text.
        Assistant = "assistant",
        /// An error during processing.
        Error = "error",
        /// Model reasoning (with `include=steps`); may be `redacted`.
        Thinking = "thinking",
        /// A tool invocation (with `include=steps`); may carry `subAgentId`.
        Tool = "tool",
        /// A context-window compaction (with `include=steps`).
        Compaction = "compaction",
    }
}

open_enum! {
    /// The type of an artifact (T1).
    ArtifactType {
        /// Content is a markdown string.
        MarkdownDocument = "MARKDOWN_DOCUMENT",
        /// Content is `{ schema, elements }`.
        Table = "TABLE",
        /// Content is a JSON Schema.
        TableSchema = "TABLE_SCHEMA",
        /// Content is `{ key, value }`.
        TableElement = "TABLE_ELEMENT",
    }
}

/// An artifact as listed on an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRef {
    /// Artifact id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Artifact type.
    #[serde(rename = "type")]
    pub kind: ArtifactType,
    /// Creation time.
    pub created_at: Timestamp,
}

/// An agent, as list items, `GET /agents/{id}`, launch, follow-up and stop return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// Agent id.
    pub id: String,
    /// Current status.
    pub status: AgentStatus,
    /// The workflow it runs, `null` for a simple agent.
    #[serde(default)]
    pub workflow_id: Option<String>,
    /// The project it is scoped to.
    #[serde(default)]
    pub project_id: Option<String>,
    /// The parent agent of a sub-agent (detail only).
    #[serde(default)]
    pub parent_session_id: Option<String>,
    /// Files the agent can read (detail only).
    #[serde(default)]
    pub active_file_ids: Vec<String>,
    /// Artifacts produced so far.
    #[serde(default)]
    pub artifacts: Vec<ArtifactRef>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update time.
    pub updated_at: Timestamp,
}

/// A page of `GET /agents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentPage {
    /// The agents on this page.
    pub data: Vec<Agent>,
    /// The cursor of the next page, `null` on the last.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Message id.
    pub id: String,
    /// Parent message in an edited (branched) conversation (Q3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Message type.
    #[serde(rename = "type")]
    pub kind: MessageType,
    /// Text of user, assistant, error and thinking messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `thinking`: the provider withheld the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redacted: Option<bool>,
    /// `tool`: the tool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    /// `tool`: the call's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `tool`: the sub-agent a `dispatch_page_agents` call started; fetch its conversation the
    /// same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_agent_id: Option<String>,
}

/// A conversation, linearised by the server to its active branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Conversation {
    /// The agent's id.
    pub id: String,
    /// Messages in order.
    pub messages: Vec<Message>,
}

/// An artifact's content as `GET /agents/{id}/artifacts/{artifactId}` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Artifact id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Artifact type; the content's shape depends on it (T1, T2).
    #[serde(rename = "type")]
    pub kind: ArtifactType,
    /// Version, from 1.
    pub version: u64,
    /// The content, as sent.
    pub content: Value,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Which response a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// `{ data: Agent }`.
    Agent,
    /// `{ data: [Agent], nextCursor }`.
    AgentPage,
    /// `{ data: Conversation }`.
    Conversation,
    /// `{ data: Artifact }`.
    Artifact,
}

/// Why a response body did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the response does not parse: {0}")]
pub struct ResponseError(pub String);

/// The refusal every surface gives: `invalid_response` with the error's message.
impl From<ResponseError> for crate::Refusal {
    fn from(e: ResponseError) -> Self {
        crate::Refusal::new(crate::RefusalKind::InvalidResponse, e.to_string())
    }
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

/// Parses a response body of the given kind (with its `data` envelope) and returns the typed
/// value serialised back to JSON: the normal form every surface compares.
///
/// ```
/// use agentrules::response::{parse_response, ResponseKind};
/// let body = r#"{"data": {"id": "019abc12-...", "status": "paused", "createdAt": "2026-04-09T10:30:00.000Z", "updatedAt": "2026-04-09T10:30:00.000Z"}}"#;
/// let v = parse_response(ResponseKind::Agent, body).unwrap();
/// assert_eq!(v["status"], "paused"); // unknown status kept
/// ```
pub fn parse_response(kind: ResponseKind, body: &str) -> Result<Value, ResponseError> {
    fn go<T: serde::de::DeserializeOwned + Serialize>(body: &str) -> Result<Value, ResponseError> {
        let t: Data<T> = serde_json::from_str(body).map_err(|e| ResponseError(e.to_string()))?;
        serde_json::to_value(t.data).map_err(|e| ResponseError(e.to_string()))
    }
    match kind {
        ResponseKind::Agent => go::<Agent>(body),
        ResponseKind::Conversation => go::<Conversation>(body),
        ResponseKind::Artifact => go::<Artifact>(body),
        ResponseKind::AgentPage => {
            let page: AgentPage = serde_json::from_str(body).map_err(|e| ResponseError(e.to_string()))?;
            serde_json::to_value(page).map_err(|e| ResponseError(e.to_string()))
        }
    }
}
