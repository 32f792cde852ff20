//! Ops: Webhooks and connector installs (W1–W4, K2–K5).

use serde::Deserialize;
use serde_json::{json, Value};

use super::*;

pub(super) fn verify_webhook(a: &Value) -> Result<Value, OpError> {
    #[derive(Deserialize)]
    struct A {
        provider: String,
        headers: Value,
        body: Value,
        secret: String,
        #[serde(default)]
        now: i64,
    }
    let a: A = args("verify_webhook", a)?;
    let provider = crate::webhook::WebhookProvider::parse(&a.provider)
        .ok_or_else(|| OpError(format!("unknown provider `{}`: github, slack or whatsapp", a.provider)))?;
    let headers = headers_arg(&a.headers)?;
    let body = bytes_arg(&a.body, "`body`")?;
    let v: crate::webhook::WebhookVerification =
        crate::webhook::verify(provider, &headers, &body, a.secret.as_bytes(), a.now).into();
    Ok(to_json(&v))
}

pub(super) fn connector_apply(a: &Value) -> Result<Value, OpError> {
    let install = match install_arg("connector_apply", a.get("install"))? {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    let ev = a.get("event").ok_or_else(|| OpError("`connector_apply` takes `event`".into()))?;
    let event = match crate::connector::InstallEvent::from_value(ev) {
        Ok(e) => e,
        Err(r) => return Ok(json!({"violations": r.violations})),
    };
    let policy = connector_policy(a)?;
    Ok(match crate::connector::apply(&install, &event, policy) {
        Ok(next) => to_json(&next),
        Err(v) => json!({"error": v}),
    })
}

pub(super) fn connector_summary(a: &Value) -> Result<Value, OpError> {
    Ok(match install_arg("connector_summary", a.get("install"))? {
        Ok(i) => to_json(&crate::connector::summary(&i)),
        Err(v) => v,
    })
}

pub(super) fn connector_sweep(a: &Value) -> Result<Value, OpError> {
    let Some(Value::Array(items)) = a.get("installs") else {
        return Err(OpError("`connector_sweep` takes `installs`, an array".into()));
    };
    let now = a.get("now").and_then(Value::as_i64).ok_or_else(|| OpError("`connector_sweep` takes `now`".into()))?;
    let mut installs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match crate::connector::Install::from_value(item) {
            Ok(inst) => installs.push(inst),
            Err(r) => {
                let prefix = crate::Pointer::root().key("installs").index(i);
                let violations: Vec<Violation> = r
                    .violations
                    .into_iter()
                    .map(|mut v| {
                        v.path = format!("{}{}", prefix, v.path);
                        v
                    })
                    .collect();
                return Ok(json!({"violations": violations}));
            }
        }
    }
    Ok(to_json(&crate::connector::sweep(&installs, now, connector_policy(a)?)))
}
