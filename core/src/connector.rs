//! Connector installs (K1–K5 of `docs/rules.md`): the lifecycle of an installed connector
//! (GitHub, Slack, Google Workspace, WhatsApp, …), health checks folded into its state, the
//! failure summary a UI shows, and the sweep rule that picks degraded installs for recovery.
//!
//! The NOME reference says only: "Connector installs expose lifecycle state through health
//! checks, refresh seams, and failure summaries. Sweep jobs handle degraded-install recovery."
//! The states and transitions below are this library's reading of it:
//!
//! | status \ event | `health` ok | `health` failed | `refresh` ok | `refresh` failed | `reinstall` | `uninstall` |
//! |---|---|---|---|---|---|---|
//! | `pending` | `active` | `degraded`¹ | `pending` | `degraded`¹ | `pending` | `uninstalled` |
//! | `active` | `active` | `degraded`¹ | `active` | `degraded`¹ | `pending` | `uninstalled` |
//! | `degraded` | `active` | `degraded`¹ | `pending` | `degraded`¹ | `pending` | `uninstalled` |
//! | `failed` | refused | refused | `pending` | `failed` | `pending` | `uninstalled` |
//! | `uninstalled` | refused | refused | refused | refused | `pending` | refused |
//!
//! ¹ `failed` instead once `failureThreshold` (default 3) failures are consecutive.
//!
//! - A failure (a failed health check or a failed credential refresh) counts; a passing health
//!   check resets the count and clears the error. A successful refresh of a degraded or failed
//!   install makes it `pending` again: new credentials, awaiting the health check that proves
//!   them (the recovery path the sweep drives). A refresh of a healthy install keeps it.
//! - `failed` is not health-checked (refused, `invalid_transition`): it needs a refresh or a
//!   reinstall, which is what its summary asks of the user. `uninstalled` only reinstalls.
//! - A record is consistent (K1): `degraded` and `failed` have at least one failure in a row;
//!   `pending`, `active` and `uninstalled` have none, and no `lastError` or `failingSince`
//!   (`out_of_range` at the field otherwise).
//! - Times are Unix seconds; an event dated before the install's last event is refused
//!   (`out_of_order`) so late deliveries cannot overwrite newer state.
//! - The sweep (K5) selects `degraded` installs whose last event is at least `sweepAfter`
//!   seconds old (default 300), oldest first, ties by id; `failed` installs wait for the user.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{as_object, check_fields, check_text, mismatch};
use crate::pointer::Pointer;
use crate::report::{quote, Code, Params, Sink, Violation};

/// The install events K2 knows.
const INSTALL_EVENTS: [&str; 4] = ["health", "refresh", "reinstall", "uninstall"];

/// K1: the status of a connector install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum InstallStatus {
    /// Installed or re-authorised, awaiting a passing health check.
    Pending,
    /// Healthy.
    Active,
    /// Failing, fewer than `failureThreshold` times in a row; the sweep retries it.
    Degraded,
    /// Failed `failureThreshold` times in a row; needs a refresh or a reinstall.
    Failed,
    /// Removed; only a reinstall brings it back.
    Uninstalled,
}

impl InstallStatus {
    /// Every status, with its name.
    pub const ALL: [(InstallStatus, &'static str); 5] = [
        (InstallStatus::Pending, "pending"),
        (InstallStatus::Active, "active"),
        (InstallStatus::Degraded, "degraded"),
        (InstallStatus::Failed, "failed"),
        (InstallStatus::Uninstalled, "uninstalled"),
    ];

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<InstallStatus> {
        InstallStatus::ALL.iter().find(|(_, n)| *n == name).map(|(s, _)| *s)
    }

    /// The status's name.
    pub fn name(self) -> &'static str {
        InstallStatus::ALL.iter().find(|(s, _)| *s == self).map_or("", |(_, n)| n)
    }
}

/// The last failure of an install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InstallError {
    /// What failed, as the health check or refresh reported it.
    pub reason: String,
    /// When (Unix seconds).
    pub at: i64,
}

/// K1: a connector install record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Install {
    /// The install's id.
    pub id: String,
    /// The connector (`github`, `slack`, `google_workspace`, `whatsapp`, or a newer one).
    pub connector: String,
    /// Its status.
    pub status: InstallStatus,
    /// Failures in a row (0 when healthy).
    #[serde(default)]
    pub consecutive_failures: u32,
    /// When the last event was applied (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub updated_at: Option<i64>,
    /// When the current run of failures began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub failing_since: Option<i64>,
    /// The last failure, while failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub last_error: Option<InstallError>,
}

/// K2: something that happened to an install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InstallEvent {
    /// A health check's result.
    Health {
        /// Passed.
        ok: bool,
        /// When (Unix seconds).
        at: i64,
        /// Why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "wasm", tsify(optional))]
        reason: Option<String>,
    },
    /// A credential refresh (the "refresh seam") and its result.
    Refresh {
        /// Succeeded.
        ok: bool,
        /// When (Unix seconds).
        at: i64,
        /// Why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "wasm", tsify(optional))]
        reason: Option<String>,
    },
    /// The user installed the connector again.
    Reinstall {
        /// When (Unix seconds).
        at: i64,
    },
    /// The user removed the connector.
    Uninstall {
        /// When (Unix seconds).
        at: i64,
    },
}

impl InstallEvent {
    fn at(&self) -> i64 {
        match self {
            InstallEvent::Health { at, .. }
            | InstallEvent::Refresh { at, .. }
            | InstallEvent::Reinstall { at }
            | InstallEvent::Uninstall { at } => *at,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            InstallEvent::Health { .. } => "health",
            InstallEvent::Refresh { .. } => "refresh",
            InstallEvent::Reinstall { .. } => "reinstall",
            InstallEvent::Uninstall { .. } => "uninstall",
        }
    }
}

/// The tunables of K3 and K5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorPolicy {
    /// Failures in a row that make an install `failed` (default 3, at least 1).
    pub failure_threshold: u32,
    /// Seconds after its last event before the sweep retries a degraded install (default 300).
    pub sweep_after: i64,
}

impl Default for ConnectorPolicy {
    fn default() -> Self {
        ConnectorPolicy { failure_threshold: 3, sweep_after: 300 }
    }
}

/// K2/K3: the install after `event`, or the violation (`invalid_transition`, `out_of_order`)
/// when the event cannot apply.
///
/// ```
/// use agentrules::connector::{apply, Install, InstallEvent, InstallStatus, ConnectorPolicy};
/// let i = Install { id: "i1".into(), connector: "slack".into(), status: InstallStatus::Active,
///     consecutive_failures: 0, updated_at: Some(100), failing_since: None, last_error: None };
/// let fail = InstallEvent::Health { ok: false, at: 200, reason: Some("token expired".into()) };
/// let i = apply(&i, &fail, ConnectorPolicy::default()).unwrap();
/// assert_eq!((i.status, i.consecutive_failures), (InstallStatus::Degraded, 1));
/// ```
pub fn apply(install: &Install, event: &InstallEvent, policy: ConnectorPolicy) -> Result<Install, Violation> {
    use InstallStatus::{Active, Degraded, Failed, Pending, Uninstalled};
    let at = event.at();
    if let Some(last) = install.updated_at {
        if at < last {
            return Err(Violation::new(
                &Pointer::root().key("at"),
                Code::OutOfOrder,
                format!("the {} event is dated {at}, before the install's last event at {last}", event.name()),
            ));
        }
    }
    let refused = || {
        Violation::new(
            &Pointer::root().key("type"),
            Code::InvalidTransition,
            format!(
                "a {} install does not take a {} event{}",
                install.status.name(),
                event.name(),
                match install.status {
                    Failed => ": refresh its credentials or reinstall it",
                    Uninstalled => ": only a reinstall brings it back",
                    _ => "",
                }
            ),
        )
        .with(Params::new().text("from", install.status.name()).text("event", event.name()))
    };
    let mut next = install.clone();
    next.updated_at = Some(at);
    let healthy = |n: &mut Install, status: InstallStatus| {
        n.status = status;
        n.consecutive_failures = 0;
        n.failing_since = None;
        n.last_error = None;
    };
    let failure = |n: &mut Install, reason: &Option<String>| {
        n.consecutive_failures = n.consecutive_failures.saturating_add(1);
        n.failing_since = n.failing_since.or(Some(at));
        n.last_error = Some(InstallError {
            reason: reason
                .as_deref()
                .filter(|r| !crate::json::is_blank(r))
                .map_or_else(|| format!("{} failed", event.name()), str::to_owned),
            at,
        });
        n.status = if n.consecutive_failures >= policy.failure_threshold.max(1) || n.status == Failed {
            Failed
        } else {
            Degraded
        };
    };
    match (install.status, event) {
        (_, InstallEvent::Reinstall { .. }) => healthy(&mut next, Pending),
        (Uninstalled, _) => return Err(refused()),
        (_, InstallEvent::Uninstall { .. }) => healthy(&mut next, Uninstalled),
        (Failed, InstallEvent::Health { .. }) => return Err(refused()),
        (_, InstallEvent::Health { ok: true, .. }) => healthy(&mut next, Active),
        (_, InstallEvent::Health { ok: false, reason, .. } | InstallEvent::Refresh { ok: false, reason, .. }) => {
            failure(&mut next, reason);
        }
        (Pending | Active, InstallEvent::Refresh { ok: true, .. }) => {}
        (Degraded | Failed, InstallEvent::Refresh { ok: true, .. }) => healthy(&mut next, Pending),
    }
    Ok(next)
}

/// What the UI should ask of the user (K4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Nothing: healthy.
    None,
    /// Wait: the first health check is due.
    Wait,
    /// Nothing yet: the sweep retries automatically.
    AutoRecovery,
    /// Re-authorise (refresh credentials) or reinstall.
    Reauthorize,
    /// Install it to use it.
    Reinstall,
}

/// K4: the failure summary of an install, for a UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct FailureSummary {
    /// The install's status.
    pub status: InstallStatus,
    /// True when `active`.
    pub healthy: bool,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// When the failures began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub failing_since: Option<i64>,
    /// The last failure's reason (an excerpt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm", tsify(optional))]
    pub last_error: Option<String>,
    /// What the user should do.
    pub next_step: NextStep,
    /// One English sentence for the UI.
    pub message: String,
}

/// K4: summarises an install's health.
pub fn summary(install: &Install) -> FailureSummary {
    let n = install.consecutive_failures;
    let err = install.last_error.as_ref().map(|e| quote(&e.reason));
    let last = err.as_deref().map(|e| format!("; last error: {e}")).unwrap_or_default();
    let checks = if n == 1 { "1 failure".to_string() } else { format!("{n} failures in a row") };
    let (next_step, message) = match install.status {
        InstallStatus::Active => (NextStep::None, format!("{} is connected", install.connector)),
        InstallStatus::Pending => {
            (NextStep::Wait, format!("{} is waiting for its first health check", install.connector))
        }
        InstallStatus::Degraded => (
            NextStep::AutoRecovery,
            format!("{} is degraded after {checks}{last}; recovery is retried automatically", install.connector),
        ),
        InstallStatus::Failed => (
            NextStep::Reauthorize,
            format!("{} failed after {checks}{last}; re-authorise or reinstall it", install.connector),
        ),
        InstallStatus::Uninstalled => (NextStep::Reinstall, format!("{} is not installed", install.connector)),
    };
    FailureSummary {
        status: install.status,
        healthy: install.status == InstallStatus::Active,
        consecutive_failures: n,
        failing_since: install.failing_since,
        last_error: install.last_error.as_ref().map(|e| e.reason.chars().take(200).collect()),
        next_step,
        message,
    }
}

/// K5: the ids of the installs a sweep at `now` should try to recover: `degraded`, last event
/// at least `policy.sweep_after` seconds old (or never dated), oldest first, ties by id.
pub fn sweep(installs: &[Install], now: i64, policy: ConnectorPolicy) -> Vec<String> {
    let mut due: Vec<(i64, &str)> = installs
        .iter()
        .filter(|i| i.status == InstallStatus::Degraded)
        .filter_map(|i| {
            let t = i.updated_at.unwrap_or(i64::MIN);
            (i128::from(now).saturating_sub(i128::from(t)) >= i128::from(policy.sweep_after))
                .then_some((t, i.id.as_str()))
        })
        .collect();
    due.sort_unstable();
    due.into_iter().map(|(_, id)| id.to_string()).collect()
}

fn read_time(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<i64> {
    match v.as_i64() {
        Some(t) if t >= 0 => Some(t),
        _ if v.is_number() => {
            sink.push_with(
                path,
                Code::OutOfRange,
                "expected a Unix time in seconds, a whole number from 0",
                Params::new().int("min", 0),
            );
            None
        }
        _ => {
            mismatch(sink, path, "a Unix time in seconds", v);
            None
        }
    }
}

fn read_reason(sink: &mut Sink, path: &Pointer, v: Option<&Value>) -> Option<String> {
    let v = v?;
    check_text(sink, path, v, "a reason");
    v.as_str().map(str::to_owned)
}

/// K1: reads an install record (the `connector-install` kind).
pub(crate) fn read_install(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<Install> {
    let obj = as_object(sink, path, v, "an install object")?;
    check_fields(
        sink,
        path,
        obj,
        &["id", "connector", "status", "consecutiveFailures", "updatedAt", "failingSince", "lastError"],
    );
    let before = sink.out.len();
    let text = |sink: &mut Sink, key: &str| -> Option<String> {
        match obj.get(key) {
            None => {
                sink.push(&path.key(key), Code::Required, format!("`{key}` is required"));
                None
            }
            Some(v) => {
                check_text(sink, &path.key(key), v, key);
                v.as_str().map(str::to_owned)
            }
        }
    };
    let id = text(sink, "id");
    let connector = text(sink, "connector");
    let status = match obj.get("status") {
        None => {
            sink.push(&path.key("status"), Code::Required, "`status` is required");
            None
        }
        Some(Value::String(s)) => {
            let st = InstallStatus::parse(s);
            if st.is_none() {
                sink.push_with(
                    &path.key("status"),
                    Code::UnknownStatus,
                    format!(
                        "{} is not an install status; expected pending, active, degraded, failed or uninstalled",
                        quote(s)
                    ),
                    Params::new().list("allowed", ["pending", "active", "degraded", "failed", "uninstalled"]),
                );
            }
            st
        }
        Some(other) => {
            mismatch(sink, &path.key("status"), "a status string", other);
            None
        }
    };
    let failures = match obj.get("consecutiveFailures") {
        None => 0,
        Some(v) => match v.as_u64().map(u32::try_from) {
            Some(Ok(n)) => n,
            _ if v.is_number() => {
                sink.push_with(
                    &path.key("consecutiveFailures"),
                    Code::OutOfRange,
                    "expected a whole number from 0",
                    Params::new().int("min", 0),
                );
                0
            }
            _ => {
                mismatch(sink, &path.key("consecutiveFailures"), "a whole number", v);
                0
            }
        },
    };
    let updated_at = obj.get("updatedAt").and_then(|v| read_time(sink, &path.key("updatedAt"), v));
    let failing_since = obj.get("failingSince").and_then(|v| read_time(sink, &path.key("failingSince"), v));
    let last_error = obj.get("lastError").and_then(|v| {
        let p = path.key("lastError");
        let o = as_object(sink, &p, v, "an object `{reason, at}`")?;
        check_fields(sink, &p, o, &["reason", "at"]);
        let reason = read_reason(sink, &p.key("reason"), o.get("reason"));
        let at = o.get("at").and_then(|t| read_time(sink, &p.key("at"), t));
        for key in ["reason", "at"] {
            if !o.contains_key(key) {
                sink.push(&p.key(key), Code::Required, format!("`{key}` is required"));
            }
        }
        Some(InstallError { reason: reason?, at: at? })
    });
    if let Some(st) = status {
        let failing = matches!(st, InstallStatus::Degraded | InstallStatus::Failed);
        if failing && failures == 0 {
            sink.push_with(
                &path.key("consecutiveFailures"),
                Code::OutOfRange,
                format!("a {} install has at least one failure in a row", st.name()),
                Params::new().int("min", 1),
            );
        } else if !failing && (failures > 0 || last_error.is_some() || failing_since.is_some()) {
            let key = if failures > 0 {
                "consecutiveFailures"
            } else if last_error.is_some() {
                "lastError"
            } else {
                "failingSince"
            };
            sink.push(
                &path.key(key),
                Code::OutOfRange,
                format!("a {} install is not failing: it has no failures, error or failingSince", st.name()),
            );
        }
    }
    if sink.out.len() > before {
        return None;
    }
    Some(Install {
        id: id?,
        connector: connector?,
        status: status?,
        consecutive_failures: failures,
        updated_at,
        failing_since,
        last_error,
    })
}

/// K2: reads an install event (the `connector-event` kind).
pub(crate) fn read_event(sink: &mut Sink, path: &Pointer, v: &Value) -> Option<InstallEvent> {
    let obj = as_object(sink, path, v, "an event object")?;
    let before = sink.out.len();
    let kind = match obj.get("type") {
        None => {
            sink.push(&path.key("type"), Code::Required, "`type` is required");
            None
        }
        Some(Value::String(s)) if INSTALL_EVENTS.contains(&s.as_str()) => Some(s.as_str()),
        Some(Value::String(s)) => {
            sink.push_with(
                &path.key("type"),
                Code::UnknownEvent,
                format!("{} is not an install event; expected health, refresh, reinstall or uninstall", quote(s)),
                Params::new().list("allowed", INSTALL_EVENTS),
            );
            None
        }
        Some(other) => {
            mismatch(sink, &path.key("type"), "an event type string", other);
            None
        }
    };
    let with_result = matches!(kind, Some("health" | "refresh"));
    let allowed: &[&str] = if with_result { &["type", "ok", "at", "reason"] } else { &["type", "at"] };
    if kind.is_some() {
        check_fields(sink, path, obj, allowed);
    }
    let at = match obj.get("at") {
        None => {
            sink.push(&path.key("at"), Code::Required, "`at` is required");
            None
        }
        Some(t) => read_time(sink, &path.key("at"), t),
    };
    let ok = if with_result {
        match obj.get("ok") {
            None => {
                sink.push(&path.key("ok"), Code::Required, "`ok` is required");
                None
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                mismatch(sink, &path.key("ok"), "a boolean", other);
                None
            }
        }
    } else {
        None
    };
    let reason = if with_result { read_reason(sink, &path.key("reason"), obj.get("reason")) } else { None };
    if sink.out.len() > before {
        return None;
    }
    let at = at?;
    Some(match kind? {
        "health" => InstallEvent::Health { ok: ok?, at, reason },
        "refresh" => InstallEvent::Refresh { ok: ok?, at, reason },
        "reinstall" => InstallEvent::Reinstall { at },
        _ => InstallEvent::Uninstall { at },
    })
}

/// Checks an install record (`check connector-install`).
pub fn check_install(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_install(&mut sink, &Pointer::root(), v);
    sink.out
}

/// Checks an install event (`check connector-event`).
pub fn check_event(v: &Value) -> Vec<Violation> {
    let mut sink = Sink::default();
    read_event(&mut sink, &Pointer::root(), v);
    sink.out
}

impl Install {
    /// Parses and checks an install record given as a JSON value.
    pub fn from_value(v: &Value) -> Result<Install, crate::Report> {
        crate::report::collect(|sink| read_install(sink, &Pointer::root(), v))
            .and_then(|i| i.ok_or_else(|| crate::Report::new(Vec::new())))
    }
}

impl InstallEvent {
    /// Parses and checks an install event given as a JSON value.
    pub fn from_value(v: &Value) -> Result<InstallEvent, crate::Report> {
        crate::report::collect(|sink| read_event(sink, &Pointer::root(), v))
            .and_then(|e| e.ok_or_else(|| crate::Report::new(Vec::new())))
    }
}
