"""The package's docstrings as users read them (``help()``, an IDE): every public function and
class has one with an example, and every example runs as written (doctest)."""

from __future__ import annotations

import doctest
import enum
import inspect
import typing

import pytest

import agentrules
from agentrules import _ops

# Public names that are types, not callables a user calls (TypedDicts, Literal aliases, the
# exception): their docstrings describe them; they have no example to run.
def _is_callable_api(obj: object) -> bool:
    if typing.get_origin(obj) is not None or isinstance(obj, typing._SpecialForm):
        return False
    if isinstance(obj, type) and (issubclass(obj, (dict, enum.Enum, BaseException)) or typing.is_typeddict(obj)):
        return False
    return callable(obj) and not typing.is_typeddict(obj)


PUBLIC = sorted(n for n in agentrules.__all__ if _is_callable_api(getattr(agentrules, n)))
# Plain records whose fields are their documentation.
RECORDS = {"StopResult", "Decision", "WebhookVerification"}


def test_the_public_api_is_what_is_checked() -> None:
    assert {"validate_launch", "check", "TableValidator", "Report", "stop", "table_elements"} <= set(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_callable_has_a_docstring_with_an_example_that_runs(name: str) -> None:
    obj = getattr(agentrules, name)
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 40, f"{name} has no real docstring: {doc!r}"
    if name in RECORDS:
        return
    assert ">>>" in doc, f"{name}'s docstring has no example"
    test = doctest.DocTestParser().get_doctest(doc, {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)


@pytest.mark.parametrize("name", ["validate_launch", "validate_follow_up", "check"])
def test_the_checks_name_every_member_of_the_context(name: str) -> None:
    # The members come from the core's schema (the generated `Context`), so a new one that the
    # docstring does not mention fails here.
    doc = getattr(agentrules, name).__doc__ or ""
    for member in typing.get_type_hints(agentrules.Context):
        assert f"`{member}`" in doc, f"{name}'s docstring does not describe the context's {member!r}"
    for limit in typing.get_type_hints(agentrules._documents.Limits):
        assert limit in doc, f"{name}'s docstring does not name the limit {limit!r}"


def test_the_constructors_show_their_signatures() -> None:
    assert str(inspect.signature(agentrules.Poller)) == "(follow_up_from=None)"
    assert str(inspect.signature(agentrules.SseDecoder)) == "(max_line_bytes=None)"
    assert str(inspect.signature(agentrules.Report)) == "(violations=None)"
    # A Report has equality and no order. An extension type with `==` lists every comparison
    # slot (CPython adds all six wrappers, as for `int`); what matters is that `<` is refused
    # by Python itself (`NotImplemented`), as for any type without an order.
    with pytest.raises(TypeError, match="not supported"):
        agentrules.Report() < agentrules.Report()  # type: ignore[operator]


def test_decision_kinds_are_the_cores() -> None:
    core = {typing.get_args(typing.get_type_hints(d)["decision"])[0] for d in typing.get_args(_ops.Decision)}
    assert set(typing.get_args(agentrules.DecisionKind)) == core
