"""Reports for people: truthiness, length, iteration, repr and HTML, pickling, JSON, constructors."""

from __future__ import annotations

import copy
import json
import multiprocessing
import pickle
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import agentrules
from agentrules import Report, ValidationError, Violation

ROOT = Path(__file__).resolve().parents[2]
BAD = {"prompt": {"text": " "}, "fileIds": ["nope"]}


def bad() -> Report:
    return agentrules.validate_launch(BAD)


def test_version_is_the_crates_and_the_distributions() -> None:
    crate = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]["version"]
    assert agentrules.__version__ == crate
    assert metadata.version("agentrules-core") == crate


def test_bool_is_ok() -> None:
    assert bool(agentrules.validate_launch({"prompt": {"text": "hi"}})) is True
    report = bad()
    assert report.ok is False and bool(report) is False
    assert not report


def test_len_and_iteration() -> None:
    report = bad()
    assert len(report) == len(report.violations) == 2
    assert list(report) == report.violations
    assert [(v.path, v.code) for v in report] == [("/prompt/text", "empty_text"), ("/fileIds/0", "invalid_uuid")]
    assert len(Report()) == 0 and list(Report()) == []


def test_no_ordering() -> None:
    # Reports compare by value; `<` is not defined (a TypeError, as for any object without an
    # order), and the comparison slot answers NotImplemented rather than raising.
    assert bad() == bad() and bad() != Report()
    with pytest.raises(TypeError):
        bad() < bad()  # noqa: B015
    assert Report.__lt__(bad(), bad()) is NotImplemented


def test_repr_is_one_line_per_violation() -> None:
    report = agentrules.validate_launch({"prompt": {"text": " ", "images": [{}] * 3}, "fileIds": ["a", "b"], "x": 1})
    assert len(report) >= 6
    lines = repr(report).splitlines()
    assert lines[0] == "Report(ok=False, violations=["
    assert lines[-1] == "])"
    assert len(lines) == len(report) + 2
    assert all(line.startswith("    Violation(") for line in lines[1:-1])
    assert repr(Report()) == "Report(ok=True, violations=[])"
    assert "\n" not in repr(agentrules.validate_launch({"prompt": {"text": " "}}))
    text = str(report).splitlines()
    assert text[0] == f"Report: {len(report)} violations"
    assert text[1] == f"  {report.violations[0].path}: {report.violations[0].message} [{report.violations[0].code}]"
    assert str(Report()) == "Report: 0 violations"


def test_html_is_a_table_escaped() -> None:
    report = agentrules.validate_launch({"prompt": {"text": "hi"}, "<b>&\"'": 1})
    html = report._repr_html_()
    assert html.startswith('<table class="agentrules-report">')
    assert "<th>path</th><th>code</th><th>message</th>" in html
    assert "<b>" not in html and "&lt;b&gt;&amp;&quot;&#x27;" in html
    assert html.count("<tr>") == len(report) + 1
    assert "<tbody>" not in Report()._repr_html_()


def test_pickle_and_copy_round_trip() -> None:
    report = agentrules.validate_launch({"prompt": {"text": "hi", "images": [{"media_type": "image/bmp", "data": "x"}] * 5}})
    assert len(report) > 1 and any(v.params for v in report)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(report, protocol))
        assert back == report and back.to_dict() == report.to_dict() and type(back) is Report
    assert copy.copy(report) == report and copy.deepcopy(report) == report
    v = report.violations[0]
    assert pickle.loads(pickle.dumps(v)) == v and hash(pickle.loads(pickle.dumps(v))) == hash(v)


def test_validation_error_pickles() -> None:
    with pytest.raises(ValidationError) as info:
        bad().raise_for_violations()
    back = pickle.loads(pickle.dumps(info.value))
    assert (str(back), back.code, back.violations) == (str(info.value), info.value.code, info.value.violations)


def test_multiprocessing_sends_reports_both_ways() -> None:
    bodies = [BAD, {"prompt": {"text": "hi"}}]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        reports = pool.map(agentrules.validate_launch, bodies)
        assert reports == [agentrules.validate_launch(b) for b in bodies]
        assert pool.map(len, reports) == [2, 0]


def test_json() -> None:
    report = bad()
    assert json.loads(report.to_json()) == report.to_dict() == json.loads(json.dumps(report.to_dict()))
    assert Report.from_dict(report.to_dict()) == report
    assert Report.from_dict(report.to_json()) == report


def test_constructor_for_fakes() -> None:
    real = agentrules.validate_launch({"prompt": {"text": " "}})
    fake = Report([{"path": "/prompt/text", "code": "empty_text"}])
    # Without a message, the code's template (the core's words), rendered from the params.
    template = {c["code"]: c["template"] for c in agentrules.codes()}
    assert not fake and fake.violations[0].message == template["empty_text"]
    assert [(v.path, v.code) for v in fake] == [(v.path, v.code) for v in real]
    assert Report([{"path": "", "code": "too_many_violations", "params": {"max": 7}}]).violations[0].message == template["too_many_violations"].replace("{max}", "7")
    assert Report(violations=real.violations) == real
    assert Report(real.to_dict()["violations"]) == real
    assert Report() == Report([]) == Report(None) == agentrules.validate_launch({"prompt": {"text": "hi"}})
    assert Report().ok and Report(iter(real)).ok is False
    with pytest.raises(ValidationError) as info:
        Report([{"path": "", "code": "not_a_code"}])
    assert info.value.code == "invalid_arguments"
    with pytest.raises(ValidationError):
        Report([{"code": "empty_text"}])
    with pytest.raises(TypeError):
        Report({"path": "", "code": "empty_text"})  # type: ignore[arg-type]


def test_errors_as_on_the_exception() -> None:
    report = bad()
    with pytest.raises(ValidationError) as info:
        report.raise_for_violations()
    assert report.errors() == info.value.errors()
    assert report.errors()[0] == {"type": "empty_text", "loc": ("prompt", "text"), "msg": report.violations[0].message, "path": "/prompt/text"}
    assert report.errors()[1]["loc"] == ("fileIds", 0)
    assert Report().errors() == []


def test_readme_examples() -> None:
    readme = (ROOT / "bindings-python" / "README.md").read_text()
    assert "pip install agentrules-core" in readme
    assert re.search(r"\[\('/prompt/text', 'empty_text'\), \('/fileIds/0', 'invalid_uuid'\)\]", readme)
