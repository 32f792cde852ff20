"""Every tests/conformance case through the installed module: validation cases with the input as
Python values and as JSON text (str and bytes), op cases through ``evaluate``."""

import json

import pytest

import agentrules
from conftest import load_cases

CASES = load_cases()


def label(case):
    return f"{case['file']} [{case['rule']}] {case['name']}"


def pairs(violations):
    return {(v["path"], v["code"]) for v in violations}


def matches(want, got):
    if want == "*":
        return isinstance(got, str) and got != ""
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(matches(w, g) for w, g in zip(want, got))
    if isinstance(want, dict):
        return isinstance(got, dict) and want.keys() == got.keys() and all(matches(want[k], got[k]) for k in want)
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    return want == got


def test_the_corpus_has_cases():
    assert len(CASES) > 100


VALIDATION = [c for c in CASES if "kind" in c]
OPS = [c for c in CASES if "op" in c]


@pytest.mark.parametrize("case", VALIDATION, ids=label)
def test_validation_case(case):
    context = json.dumps(case["context"]) if "context" in case else None
    if "raw" in case:
        inputs = [case["raw"], case["raw"].encode()]
    elif isinstance(case["input"], str):
        # A str is JSON text to check(): a case whose input is a string goes as text only.
        inputs = [json.dumps(case["input"])]
    else:
        inputs = [case["input"], json.dumps(case["input"]), json.dumps(case["input"]).encode()]
    want = {(e["path"], e["code"]) for e in case["expect"]}
    for given in inputs:
        report = agentrules.check(case["kind"], given, context)
        got = {(v.path, v.code) for v in report.violations}
        assert got == want, f"{label(case)} with {type(given).__name__} input"
        assert report.ok == (not want)
        assert all(v.message for v in report.violations)
        assert all(isinstance(v.params, dict) for v in report.violations)
        assert report.to_dict()["ok"] == report.ok
        compare_params(case, report)


def compare_params(case, report):
    """An ``expect`` entry with ``params`` is compared with the params of the violation at its
    path and code (tests/conformance/README.md)."""
    for e in case["expect"]:
        if "params" not in e:
            continue
        found = [v for v in report.violations if (v.path, v.code) == (e["path"], e["code"])]
        assert found, f"{label(case)}: no {e['code']} at {e['path']!r}"
        assert matches(e["params"], found[0].params), f"{label(case)}: params {found[0].params!r}, expected {e['params']!r}"


@pytest.mark.parametrize("case", OPS, ids=label)
def test_op_case(case):
    result = agentrules.evaluate(case["op"], case["args"])
    if "expect_code" in case:
        error = result.get("error") or {}
        first = (error.get("violations") or [{}])[0]
        code = (result.get("violation") or {}).get("code") or first.get("code") or error.get("kind")
        assert code == case["expect_code"], result
    elif case.get("expect_error"):
        assert isinstance(result, dict) and "error" in result, result
    else:
        assert matches(case["expect"], result), f"expected {case['expect']!r}, got {result!r}"
