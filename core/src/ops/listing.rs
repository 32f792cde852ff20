//! Ops: Listing and reading (Q1–Q4).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Document, Op};
use crate::context::Context;
use crate::listing::{Include, ListQuery};
use crate::refusal::{Document as Doc, Refusal};
use crate::report::Violation;
use crate::response::{Message, MessageType, ResponseKind};

/// `list_query`: checks the query of `GET /agents` (Q1), given as an object or as a query string.
pub struct ListQueryOp;

/// The arguments of [`ListQueryOp`]: `query` or `queryString`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListQueryArgs {
    /// The query as an object (`{limit?, cursor?, status?, workflowId?}`).
    #[serde(default)]
    pub query: Option<Value>,
    /// The query as the text after `?`.
    #[serde(default)]
    pub query_string: Option<String>,
}

/// The answer of [`ListQueryOp`]: a check, so its violations are an answer, not a refusal.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ListQueryAnswer {
    /// Whether the query is valid.
    pub ok: bool,
    /// The valid query in its normal form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_string: Option<String>,
    /// What is wrong with it.
    pub violations: Vec<Violation>,
}

impl Op for ListQueryOp {
    type Args = ListQueryArgs;
    type Answer = ListQueryAnswer;
    fn run(a: ListQueryArgs) -> Result<ListQueryAnswer, Refusal> {
        let ctx = Context::default();
        let r = match (a.query, a.query_string) {
            (Some(q), _) => ListQuery::from_value(&q, &ctx),
            (None, Some(qs)) => ListQuery::from_query_string(&qs, &ctx),
            (None, None) => return Err(Refusal::invalid_arguments("`list_query` takes `query` or `queryString`")),
        };
        Ok(match r {
            Ok(q) => ListQueryAnswer { ok: true, query_string: Some(q.to_query_string()), violations: Vec::new() },
            Err(rep) => ListQueryAnswer { ok: false, query_string: None, violations: rep.violations },
        })
    }
}

/// `include`: parses the `include` parameter of a conversation (Q2) and says which message
/// types it shows; an invalid value is refused `bad_request` with its violations.
pub struct IncludeOp;

/// The arguments of [`IncludeOp`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncludeArgs {
    /// The parameter's value, e.g. `steps`.
    pub include: String,
    /// Message types to ask about.
    #[serde(default)]
    pub types: Option<Vec<MessageType>>,
}

/// The answer of [`IncludeOp`].
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IncludeAnswer {
    /// Whether the steps (thinking, tool, compaction) are included.
    pub steps: bool,
    /// Those of `types` the response shows, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown: Option<Vec<MessageType>>,
}

impl Op for IncludeOp {
    type Args = IncludeArgs;
    type Answer = IncludeAnswer;
    fn run(a: IncludeArgs) -> Result<IncludeAnswer, Refusal> {
        let inc = Include::parse(&a.include).map_err(|v| Doc::Include.refuse(v))?;
        let shown = a.types.map(|types| types.into_iter().filter(|t| inc.shows(t)).collect());
        Ok(IncludeAnswer { steps: inc.steps, shown })
    }
}

/// `linearize`: the ids of a conversation's active branch (Q3); parent links that form a cycle
/// are refused `invalid_response`.
pub struct Linearize;

/// The arguments of [`Linearize`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinearizeArgs {
    /// The conversation's messages, as the server sent them.
    pub messages: Vec<Message>,
}

impl Op for Linearize {
    type Args = LinearizeArgs;
    type Answer = Vec<String>;
    fn run(a: LinearizeArgs) -> Result<Vec<String>, Refusal> {
        Ok(crate::listing::linearize(&a.messages)?.iter().map(|m| m.id.clone()).collect())
    }
}

/// `parse_response`: parses a response body of a kind (Q4) into its normal form; a body without
/// the documented shape is refused `invalid_response`.
pub struct ParseResponse;

/// The arguments of [`ParseResponse`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParseResponseArgs {
    /// Which response the body is.
    pub kind: ResponseKind,
    /// The body, as text or as JSON.
    pub body: Document,
}

impl Op for ParseResponse {
    type Args = ParseResponseArgs;
    /// The `data` of the body, typed and written back (an agent, a page, a conversation or an
    /// artifact, by `kind`).
    type Answer = Value;
    fn run(a: ParseResponseArgs) -> Result<Value, Refusal> {
        Ok(crate::response::parse_response(a.kind, &a.body.text())?)
    }
}
