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
