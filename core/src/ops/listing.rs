//! Ops: Listing and reading (Q1–Q4).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn list_query(a: &Value) -> Result<Value, OpError> {
    let ctx = Context::default();
    let r = match (a.get("query"), a.get("queryString").and_then(Value::as_str)) {
        (Some(q), _) => ListQuery::from_value(q, &ctx),
        (None, Some(qs)) => ListQuery::from_query_string(qs, &ctx),
        _ => return Err(OpError("`list_query` takes `query` or `queryString`".into())),
    };
    Ok(match r {
        Ok(q) => json!({"ok": true, "queryString": q.to_query_string(), "violations": []}),
        Err(rep) => json!({"ok": false, "violations": rep.violations}),
    })
}

pub(super) fn include(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        include: String,
        types: Option<Vec<String>>,
    }
    let a: A = args("include", a)?;
    Ok(match Include::parse(&a.include) {
        Ok(inc) => {
            let mut out = json!({"steps": inc.steps});
            if let (Some(types), Some(obj)) = (a.types, out.as_object_mut()) {
                let shown: Vec<&String> = types.iter().filter(|t| inc.shows(&MessageType::parse(t))).collect();
                obj.insert("shown".into(), to_json(&shown));
            }
            out
        }
        Err(v) => json!({"violations": v}),
    })
}

pub(super) fn linearize(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        messages: Vec<Message>,
    }
    let a: A = args("linearize", a)?;
    Ok(match crate::listing::linearize(&a.messages) {
        Ok(chain) => to_json(&chain.iter().map(|m| m.id.as_str()).collect::<Vec<_>>()),
        Err(e) => json!({"error": e.to_string()}),
    })
}

pub(super) fn parse_response(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        kind: ResponseKind,
        body: Value,
    }
    let a: A = args("parse_response", a)?;
    let body = match &a.body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match crate::response::parse_response(a.kind, &body) {
        Ok(v) => v,
        Err(e) => json!({"error": e.to_string()}),
    })
}
