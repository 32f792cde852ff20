"""agentrules.fastapi: a FastAPI app answers the Agent API's 400 envelope for rejected bodies,
through FastAPI's TestClient and through a real uvicorn server on 127.0.0.1 driven by httpx; its
OpenAPI validates (openapi-spec-validator) with every reference resolving."""

import json
import socket
import threading
import time
from typing import Annotated, Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

import agentrules
import agentrules.fastapi
from agentrules.pydantic import FollowUpRequest, LaunchRequest
from conftest import ROOT, load_cases
from test_pydantic import inline, refs, resolve, shipped

SEED = {"prompt": {"text": "Summarize the attached drawings and flag anything unusual."}}
AGENT = "019abc12-0000-7000-8000-000000000001"
# Cases whose context is the default one: a FastAPI body is checked without a context.
CASES = [c for c in load_cases() if c.get("kind") in ("launch", "followup") and "context" not in c]


def make_app(violations: bool = False) -> FastAPI:
    app = FastAPI(title="agents")
    agentrules.fastapi.install(app, violations=violations)

    @app.post("/api/v0/agents", status_code=201)
    def launch(body: LaunchRequest) -> dict[str, Any]:
        assert isinstance(body, LaunchRequest)
        return {"data": {"status": "waiting", "body": body}}

    @app.post("/api/v0/agents/{id}/followup", status_code=202)
    def follow_up(id: str, body: FollowUpRequest) -> dict[str, Any]:
        return {"data": {"id": id, "body": body}}

    @app.post("/plain", status_code=201)
    def plain(body: Annotated[dict[str, Any], LaunchRequest]) -> dict[str, Any]:
        return body

    @app.get("/api/v0/agents")
    def list_agents(limit: int = 20) -> dict[str, Any]:
        return {"data": [], "limit": limit}

    return app


@pytest.fixture(scope="module")
def client():
    return TestClient(make_app())


def envelope(kind, document):
    answer = agentrules.error_envelope(agentrules.check(kind, document))
    assert answer is not None
    return answer


def test_the_corpus_has_cases_without_a_context():
    assert len(CASES) > 50 and any("raw" in c for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['file']} [{c['rule']}] {c['name']}")
def test_corpus_case_through_the_app(client, case):
    kind = case["kind"]
    url = "/api/v0/agents" if kind == "launch" else f"/api/v0/agents/{AGENT}/followup"
    if "raw" in case:
        sent = case["raw"].encode()
        try:
            # What FastAPI gives the body: Python's json parses it first (repeated keys: the last).
            given: Any = json.loads(sent)
        except ValueError:
            given = sent
    else:
        sent = json.dumps(case["input"]).encode()
        given = case["input"]
    r = client.post(url, content=sent, headers={"content-type": "application/json"})
    # The core's document: the value FastAPI parsed (a string as the JSON text of that string).
    document = json.dumps(given) if isinstance(given, str) else given
    report = agentrules.check(kind, document)
    if report.ok:
        assert r.status_code == (201 if kind == "launch" else 202), r.text
        assert r.json()["data"]["body"] == given
    else:
        status, body = envelope(kind, document)
        assert (r.status_code, r.json()) == (status, body) and status == 400, r.text
        assert set(r.json()) == {"error", "code"}
        if "raw" not in case:
            assert {(v.path, v.code) for v in report} == {(e["path"], e["code"]) for e in case["expect"]}


def test_bad_bodies_answer_the_seeds_envelope_with_the_cores_code(client):
    bodies = [
        (b'{"prompt": {"text": " "}, "fileIds": ["nope"]}', "application/json"),
        (b"[]", "application/json"),
        (b"3", "application/json"),
        (b"{", "application/json"),  # JSON FastAPI cannot parse: the core reads the raw body
        (b"", "application/json"),  # no body at all
        (b'{"prompt": {"text": "hi"}, "workflowId": 3}', "text/plain"),  # not JSON by type: raw bytes
    ]
    for raw, content_type in bodies:
        r = client.post("/api/v0/agents", content=raw, headers={"content-type": content_type})
        assert (r.status_code, r.json()) == envelope("launch", raw), (raw, r.text)
    assert client.post("/api/v0/agents", content=json.dumps(SEED), headers={"content-type": "text/plain"}).status_code == 201


def test_what_pythons_json_parser_does_to_a_body(client):
    # NaN and Infinity: Python's json reads them, the core refuses the value as it refuses the text.
    for raw in (b'{"prompt": {"text": "x"}, "n": NaN}', b"Infinity"):
        r = client.post("/api/v0/agents", content=raw, headers={"content-type": "application/json"})
        assert (r.status_code, r.json()) == envelope("launch", json.loads(raw)) and r.status_code == 400
        assert not agentrules.check("launch", raw).ok
    # A repeated key: the core would refuse the text, FastAPI's parser keeps the last value (the
    # limitation the README states); the raw bytes through the core find it.
    raw = b'{"prompt": {"text": " "}, "prompt": {"text": "Summarize."}}'
    assert not agentrules.check("launch", raw).ok and agentrules.check("launch", json.loads(raw)).ok
    r = client.post("/api/v0/agents", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 201 and r.json()["data"]["body"] == {"prompt": {"text": "Summarize."}}


def test_a_violation_pydantic_could_not_carry_whole_gets_the_cores_envelope_too():
    # The error lost its ctx (its message names a param in braces): the envelope comes from the
    # core on the raw body, the same one.
    for violations in (False, True):
        body = {"prompt": {"text": "hi"}, "{allowed}": 1}
        r = TestClient(make_app(violations=violations)).post("/api/v0/agents", json=body)
        status, want = envelope("launch", body)
        if violations:
            want = {**want, "violations": [v.to_dict() for v in agentrules.validate_launch(body)]}
        assert (r.status_code, r.json()) == (status, want)


def test_the_core_runs_once_per_request(client, monkeypatch):
    calls = []
    check = agentrules.check

    def counted(*args, **kwargs):
        calls.append(args[0])
        return check(*args, **kwargs)

    monkeypatch.setattr(agentrules, "check", counted)
    # A rejected body, a good one (the validator's run); unparsable JSON, no body (the handler's).
    for raw in (b'{"prompt": {"text": " "}}', json.dumps(SEED).encode(), b"{", b""):
        calls.clear()
        client.post("/api/v0/agents", content=raw, headers={"content-type": "application/json"})
        assert calls == ["launch"], raw


def test_the_error_text_is_the_cores(client):
    r = client.post("/api/v0/agents", json={"prompt": {"text": " "}})
    status, body = envelope("launch", {"prompt": {"text": " "}})
    assert r.status_code == status == 400 and r.json() == body
    assert body["error"] and body["code"] == agentrules.error_envelope(agentrules.validate_launch({}))[1]["code"]


def test_a_dict_body_with_the_type_answers_400_not_422(client):
    r = client.post("/plain", json=[])
    assert (r.status_code, r.json()) == envelope("launch", [])
    assert client.post("/plain", json=SEED).json() == SEED


def test_other_validation_errors_keep_fastapis_answer(client):
    r = client.get("/api/v0/agents", params={"limit": "many"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
    assert client.get("/api/v0/agents", params={"limit": 5}).json()["limit"] == 5


def test_violations_extension():
    client = TestClient(make_app(violations=True))
    body = {"prompt": {"text": " "}, "fileIds": ["nope"]}
    r = client.post("/api/v0/agents", json=body)
    report = agentrules.validate_launch(body)
    status, want = envelope("launch", body)
    assert r.status_code == status
    assert r.json() == {**want, "violations": [v.to_dict() for v in report]}
    r = client.post("/api/v0/agents", content=b"{", headers={"content-type": "application/json"})
    assert r.json()["violations"] == [v.to_dict() for v in agentrules.validate_launch(b"{")]


def test_follow_up_route(client):
    r = client.post(f"/api/v0/agents/{AGENT}/followup", json={"prompt": {}})
    assert (r.status_code, r.json()) == envelope("followup", {"prompt": {}})
    r = client.post(f"/api/v0/agents/{AGENT}/followup", json={"prompt": {"text": "Also check ADA"}})
    assert r.status_code == 202 and r.json()["data"]["id"] == AGENT


# OpenAPI


def check_openapi(spec):
    validate(spec)  # openapi-spec-validator: the document, its schemas and its references
    found = list(refs(spec))
    assert found
    for r in found:
        assert r.startswith("#/components/schemas/"), r
        resolve(spec, r)
    schemas = spec["components"]["schemas"]
    assert inline(schemas["LaunchRequest"], spec) == inline(shipped("launch"), shipped("launch"))
    assert inline(schemas["FollowUpRequest"], spec) == inline(shipped("followup"), shipped("followup"))
    assert inline(schemas["ErrorEnvelope"], spec) == inline(shipped("error-envelope"), shipped("error-envelope"))
    launch = spec["paths"]["/api/v0/agents"]["post"]
    assert launch["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/LaunchRequest"}
    for path, method in (("/api/v0/agents", "post"), ("/api/v0/agents/{id}/followup", "post"), ("/plain", "post")):
        responses = spec["paths"][path][method]["responses"]
        assert "422" not in responses, path
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert "422" in spec["paths"]["/api/v0/agents"]["get"]["responses"]
    text = json.dumps(spec)
    assert "::" not in text and "[`" not in text


def test_openapi_validates_with_resolving_refs(client):
    spec = client.get("/openapi.json").json()
    check_openapi(spec)
    assert client.app.openapi() == spec


def test_an_app_with_its_own_error_envelope_schema_is_refused():
    from pydantic import BaseModel

    class ErrorEnvelope(BaseModel):
        message: str

    app = make_app()

    @app.get("/other")
    def other() -> ErrorEnvelope:
        return ErrorEnvelope(message="x")

    with pytest.raises(ValueError, match="ErrorEnvelope"):
        app.openapi()


# A real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server():
    port = free_port()
    config = uvicorn.Config(make_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    assert not thread.is_alive()


def test_uvicorn_answers_the_envelope(server):
    with httpx.Client(base_url=server, timeout=10) as http:
        for raw in (b'{"prompt": {"text": " "}}', b"{", b"", b"[]", b'{"prompt": {"text": "x"}, "workflowId": "019def34-0000-7000-8000-000000000001", "fileIds": []}'):
            r = http.post("/api/v0/agents", content=raw, headers={"content-type": "application/json"})
            assert (r.status_code, r.json()) == envelope("launch", raw), (raw, r.text)
            assert r.headers["content-type"] == "application/json"
        r = http.post("/api/v0/agents", json=SEED)
        assert r.status_code == 201 and r.json()["data"]["body"] == SEED
        r = http.post(f"/api/v0/agents/{AGENT}/followup", json={})
        assert (r.status_code, r.json()) == envelope("followup", {})
        check_openapi(http.get("/openapi.json").json())
