//! Artifacts (T1, T2): the type, the version and the content's shape for each type.
//!
//! `check artifact` takes the `data` of `GET /agents/{id}/artifacts/{artifactId}`. Decisions
//! where the API documents are silent: `type`, `version` and `content` are required; an unknown
//! type is kept and its content is not checked; a `TABLE_SCHEMA` is held to the table-schema
//! rules (T3, an object root included), since it is the schema of a table; other fields are not
//! checked.

use serde_json::Value;

use crate::context::read_bounded_int;
use crate::json::{as_object, mismatch};
use crate::pointer::Pointer;
use crate::report::{Code, Sink, Violation};
use crate::response::ArtifactType;
use crate::table;

/// Checks an artifact (its `data`).
pub fn check_artifact(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    let root = Pointer::root();
    let Some(obj) = as_object(&mut sink, &root, v, "an artifact object") else {
        return sink.out;
    };
    let kind = match obj.get("type") {
        None => {
            sink.push(&root.key("type"), Code::Required, "an artifact needs a type");
            None
        }
        Some(Value::String(t)) => Some(ArtifactType::parse(t)),
        Some(other) => {
            mismatch(&mut sink, &root.key("type"), "a string", other);
            None
        }
    };
    match obj.get("version") {
        None => sink.push(&root.key("version"), Code::Required, "an artifact needs a version"),
        Some(n) => {
            read_bounded_int(&mut sink, &root.key("version"), n, 1, u64::MAX);
        }
    }
    let cp = root.key("content");
    match (obj.get("content"), kind) {
        (None, _) => sink.push(&cp, Code::Required, "an artifact needs content"),
        (Some(c), Some(ArtifactType::MarkdownDocument)) => {
            if !c.is_string() {
                mismatch(&mut sink, &cp, "markdown text", c);
            }
        }
        (Some(c), Some(ArtifactType::Table)) => table::check_table_at(&mut sink, &cp, c),
        (Some(c), Some(ArtifactType::TableSchema)) => table::check_schema_at(&mut sink, &cp, c, true),
        (Some(c), Some(ArtifactType::TableElement)) => table::check_element(&mut sink, &cp, c),
        (Some(_), _) => {}
    }
    sink.out
}
