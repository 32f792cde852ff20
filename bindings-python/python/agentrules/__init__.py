"""agentrules: the Agent API's rules for Python.

The same violations, at the same JSON paths, as the browser package, the mobile SDKs, the CLI and
the Rust core they are all compiled from::

    >>> import agentrules
    >>> report = agentrules.validate_launch({"prompt": {"text": " "}})
    >>> [(v.path, v.code) for v in report.violations]
    [('/prompt/text', 'empty_text')]

Inputs. A document (a body, a context, a schema, a matrix, a log, ...) is JSON text or a Python
value: ``str`` is JSON text, and so are raw bytes; ``dict``, ``list``, ``tuple``, ``str``,
``int``, ``float`` (finite), ``bool`` and ``None`` are values (subclasses read by their built-in
value: an ``int`` subclass's ``__float__`` or ``__index__`` is never called). Values are held to
the same limits as text: 127 levels of nesting (a self-referencing list is too deep), and
``limits.maxDocumentBytes`` measured on the value's compact JSON. Anything else is
``invalid_json``, never a crash.

Raw bytes, one rule everywhere: ``bytes``, ``bytearray`` and ``memoryview`` (C-contiguous, of
single bytes: format ``B``, ``b`` or ``c``) are raw bytes on every entry that takes bytes or JSON
text: ``check``/``validate_*`` and every document argument (JSON text, UTF-8),
``SseDecoder.push``, ``check_image``, and ``verify_webhook``'s body, secret and header names and
values (header bytes read as Latin-1, as ASGI's ``scope["headers"]`` gives them: a list of
``(name, value)`` pairs, tuples or 2-item lists). Where raw bytes are required (a stream, a
body, an image), ``str`` is a ``TypeError``; another ``memoryview`` is a ``TypeError`` there and
``invalid_json`` as a document.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._codes import Code
from ._refusals import RefusalKind
from ._ops import OpFailure, OpName
from ._errors import ValidationError
from ._types import CodeInfo, FailureSummary, Install, InstallStatus, NextStep, ParamInfo, ParamValue, RejectReason, ViolationDict, WebhookProvider
from ._native import (
    __version__ as __version__,
    Decision,
    PolicyMatrix,
    Poller,
    Report,
    SseDecoder,
    TableValidator,
    Violation,
    WebhookVerification,
    apply_connector_event,
    check,
    connector_summary,
    codes,
    error_envelope,
    evaluate,
    kinds,
    parse_error_envelope,
    refusal_kinds,
    render_list_query,
    replay_json,
    retry_after,
    sweep_connectors,
    validate_follow_up,
    validate_launch,
    verify_webhook,
)
from . import _native

__all__ = [
    "AgentStatus",
    "Code",
    "CodeInfo",
    "Decision",
    "FailureSummary",
    "Install",
    "InstallStatus",
    "NextStep",
    "OpFailure",
    "OpName",
    "ParamInfo",
    "ParamValue",
    "PolicyMatrix",
    "Poller",
    "WebhookProvider",
    "RefusalKind",
    "RejectReason",
    "Report",
    "SseDecoder",
    "StopResult",
    "TableValidator",
    "ValidationError",
    "Violation",
    "ViolationDict",
    "WebhookVerification",
    "apply_connector_event",
    "can_transition",
    "check",
    "check_image",
    "codes",
    "connector_summary",
    "delete",
    "error_envelope",
    "evaluate",
    "follow_up",
    "is_terminal",
    "kinds",
    "parse_error_envelope",
    "raise_for_violations",
    "refusal_kinds",
    "render_list_query",
    "replay_json",
    "retry_after",
    "stop",
    "sweep_connectors",
    "transition",
    "validate_follow_up",
    "validate_launch",
    "verify_webhook",
]


class AgentStatus(str, enum.Enum):
    """The status of an agent (S1). Functions also accept the plain strings, unknown ones included."""

    WAITING = "waiting"
    RUNNING = "running"
    AWAITING_TOOL = "awaiting_tool"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return _native.is_terminal(self.value)

    def __str__(self) -> str:
        return self.value


StatusLike = Union[AgentStatus, str]


def _status(s: StatusLike) -> str:
    return s.value if isinstance(s, AgentStatus) else s


def _typed(s: str) -> StatusLike:
    try:
        return AgentStatus(s)
    except ValueError:
        return s


def is_terminal(status: StatusLike) -> bool:
    """Whether ``status`` is terminal (``finished``, ``stopped``, ``failed``)."""
    return _native.is_terminal(_status(status))


def can_transition(from_: StatusLike, to: StatusLike, via: str = "pipeline") -> bool:
    """S2: whether ``from_ → to`` is legal; ``via`` is ``"pipeline"`` or ``"follow_up"``."""
    return _native.can_transition(_status(from_), _status(to), via)


def transition(from_: StatusLike, to: StatusLike, via: str = "pipeline") -> StatusLike:
    """S2: ``to`` when ``from_ → to`` is legal; raises ``ValidationError`` (``invalid_state``, the
    violation ``invalid_transition``) when it is not."""
    _native.check_transition(_status(from_), _status(to), via)
    return _typed(_status(to))


def follow_up(status: StatusLike) -> StatusLike:
    """S3: the status after a follow-up (``running``); raises ``ValidationError`` (``invalid_state``)
    unless the agent is terminal."""
    outcome = _native.apply_action(_status(status), "follow_up")
    return _typed(outcome["status"])


@dataclass(frozen=True)
class StopResult:
    """S4: what a stop does. ``kind`` is ``"immediate"`` (from ``waiting``), ``"requested"`` (the
    status changes later: poll) or ``"no_op"`` (already terminal); ``status`` is what the
    response shows."""

    kind: str
    status: StatusLike


def stop(status: StatusLike) -> StopResult:
    """S4: what ``POST /agents/{id}/stop`` does to an agent in ``status``."""
    outcome = _native.apply_action(_status(status), "stop")
    kind = {"transition": "immediate"}.get(outcome["outcome"], outcome["outcome"])
    return StopResult(kind=kind, status=_typed(outcome["status"]))


def delete(status: StatusLike) -> bool:
    """S5: deleting is allowed in every status; returns whether a working agent is aborted first."""
    return bool(_native.apply_action(_status(status), "delete")["aborted_first"])


def check_image(
    media_type: str,
    data: Union[bytes, bytearray, memoryview],
    length: Optional[int] = None,
    context: Any = None,
) -> Report:
    """I7: checks image bytes before they are base64-encoded.

    Give the declared ``media_type`` and the whole file as ``data`` (raw bytes: ``bytes``,
    ``bytearray`` or ``memoryview``), or only its first bytes (16 are enough) with the file's
    ``length``. The order is every surface's: media type, bytes, length, context. Paths are
    ``/media_type`` and ``/data``.
    """
    return _native.check_image_bytes(media_type, data, length, context)


def raise_for_violations(report: Report) -> None:
    """Raises ``ValidationError`` (code ``bad_request``) when ``report`` has violations."""
    report.raise_for_violations()
