"""R2 and R5 through the Python package's own classes: every SSE case of the corpus through
SseDecoder whole, byte by byte and split at every offset, and replay_json's bytes against the
golden state."""

import json

import pytest

import agentrules
from conftest import ROOT, load_cases

SSE = [c for c in load_cases() if c.get("op") == "sse_decode" and "split" not in c["args"]]


def as_bytes(chunks):
    return b"".join(c.encode() if isinstance(c, str) else bytes.fromhex(c["hex"]) for c in chunks)


def decode(pieces, max_line_bytes=None):
    d = agentrules.SseDecoder(max_line_bytes)
    try:
        items = [item for p in pieces for item in d.push(p)]
    except agentrules.ValidationError as e:
        # The refusal as the op answers it: {error: {kind, message, violations}}.
        return {"error": {"kind": e.code, "message": str(e), "violations": [v.to_dict() for v in e.violations]}}
    d.finish()
    return {"items": items, "lastEventId": d.last_event_id, "retry": d.retry}


@pytest.mark.parametrize("case", SSE, ids=lambda c: c["name"])
def test_sse_case_at_every_split(case):
    data = as_bytes(case["args"]["chunks"])
    splits = [[data], [data[i : i + 1] for i in range(len(data))]] + [[data[:i], data[i:]] for i in range(len(data) + 1)]
    for pieces in splits:
        assert decode(pieces, case["args"].get("maxLineBytes")) == case["expect"], f"{len(pieces)} pieces"


def test_a_line_limit_outside_the_cores_bounds_is_refused():
    for bad in (0, 256 * 1024 * 1024 + 1):
        with pytest.raises(agentrules.ValidationError) as info:
            agentrules.SseDecoder(max_line_bytes=bad)
        assert info.value.code == "invalid_arguments"
    with pytest.raises(OverflowError):
        agentrules.SseDecoder(max_line_bytes=-1)


def test_line_limit():
    d = agentrules.SseDecoder(max_line_bytes=16)
    with pytest.raises(agentrules.ValidationError) as info:
        d.push(b"data: 0123456789abcdef")
    assert info.value.code == "invalid_stream"


def test_replay_json_gives_the_golden_bytes():
    golden = (ROOT / "tests" / "golden" / "run-state.json").read_text()
    log = json.loads((ROOT / "tests" / "golden" / "run-log.json").read_text())
    assert agentrules.replay_json(log) == golden
    assert agentrules.replay_json(json.dumps(log)) == golden
    with pytest.raises(agentrules.ValidationError):
        agentrules.replay_json(log[1:])
