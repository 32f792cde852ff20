"""Hostile input through the Python surface (issue 15, round two): every call answers or raises an
``Exception`` (never pyo3's ``PanicException``, a ``BaseException``; never a crash), and the
module answers valid calls correctly afterwards."""

from __future__ import annotations

import array
import collections
import decimal
import enum
import fractions
import gc
import hashlib
import hmac
import json
import subprocess
import sys
import textwrap
from typing import Any, Callable, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import agentrules
from agentrules import ValidationError

GITHUB_SECRET = "s3cret"
GITHUB_BODY = b'{"action": "opened"}'
GITHUB_SIG = "sha256=" + hmac.new(GITHUB_SECRET.encode(), GITHUB_BODY, hashlib.sha256).hexdigest()
TABLE = agentrules.TableValidator({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})


def still_answers() -> None:
    """Valid calls on every area, with their known answers."""
    assert agentrules.validate_launch({"prompt": {"text": "go"}}).ok
    assert [v.code for v in agentrules.validate_launch({"prompt": {"text": " "}}).violations] == ["empty_text"]
    assert [v.code for v in agentrules.validate_launch(b'{"prompt": {"text": " "}}').violations] == ["empty_text"]
    assert agentrules.render_list_query({"status": "running", "limit": 5}) == "limit=5&status=running"
    assert TABLE.validate_elements([{"key": "a", "value": {"n": 1}}]).ok
    assert [v.code for v in TABLE.validate_elements([{"key": "a", "value": {}}]).violations] == ["schema_required"]
    assert agentrules.SseDecoder().push(b"data: x\n\n") == [{"event": "message", "data": "x", "id": ""}]
    assert agentrules.verify_webhook("github", {"X-Hub-Signature-256": GITHUB_SIG}, GITHUB_BODY, GITHUB_SECRET).verified
    assert agentrules.parse_error_envelope({"error": "no", "code": "not_found"}) == ("not_found", "no", 404, True)


def outcome(call: Callable[[], Any]) -> Any:
    """The call's result, or the `Exception` it raised; anything else fails the test."""
    try:
        return call()
    except Exception as e:  # the contract: an ordinary exception
        return e
    except BaseException as e:  # PanicException is a BaseException only
        pytest.fail(f"{type(e).__name__} (not an Exception) escaped: {e}")


# --- Item 3: no Python code runs while a value is converted; a changed dict is an error ---


class FloatMutates(int):
    """An int above u64 whose ``__float__``/``__index__``/``__int__`` change the dict it is in."""

    calls = 0

    def __new__(cls, victim: dict[str, Any]) -> "FloatMutates":
        obj = super().__new__(cls, 2**70)
        obj.victim = victim  # type: ignore[attr-defined]
        return obj

    def _mutate(self) -> None:
        FloatMutates.calls += 1
        self.victim.clear()  # type: ignore[attr-defined]
        self.victim.update({f"k{i}": i for i in range(5)})  # type: ignore[attr-defined]

    def __float__(self) -> float:
        self._mutate()
        return 1.0

    def __index__(self) -> int:
        self._mutate()
        return 1

    def __int__(self) -> int:
        self._mutate()
        return 1


def test_an_int_subclass_whose_float_mutates_the_dict_is_read_by_its_value() -> None:
    FloatMutates.calls = 0
    body: dict[str, Any] = {}
    body["limit"] = FloatMutates(body)
    body["status"] = "running"
    r = outcome(lambda: agentrules.check("list-query", body))
    assert isinstance(r, agentrules.Report), r
    # Read as the int it is (2**70, out of range), as a plain int would be.
    assert [(v.path, v.code) for v in r.violations] == [("/limit", "out_of_range")]
    assert r == agentrules.check("list-query", {"limit": 2**70, "status": "running"})
    assert FloatMutates.calls == 0
    still_answers()


def test_a_dict_changed_during_conversion_by_a_finalizer_is_invalid_json() -> None:
    """Garbage collections during the conversion run finalizers that grow the dict being read
    (each leaves new garbage for the next collection; CPython 3.11 collects at the allocation
    itself, here at every allocation): the conversion stops with `invalid_json`, never a panic.
    Where the collections fall depends on the interpreter's own allocations, so the call is
    repeated until one falls inside the conversion."""
    messages: List[str] = []
    was_enabled = gc.isenabled()
    threshold = gc.get_threshold()
    try:
        for _ in range(50):
            target: dict[str, Any] = {f"n{i}": 2**70 for i in range(500)}
            left = [300]

            class Grows:
                def __del__(self) -> None:
                    if left[0] > 0:
                        left[0] -= 1
                        target[f"x{left[0]}"] = 0
                        garbage()

            def garbage() -> None:
                a, b = Grows(), Grows()
                a.other, b.other = b, a  # type: ignore[attr-defined]

            gc.disable()
            garbage()
            gc.set_threshold(1)
            gc.enable()
            r = agentrules.validate_launch(target)
            left[0] = 0
            gc.set_threshold(*threshold)
            assert isinstance(r, agentrules.Report), r
            messages.append(r.violations[0].message)
            if "changed while it was read" in messages[-1]:
                assert [(v.path, v.code) for v in r.violations] == [("", "invalid_json")]
                break
    finally:
        gc.set_threshold(*threshold)
        if not was_enabled:
            gc.disable()
        gc.collect()
    assert "changed while it was read" in messages[-1], messages[:3]
    still_answers()


class HashEq(str):
    """A key equal to `key`/`value` by hash and `__eq__`, mutating its row when compared."""

    compared = 0

    def __hash__(self) -> int:
        return hash("key")

    def __eq__(self, other: object) -> bool:
        HashEq.compared += 1
        ROWS.clear()
        return True


ROWS: List[Any] = []


def test_keys_hash_and_eq_are_never_called() -> None:
    HashEq.compared = 0
    ROWS[:] = [{HashEq("key"): "a", "value": {"n": 1}}, {"key": "b", "value": {"n": 2}}]
    r = outcome(lambda: TABLE.validate_elements(ROWS))
    assert isinstance(r, agentrules.Report), r
    assert r.ok  # a str subclass key is its text: "key"
    assert HashEq.compared == 0
    assert len(ROWS) == 2
    still_answers()


# --- Item 16: one rule for bytes-like input ---

LAUNCH = b'{"prompt": {"text": " "}}'


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview, lambda b: memoryview(bytearray(b)), lambda b: memoryview(b).cast("c"), lambda b: memoryview(b).cast("b")])
def test_bytes_like_are_json_text_on_every_document_entry(wrap: Callable[[bytes], Any]) -> None:
    assert [v.code for v in agentrules.validate_launch(wrap(LAUNCH)).violations] == ["empty_text"]
    assert [v.code for v in agentrules.validate_follow_up(wrap(LAUNCH)).violations] == ["empty_text"]
    assert [v.code for v in agentrules.check("launch", wrap(LAUNCH)).violations] == ["empty_text"]
    ctx = wrap(b'{"limits": {"maxDocumentBytes": 10}}')
    assert [v.code for v in agentrules.validate_launch(LAUNCH, ctx).violations] == ["document_too_large"]
    assert agentrules.render_list_query(wrap(b'{"limit": 5}')) == "limit=5"
    assert agentrules.parse_error_envelope(wrap(b'{"error": "x", "code": "not_found"}'))[0] == "not_found"
    assert agentrules.TableValidator(wrap(b'{"type": "object"}')).validate_elements(wrap(b'[{"key": "a", "value": {}}]')).ok
    assert agentrules.PolicyMatrix(wrap(b'{"tools": {}}')).decide("t", "member").reason == "unknown_tool"
    assert agentrules.SseDecoder().push(wrap(b"data: x\n\n")) == [{"event": "message", "data": "x", "id": ""}]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)
    assert agentrules.check_image("image/png", wrap(png)).ok
    assert [v.code for v in agentrules.check_image("image/jpeg", wrap(png)).violations] == ["media_type_mismatch"]
    assert agentrules.verify_webhook("github", {"X-Hub-Signature-256": GITHUB_SIG}, wrap(GITHUB_BODY), wrap(GITHUB_SECRET.encode())).verified


def test_memoryviews_that_are_not_bytes_and_str_where_bytes_are_required() -> None:
    ints = memoryview(array.array("i", [1, 2, 3]))
    strided = memoryview(b"{}  {}")[::2]
    released = memoryview(b"{}")
    released.release()
    for view in (ints, strided, released):
        (v,) = agentrules.validate_launch(view).violations
        assert v.code == "invalid_json"
        with pytest.raises(TypeError):
            agentrules.SseDecoder().push(view)
        with pytest.raises(TypeError):
            agentrules.verify_webhook("github", {}, view, "s")
        with pytest.raises(TypeError):
            agentrules.check_image("image/png", view)
    with pytest.raises(TypeError):
        agentrules.SseDecoder().push("data: x\n\n")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        agentrules.verify_webhook("github", {}, GITHUB_BODY.decode(), "s")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        agentrules.check_image("image/png", "\x89PNG")  # type: ignore[arg-type]
    # Bytes inside a value are not JSON (only a whole document may be JSON text as bytes).
    assert agentrules.validate_launch({"prompt": {"text": b"go"}}).violations[0].code == "invalid_json"


def test_verify_webhook_takes_asgi_header_lists() -> None:
    name, value = b"x-hub-signature-256", GITHUB_SIG.encode()
    for headers in (
        [(name, value)],
        [[name, value]],
        [(name.decode(), value)],
        [[bytearray(name), memoryview(value)]],
        ((name, value),),
        {name: value},
    ):
        assert agentrules.verify_webhook("github", headers, GITHUB_BODY, GITHUB_SECRET).verified, headers
    wrong = agentrules.verify_webhook("github", [(name, value), (name, value)], GITHUB_BODY, GITHUB_SECRET)
    assert wrong.reason == "duplicate_header"
    # Header bytes are Latin-1: a byte beyond ASCII is a character, and the signature is wrong.
    assert agentrules.verify_webhook("github", [(name, value + b"\xe9")], GITHUB_BODY, GITHUB_SECRET).reason in ("malformed_header", "signature_mismatch")
    for bad in ([(name,)], [(name, value, b"x")], [name], [(1, value)], [[name, None]], 7):
        with pytest.raises(TypeError):
            agentrules.verify_webhook("github", bad, GITHUB_BODY, GITHUB_SECRET)


# --- Item 17: Report.violations is built once ---


def test_report_violations_is_one_list_built_once() -> None:
    body = {"prompt": {"text": "x"}, **{f"u{i}": 1 for i in range(20000)}}
    r = agentrules.validate_launch(body)
    first = r.violations
    # The core lists the first 1,000 violations, then too_many_violations.
    assert len(first) == 1001
    assert first[-1].code == "too_many_violations"
    assert r.violations is first
    # An indexed loop reads the same list (a list build per access before: minutes at 20,000).
    seen = [r.violations[i].path for i in range(1000)]
    assert seen == [f"/u{i}" for i in range(1000)]
    for _ in range(20):
        assert all(r.violations[i] is first[i] for i in range(1001))
    assert agentrules.validate_launch(body) == r
    assert r.to_dict()["violations"][5] == first[5].to_dict()


# --- Item 7: limits.maxDocumentBytes holds for Python values ---


def test_max_document_bytes_applies_to_values_as_to_text() -> None:
    body = {"prompt": {"text": "x" * 10_000}}
    ctx = {"limits": {"maxDocumentBytes": 1000}}
    as_value = agentrules.validate_launch(body, ctx)
    as_text = agentrules.validate_launch(json.dumps(body, separators=(",", ":")), ctx)
    assert [v.code for v in as_value.violations] == ["document_too_large"]
    assert as_value == as_text  # the same size (compact JSON), the same message
    assert agentrules.check("launch", body, ctx) == as_text
    assert agentrules.validate_follow_up(body, ctx).violations[0].code == "document_too_large"
    with pytest.raises(ValidationError) as info:
        agentrules.render_list_query({"status": "x" * 2000}, ctx)
    assert info.value.violations[0].code == "document_too_large"
    # Exactly at the limit passes; one byte more does not.
    exact = {"prompt": {"text": "x" * (1000 - len('{"prompt":{"text":""}}'))}}
    assert agentrules.validate_launch(exact, ctx).ok
    exact["prompt"]["text"] += "x"
    assert agentrules.validate_launch(exact, ctx).violations[0].code == "document_too_large"
    # Non-ASCII and escapes count as the JSON text has them.
    text = "é\n\"" * 100
    sized = {"prompt": {"text": text}}
    n = len(json.dumps(sized, separators=(",", ":"), ensure_ascii=False).encode())
    assert agentrules.validate_launch(sized, {"limits": {"maxDocumentBytes": n}}).ok
    assert agentrules.validate_launch(sized, {"limits": {"maxDocumentBytes": n - 1}}).violations[0].code == "document_too_large"


DEFAULT_MAX_DOCUMENT_BYTES = 160 * 1024 * 1024  # agentrules::Limits::DEFAULT


def test_the_table_fast_path_holds_rows_to_the_default_limit_to_the_byte() -> None:
    """A table (no context: the default 160 MiB) exactly at the limit passes the in-place fast
    path; one byte more must leave it, and the converting path refuses the table."""
    v = agentrules.TableValidator({"type": "object"})
    prefix = 'é\n"\\\x01\u2028' * 4  # escapes and non-ASCII, counted as the JSON text has them
    skeleton = len(json.dumps([{"key": "k", "value": {"s": ""}, }], separators=(",", ":")))
    room = DEFAULT_MAX_DOCUMENT_BYTES - skeleton - (len(json.dumps(prefix, ensure_ascii=False).encode()) - 2)
    at_limit = [{"key": "k", "value": {"s": prefix + "x" * room}}]
    assert v.validate_elements(at_limit).ok
    over = [{"key": "k", "value": {"s": prefix + "x" * (room + 1)}}]
    with pytest.raises(ValidationError) as info:
        v.validate_elements(over)
    assert [x.code for x in info.value.violations] == ["document_too_large"]
    del at_limit, over


# --- Item 2: no Python-side recursion past the depth limit ---


def test_self_referencing_and_deep_containers_are_too_deep() -> None:
    a: List[Any] = []
    a.append(a)
    d: dict[str, Any] = {}
    d["d"] = d
    t: List[Any] = [1]
    t.append((t,))
    for value in (a, d, t, {"prompt": {"text": a}}):
        for call in (
            lambda: agentrules.validate_launch(value),
            lambda: TABLE.validate_elements([{"key": "a", "value": value}]),
            lambda: TABLE.is_valid(value),
        ):
            r = outcome(call)
            if isinstance(r, agentrules.Report):
                assert r.violations[0].code == "invalid_json"
                assert "deeper than 127" in r.violations[0].message
            else:
                assert isinstance(r, ValidationError) and r.violations[0].code == "invalid_json", r
    for call in (
        lambda: agentrules.PolicyMatrix(d),
        lambda: agentrules.TableValidator(d),
        lambda: agentrules.evaluate("transition", a),
        lambda: agentrules.replay_json(a),
    ):
        with pytest.raises(ValidationError):
            call()
    still_answers()


def test_a_ref_chain_does_not_crash_the_interpreter() -> None:
    """50,000 `$defs` each `$ref`-ing the next, a row whose `x` refs the first (issue 15 item 2),
    in a child process: a crash is a failure here, not the end of the test run."""
    src = textwrap.dedent(
        """
        import agentrules
        n = 50000
        defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(n)}
        defs[f"d{n}"] = {"type": "string"}
        schema = {"type": "object", "properties": {"x": {"$ref": "#/$defs/d0"}}, "$defs": defs}
        try:
            v = agentrules.TableValidator(schema)
            v.validate_elements([{"key": "a", "value": {"x": "s"}}])
            v.validate_elements([{"key": "a", "value": {"x": 1}}])
            v.validate_value({"x": 1})
        except agentrules.ValidationError as e:
            print("refused", e.code)
        print("alive", agentrules.validate_launch({"prompt": {"text": " "}}).violations[0].code)
        """
    )
    p = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, (p.returncode, p.stderr[-2000:])
    assert p.stdout.strip().endswith("alive empty_text"), p.stdout
    assert "refused invalid_schema" in p.stdout, p.stdout


# --- 10,000 hostile calls of each kind, then valid calls ---


def hostile_kinds() -> dict[str, Callable[[int], Any]]:
    rows: List[Any] = []
    loop: List[Any] = []
    loop.append(loop)
    big = {"prompt": {"text": "x" * 2000}}
    small_ctx = {"limits": {"maxDocumentBytes": 1000}}
    header = (b"x-hub-signature-256", GITHUB_SIG.encode())
    report = agentrules.validate_launch({"prompt": {"text": "x"}, **{f"u{i}": 1 for i in range(100)}})

    def mutating_int(i: int) -> Any:
        body: dict[str, Any] = {"status": "running"}
        body["limit"] = FloatMutates(body)
        return agentrules.check("list-query", body)

    def mutating_row(i: int) -> Any:
        rows[:] = [{HashEq("key"): f"r{i}", "value": {"n": i}}]
        return TABLE.validate_elements(rows)

    return {
        "int subclass mutating its dict": mutating_int,
        "str subclass key with hostile __eq__/__hash__": mutating_row,
        "bytearray document": lambda i: agentrules.validate_launch(bytearray(LAUNCH)),
        "memoryview of ints": lambda i: agentrules.validate_launch(memoryview(array.array("i", [i]))),
        "SseDecoder.push(bytearray)": lambda i: agentrules.SseDecoder().push(bytearray(b"data: %d\n\n" % i)),
        "ASGI header list": lambda i: agentrules.verify_webhook("github", [list(header)], memoryview(GITHUB_BODY), GITHUB_SECRET),
        "violations indexed": lambda i: report.violations[i % 100],
        "dict over maxDocumentBytes": lambda i: agentrules.validate_launch(big, small_ctx),
        "self-referencing list": lambda i: agentrules.validate_launch(loop),
        "self-referencing table row": lambda i: TABLE.validate_elements([{"key": "a", "value": loop}]),
    }


EXPECTED_KINDS = {
    "int subclass mutating its dict": lambda r: [(v.path, v.code) for v in r.violations] == [("/limit", "out_of_range")],
    "str subclass key with hostile __eq__/__hash__": lambda r: isinstance(r, agentrules.Report) and r.ok,
    "bytearray document": lambda r: [v.code for v in r.violations] == ["empty_text"],
    "memoryview of ints": lambda r: [v.code for v in r.violations] == ["invalid_json"],
    "SseDecoder.push(bytearray)": lambda r: len(r) == 1 and r[0]["event"] == "message",
    "ASGI header list": lambda r: r.verified,
    "violations indexed": lambda r: r.code == "unknown_field",
    "dict over maxDocumentBytes": lambda r: [v.code for v in r.violations] == ["document_too_large"],
    "self-referencing list": lambda r: [v.code for v in r.violations] == ["invalid_json"],
    "self-referencing table row": lambda r: isinstance(r, ValidationError) or [v.code for v in r.violations] == ["invalid_json"],
}


@pytest.mark.parametrize("kind", list(EXPECTED_KINDS))
def test_ten_thousand_hostile_calls_then_a_valid_one(kind: str) -> None:
    call = hostile_kinds()[kind]
    expected = EXPECTED_KINDS[kind]
    for i in range(10_000):
        r = outcome(lambda: call(i))
        assert expected(r), (i, r)
    still_answers()


# --- Structured random values, through every public entry point ---


class Mode(enum.Enum):
    RAISE = "raise"
    MUTATE = "mutate"


def poke(victims: List[Any], mode: Mode) -> None:
    if mode is Mode.RAISE:
        raise RuntimeError("a dunder method that raises")
    for v in victims:
        if isinstance(v, dict):
            v.clear()
            v.update({f"m{i}": i for i in range(3)})
        elif isinstance(v, list):
            v.clear()
            v.extend(range(3))


class Hostile:
    """Changes its `victims` (or raises) from its dunder methods, once armed: `victims` is set
    after the value is built (building it hashes keys, for one)."""

    mode: Mode

    def _hit(self) -> None:
        victims = self.__dict__.get("victims")
        if victims is not None:
            poke(victims, self.mode)


def hits_before(*names: str) -> Callable[[type], type]:
    """Overrides each named method of the class's first base to call `_hit` first."""

    def wrap(cls: type) -> type:
        base = cls.__mro__[1]
        for name in names:

            def method(self: Any, *args: Any, _base: Any = getattr(base, name)) -> Any:
                self._hit()
                return _base(self, *args)

            setattr(cls, name, method)
        return cls

    return wrap


@hits_before("__float__", "__index__", "__int__", "__repr__", "__str__", "__hash__", "__eq__", "__bool__")
class HInt(int, Hostile):
    pass


@hits_before("__float__", "__int__", "__repr__", "__hash__", "__eq__")
class HFloat(float, Hostile):
    pass


@hits_before("__str__", "__repr__", "__hash__", "__eq__", "__len__", "__iter__", "__getitem__", "__format__")
class HStr(str, Hostile):
    pass


@hits_before("items", "keys", "values", "__iter__", "__getitem__", "__len__", "__contains__")
class HDict(dict, Hostile):  # type: ignore[type-arg]
    pass


@hits_before("__iter__", "__len__", "__getitem__", "__reversed__")
class HList(list, Hostile):  # type: ignore[type-arg]
    pass


class HMapping(collections.abc.Mapping, Hostile):  # type: ignore[type-arg]
    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d

    def __getitem__(self, k: str) -> Any:
        self._hit()
        return self.d[k]

    def __iter__(self) -> Any:
        self._hit()
        return iter(self.d)

    def __len__(self) -> int:
        self._hit()
        return len(self.d)

    def items(self) -> Any:
        self._hit()
        return self.d.items()


class HObject(Hostile):
    def __getattr__(self, name: str) -> Any:
        self._hit()
        raise AttributeError(name)

    def __iter__(self) -> Any:
        self._hit()
        return iter([("x-hub-signature-256", "sha256=00")])

    def __bytes__(self) -> bytes:
        self._hit()
        return b"{}"


modes = st.sampled_from(list(Mode))
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "\ud800", "a\udfffb", "\x00", "é\u2028", "running", "key", "value", "prompt", "text"]),
)
ints = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([2**63, 2**64, 2**64 - 1, -(2**63) - 1, 10**400, -(10**400)]))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-0.0, float("nan"), float("inf"), -float("inf"), 1e308]))
raw = st.binary(max_size=24)
bytes_likes = st.one_of(
    raw,
    raw.map(bytearray),
    raw.map(memoryview),
    raw.map(lambda b: memoryview(bytearray(b))),
    st.lists(st.integers(-5, 5), max_size=4).map(lambda xs: memoryview(array.array("i", xs))),
    raw.map(lambda b: memoryview(b)[::2]),
)
exotic = st.sampled_from(
    [object(), {1, 2}, frozenset(), 1j, decimal.Decimal("1.5"), fractions.Fraction(1, 3), range(3), Ellipsis, int, len, NotImplemented, array.array("b", [1])]
)
hostile_leaves = st.one_of(
    st.builds(lambda n, m: _with_mode(HInt(n), m), ints, modes),
    st.builds(lambda f, m: _with_mode(HFloat(f), m), floats, modes),
    st.builds(lambda s, m: _with_mode(HStr(s), m), texts, modes),
    st.builds(lambda m: _with_mode(HObject(), m), modes),
)


def _with_mode(obj: Any, mode: Mode) -> Any:
    obj.mode = mode
    return obj


leaves = st.one_of(st.none(), st.booleans(), ints, floats, texts, bytes_likes, exotic, hostile_leaves)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.one_of(texts, st.builds(lambda s, m: _with_mode(HStr(s), m), texts, modes), st.integers(0, 3), st.just(None))
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(keys, children, max_size=4),
        st.builds(lambda d, m: _with_mode(HDict(d), m), st.dictionaries(texts, children, max_size=3), modes),
        st.builds(lambda xs, m: _with_mode(HList(xs), m), st.lists(children, max_size=3), modes),
        st.builds(lambda d, m: _with_mode(HMapping(d), m), st.dictionaries(texts, children, max_size=3), modes),
        st.dictionaries(st.sampled_from(["prompt", "text", "key", "value", "limit", "status", "type", "tools", "schema", "elements"]), children, max_size=4),
    )


def walk(v: Any, seen: set[int], found: List[Any]) -> None:
    if id(v) in seen:
        return
    seen.add(id(v))
    found.append(v)
    if isinstance(v, dict):
        for x in list(dict.values(v)):
            walk(x, seen, found)
    elif isinstance(v, (list, tuple)):
        for x in list.__iter__(v) if isinstance(v, list) else v:
            walk(x, seen, found)
    elif isinstance(v, HMapping):
        walk(v.d, seen, found)


@st.composite
def hostile_values(draw: st.DrawFn) -> Any:
    value = draw(st.recursive(leaves, containers, max_leaves=12))
    found: List[Any] = []
    walk(value, set(), found)
    mutable = [x for x in found if isinstance(x, (dict, list))]

    # Drawn by index: `sampled_from` hashes its elements, and these are values under test.
    def pick(options: List[Any]) -> Any:
        return options[draw(st.integers(0, len(options) - 1))]

    for x in found:
        if isinstance(x, Hostile):
            x.victims = [pick(mutable) for _ in range(draw(st.integers(0, 2)))] if mutable else []
    if mutable and draw(st.booleans()):
        # A container that holds itself, or the outermost value.
        into = pick(mutable)
        what = pick([into, value])
        if isinstance(into, dict):
            dict.__setitem__(into, "self", what)
        else:
            list.append(into, what)
    return value


def entry_points(v: Any) -> List[Callable[[], Any]]:
    return [
        lambda: agentrules.check("launch", v),
        lambda: agentrules.check("table", v),
        lambda: agentrules.check("run-log", v),
        lambda: agentrules.check(v, {}),
        lambda: agentrules.validate_launch(v),
        lambda: agentrules.validate_launch({"prompt": {"text": "x"}}, v),
        lambda: agentrules.validate_follow_up(v, v),
        lambda: agentrules.render_list_query(v),
        lambda: agentrules.render_list_query({"limit": 1}, v),
        lambda: agentrules.parse_error_envelope(v),
        lambda: agentrules.evaluate("transition", v),
        lambda: agentrules.evaluate("sse_decode", v),
        lambda: agentrules.evaluate(v, {}),
        lambda: agentrules.PolicyMatrix(v),
        lambda: agentrules.TableValidator(v),
        lambda: TABLE.validate_elements(v),
        lambda: TABLE.validate_elements([{"key": "a", "value": v}]),
        lambda: TABLE.validate_value(v),
        lambda: TABLE.is_valid(v),
        lambda: agentrules.SseDecoder().push(v),
        lambda: agentrules.SseDecoder(v),
        lambda: agentrules.replay_json(v),
        lambda: agentrules.verify_webhook("github", v, GITHUB_BODY, GITHUB_SECRET),
        lambda: agentrules.verify_webhook("slack", {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1"}, v, v, now=1),
        lambda: agentrules.verify_webhook(v, [], b"", "s"),
        lambda: agentrules.apply_connector_event(v, v),
        lambda: agentrules.connector_summary(v),
        lambda: agentrules.sweep_connectors(v, 0),
        lambda: agentrules.sweep_connectors([v], 0),
        lambda: agentrules.check_image("image/png", v),
        lambda: agentrules.check_image(v, b"\x89PNG", v, v),
        lambda: agentrules.retry_after(v, 0),
        lambda: agentrules.is_terminal(v),
        lambda: agentrules.can_transition(v, "running", v),
        lambda: agentrules.transition(v, v),
        lambda: agentrules.stop(v),
        lambda: agentrules.Poller(v).observe(v, v),
        lambda: agentrules.PolicyMatrix({"tools": {}}).decide(v, v, v, v),
        lambda: agentrules.error_envelope(v),
        lambda: agentrules.raise_for_violations(v),
    ]


@settings(max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_values())
def test_random_hostile_values_through_every_entry_point(value: Any) -> None:
    for call in entry_points(value):
        outcome(call)
    still_answers()


def test_the_random_values_reach_the_hostile_paths() -> None:
    """The generator is not vacuous: among its first values are hostile dunder objects with
    victims, self-referencing containers and each bytes-like type."""
    kinds: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile_values())
    def collect(value: Any) -> None:
        found: List[Any] = []
        walk(value, set(), found)
        for x in found:
            if isinstance(x, Hostile) and getattr(x, "victims", None):
                kinds.add("hostile with victims")
            if isinstance(x, (dict, list)) and any(y is x or y is value for y in (dict.values(x) if isinstance(x, dict) else list.__iter__(x))):
                kinds.add("self-reference")
            kinds.add(type(x).__name__)

    collect()
    assert {"hostile with victims", "self-reference", "bytes", "bytearray", "memoryview", "HInt", "HStr", "HDict", "HList", "HMapping"} <= kinds, kinds
