//! JSON Schemas of the types whose serde form is written by hand (feature `schema`), so the op
//! registry's arguments and answers ([`crate::ops`]) describe themselves completely.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};

use crate::lifecycle::AgentStatus;
use crate::params::{Param, Params};
use crate::refusal::RefusalKind;
use crate::report::Code;
use crate::response::Timestamp;

/// A closed set of names.
fn names(names: Vec<&'static str>, description: &str) -> Schema {
    json_schema!({"type": "string", "enum": names, "description": description})
}

impl JsonSchema for Code {
    fn schema_name() -> Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        names(Code::ALL.iter().map(|c| c.as_str()).collect(), "A violation code (docs/codes.md).")
    }
}

impl JsonSchema for RefusalKind {
    fn schema_name() -> Cow<'static, str> {
        "RefusalKind".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        names(RefusalKind::ALL.iter().map(|k| k.as_str()).collect(), "What kind of refusal this is.")
    }
}

impl JsonSchema for AgentStatus {
    fn schema_name() -> Cow<'static, str> {
        "AgentStatus".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let known: Vec<&str> = AgentStatus::KNOWN.iter().map(AgentStatus::as_str).collect();
        open_string(&known)
    }
}

/// The schema of an open set of names: one of `known`, or any other text a newer server sends
/// (kept as sent, never an error).
pub(crate) fn open_string(known: &[&str]) -> Schema {
    json_schema!({"anyOf": [{"type": "string", "enum": known}, {"type": "string"}]})
}

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date-time"})
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One fact of a violation: a number, a text or a list of names.",
            "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

impl JsonSchema for Params {
    fn schema_name() -> Cow<'static, str> {
        "Params".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let param = g.subschema_for::<Param>();
        json_schema!({"type": "object", "additionalProperties": param, "description": "The facts of a violation, documented per code."})
    }
}

/// Rust doc links (``[`Type`]``, ``[`Type::method`]``) in the descriptions of a schema made
/// plain code (`` `Type` ``): a schema's reader has no rustdoc to follow them into.
pub(crate) fn plain_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(obj) => {
            for (k, child) in obj.iter_mut() {
                match child {
                    serde_json::Value::String(s) if k == "description" || k == "title" => *s = unlink(s),
                    _ => plain_descriptions(child),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(plain_descriptions),
        _ => {}
    }
}

/// ``[`x`]`` → `` `x` ``, and ``[`x`](target)`` → `` `x` ``.
fn unlink(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, after)) = rest.split_once("[`") {
        out.push_str(before);
        let Some((code, tail)) = after.split_once("`]") else {
            out.push_str("[`");
            rest = after;
            continue;
        };
        out.push('`');
        out.push_str(code);
        out.push('`');
        rest = match tail.strip_prefix('(').and_then(|t| t.split_once(')')) {
            Some((_, after_target)) => after_target,
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn doc_links_become_plain_code() {
        assert_eq!(
            super::unlink("see [`Failure`] and [`crate::refusal`](x) or [`a"),
            "see `Failure` and `crate::refusal` or [`a"
        );
    }
}
