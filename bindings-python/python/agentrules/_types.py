"""Typed shapes of the NOME rules' results (webhooks, connectors): plain dicts and strings at runtime."""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["FailureSummary", "Install", "InstallError", "InstallStatus", "NextStep", "WebhookProvider", "RejectReason"]

#: W1–W3: who signed a webhook.
WebhookProvider = Literal["github", "slack", "whatsapp"]
#: W4: why a webhook was rejected.
RejectReason = Literal[
    "empty_secret",
    "missing_header",
    "duplicate_header",
    "malformed_header",
    "stale_timestamp",
    "future_timestamp",
    "signature_mismatch",
]
#: K1: the status of a connector install.
InstallStatus = Literal["pending", "active", "degraded", "failed", "uninstalled"]
#: K4: what the user should do.
NextStep = Literal["none", "wait", "auto_recovery", "reauthorize", "reinstall"]


class InstallError(TypedDict):
    """The last failure of an install."""

    reason: str
    at: int


class _InstallFields(TypedDict):
    id: str
    connector: str
    status: InstallStatus


class Install(_InstallFields, total=False):
    """K1: a connector install record (times are Unix seconds)."""

    consecutiveFailures: int
    updatedAt: int
    failingSince: int
    lastError: InstallError


class _SummaryFields(TypedDict):
    status: InstallStatus
    healthy: bool
    consecutiveFailures: int
    nextStep: NextStep
    message: str


class FailureSummary(_SummaryFields, total=False):
    """K4: what a UI shows of an install's health."""

    failingSince: int
    lastError: str
