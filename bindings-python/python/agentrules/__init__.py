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
``invalid_json`` at the path of the offending value (a NaN at ``/elements/3/value/price``),
never a crash. The checks take any ``object``; ``LaunchBody``, ``FollowUpBody`` and ``Context``
(TypedDicts generated from the core's schemas) type the documents code builds.

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
from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Union

from ._codes import Code
from ._refusals import RefusalKind
from ._ops import OpFailure, OpName
from ._errors import ValidationError
from ._types import (
    CodeInfo,
    DecisionKind,
    EnvelopeDict,
    FailureSummary,
    Install,
    InstallStatus,
    NextStep,
    ParamInfo,
    ParamValue,
    RejectReason,
    ReportDict,
    SseEvent,
    SseRetry,
    ViolationDict,
    WebhookProvider,
)
from ._kinds import Kind
from ._documents import Context, FollowUpBody, LaunchBody
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
    verify_google_webhook,
    verify_webhook,
)
from . import _native

__all__ = [
    "AgentStatus",
    "Code",
    "CodeInfo",
    "Context",
    "Decision",
    "DecisionKind",
    "EnvelopeDict",
    "FailureSummary",
    "FollowUpBody",
    "Install",
    "InstallStatus",
    "Kind",
    "LaunchBody",
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
    "ReportDict",
    "SseDecoder",
    "SseEvent",
    "SseRetry",
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
    "table_elements",
    "transition",
    "validate_follow_up",
    "validate_launch",
    "verify_google_webhook",
    "verify_webhook",
    "violations_by_key",
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
    """S1: whether ``status`` is terminal (``finished``, ``stopped``, ``failed``); an unknown
    status (a newer server's) is not.

    >>> import agentrules
    >>> agentrules.is_terminal("finished"), agentrules.is_terminal(agentrules.AgentStatus.RUNNING)
    (True, False)
    """
    return _native.is_terminal(_status(status))


def can_transition(from_: StatusLike, to: StatusLike, via: str = "pipeline") -> bool:
    """S2: whether ``from_ → to`` is legal; ``via`` is ``"pipeline"`` or ``"follow_up"``.

    >>> import agentrules
    >>> agentrules.can_transition("running", "finished"), agentrules.can_transition("finished", "running")
    (True, False)
    >>> agentrules.can_transition("finished", "running", via="follow_up")
    True
    """
    return _native.can_transition(_status(from_), _status(to), via)


def transition(from_: StatusLike, to: StatusLike, via: str = "pipeline") -> AgentStatus:
    """S2: ``to`` when ``from_ → to`` is legal; raises ``ValidationError`` (``invalid_state``, the
    violation ``invalid_transition``) when it is not. A legal ``to`` is always a known status.

    >>> import agentrules
    >>> agentrules.transition("waiting", "running")
    <AgentStatus.RUNNING: 'running'>
    >>> agentrules.transition("finished", "waiting")
    Traceback (most recent call last):
    ...
    agentrules._errors.ValidationError: ...
    """
    _native.check_transition(_status(from_), _status(to), via)
    return AgentStatus(_status(to))


def follow_up(status: StatusLike) -> AgentStatus:
    """S3: the status after a follow-up (``running``); raises ``ValidationError`` (``invalid_state``)
    unless the agent is terminal: an unknown status (a newer server's) is not known to be
    terminal, so a follow-up is refused there too.

    >>> import agentrules
    >>> agentrules.follow_up("finished")
    <AgentStatus.RUNNING: 'running'>
    """
    outcome = _native.apply_action(_status(status), "follow_up")
    return AgentStatus(outcome["status"])


#: S4: what a stop does (see ``StopResult``).
StopKind = Literal["immediate", "requested", "no_op"]
_STOP_KINDS: Dict[str, StopKind] = {"transition": "immediate", "requested": "requested", "no_op": "no_op"}


@dataclass(frozen=True)
class StopResult:
    """S4: what a stop does. ``kind`` is ``"immediate"`` (from ``waiting``), ``"requested"`` (the
    status changes later: poll) or ``"no_op"`` (already terminal); ``status`` is what the
    response shows."""

    kind: StopKind
    status: StatusLike


def stop(status: StatusLike) -> StopResult:
    """S4: what ``POST /agents/{id}/stop`` does to an agent in ``status``. Never raises: a stop
    is accepted in every status. An unknown status (a newer server's) is ``"requested"``: the
    client can only ask, and the server decides (unlike ``follow_up``, which needs a status
    known to be terminal).

    >>> import agentrules
    >>> agentrules.stop("waiting")
    StopResult(kind='immediate', status=<AgentStatus.STOPPED: 'stopped'>)
    >>> agentrules.stop("finished").kind, agentrules.stop("running").kind, agentrules.stop("paused").kind
    ('no_op', 'requested', 'requested')
    """
    outcome = _native.apply_action(_status(status), "stop")
    return StopResult(kind=_STOP_KINDS[outcome["outcome"]], status=_typed(outcome["status"]))


def delete(status: StatusLike) -> bool:
    """S5: deleting is allowed in every status; returns whether a working agent is aborted first.

    >>> import agentrules
    >>> agentrules.delete("running"), agentrules.delete("finished")
    (True, False)
    """
    return bool(_native.apply_action(_status(status), "delete")["aborted_first"])


def check_image(
    media_type: str,
    data: Union[bytes, bytearray, memoryview],
    length: Optional[int] = None,
    context: Union[Context, Mapping[str, Any], str, bytes, None] = None,
) -> Report:
    """I7: checks image bytes before they are base64-encoded.

    Give the declared ``media_type`` and the whole file as ``data`` (raw bytes: ``bytes``,
    ``bytearray`` or ``memoryview``), or only its first bytes (16 are enough) with the file's
    ``length``. The order is every surface's: media type, bytes, length, context (of which
    ``limits.maxImageBytes`` applies). Paths are ``/media_type`` and ``/data``.

    >>> import agentrules
    >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8)
    >>> agentrules.check_image("image/png", png, length=1_000).ok
    True
    >>> [v.code for v in agentrules.check_image("image/jpeg", png, length=1_000)]
    ['media_type_mismatch']
    """
    return _native.check_image_bytes(media_type, data, length, context)


def raise_for_violations(report: Report) -> None:
    """Raises ``ValidationError`` (code ``bad_request``) when ``report`` has violations.

    >>> import agentrules
    >>> agentrules.raise_for_violations(agentrules.validate_launch({"prompt": {"text": "hi"}}))
    >>> try:
    ...     agentrules.raise_for_violations(agentrules.validate_launch({}))
    ... except agentrules.ValidationError as e:
    ...     print(e.code, [v.code for v in e.violations])
    bad_request ['missing_prompt_or_workflow']
    """
    report.raise_for_violations()


def table_elements(rows: Any, key: Optional[str] = None) -> List[Dict[str, Any]]:
    """A table artifact's ``elements`` (``[{"key", "value"}]``) from a pandas ``DataFrame``
    (pandas is not required otherwise) or any iterable of row mappings, for
    ``TableValidator.validate_elements`` and ``check("table", ...)``.

    ``key`` names the column that holds each row's key (it stays in the value too); without it
    a DataFrame's index is the key (as text). numpy scalars become the Python values they hold
    (``.item()``); a missing value (NaN) stays NaN, so the check reports it as ``invalid_json``
    at its cell (``/elements/<i>/value/<column>``) instead of failing the whole table.

    >>> import agentrules
    >>> rows = [{"id": "a", "n": 1}, {"id": "b", "n": float("nan")}]
    >>> t = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}}})
    >>> report = t.validate_elements(agentrules.table_elements(rows, key="id"))
    >>> [(v.path, v.code) for v in report]
    [('/elements/1/value/n', 'invalid_json')]
    >>> agentrules.violations_by_key(agentrules.table_elements(rows, key="id"), report)["b"][0].code
    'invalid_json'
    """
    to_dict = getattr(rows, "to_dict", None)
    if key is None and callable(to_dict) and hasattr(rows, "index"):
        records = to_dict("index")
        return [{"key": str(k), "value": _plain(v)} for k, v in records.items()]
    items = to_dict("records") if callable(to_dict) else rows
    out: List[Dict[str, Any]] = []
    for i, row in enumerate(items):
        value = _plain(row)
        if key is None:
            row_key: Any = str(i)
        elif isinstance(value, dict) and key in value:
            row_key = value[key]
            row_key = row_key if isinstance(row_key, str) else str(row_key)
        else:
            raise KeyError(f"row {i} has no column {key!r}")
        out.append({"key": row_key, "value": value})
    return out


def _plain(v: Any) -> Any:
    """A row's value with numpy scalars as the Python values they hold; NaN stays NaN."""
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if type(v).__module__ == "numpy" and hasattr(v, "item"):
        return v.item()
    return v


def violations_by_key(elements: Iterable[Mapping[str, Any]], report: Report) -> Dict[str, List[Violation]]:
    """A table report's violations grouped by the ``key`` of the row they are in (a violation
    at ``/elements/<i>/...`` belongs to row ``i``); violations outside any row are under ``""``.

    >>> import agentrules
    >>> elements = [{"key": "a", "value": {}}, {"key": "a", "value": {}}]
    >>> t = agentrules.TableValidator({"type": "object"})
    >>> sorted(agentrules.violations_by_key(elements, t.validate_elements(elements)))
    ['a']
    """
    keys = [str(e.get("key", "")) if isinstance(e, Mapping) else "" for e in elements]
    out: Dict[str, List[Violation]] = {}
    for v in report:
        parts = v.path.split("/")
        row = ""
        if len(parts) > 2 and parts[1] == "elements" and parts[2].isdigit() and int(parts[2]) < len(keys):
            row = keys[int(parts[2])]
        out.setdefault(row, []).append(v)
    return out
