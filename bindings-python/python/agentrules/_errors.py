"""The exception every agentrules call raises for a caller's mistake or a rejected document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Tuple, TypedDict, Union

if TYPE_CHECKING:
    from ._native import Violation
    from ._refusals import RefusalKind


class ErrorDetails(TypedDict):
    """One violation, shaped like pydantic's ``ValidationError.errors()`` items."""

    type: str
    loc: Tuple[Union[str, int], ...]
    msg: str
    path: str


def _loc(path: str) -> Tuple[Union[str, int], ...]:
    """A JSON Pointer as a pydantic-style location: tokens unescaped, array indices as ints."""
    if path == "":
        return ()
    parts: List[Union[str, int]] = []
    for token in path[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        # ASCII digits only: `str.isdigit` is also true of `²`, which `int` refuses.
        parts.append(int(token) if token.isascii() and token.isdigit() else token)
    return tuple(parts)


def errors_of(violations: "Iterable[Violation]") -> "List[ErrorDetails]":
    """Violations as pydantic-style dicts: ``type`` (the code), ``loc``, ``msg``, ``path``
    (``ValidationError.errors()`` and ``Report.errors()``)."""
    return [{"type": v.code, "loc": _loc(v.path), "msg": v.message, "path": v.path} for v in violations]


class ValidationError(ValueError):
    """A rejected document or argument.

    ``code`` says what went wrong: a refusal kind of the core (``RefusalKind``: ``bad_request``,
    ``invalid_context``, ``invalid_arguments``, ``invalid_state``, …; ``refusal_kinds()`` lists
    them); ``violations`` are the problems behind it, each with ``path``, ``code`` and
    ``message``.
    """

    code: "RefusalKind"
    violations: "List[Violation]"

    def __init__(self, message: str, code: "RefusalKind", violations: "Iterable[Violation]" = ()) -> None:
        super().__init__(message)
        self.code = code
        self.violations = list(violations)

    def errors(self) -> "List[ErrorDetails]":
        """The violations as pydantic-style dicts: ``type`` (the code), ``loc``, ``msg``, ``path``."""
        return errors_of(self.violations)

    def __reduce__(self) -> "Tuple[type, Tuple[str, RefusalKind, List[Violation]]]":
        # Exceptions pickle their args (the message only) by default; this one needs all three
        # (multiprocessing and joblib send a worker's exception back pickled).
        return (type(self), (str(self), self.code, self.violations))

    def __repr__(self) -> str:
        return f"ValidationError({str(self)!r}, code={self.code!r}, violations={self.violations!r})"
