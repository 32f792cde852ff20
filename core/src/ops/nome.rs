//! Ops: Webhooks and connector installs (W1–W5, K2–K5).

use serde::Deserialize;
use serde_json::Value;

use super::{Bytes, Headers, Op};
use crate::connector::{ConnectorPolicy, FailureSummary, Install, InstallEvent};
use crate::refusal::{Document, Refusal, RefusalKind};
use crate::webhook::google::GoogleExpectations;
use crate::webhook::{WebhookProvider, WebhookVerification};

/// `verify_webhook`: verifies a webhook delivery's signature (W1–W4); a rejection is an answer
/// (`verified: false` with the reason), not a refusal.
pub struct VerifyWebhook;

/// The arguments of [`VerifyWebhook`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyWebhookArgs {
    /// The source.
    #[cfg_attr(feature = "schema", schemars(with = "WebhookProvider"))]
    pub provider: String,
    /// The request's headers.
    pub headers: Headers,
    /// The raw body.
    pub body: Bytes,
    /// The shared secret.
    pub secret: String,
    /// Now, in Unix seconds (0 when absent).
    #[serde(default)]
    pub now: i64,
}

impl Op for VerifyWebhook {
    type Args = VerifyWebhookArgs;
    type Answer = WebhookVerification;
    fn run(a: VerifyWebhookArgs) -> Result<WebhookVerification, Refusal> {
        let provider = WebhookProvider::from_name(&a.provider)?;
        Ok(crate::webhook::verify(provider, &a.headers.0, &a.body.0, a.secret.as_bytes(), a.now).into())
    }
}

/// `verify_google_webhook`: verifies a Google Workspace push notification (W5): the bearer token
/// against the JWKS `keys`, and the channel token; a rejection is an answer, not a refusal.
pub struct VerifyGoogleWebhook;

/// The arguments of [`VerifyGoogleWebhook`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyGoogleWebhookArgs {
    /// The request's headers.
    pub headers: Headers,
    /// Google's JWKS document (`{"keys": [...]}`, or its JSON text); needed with an audience.
    #[serde(default)]
    pub keys: Option<Value>,
    /// What the notification must satisfy.
    pub expect: GoogleExpectations,
    /// Now, in Unix seconds (0 when absent).
    #[serde(default)]
    pub now: i64,
}

impl Op for VerifyGoogleWebhook {
    type Args = VerifyGoogleWebhookArgs;
    type Answer = WebhookVerification;
    fn run(a: VerifyGoogleWebhookArgs) -> Result<WebhookVerification, Refusal> {
        Ok(crate::webhook::google::verify_google_json(&a.headers.0, a.keys.as_ref(), &a.expect, a.now).into())
    }
}

/// An install given as JSON, checked by the op (its violations refuse the call `bad_request`).
fn install(v: &Value) -> Result<Install, Refusal> {
    Install::from_value(v).map_err(|r| Document::Install.refuse_report(r))
}

/// `connector_apply`: the install after an event (K2, K3); an event the install cannot take is
/// refused `invalid_state`, an invalid install or event `bad_request`.
pub struct ConnectorApply;

/// The arguments of [`ConnectorApply`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorApplyArgs {
    /// The install (`{id, connector, status, consecutiveFailures, updatedAt, …}`).
    pub install: Value,
    /// The event (`{type, at, ok?, reason?}`).
    pub event: Value,
    /// The tunables (the defaults when absent).
    #[serde(default)]
    pub policy: Option<ConnectorPolicy>,
}

impl Op for ConnectorApply {
    type Args = ConnectorApplyArgs;
    type Answer = Install;
    fn run(a: ConnectorApplyArgs) -> Result<Install, Refusal> {
        let i = install(&a.install)?;
        let event = InstallEvent::from_value(&a.event).map_err(|r| Document::InstallEvent.refuse_report(r))?;
        crate::connector::apply(&i, &event, a.policy.unwrap_or_default())
            .map_err(|v| Refusal::from_violation(RefusalKind::InvalidState, v))
    }
}

/// `connector_summary`: an install's failure summary (K4).
pub struct ConnectorSummary;

/// The arguments of [`ConnectorSummary`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorSummaryArgs {
    /// The install.
    pub install: Value,
}

impl Op for ConnectorSummary {
    type Args = ConnectorSummaryArgs;
    type Answer = FailureSummary;
    fn run(a: ConnectorSummaryArgs) -> Result<FailureSummary, Refusal> {
        Ok(crate::connector::summary(&install(&a.install)?))
    }
}

/// `connector_sweep`: the ids of the installs the sweep retries now (K5); an invalid install is
/// refused `bad_request`, its violations' paths under `/installs/{i}`.
pub struct ConnectorSweep;

/// The arguments of [`ConnectorSweep`].
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorSweepArgs {
    /// The installs.
    pub installs: Vec<Value>,
    /// Now, in Unix seconds.
    pub now: i64,
    /// The tunables (the defaults when absent).
    #[serde(default)]
    pub policy: Option<ConnectorPolicy>,
}

impl Op for ConnectorSweep {
    type Args = ConnectorSweepArgs;
    type Answer = Vec<String>;
    fn run(a: ConnectorSweepArgs) -> Result<Vec<String>, Refusal> {
        let mut installs = Vec::with_capacity(a.installs.len());
        for (i, item) in a.installs.iter().enumerate() {
            match Install::from_value(item) {
                Ok(inst) => installs.push(inst),
                Err(r) => {
                    let prefix = crate::Pointer::root().key("installs").index(i);
                    let violations = r
                        .violations
                        .into_iter()
                        .map(|mut v| {
                            v.path = format!("{}{}", prefix, v.path);
                            v
                        })
                        .collect();
                    return Err(Document::Install.refuse(violations));
                }
            }
        }
        Ok(crate::connector::sweep(&installs, a.now, a.policy.unwrap_or_default()))
    }
}
