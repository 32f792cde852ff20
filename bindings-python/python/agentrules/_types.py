"""Typed shapes of results that are plain dicts and strings at runtime: a violation's params and
the code list (``codes()``), the NOME rules' results (webhooks, connectors)."""

from __future__ import annotations

from typing import Dict, List, Literal, TypedDict, Union

from ._codes import Code

__all__ = [
    "CodeInfo",
    "DecisionKind",
    "EnvelopeDict",
    "FailureSummary",
    "Install",
    "InstallError",
    "InstallStatus",
    "NextStep",
    "ParamInfo",
    "ParamValue",
    "RejectReason",
    "ReportDict",
    "SseEvent",
    "SseRetry",
    "ViolationDict",
    "WebhookProvider",
]

#: One fact of a violation's ``params``: a number, a name or a list of names.
ParamValue = Union[int, float, str, List[str]]


class ParamInfo(TypedDict):
    """One param a code's violations carry (``codes()``; ``docs/codes.md``)."""

    name: str
    type: Literal["integer", "number", "text", "list"]
    required: bool


class CodeInfo(TypedDict):
    """One code as ``codes()`` lists it: its English message template and its params."""

    code: Code
    template: str
    params: List[ParamInfo]


class ViolationDict(TypedDict):
    """``Violation.to_dict()``: the violation as the JSON every surface writes."""

    path: str
    code: Code
    message: str
    params: Dict[str, ParamValue]

#: W1–W3: who signed a webhook.
WebhookProvider = Literal["github", "slack", "whatsapp"]
#: W4, W5: why a webhook was rejected.
RejectReason = Literal[
    "empty_secret",
    "missing_header",
    "duplicate_header",
    "malformed_header",
    "stale_timestamp",
    "future_timestamp",
    "signature_mismatch",
    "malformed_token",
    "unsupported_algorithm",
    "unknown_key",
    "invalid_keys",
    "wrong_issuer",
    "wrong_audience",
    "token_expired",
    "token_not_yet_valid",
    "email_mismatch",
    "email_not_verified",
    "channel_token_mismatch",
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


class ReportDict(TypedDict):
    """``Report.to_dict()``: the report as the JSON every surface writes."""

    ok: bool
    violations: List[ViolationDict]


class EnvelopeDict(TypedDict):
    """E1: the error envelope the API answers, ``{"error": <text>, "code": <code>}``."""

    error: str
    code: str


class SseEvent(TypedDict):
    """R2: a dispatched event."""

    event: str
    data: str
    id: str


class SseRetry(TypedDict):
    """R2: a valid ``retry`` field: the reconnection time in milliseconds."""

    retry: int


#: P2: what a tool-call decision is (the ``decision`` of the core's ``Decision``; a test holds
#: the two together).
DecisionKind = Literal["allow", "needs_approval", "queued", "deny"]
