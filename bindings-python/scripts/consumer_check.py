"""What a user of the installed package does (run by scripts/consumer in a fresh venv outside the
workspace): the version, the seed's launch examples and the launch corpus with their codes and
paths, and a FastAPI route taking agentrules.pydantic's LaunchRequest, answering the Agent API's
400 envelope through agentrules.fastapi, driven by TestClient, and its OpenAPI.

    python consumer_check.py LAUNCH_JSON EXPECTED_VERSION
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import agentrules

corpus, version = Path(sys.argv[1]), sys.argv[2]
where = Path(agentrules.__file__).resolve()
assert where.is_relative_to(Path(sys.prefix).resolve()) and "site-packages" in where.parts, f"agentrules imported from {where}, not from this venv"
assert agentrules.__version__ == version, (agentrules.__version__, version)

# The corpus's launch cases, the seed's examples among them: the same (path, code) pairs.
cases = json.loads(corpus.read_text())
seed = [c for c in cases if "seed" in c["name"]]
assert len(seed) >= 4, [c["name"] for c in seed]
for case in cases:
    # JSON text as the corpus gives it; a dict body also as the Python value a user has.
    bodies = [case["raw"]] if "raw" in case else [json.dumps(case["input"])]
    if isinstance(case.get("input"), dict):
        bodies.append(case["input"])
    want = {(e["path"], e["code"]) for e in case["expect"]}
    for body in bodies:
        report = agentrules.validate_launch(body, case.get("context"))
        got = {(v.path, v.code) for v in report}
        assert got == want, f"{case['name']}: {got} != {want}"
    assert bool(report) == (not want) and len(report) == len(report.violations)
    assert pickle.loads(pickle.dumps(report)) == report
print(f"consumer: {len(cases)} launch cases ({len(seed)} seed examples) agree")

# A FastAPI service: POST /api/v0/agents takes agentrules.pydantic's LaunchRequest as its body and
# agentrules.fastapi answers the core's envelope for a bad one (one line of glue).
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import agentrules.fastapi  # noqa: E402
from agentrules.pydantic import LaunchRequest  # noqa: E402

app = FastAPI()
agentrules.fastapi.install(app)


@app.post("/api/v0/agents", status_code=201)
def launch(body: LaunchRequest) -> Any:
    assert isinstance(body, LaunchRequest)
    return {"status": "waiting", "body": body}


client = TestClient(app)
bad = client.post("/api/v0/agents", json={"prompt": {"text": " "}})
expected = agentrules.error_envelope(agentrules.validate_launch({"prompt": {"text": " "}}))
assert expected is not None
assert bad.status_code == expected[0] == 400, bad.text
envelope = bad.json()
assert envelope == expected[1], envelope
assert envelope["code"] == "bad_request" and isinstance(envelope["error"], str) and envelope["error"], envelope
for raw in (b"", b"{", b"[]", b'{"prompt": {"text": "hi"}, "workflowId": 3}'):
    r = client.post("/api/v0/agents", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json() == agentrules.error_envelope(agentrules.validate_launch(raw))[1], (raw, r.status_code, r.text)
good = client.post("/api/v0/agents", json=seed[0]["input"])
assert good.status_code == 201 and good.json()["body"] == seed[0]["input"], good.text
# The OpenAPI: the launch body is the core's schema, every reference resolves, the 400 is documented.
spec = client.get("/openapi.json").json()


def refs(node: Any) -> Any:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for v in node.values():
            yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


for ref in refs(spec):
    target: Any = spec
    for token in ref.removeprefix("#/").split("/"):
        target = target[token]
operation = spec["paths"]["/api/v0/agents"]["post"]
assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LaunchRequest"}
assert "400" in operation["responses"] and "422" not in operation["responses"], operation["responses"]
assert "Prompt" in spec["components"]["schemas"], sorted(spec["components"]["schemas"])
print(f"consumer: FastAPI answers 400 {json.dumps(envelope)} and 201 for the seed's example; its OpenAPI's references resolve")
