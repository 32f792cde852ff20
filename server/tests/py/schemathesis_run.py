"""Schemathesis (`st run`, every check) against the whole OpenAPI document (the Agent API's
/api/v0 and the NOME API's /nome/v1, whose build identity headers Schemathesis generates from
their declared parameters) and a running server,
bounded in time: no 5xx, every response conforms to the document (status, content type,
headers, schema), negative data is rejected with a documented 4xx, positive data is accepted.
Rate classes are off in this server (they would answer 429 to most of the run; they are
tested in the Rust suite and by the load bench).

Two checks are left out, each for a documented decision:
- `positive_data_acceptance`: a body the JSON Schema allows may still break the launch rules
  that are cross-field (L2-L9: a workflow with fileIds, a prompt for a slot workflow), which
  the document states in words and the server answers 400 with the violations; a cursor is
  opaque, so a made-up one is 400 though it is a string.
- `unsupported_method`: a method a path does not take is `404 not_found`, as any request to no
  endpoint (the seed's error table has no 405 and its envelope no code for it)."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import Serve  # noqa: E402

ST = os.path.join(os.path.dirname(sys.executable), "st")
SECONDS = os.environ.get("SCHEMATHESIS_SECONDS", "60")


def main():
    config = {
        "keys": [{"key": "npk_schemathesis", "owner": "st"}],
        "installs": [{"id": "019def34-0000-7000-8000-0000000000b1", "connector": "github", "owner": "st", "secret": "st"}],
        "rateLimits": False,
    }
    with Serve(config=config) as srv:
        args = [
            ST, "run", srv.base + "/openapi.json",
            "--url", srv.base,
            "-H", "Authorization: Bearer npk_schemathesis",
            "--checks", "all",
            "--exclude-checks", "positive_data_acceptance,unsupported_method",
            "--max-time", SECONDS,
            "--workers", "2",
            "--request-timeout", "10",
            "--seed", "20",
            "--no-color",
        ]
        print(" ".join(args[1:]))
        with tempfile.TemporaryDirectory() as tmp:  # st writes its cache where it runs
            run = subprocess.run(args, cwd=tmp, timeout=int(SECONDS) + 60)
        sys.exit(run.returncode)


if __name__ == "__main__":
    main()
