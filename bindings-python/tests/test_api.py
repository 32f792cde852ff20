"""The idiomatic Python API: types, exceptions, lifecycle, images, tables, policy, drift."""

import json
import pathlib
import threading
import typing

import pytest

import agentrules
from agentrules import AgentStatus, ValidationError

ROOT = pathlib.Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def test_code_literal_and_codes_match_the_core(codes_json):
    assert list(typing.get_args(agentrules.Code)) == [c["code"] for c in codes_json]
    assert agentrules.codes() == codes_json


def test_refusal_kind_literal_matches_the_core():
    kinds = [r["kind"] for r in json.loads((ROOT / "schemas" / "refusals.json").read_text())]
    assert list(typing.get_args(agentrules.RefusalKind)) == kinds
    assert agentrules.refusal_kinds() == kinds
    # A refusal's code is the core's kind.
    with pytest.raises(agentrules.ValidationError) as e:
        agentrules.check("nope", {})
    assert e.value.code == "unknown_kind" and e.value.code in kinds
    with pytest.raises(agentrules.ValidationError) as e:
        agentrules.transition("finished", "queued")
    assert e.value.code == "invalid_state"
    assert [v.code for v in e.value.violations] == ["invalid_transition"]


def test_op_name_literal_matches_the_registry():
    ops = [o["op"] for o in json.loads((ROOT / "schemas" / "ops.json").read_text())]
    assert list(typing.get_args(agentrules.OpName)) == ops
    for op in ops:  # every listed op exists: wrong arguments are refused, never "unknown op"
        try:
            agentrules.evaluate(op, {"__nothing__": True})
        except agentrules.ValidationError as e:
            assert "unknown op" not in str(e), op


def test_report_and_violation_values():
    r = agentrules.validate_launch({"prompt": {"text": " "}})
    assert not r.ok
    (v,) = r.violations
    assert (v.path, v.code) == ("/prompt/text", "empty_text")
    assert repr(v) == "Violation(path='/prompt/text', code='empty_text', message='prompt.text must not be blank', params={})"
    assert v.params == {} and v.to_dict()["params"] == {}
    (m,) = agentrules.validate_launch({"prompt": {"text": "x"}, "workflowID": 1}).violations
    assert m.params == {"field": "workflowID", "allowed": m.params["allowed"]} and "prompt" in m.params["allowed"]
    assert m.params is not m.params  # a new dict each time: mutating it changes no report
    assert v == agentrules.validate_launch({"prompt": {"text": ""}}).violations[0]
    assert hash(v) == hash(agentrules.validate_launch({"prompt": {"text": ""}}).violations[0])
    assert r == agentrules.validate_launch('{"prompt": {"text": " "}}')
    assert r.to_dict() == {"ok": False, "violations": [v.to_dict()]}
    assert agentrules.validate_launch({"prompt": {"text": "go"}}).ok


def test_inputs_python_values_text_and_bytes():
    for given in ({"prompt": {"text": "go"}}, '{"prompt": {"text": "go"}}', b'{"prompt": {"text": "go"}}'):
        assert agentrules.check("launch", given).ok
    assert agentrules.check("launch", "{not json").violations[0].code == "invalid_json"
    assert agentrules.check("launch", b"\xff").violations[0].code == "invalid_json"
    assert agentrules.check("launch", {"prompt": {"text": float("nan")}}).violations[0].code == "invalid_json"
    assert agentrules.check("launch", {"prompt": {"text": object()}}).violations[0].code == "invalid_json"
    assert agentrules.check("launch", {1: "x"}).violations[0].code == "invalid_json"
    deep = current = []
    for _ in range(500):
        current.append([])
        current = current[0]
    assert agentrules.check("launch", deep).violations[0].code == "invalid_json"
    # Tuples are arrays; big ints beyond 64 bits become numbers.
    assert agentrules.check("list-query", {"limit": 10**30}).violations[0].code == "out_of_range"


def test_validation_error_is_a_value_error_with_pydantic_style_errors():
    report = agentrules.validate_launch({"fileIds": ["nope"], "prompt": {"text": "x"}, "a/b": 1})
    with pytest.raises(ValidationError) as info:
        agentrules.raise_for_violations(report)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == "bad_request"
    assert [v.code for v in e.violations] == ["invalid_uuid", "unknown_field"]
    assert e.errors() == [
        {"type": "invalid_uuid", "loc": ("fileIds", 0), "msg": "`nope` is not a UUID (8-4-4-4-12 hexadecimal)", "path": "/fileIds/0"},
        {"type": "unknown_field", "loc": ("a/b",), "msg": e.violations[1].message, "path": "/a~1b"},
    ]
    assert "/fileIds/0" in str(e)
    agentrules.raise_for_violations(agentrules.validate_launch({"prompt": {"text": "ok"}}))


def test_invalid_context_and_unknown_kind_raise():
    with pytest.raises(ValidationError) as info:
        agentrules.validate_launch({"prompt": {"text": "x"}}, {"limits": {"maxImages": 99}})
    assert info.value.code == "invalid_context"
    assert info.value.violations[0].path == "/limits/maxImages"
    with pytest.raises(ValidationError) as info:
        agentrules.check("lunch", {})
    assert info.value.code == "unknown_kind"


def test_context_as_dict_or_text():
    ctx = {"workflow": {"id": "019def34-0000-7000-8000-000000000010", "slots": []}}
    body = {"workflowId": "019def34-0000-7000-8000-000000000010"}
    assert [v.code for v in agentrules.validate_launch(body, ctx).violations] == ["required"]
    assert agentrules.validate_launch(body, json.dumps(ctx)) == agentrules.validate_launch(body, ctx)


def test_lifecycle():
    assert AgentStatus.FINISHED.is_terminal and not AgentStatus.RUNNING.is_terminal
    assert agentrules.transition("waiting", "running") is AgentStatus.RUNNING
    with pytest.raises(ValidationError) as info:
        agentrules.transition(AgentStatus.FINISHED, AgentStatus.RUNNING)
    assert info.value.code == "invalid_state"
    assert [v.code for v in info.value.violations] == ["invalid_transition"]
    assert str(info.value) == "an agent cannot go from `finished` to `running` except through a follow-up"
    assert agentrules.transition("finished", "running", via="follow_up") is AgentStatus.RUNNING
    assert agentrules.follow_up("failed") is AgentStatus.RUNNING
    with pytest.raises(ValidationError) as info:
        agentrules.follow_up(AgentStatus.AWAITING_TOOL)
    assert info.value.code == "invalid_state"
    assert agentrules.stop("waiting") == agentrules.StopResult("immediate", AgentStatus.STOPPED)
    assert agentrules.stop("running") == agentrules.StopResult("requested", AgentStatus.RUNNING)
    assert agentrules.stop("finished") == agentrules.StopResult("no_op", AgentStatus.FINISHED)
    assert agentrules.delete("running") is True and agentrules.delete("waiting") is False
    assert agentrules.is_terminal("archived") is False
    p = agentrules.Poller()
    assert [p.observe("running"), p.observe("running"), p.observe("finished")] == [5.0, 10.0, None]
    assert agentrules.Poller("finished").observe("finished", 1000) == 5.0


def test_check_image_whole_file_or_head_and_length():
    assert agentrules.check_image("image/png", PNG + bytes(1000)).ok
    big = agentrules.check_image("image/png", PNG, length=20 * 1024 * 1024 + 1)
    assert [(v.path, v.code) for v in big.violations] == [("/data", "image_too_large")]
    assert agentrules.check_image("image/png", PNG, length=20 * 1024 * 1024).ok
    wrong = agentrules.check_image("image/png", b"\xff\xd8\xff\xe0" + bytes(12))
    assert [v.code for v in wrong.violations] == ["media_type_mismatch"]
    assert [v.code for v in agentrules.check_image("image/bmp", PNG).violations] == ["unsupported_media_type"]


def test_list_query_envelope_retry():
    assert agentrules.render_list_query({"status": "running", "limit": 5}) == "limit=5&status=running"
    with pytest.raises(ValidationError) as info:
        agentrules.render_list_query({"limit": 0})
    assert info.value.violations[0].code == "out_of_range"
    assert agentrules.parse_error_envelope({"error": "no", "code": "not_found"}) == ("not_found", "no", 404, True)
    assert agentrules.parse_error_envelope(b'{"error": "x", "code": "teapot"}') == ("teapot", "x", None, False)
    with pytest.raises(ValidationError):
        agentrules.parse_error_envelope("<html>502</html>")
    assert agentrules.retry_after("120", 0) == 120.0
    assert agentrules.retry_after("soon", 0) is None
    status, body = agentrules.error_envelope(agentrules.validate_launch({}))
    assert status == 400 and body["code"] == "bad_request"
    assert agentrules.error_envelope(agentrules.validate_launch({"prompt": {"text": "x"}})) is None


def test_policy_matrix():
    m = agentrules.PolicyMatrix({"tools": {"send_email": {"maxCalls": 1, "approval": "admin", "offline": "queue", "roles": ["member", "admin"]}}})
    d = m.decide("send_email", "member")
    assert (d.kind, d.tier, d.allowed) == ("needs_approval", "admin", False)
    assert m.decide("send_email", "member", online=False).kind == "queued"
    assert m.decide("send_email", "member", calls_made=1).reason == "max_calls_exceeded"
    assert repr(m.decide("x", "member")) == "Decision(kind='deny', reason='unknown_tool')"
    with pytest.raises(ValidationError) as info:
        agentrules.PolicyMatrix({"tools": {"t": {"maxCalls": -1, "approval": "none", "offline": "allow", "roles": ["a"]}}})
    assert info.value.code == "invalid_matrix"
    assert info.value.errors()[0]["loc"] == ("tools", "t", "maxCalls")


def test_table_validator_compiles_once_and_releases_the_gil():
    v = agentrules.TableValidator({"type": "object", "required": ["issue"], "properties": {"issue": {"type": "string", "pattern": "^(a+)+$"}}})
    rows = [{"key": f"r{i}", "value": {"issue": "a" * 20}} for i in range(20000)]
    assert v.validate_elements(rows).ok
    bad = v.validate_elements([{"key": "a", "value": {"issue": 1}}, {"key": "a", "value": {}}])
    assert [(x.path, x.code) for x in bad.violations] == [
        ("/elements/0/value/issue", "schema_type"),
        ("/elements/1/key", "duplicate_key"),
        ("/elements/1/value", "schema_required"),
    ]
    assert v.is_valid({"issue": "aaa"}) and not v.is_valid({"issue": "b"})
    # Another thread runs while validate_elements holds no GIL.
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)

    t = threading.Thread(target=tick)
    t.start()
    big = rows * 10
    before = len(ticks)
    v.validate_elements(big)
    during = len(ticks) - before
    stop.set()
    t.join()
    # Holding the GIL for the whole call would leave the other thread a handful of ticks at most.
    assert during > 1000, during
    with pytest.raises(ValidationError) as info:
        agentrules.TableValidator({"type": "array"})
    assert info.value.code == "invalid_schema"
    assert info.value.violations[0].code == "schema_not_object"


def test_a_rust_panic_is_a_python_exception_and_the_module_lives_on() -> None:
    from agentrules import _native

    with pytest.raises(BaseException) as info:
        _native._internal_panic_for_tests()
    assert type(info.value).__name__ == "PanicException"
    assert "forced internal failure" in str(info.value)
    assert agentrules.validate_launch({"prompt": {"text": " "}}).violations[0].code == "empty_text"


def test_table_fast_path_agrees_with_the_converting_path():
    """A list of {key, value} dicts is validated in place (jsonschema's Pyo3 backend); anything
    else (here: the same rows as a tuple) is converted and checked by the core. Both must answer
    alike, for valid rows, invalid rows and values that are not plain JSON."""
    import enum

    class Sev(str, enum.Enum):
        HIGH = "high"

    class D(dict):
        pass

    v = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}, "s": {"enum": ["high"]}}, "required": ["n"]})
    cases = [
        [{"key": "a", "value": {"n": 1}}],
        [{"key": "a", "value": {"n": 1.0}}],  # JSON Schema: 1.0 is an integer
        [{"key": "a", "value": {"n": True}}],  # a bool is not an integer
        [{"key": "a", "value": {"n": 2**70}}],  # beyond 64 bits
        [{"key": "a", "value": {"n": 1, "x": float("nan")}}],
        [{"key": "a", "value": {"n": 1, "x": {1, 2}}}],
        [{"key": "a", "value": {"n": 1, "x": b"raw"}}],
        [{"key": "a", "value": {"n": 1, "x": (1, 2)}}],
        [{"key": "a", "value": {"n": 1, "x": "\ud800"}}],
        [{"key": "a", "value": {"n": 1, 2: "non-string key"}}],
        [{"key": "a", "value": {"n": 1, "s": Sev.HIGH}}],
        [{"key": "a", "value": D(n=1)}],
        [{"key": "a", "value": {"n": 1}, "extra": {1, 2}}],
        [{"key": " ", "value": {"n": 1}}],
        [{"key": "a", "value": {"n": 1}}, {"key": "a", "value": {"n": 2}}],
        [{"key": 3, "value": {"n": 1}}],
        [{"key": "a"}],
        [{"key": "a", "value": {"n": 1, "deep": [[[[[[[[[[1]]]]]]]]]]}}],
        [{"key": "a", "value": {"n": 1, "deep": [0] * 3 + [[[[[]]]]]}}],
        ["not a row"],
        [],
    ]
    nested: object = 1
    for _ in range(130):
        nested = [nested]
    cases.append([{"key": "a", "value": {"n": 1, "deep": nested}}])

    def outcome(rows):
        try:
            r = v.validate_elements(rows)
            return ("report", r.ok, [(x.path, x.code) for x in r.violations])
        except (ValidationError, TypeError, ValueError) as e:
            return ("raised", type(e).__name__, getattr(e, "code", None))

    for rows in cases:
        assert outcome(rows) == outcome(tuple(rows)), rows
    for value in [{"n": 1}, {"n": "1"}, {"n": 1, "x": {1}}, {"n": float("inf")}, D(n=1)]:
        try:
            fast = v.is_valid(value)
        except (ValidationError, TypeError, ValueError) as e:
            fast = type(e).__name__
        try:
            slow = v.validate_value(value).ok
        except (ValidationError, TypeError, ValueError) as e:
            slow = type(e).__name__
        assert fast == slow, value


def test_a_value_that_is_not_json_is_reported_at_its_path() -> None:
    r = agentrules.validate_launch({"prompt": {"text": "hi", "images": [{"media_type": "image/png", "data": float("nan")}]}})
    assert [(v.path, v.code) for v in r] == [("/prompt/images/0/data", "invalid_json")]
    assert "NaN" in r.violations[0].message
    r = agentrules.check("launch", {"prompt": {"text": {1, 2}}})
    assert [(v.path, v.code) for v in r] == [("/prompt/text", "invalid_json")]
    # Keys are escaped as JSON Pointer tokens.
    r = agentrules.check("launch", {"a/b~": [0, float("inf")]})
    assert r.violations[0].path == "/a~1b~0/1"
    # The rest of the document is still checked; the leaf's own check (it stood as null) gives
    # way to its invalid_json.
    r = agentrules.validate_launch({"prompt": {"text": float("nan")}, "fileIds": ["nope"]})
    assert [(v.path, v.code) for v in r] == [("/prompt/text", "invalid_json"), ("/fileIds/0", "invalid_uuid")]
    # Structure that is not JSON stops the reading, reported at its container: a key that is
    # not a string.
    r = agentrules.validate_launch({"prompt": {1: "x"}, "fileIds": ["nope"]})
    assert [(v.path, v.code) for v in r] == [("/prompt", "invalid_json")]


def test_table_rows_with_nan_or_numpy_values_are_reported_at_their_cells() -> None:
    import numpy as np
    import pandas as pd

    t = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}, "ok": {"type": "boolean"}}})
    rows = [{"key": "a", "value": {"n": 1}}, {"key": "b", "value": {"n": float("nan")}}]
    r = t.validate_elements(rows)
    assert [(v.path, v.code) for v in r] == [("/elements/1/value/n", "invalid_json")]
    # A NaN does not hide the other rows' problems, which stay in row order.
    more = [{"key": "z", "value": {"n": "x"}}, *rows, {"key": "c", "value": {"n": 1.5}}]
    r = t.validate_elements(more)
    assert [(v.path, v.code) for v in r] == [
        ("/elements/0/value/n", "schema_type"),
        ("/elements/2/value/n", "invalid_json"),
        ("/elements/3/value/n", "schema_type"),
    ]
    assert agentrules.check("table", {"schema": {"type": "object"}, "elements": rows}).violations[0].path == "/elements/1/value/n"
    # numpy scalars are named precisely, with the conversion numpy offers.
    r = t.validate_elements([{"key": "a", "value": {"n": np.int64(3)}}])
    assert r.violations[0].path == "/elements/0/value/n"
    assert "`numpy.int64`" in r.violations[0].message and ".item()" in r.violations[0].message

    df = pd.DataFrame({"id": ["r1", "r2", "r3"], "n": [1, 2, None], "ok": [True, False, True]})
    elements = agentrules.table_elements(df, key="id")
    assert [e["key"] for e in elements] == ["r1", "r2", "r3"]
    assert type(elements[0]["value"]["ok"]) is bool
    r = t.validate_elements(elements)
    # The missing n of r3 (NaN in pandas; the column is float) is the one violation.
    assert [(v.path, v.code) for v in r] == [("/elements/2/value/n", "invalid_json")]
    assert {k: [v.path for v in vs] for k, vs in agentrules.violations_by_key(elements, r).items()} == {"r3": ["/elements/2/value/n"]}
    # Without a key column the index is the key.
    indexed = agentrules.table_elements(df.set_index("id"))
    assert [e["key"] for e in indexed] == ["r1", "r2", "r3"] and "id" not in indexed[0]["value"]
    with pytest.raises(KeyError, match="no column 'sku'"):
        agentrules.table_elements(df, key="sku")


def test_retry_after_takes_an_int_and_defaults_now_to_the_clock() -> None:
    assert agentrules.retry_after(120, 0) == 120.0
    assert agentrules.retry_after(120) == 120.0
    assert agentrules.retry_after("120") == 120.0
    import email.utils
    import time

    soon = email.utils.formatdate(time.time() + 100, usegmt=True)
    assert 95.0 <= (agentrules.retry_after(soon) or 0) <= 101.0
    with pytest.raises(TypeError):
        agentrules.retry_after(True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        agentrules.retry_after(1.5)  # type: ignore[arg-type]


def test_stop_and_follow_up_on_an_unknown_status() -> None:
    # Decided: a stop is a request the server decides on, so an unknown (newer) status is
    # "requested"; a follow-up needs a status known to be terminal, so it is refused.
    assert agentrules.stop("paused") == agentrules.StopResult(kind="requested", status="paused")
    with pytest.raises(ValidationError) as e:
        agentrules.follow_up("paused")
    assert e.value.code == "invalid_state"
    assert agentrules.follow_up("failed") is agentrules.AgentStatus.RUNNING
    assert agentrules.transition("running", "finished") is agentrules.AgentStatus.FINISHED


def test_a_lone_surrogate_escape_is_named() -> None:
    r = agentrules.validate_launch('{"prompt": {"text": "\\ud800"}}')
    assert r.violations[0].code == "invalid_json"
    assert "lone surrogate" in r.violations[0].message


def test_table_elements_as_json_text_or_bytes_answer_as_the_list_does() -> None:
    # JSON text and bytes are parsed and validated without the GIL (threads run in parallel):
    # the same report as the list, the same refusals.
    t = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}}})
    for rows in (
        [{"key": "a", "value": {"n": 1}}],
        [{"key": "a", "value": {"n": "x"}}, {"key": "a", "value": {}}],
        [{"key": " ", "value": {"n": 1}}],
    ):
        as_list = t.validate_elements(rows)
        assert t.validate_elements(json.dumps(rows)) == as_list
        assert t.validate_elements(json.dumps(rows).encode()) == as_list
        assert t.validate_elements(bytearray(json.dumps(rows).encode())) == as_list
    for bad in ("[", '{"key": "a"}'):
        with pytest.raises(ValidationError) as e:
            t.validate_elements(bad)
        assert e.value.code == "invalid_arguments"
