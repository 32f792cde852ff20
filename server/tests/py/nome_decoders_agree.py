"""A NOME run's stream, recorded over loopback (two keys of one user, a tool call approved from
the second), decodes to the same events through every surface's SseDecoder that runs here —
the core's (`agentrules sse`), the Python package's and the npm package's, each fed in chunks of
1, 7 and 4096 bytes — and each surface's replay of those events is, byte for byte, what
GET /nome/v1/runs/{id}/replay answers. Run with bindings-python's venv (the Python package)."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, ROOT, Serve  # noqa: E402

import agentrules  # noqa: E402

CONFIG = {"keys": [{"key": "npk_laptop", "owner": "u"}, {"key": "npk_tablet", "owner": "u"}], "rateLimits": False}


def call(base, key, method, path, body=None, headers=None):
    h = {"Authorization": f"Bearer {key}", "X-Nome-Client-Surface": "agree", "X-Nome-Client-Version": "0.1.0",
         "X-Nome-Client-Revision": "x", "Content-Type": "application/json", **(headers or {})}
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/nome/v1" + path, data=data, method=method, headers=h)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def main():
    with Serve(config=CONFIG, timing="fast") as srv:
        run = json.loads(call(srv.base, "npk_laptop", "POST", "/runs", {"input": "web_search é then send_email ✓"}))["data"]["id"]
        for _ in range(2000):
            queue = json.loads(call(srv.base, "npk_tablet", "GET", "/approvals"))["data"]
            if queue:
                break
            time.sleep(0.01)
        call(srv.base, "npk_tablet", "POST", f"/approvals/{queue[0]['id']}/approve")
        raw = call(srv.base, "npk_laptop", "GET", f"/runs/{run}/stream")
        served_replay = call(srv.base, "npk_laptop", "GET", f"/runs/{run}/replay")
    core = [json.loads(line) for line in subprocess.run([BIN, "sse"], input=raw, capture_output=True, check=True).stdout.decode().splitlines()]
    assert core[-1]["event"] == "run.completed" and any(e["event"] == "approval.request" for e in core), core
    failures = []
    with tempfile.NamedTemporaryFile(suffix=".sse", delete=False) as f:
        f.write(raw)
    try:
        for size in (1, 7, 4096):
            dec = agentrules.SseDecoder()
            py = []
            for i in range(0, len(raw), size):
                py.extend(dec.push(raw[i:i + size]))
            dec.finish()
            py = [dict(x) for x in py]
            if py != core:
                failures.append(f"python, chunks of {size}: {py[:2]} != {core[:2]}")
            log = [{**json.loads(e["data"]), "type": e["event"]} for e in py if "event" in e]
            if agentrules.replay_json(json.dumps(log)).encode() != served_replay:
                failures.append(f"python replay, chunks of {size}, differs from the server's")
            out = json.loads(subprocess.run(["node", os.path.join(ROOT, "server", "tests", "js", "sse_decode.mjs"), f.name, str(size)],
                                            check=True, capture_output=True, text=True).stdout)
            if out["items"] != core:
                failures.append(f"npm, chunks of {size}: {out['items'][:2]} != {core[:2]}")
            if out["replay"].encode() != served_replay:
                failures.append(f"npm replay, chunks of {size}, differs from the server's")
    finally:
        os.unlink(f.name)
    print(f"{len(core)} events: the core's, the Python package's and the npm package's SseDecoder agree in chunks of 1, 7 and 4096 bytes; "
          f"their replays equal the server's; {len(failures)} disagreements")
    for x in failures:
        print("  " + x)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
