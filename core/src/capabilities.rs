//! Capabilities of a simple agent (C1–C4).
//!
//! Decisions where the API documents are silent: in the object form of `codeSearch`, a field
//! other than `jurisdiction` is `unknown_field`; an enabled capability is checked against the
//! entitlements even when its jurisdiction is blank (the two are separate causes at separate
//! paths).

use serde_json::Value;

use crate::context::Context;
use crate::json::{as_object, check_fields, check_text, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Sink};

/// The capabilities a launch request may enable (C1).
pub const CAPABILITIES: [&str; 2] = ["codeSearch", "webSearch"];

/// Checks the `capabilities` object at `path`.
pub(crate) fn check_capabilities(sink: &mut Sink, path: &Pointer, v: &Value, ctx: &Context) {
    let Some(obj) = as_object(sink, path, v, "an object") else {
        return;
    };
    for (key, value) in obj {
        let p = path.key(key);
        let enabled = match key.as_str() {
            "codeSearch" => match value {
                Value::Bool(b) => Some(*b),
                Value::Object(o) => {
                    check_fields(sink, &p, o, &["jurisdiction"]);
                    if let Some(j) = o.get("jurisdiction") {
                        check_text(sink, &p.key("jurisdiction"), j, "jurisdiction");
                    }
                    Some(true)
                }
                other => {
                    mismatch(sink, &p, "a boolean or an object { jurisdiction }", other);
                    None
                }
            },
            "webSearch" => match value {
                Value::Bool(b) => Some(*b),
                other => {
                    mismatch(sink, &p, "a boolean", other);
                    None
                }
            },
            _ => {
                sink.push(
                    &p,
                    Code::UnknownCapability,
                    format!("unknown capability {}; known: codeSearch, webSearch", quote(key)),
                );
                None
            }
        };
        if enabled == Some(true) && !entitled(ctx, key) {
            sink.push(&p, Code::CapabilityNotEntitled, format!("the organisation is not entitled to {}", quote(key)));
        }
    }
}

/// C4: whether the organisation may enable capability `key` (without entitlements in the
/// context, every capability is allowed: the check is skipped).
pub(crate) fn entitled(ctx: &Context, key: &str) -> bool {
    ctx.entitlements.as_ref().is_none_or(|ent| ent.iter().any(|e| e == key))
}
