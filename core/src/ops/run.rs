//! Ops: Runs, streaming and the event log (R1–R5).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn sse_decode(a: &Value) -> Result<Value, OpError> {
    let chunks = sse_chunks(a)?;
    let split = a.get("split");
    let whole: Vec<u8> = chunks.concat();
    let pieces: Vec<&[u8]> = match split {
        None => chunks.iter().map(Vec::as_slice).collect(),
        Some(Value::String(s)) if s == "whole" => vec![whole.as_slice()],
        Some(Value::String(s)) if s == "bytes" => whole.chunks(1).collect(),
        Some(n) => {
            let at = n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| OpError("`split` is whole, bytes or an offset".into()))?;
            let (x, y) = whole.split_at(at.min(whole.len()));
            vec![x, y]
        }
    };
    let mut d = crate::sse::SseDecoder::new();
    let mut items = Vec::new();
    for p in pieces {
        if let Err(e) = d.push_into(p, &mut items) {
            return Ok(json!({"error": e.to_string()}));
        }
    }
    d.finish();
    Ok(json!({"items": items, "lastEventId": d.last_event_id(), "retry": d.retry()}))
}

pub(super) fn run_transition(a: &Value) -> Result<Value, OpError> {
    use crate::run::{can_transition, RunStatus};
    #[derive(Deserialize)]
    struct A {
        from: String,
        to: String,
    }
    let a: A = args("run_transition", a)?;
    let parse = |s: &str| RunStatus::parse(s).ok_or_else(|| OpError(format!("unknown run status `{s}`")));
    let (from, to) = (parse(&a.from)?, parse(&a.to)?);
    Ok(if can_transition(from, to) {
        json!({"ok": true})
    } else {
        let v = Violation::new(
            &crate::pointer::Pointer::root(),
            crate::report::Code::InvalidTransition,
            format!("a run cannot go from `{}` to `{}`", a.from, a.to),
        )
        .with(crate::report::Params::new().text("from", &a.from).text("to", &a.to));
        json!({"ok": false, "violation": v})
    })
}

pub(super) fn replay(a: &Value) -> Result<Value, OpError> {
    let log = a.get("log").ok_or_else(|| OpError("`replay` takes `log`".into()))?;
    Ok(match crate::run::replay(log) {
        Ok(state) => to_json(&state),
        Err(rep) => json!({"violations": rep.violations}),
    })
}
