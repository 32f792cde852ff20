"""agentrules.pydantic: the request types as pydantic fields, their errors against the core's
violations on the corpus's launch and follow-up cases, their JSON Schema against the shipped one."""

import copy
import json
import pickle
import subprocess
import sys
from typing import Annotated, Any, Optional

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import agentrules
from agentrules.pydantic import (
    CONTEXT_KEY,
    ErrorEnvelope,
    FollowUpRequest,
    GitImportRequest,
    LaunchRequest,
    MarketplaceInstallRequest,
    ReportField,
    ThreadCreateRequest,
    ThreadRenameRequest,
)
from conftest import ROOT, load_cases

TYPES = {"launch": LaunchRequest, "followup": FollowUpRequest}
CASES = [c for c in load_cases() if c.get("kind") in TYPES]
SEED = {"prompt": {"text": "Summarize the attached drawings and flag anything unusual."}}


def label(case):
    return f"{case['file']} [{case['rule']}] {case['name']}"


def expected_errors(report, value):
    """What the pydantic errors must be: one per violation, in order, from the core's report."""
    out = []
    for v in report.violations:
        loc, here = [], value
        for token in [t.replace("~1", "/").replace("~0", "~") for t in v.path.split("/")[1:]]:
            if isinstance(here, list):
                loc.append(int(token))
                here = here[int(token)] if int(token) < len(here) else None
            else:
                loc.append(token)
                here = here.get(token) if isinstance(here, dict) else None
        out.append({"type": v.code, "loc": tuple(loc), "msg": v.message, "ctx": v.params})
    return out


def got_errors(e: ValidationError):
    return [{"type": x["type"], "loc": x["loc"], "msg": x["msg"], "ctx": x.get("ctx")} for x in e.errors()]


def test_importing_agentrules_does_not_import_pydantic():
    code = "import sys, agentrules; assert 'pydantic' not in sys.modules and 'fastapi' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_corpus_has_launch_and_follow_up_cases():
    assert sum(c["kind"] == "launch" for c in CASES) > 50 and sum(c["kind"] == "followup" for c in CASES) > 5
    assert any(c["expect"] and "context" in c for c in CASES) and any("raw" in c for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=label)
def test_corpus_case(case):
    cls = TYPES[case["kind"]]
    adapter = TypeAdapter(cls)
    context = {CONTEXT_KEY: case["context"]} if "context" in case else None
    # Each run: how pydantic is called, what the core is given (the same document), its value.
    if "raw" in case:
        # JSON text: raw bytes are JSON text, as everywhere in agentrules.
        try:
            value: Any = json.loads(case["raw"])
        except ValueError:
            value = None
        raw = case["raw"].encode()
        runs = [(lambda: adapter.validate_python(raw, context=context), raw, value)]
    else:
        text = json.dumps(case["input"])
        # The core gets the value (a string as the JSON text of that string) or the raw bytes.
        as_value = text if isinstance(case["input"], str) else case["input"]
        runs = [
            (lambda: adapter.validate_json(text, context=context), as_value, case["input"]),
            (lambda: adapter.validate_python(copy.deepcopy(case["input"]), context=context), as_value, case["input"]),
            (lambda: adapter.validate_python(text.encode(), context=context), text.encode(), case["input"]),
        ]
    for run, document, value in runs:
        report = agentrules.check(case["kind"], document, case.get("context"))
        assert {(v.path, v.code) for v in report} == {(e["path"], e["code"]) for e in case["expect"]}, label(case)
        if report.ok:
            got = run()
            assert type(got) is cls and got == value
        else:
            with pytest.raises(ValidationError) as e:
                run()
            assert got_errors(e.value) == expected_errors(report, value), label(case)
            assert len(e.value.errors()) == len(report)


def test_a_field_of_a_model_nests_the_locations_and_keeps_pydantic_errors():
    class Job(BaseModel):
        launch: LaunchRequest
        followups: list[FollowUpRequest] = []
        retries: int

    with pytest.raises(ValidationError) as e:
        Job.model_validate(
            {"launch": {"prompt": {"text": " "}, "fileIds": ["nope"]}, "followups": [SEED, {}], "retries": "x"}
        )
    errors = e.value.errors()
    assert [(x["type"], x["loc"]) for x in errors[:2]] == [
        (v.code, ("launch", *loc))
        for v, loc in zip(agentrules.validate_launch({"prompt": {"text": " "}, "fileIds": ["nope"]}), [("prompt", "text"), ("fileIds", 0)])
    ]
    followup = agentrules.validate_follow_up({})
    assert [(x["type"], x["loc"][:2]) for x in errors[2:-1]] == [(v.code, ("followups", 1)) for v in followup]
    assert errors[-1]["loc"] == ("retries",) and errors[-1]["type"] not in {c["code"] for c in agentrules.codes()}
    job = Job.model_validate({"launch": SEED, "followups": [SEED], "retries": 2})
    assert isinstance(job.launch, LaunchRequest) and isinstance(job.launch, dict) and job.launch == SEED
    assert job.model_dump() == {"launch": SEED, "followups": [SEED], "retries": 2}
    assert json.loads(job.model_dump_json()) == job.model_dump()
    assert Job.model_validate_json(job.model_dump_json()) == job


def test_an_object_key_of_digits_is_a_str_location_and_an_array_index_an_int():
    body = {"workflowId": "019def34-0000-7000-8000-000000000001", "workflowInputs": {"7": 5}, "fileIds": ["x"]}
    report = agentrules.validate_launch(body)
    assert any(v.path == "/workflowInputs/7" for v in report), report
    with pytest.raises(ValidationError) as e:
        TypeAdapter(LaunchRequest).validate_python(body)
    locs = [x["loc"] for x in e.value.errors()]
    assert ("workflowInputs", "7") in locs and all(not isinstance(loc[-1], int) or loc[0] == "fileIds" for loc in locs)
    assert ("fileIds", 0) in locs or any(loc[0] == "fileIds" for loc in locs)


def test_a_key_of_non_ascii_digits_is_a_str_location():
    body = {"workflowId": "019def34-0000-7000-8000-000000000001", "²": 1, "workflowInputs": {"٣": 5}}
    report = agentrules.validate_launch(body)
    assert {v.path for v in report} >= {"/²", "/workflowInputs/٣"}, report
    with pytest.raises(ValidationError) as e:
        TypeAdapter(LaunchRequest).validate_python(body)
    assert got_errors(e.value) == expected_errors(report, body)
    assert [x["loc"] for x in report.errors()] == [x["loc"] for x in e.value.errors()]


def test_the_input_of_an_error_is_the_value_at_its_path():
    with pytest.raises(ValidationError) as e:
        TypeAdapter(LaunchRequest).validate_python({"prompt": {"text": " "}, "fileIds": ["nope"]})
    assert [x["input"] for x in e.value.errors()] == [" ", "nope"]
    with pytest.raises(ValidationError) as e:
        TypeAdapter(FollowUpRequest).validate_python({"prompt": {}})
    [error] = e.value.errors()
    assert error["loc"] == ("prompt", "text") and error["input"] == {}  # missing: the nearest value above


def test_a_string_is_a_string_value_raw_bytes_are_json_text():
    adapter = TypeAdapter(LaunchRequest)
    text = json.dumps(SEED)
    assert adapter.validate_python(text.encode()) == SEED
    assert adapter.validate_python(bytearray(text.encode())) == SEED
    assert adapter.validate_python(memoryview(text.encode())) == SEED
    report = agentrules.validate_launch(json.dumps(text))  # the JSON text of a string
    assert not report.ok
    for run in (lambda: adapter.validate_python(text), lambda: adapter.validate_json(json.dumps(text))):
        with pytest.raises(ValidationError) as e:
            run()
        assert got_errors(e.value) == expected_errors(report, text)
    with pytest.raises(ValidationError) as e:
        adapter.validate_python(b"{")
    assert got_errors(e.value) == expected_errors(agentrules.validate_launch(b"{"), None)


def test_a_message_with_a_param_name_in_braces_stays_exact():
    # An unknown field named like a param: pydantic would fill `{allowed}` in with the param.
    body = {"prompt": {"text": "hi"}, "{allowed}": 1}
    report = agentrules.validate_launch(body)
    [v] = report.violations
    assert "{allowed}" in v.message and "allowed" in v.params, (v.message, v.params)
    with pytest.raises(ValidationError) as e:
        TypeAdapter(LaunchRequest).validate_python(body)
    [error] = e.value.errors()
    assert error["msg"] == v.message and error["type"] == v.code and "ctx" not in error


def test_a_validation_context_is_the_cores_context():
    body = {"prompt": {"text": "hi"}, "capabilities": {"webSearch": True}}
    context = {"entitlements": []}
    report = agentrules.validate_launch(body, context)
    assert not report.ok and agentrules.validate_launch(body).ok
    adapter = TypeAdapter(LaunchRequest)
    assert adapter.validate_python(body) == body
    with pytest.raises(ValidationError) as e:
        adapter.validate_python(body, context={CONTEXT_KEY: context})
    assert got_errors(e.value) == expected_errors(report, body)


def test_a_context_the_core_refuses_is_one_error_of_its_refusal_kind():
    with pytest.raises(agentrules.ValidationError) as refused:
        agentrules.validate_launch(SEED, {"limits": 3})
    with pytest.raises(ValidationError) as e:
        TypeAdapter(LaunchRequest).validate_python(SEED, context={CONTEXT_KEY: {"limits": 3}})
    assert [(x["type"], x["loc"], x["msg"]) for x in e.value.errors()] == [(refused.value.code, (), str(refused.value))]


def test_the_value_is_a_shallow_copy_and_validation_always_runs():
    body = {"prompt": {"text": "hi"}}
    got = TypeAdapter(LaunchRequest).validate_python(body)
    assert got == body and got is not body and got["prompt"] is body["prompt"]
    # An instance made by hand is validated again: the type promises a checked body.
    with pytest.raises(ValidationError):
        TypeAdapter(LaunchRequest).validate_python(LaunchRequest({"prompt": {"text": " "}}))
    assert pickle.loads(pickle.dumps(got)) == got and type(pickle.loads(pickle.dumps(got))) is LaunchRequest


def test_annotated_dict_takes_the_type_as_metadata():
    adapter = TypeAdapter(Annotated[dict[str, Any], LaunchRequest])
    assert adapter.validate_python(SEED) == SEED
    with pytest.raises(ValidationError) as e:
        adapter.validate_python([])
    assert got_errors(e.value) == expected_errors(agentrules.validate_launch([]), [])


@pytest.mark.parametrize(
    "cls,good,bad",
    [
        (ThreadCreateRequest, {}, {"title": 3}),
        (ThreadRenameRequest, {"title": "Notes"}, {}),
        (GitImportRequest, {"url": "https://github.com/nomic-ai/agentrules.git"}, {"url": "ftp://x"}),
        (MarketplaceInstallRequest, {"packageId": "acme/search", "version": "1.4.0"}, [1]),
        (ErrorEnvelope, {"error": "no", "code": "bad_request"}, {"error": 1}),
    ],
)
def test_the_other_kinds(cls, good, bad):
    adapter = TypeAdapter(cls)
    if good is not None:
        assert agentrules.check(cls.kind, good).ok
        assert adapter.validate_python(good) == good
    report = agentrules.check(cls.kind, bad)
    assert not report.ok
    with pytest.raises(ValidationError) as e:
        adapter.validate_python(bad)
    assert got_errors(e.value) == expected_errors(report, bad)
    assert cls.kind in agentrules.kinds()


def test_report_field():
    class Checked(BaseModel):
        report: ReportField
        previous: Optional[ReportField] = None

    bad = agentrules.validate_launch({"prompt": {"text": " "}})
    m = Checked(report=bad, previous=bad.to_dict())
    assert m.report is bad and m.previous == bad
    assert m.model_dump() == {"report": bad.to_dict(), "previous": bad.to_dict()}
    assert Checked.model_validate_json(m.model_dump_json()) == m
    for bad_report in ({"ok": True, "violations": [{"path": "", "code": "no_such_code"}]}, {"ok": 3}, "nope", 3):
        with pytest.raises(agentrules.ValidationError) as refused:
            agentrules.Report.from_dict(bad_report)
        with pytest.raises(ValidationError) as e:
            Checked(report=bad_report)
        if refused.value.violations:  # the document's violations, at their paths
            want = [(("report", *x["loc"]), x["type"], x["msg"]) for x in expected_errors(agentrules.Report(refused.value.violations), None)]
        else:  # a refusal of the whole: its kind and its words
            want = [(("report",), refused.value.code, str(refused.value))]
        assert [(x["loc"], x["type"], x["msg"]) for x in e.value.errors()] == want, bad_report


# JSON Schema


def resolve(doc, ref):
    assert ref.startswith("#/"), ref
    here = doc
    for token in ref[2:].split("/"):
        here = here[token.replace("~1", "/").replace("~0", "~")]
    return here


def refs(schema):
    if isinstance(schema, dict):
        if isinstance(schema.get("$ref"), str):
            yield schema["$ref"]
        for v in schema.values():
            yield from refs(v)
    elif isinstance(schema, list):
        for v in schema:
            yield from refs(v)


def inline(schema, doc):
    """``schema`` with every reference replaced by its target (none of these schemas recurse)."""
    if isinstance(schema, list):
        return [inline(s, doc) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: inline(v, doc) for k, v in schema.items() if k not in ("$ref", "$defs", "$schema")}
    if "$ref" in schema:
        out.update(inline(resolve(doc, schema["$ref"]), doc))
    return out


def shipped(name):
    return json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())


def test_the_package_ships_the_cores_schemas():
    from importlib import resources

    for name in ("launch", "followup", "report", "error-envelope"):
        text = resources.files("agentrules").joinpath("schemas", f"{name}.schema.json").read_text()
        assert json.loads(text) == shipped(name)


def test_model_json_schema_has_the_cores_schemas_with_resolving_refs():
    class Job(BaseModel):
        launch: LaunchRequest
        followup: FollowUpRequest
        report: ReportField

    schema = Job.model_json_schema()
    found = list(refs(schema))
    assert found and all(r.startswith("#/$defs/") for r in found)
    for r in found:
        resolve(schema, r)  # every reference resolves
    for field, name in (("launch", "launch"), ("followup", "followup"), ("report", "report")):
        prop = inline(schema["properties"][field], schema)
        want = inline(shipped(name), shipped(name))
        assert prop == want, field
    assert "LaunchRequest" in schema["$defs"] and "Prompt" in schema["$defs"]
    text = json.dumps(schema)
    assert "::" not in text and "[`" not in text


def test_the_launch_and_follow_up_images_share_one_definition():
    class Both(BaseModel):
        launch: LaunchRequest
        followup: FollowUpRequest

    defs = Both.model_json_schema()["$defs"]
    assert shipped("launch")["$defs"]["Image"] == shipped("followup")["$defs"]["Image"]
    assert [n for n in defs if "Image" in n] == ["Image"], sorted(defs)


# Structured random bodies (seeded): pydantic's errors are the core's violations, whatever the body.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

UUID = "019aaa00-0000-7000-8000-000000000001"
_keys = st.sampled_from(["prompt", "text", "images", "media_type", "data", "workflowId", "fileIds", "workflowInputs",
                         "capabilities", "codeSearch", "webSearch", "jurisdiction", "projectId", "0", "7", "²", "{field}",
                         "{allowed}", "a/b", "~t", ""])
_leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", " ", "hi", UUID, "image/png", "aGk=", "data:image/png;base64,aGk=", "{field}"]),
                    st.text(max_size=6))
_values = st.recursive(_leaves, lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(_keys, inner, max_size=5)), max_leaves=15)


@settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(TYPES)), st.one_of(st.dictionaries(_keys, _values, max_size=6), _values))
def test_random_bodies_give_the_cores_violations_as_pydantic_errors(kind, body):
    cls = TYPES[kind]
    document = json.dumps(body) if isinstance(body, str) else body
    report = agentrules.check(kind, document)
    for run in (lambda: TypeAdapter(cls).validate_python(body), lambda: TypeAdapter(cls).validate_json(json.dumps(body))):
        if report.ok:
            assert run() == body
            continue
        with pytest.raises(ValidationError) as e:
            run()
        got = e.value.errors()
        want = expected_errors(report, body)
        for g, w in zip(got, want, strict=True):
            assert (g["type"], g["loc"], g["msg"]) == (w["type"], w["loc"], w["msg"])
            # A message naming one of its params in braces has no ctx (the module's docstring).
            assert g.get("ctx", w["ctx"]) == w["ctx"]
            assert "ctx" in g or any("{%s}" % k in w["msg"] for k in w["ctx"])
