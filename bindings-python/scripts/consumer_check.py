"""What a user of the installed package does (run by scripts/consumer in a fresh venv outside the
workspace): the version, the seed's launch examples and the launch corpus with their codes and
paths, and a FastAPI route answering the Agent API's 400 envelope, driven by TestClient.

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

# A FastAPI service: POST /api/v0/agents answers the core's envelope for a bad body.
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

app = FastAPI()


@app.post("/api/v0/agents", status_code=201)
async def launch(request: Request) -> Any:
    report = agentrules.validate_launch(await request.body())
    answer = agentrules.error_envelope(report)
    if answer is not None:
        status, envelope = answer
        return JSONResponse(envelope, status_code=status)
    return JSONResponse({"status": "waiting"}, status_code=201)


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
    assert r.status_code == 400 and r.json()["code"] == "bad_request", (raw, r.status_code, r.text)
good = client.post("/api/v0/agents", json=seed[0]["input"])
assert good.status_code == 201, good.text
print(f"consumer: FastAPI answers 400 {json.dumps(envelope)} and 201 for the seed's example")
