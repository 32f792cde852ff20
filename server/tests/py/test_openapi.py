"""The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator, which resolves every $ref),
the same from `agentrules openapi` and from GET /openapi.json, and its request schemas are the
core's (schemas/launch.schema.json, schemas/followup.schema.json)."""

import json
import os
import subprocess
import urllib.request

from openapi_spec_validator import validate


from common import BIN, ROOT, Serve


def document():
    return json.loads(subprocess.run([BIN, "openapi"], check=True, capture_output=True, text=True).stdout)


def test_the_document_is_valid_openapi_3_1_and_served():
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    with Serve() as srv:
        served = json.load(urllib.request.urlopen(srv.base + "/openapi.json"))
    assert served == doc


def test_request_schemas_are_the_cores():
    doc = document()
    schemas = doc["components"]["schemas"]
    for name, file in [("LaunchRequest", "launch.schema.json"), ("FollowUpRequest", "followup.schema.json")]:
        core = json.load(open(os.path.join(ROOT, "schemas", file)))
        core.pop("$schema", None)
        defs = core.pop("$defs", {})
        text = json.dumps(core).replace("#/$defs/", "#/components/schemas/")
        assert json.loads(text) == schemas[name], name
        for k, v in defs.items():
            assert json.loads(json.dumps(v).replace("#/$defs/", "#/components/schemas/")) == schemas[k], k


def test_every_ref_resolves():
    doc = document()

    def refs(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "$ref":
                    yield x
                else:
                    yield from refs(x)
        elif isinstance(v, list):
            for x in v:
                yield from refs(x)

    found = list(refs(doc))
    assert found
    for r in found:
        assert r.startswith("#/components/schemas/"), r
        assert r.rsplit("/", 1)[1] in doc["components"]["schemas"], r


def test_lint_every_operation_is_named_documented_and_answers_the_envelope():
    """The lint rules this document keeps: every operation has a unique operationId, a summary,
    an x-rate-class that is the core's (or the server's own, documented) class, a 2xx answer,
    and every error answer in the seed's envelope; every path parameter is declared."""
    doc = document()
    seen = set()
    core_classes = 0
    for path, item in doc["paths"].items():
        declared = {p["name"] for p in item.get("parameters", [])}
        for method, op in item.items():
            if method == "parameters":
                continue
            name = f"{method.upper()} {path}"
            assert op.get("operationId") and op["operationId"] not in seen, name
            seen.add(op["operationId"])
            assert op.get("summary"), name
            params = declared | {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            for segment in path.split("/"):
                if segment.startswith("{"):
                    assert segment.strip("{}") in params, f"{name}: {segment} undeclared"
            codes = list(op["responses"])
            assert any(c.startswith("2") for c in codes), name
            if path.startswith("/api/v0/"):
                assert op.get("x-rate-class") in ("standard", "heavy"), name
                concrete = path.replace("{id}", "019abc12-0000-7000-8000-000000000000").replace("{artifactId}", "a")
                core = subprocess.run([BIN, "op", "endpoint"], input=json.dumps({"method": method, "path": concrete}),
                                      capture_output=True, text=True, check=True).stdout.strip()
                if core != "null":
                    # An endpoint of the core's table (E4): the document states the core's class.
                    assert json.loads(core)["rateClass"] == op["x-rate-class"], name
                    core_classes += 1
                for c in ("401", "429", "500"):
                    assert c in codes, f"{name}: {c}"
            for c, r in op["responses"].items():
                if c[0] in "45":
                    schema = json.dumps(r["content"]["application/json"]["schema"])
                    assert "ErrorEnvelope" in schema or "BadRequestBody" in schema, f"{name} {c}"
    assert core_classes == 8, "the eight endpoints of the core's table"
