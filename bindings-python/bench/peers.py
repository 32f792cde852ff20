"""agentrules side by side with the libraries a Python developer would pick instead, in one run on
the same inputs (core/benches/data/):

- launch: agentrules.check("launch", d) against an equivalent pydantic v2 model (field types plus
  hand-written validators for the cross-field and image rules, for a fair comparison);
- tables: TableValidator against jsonschema-rs on the same 10,000 rows;
- SSE: agentrules.SseDecoder against httpx-sse's decoder (its SSELineDecoder and SSEDecoder, the
  path EventSource.iter_sse takes over iter_bytes) on a recorded-style 20 MiB stream.

Every peer must agree with agentrules on which inputs are valid, or the bench stops.

    bindings-python/.venv/bin/python bindings-python/bench/peers.py [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import codecs
import importlib.metadata
import json
import pathlib
import platform
import re
import statistics
import timeit
from typing import Dict, List, Literal, Optional, Union

import httpx_sse
import jsonschema_rs
import pydantic
from httpx_sse._decoders import SSEDecoder, SSELineDecoder
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

import agentrules

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
B64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
SIGNATURES = {
    "image/png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda h: h.startswith(b"GIF87a") or h.startswith(b"GIF89a"),
    "image/webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
}


def uuid(v: str) -> str:
    if not UUID.match(v):
        raise ValueError("not a UUID")
    return v


class Image(BaseModel):
    model_config = ConfigDict(extra="forbid")
    media_type: Literal["image/jpeg", "image/png", "image/webp", "image/gif"]
    data: str

    @model_validator(mode="after")
    def check_data(self) -> "Image":
        if self.data[:5].lower() == "data:":
            raise ValueError("data URL")
        if not B64.match(self.data):
            raise ValueError("invalid base64")
        if len(self.data) // 4 * 3 - self.data[-2:].count("=") > 20 * 1024 * 1024:
            raise ValueError("too large")
        if not SIGNATURES[self.media_type](base64.b64decode(self.data[:24])):
            raise ValueError("media type mismatch")
        return self


class Prompt(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Optional[str] = None
    images: Optional[List[Image]] = Field(default=None, max_length=4)


class CodeSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jurisdiction: Optional[str] = None


class Capabilities(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codeSearch: Optional[Union[bool, CodeSearch]] = None
    webSearch: Optional[bool] = None


class Launch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: Optional[Prompt] = None
    workflowId: Optional[str] = None
    fileIds: Optional[List[str]] = None
    workflowInputs: Optional[Dict[str, Union[str, List[str], None]]] = None
    capabilities: Optional[Capabilities] = None
    projectId: Optional[str] = None

    _ids = field_validator("workflowId", "projectId")(lambda cls, v: v if v is None else uuid(v))

    @field_validator("fileIds")
    @classmethod
    def file_ids(cls, v: Optional[List[str]]) -> Optional[List[str]]:
        if v is not None:
            seen = set()
            for i in v:
                uuid(i)
                if i.lower() in seen:
                    raise ValueError("duplicate id")
                seen.add(i.lower())
        return v

    @model_validator(mode="after")
    def cross_field(self) -> "Launch":
        text_given = self.prompt is not None and "text" in self.prompt.model_fields_set
        if not text_given and self.workflowId is None:
            raise ValueError("missing prompt or workflow")
        if self.prompt is not None and self.prompt.text is not None and not self.prompt.text.strip():
            raise ValueError("empty text")
        if self.workflowId is not None and self.fileIds is not None:
            raise ValueError("fileIds not allowed with workflow")
        if self.workflowId is not None and self.capabilities is not None:
            raise ValueError("capabilities not allowed with workflow")
        if self.workflowInputs is not None and self.workflowId is None:
            raise ValueError("workflowInputs requires workflowId")
        if self.workflowInputs is not None and self.prompt is not None:
            raise ValueError("prompt with workflow inputs")
        return self


DATA = pathlib.Path(__file__).resolve().parents[2] / "core" / "benches" / "data"
TYPICAL = json.loads((DATA / "launch-typical.json").read_text())
MANY = json.loads((DATA / "launch-many.json").read_text())
_PNG20 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(20 * 1024 * 1024 - 8)).decode()
IMAGE_20MIB = {"prompt": {"text": "compare", "images": [{"media_type": "image/png", "data": _PNG20}]}}

# The 10-column schema, shared with the Rust and Node benches.
SCHEMA = json.loads((DATA / "table-schema.json").read_text())
ROWS = [
    {"key": f"row-{i}", "value": {
        "id": i + 1, "issue": f"Missing fire rating on wall assembly {i}", "severity": ["low", "medium", "high", "critical"][i % 4],
        "sheet": f"A-{i % 1000:03d}", "discipline": "architectural", "count": i % 1000, "resolved": i % 2 == 0,
        "cost": i * 1.5, "tags": ["fire", "egress"], "note": None if i % 3 == 0 else "see detail 4"}}
    for i in range(10_000)
]
VALUES = [r["value"] for r in ROWS]


def recorded(size: int) -> bytes:
    """The recorded-style stream every SSE bench decodes."""
    parts = ['event: run.started\nid: 1\ndata: {"runId":"run_1","workItemId":"wi_1","seq":1,"receipt":{"id":"rc_1"}}\n\n']
    n, seq = len(parts[0]), 1
    while n < size:
        seq += 1
        ev = (f'event: text.delta\nid: {seq}\ndata: {{"runId":"run_1","workItemId":"wi_1","seq":{seq},'
              f'"receipt":{{"id":"rc_{seq}"}},"delta":"The stair detail on sheet A-501 meets the egress width "}}\n\n')
        parts.append(ev)
        n += len(ev)
    return "".join(parts).encode()


STREAM = recorded(20 * 1024 * 1024)
CHUNKS = [STREAM[i : i + 16384] for i in range(0, len(STREAM), 16384)]


def sse_ours() -> int:
    d = agentrules.SseDecoder()
    n = sum(len(d.push(c)) for c in CHUNKS)
    d.finish()
    return n


def sse_theirs() -> int:
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines, sse = SSELineDecoder(), SSEDecoder()
    n = 0
    for c in CHUNKS:
        for line in lines.decode(text.decode(c)):
            if sse.decode(line) is not None:
                n += 1
    return n


def pydantic_ok(validate, body) -> bool:
    """Whether pydantic accepts `body` (`validate` is `Launch.model_validate` or `…_json`)."""
    try:
        validate(body)
        return True
    except pydantic.ValidationError:
        return False


def per_call(fn, number: int) -> float:
    """Median seconds per call over 7 repeats."""
    fn()
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=7))


RESULTS: list = []


def record(group: str, name: str, impl: str, seconds: float, **extra: object) -> None:
    RESULTS.append({"group": group, "name": name, "impl": impl, "ns": seconds * 1e9, **extra})
    print(f"{group:7} {name:22} {impl:36} {seconds * 1e6:14.3f} µs")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()

    for name, body, number in (("typical", TYPICAL, 20_000), ("many_violations", MANY, 20_000), ("one_20MiB_image", IMAGE_20MIB, 10)):
        ok = agentrules.check("launch", body).ok
        if ok != pydantic_ok(Launch.model_validate, body):
            raise SystemExit(f"{name}: pydantic and agentrules disagree on validity (agentrules ok={ok})")
        record("launch", name, "agentrules check(dict)", per_call(lambda: agentrules.check("launch", body), number))
        record("launch", name, "pydantic v2 + validators", per_call(lambda: pydantic_ok(Launch.model_validate, body), number))
        text = json.dumps(body)
        record("launch", name, "agentrules check(JSON text)", per_call(lambda: agentrules.check("launch", text), number))
        record("launch", name, "pydantic v2 model_validate_json", per_call(lambda: pydantic_ok(Launch.model_validate_json, text), number))

    validator = agentrules.TableValidator(SCHEMA)
    peer = jsonschema_rs.validator_for(SCHEMA)
    if not (validator.validate_elements(ROWS).ok and all(peer.is_valid(v) for v in VALUES)):
        raise SystemExit("table rows: a peer rejects them")
    n = len(ROWS)
    record("table", "10k_rows", "agentrules validate_elements", per_call(lambda: validator.validate_elements(ROWS), 5), rows=n)
    record("table", "10k_rows", "jsonschema-rs iter_errors", per_call(lambda: [list(peer.iter_errors(v)) for v in VALUES], 5), rows=n)
    record("table", "10k_rows", "jsonschema-rs is_valid", per_call(lambda: [peer.is_valid(v) for v in VALUES], 5), rows=n)
    record("table", "10k_rows", "agentrules is_valid", per_call(lambda: [validator.is_valid(v) for v in VALUES], 5), rows=n)

    a, b = sse_ours(), sse_theirs()
    if a != b:
        raise SystemExit(f"sse: event counts differ ({a} vs {b})")
    record("sse", "20MiB_16KiB_chunks", "agentrules SseDecoder", per_call(sse_ours, 1), bytes=len(STREAM), events=a)
    record("sse", "20MiB_16KiB_chunks", "httpx-sse decoders", per_call(sse_theirs, 1), bytes=len(STREAM), events=a)

    versions = {
        "python": platform.python_version(),
        "pydantic": pydantic.VERSION,
        "jsonschema-rs": importlib.metadata.version("jsonschema-rs"),
        "httpx-sse": importlib.metadata.version("httpx-sse"),
    }
    print(versions)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"versions": versions, "results": RESULTS}, indent=2))


if __name__ == "__main__":
    main()
