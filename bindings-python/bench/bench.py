"""Side by side in one run: agentrules.check("launch", d) against an equivalent pydantic v2 model
(field types plus hand-written validators for the cross-field rules, for a fair comparison), and
TableValidator against jsonschema-rs on the same rows.

    bindings-python/.venv/bin/python bindings-python/bench/bench.py
"""

from __future__ import annotations

import base64
import json
import pathlib
import platform
import re
import statistics
import timeit
from typing import Dict, List, Literal, Optional, Union

import jsonschema_rs
import pydantic
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


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(4096)).decode()
TYPICAL = {
    "prompt": {"text": "Check whether this stair detail meets egress requirements.", "images": [{"media_type": "image/png", "data": PNG}]},
    "fileIds": ["019aaa00-5c1e-7a3b-9f10-2b6c8d4e0a01", "019aaa01-5c1e-7a3b-9f10-2b6c8d4e0a02"],
    "capabilities": {"codeSearch": {"jurisdiction": "California"}, "webSearch": True},
    "projectId": "019bbb00-5c1e-7a3b-9f10-2b6c8d4e0a20",
}

# The 10-column schema, shared with the Rust bench (core/benches/table.rs).
SCHEMA = json.loads((pathlib.Path(__file__).resolve().parents[2] / "core" / "benches" / "data" / "table-schema.json").read_text())
ROWS = [
    {"key": f"row-{i}", "value": {
        "id": i + 1, "issue": f"Missing fire rating on wall assembly {i}", "severity": ["low", "medium", "high", "critical"][i % 4],
        "sheet": f"A-{i % 1000:03d}", "discipline": "architectural", "count": i % 1000, "resolved": i % 2 == 0,
        "cost": i * 1.5, "tags": ["fire", "egress"], "note": None if i % 3 == 0 else "see detail 4"}}
    for i in range(10_000)
]
VALUES = [r["value"] for r in ROWS]


def per_call(fn, number: int) -> float:
    """Median seconds per call over 7 repeats."""
    fn()
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=7))


def main() -> None:
    assert agentrules.check("launch", TYPICAL).ok
    Launch.model_validate(TYPICAL)
    print(f"Python {platform.python_version()}, pydantic {pydantic.VERSION}, jsonschema-rs {getattr(jsonschema_rs, '__version__', '?')}")
    ours = per_call(lambda: agentrules.check("launch", TYPICAL), 20_000)
    theirs = per_call(lambda: Launch.model_validate(TYPICAL), 20_000)
    print(f"launch check     agentrules {ours * 1e6:8.2f} µs   pydantic {theirs * 1e6:8.2f} µs   ratio {ours / theirs:.2f}x (≤ 1 is the goal)")

    validator = agentrules.TableValidator(SCHEMA)
    peer = jsonschema_rs.validator_for(SCHEMA)
    assert validator.validate_elements(ROWS).ok and all(peer.is_valid(v) for v in VALUES)
    ours = per_call(lambda: validator.validate_elements(ROWS), 5)
    theirs_iter = per_call(lambda: [list(peer.iter_errors(v)) for v in VALUES], 5)
    theirs_valid = per_call(lambda: [peer.is_valid(v) for v in VALUES], 5)
    n = len(ROWS)
    print(f"table, {n} rows  agentrules {n / ours:10.0f} rows/s   jsonschema-rs iter_errors {n / theirs_iter:10.0f} rows/s"
          f" (ratio {theirs_iter / ours:.2f}x)   is_valid {n / theirs_valid:10.0f} rows/s (ratio {theirs_valid / ours:.2f}x; ≥ 1 is the goal)")


if __name__ == "__main__":
    main()
