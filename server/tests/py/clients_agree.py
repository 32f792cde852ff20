"""The npm package, the Python package and `agentrules serve` agree on the corpus's launch and
follow-up cases: what the library accepts, the server accepts (201 / 202); what it rejects, the
server rejects with 400 and the same (path, code) pairs in `violations`.

Each distinct context of the corpus gets a server whose configuration is that context (its
`workflow` becomes the server's one workflow). A launch naming a workflow the server does not
know is checked without a definition, as the library does; when that passes the server answers
404 not_found (documented), counted apart; so is the library's `workflow_mismatch` (its context
held another workflow's definition), which for a server that looks definitions up by id is the
same unknown workflow. Run with bindings-python's venv (the Python package).
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import ROOT, Serve  # noqa: E402

import agentrules  # noqa: E402

CORPUS = os.environ.get("AGENTRULES_CONFORMANCE_DIR", os.path.join(ROOT, "tests", "conformance"))
KEY = "npk_agree"


def request(base, method, path, body=None):
    req = urllib.request.Request(base + "/api/v0" + path, data=body, method=method,
                                 headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def terminal(base, agent):
    for _ in range(6000):
        status, v = request(base, "GET", f"/agents/{agent}")
        assert status == 200, v
        if v["data"]["status"] in ("finished", "stopped", "failed"):
            return
        time.sleep(0.005)
    raise AssertionError(f"agent {agent} never ended")


def pairs(violations):
    return sorted([v["path"], v["code"]] for v in violations)


def main():
    npm = json.loads(subprocess.run(["node", os.path.join(ROOT, "server", "tests", "js", "corpus_reports.mjs")],
                                    check=True, capture_output=True, text=True).stdout)
    cases = []
    for file in ["launch.json", "followup.json"]:
        for i, c in enumerate(json.load(open(os.path.join(CORPUS, file)))):
            cases.append((f"{file}#{i}", c))
    groups = {}
    for name, c in cases:
        ctx = dict(c.get("context") or {})
        wf = ctx.pop("workflow", None)
        if wf is not None and "id" not in wf:
            # A definition without an id applies to whatever workflowId the body names.
            body = c.get("input")
            wf = dict(wf, id=body.get("workflowId") if isinstance(body, dict) else None)
        key = json.dumps([ctx, wf], sort_keys=True)
        groups.setdefault(key, []).append((name, c))
    agreed = not_found = 0
    failures = []
    for key, members in groups.items():
        ctx, wf = json.loads(key)
        config = dict(ctx, keys=[{"key": KEY}], rateLimits=False, workflows=[])
        if wf is not None:
            config["workflows"] = [{"id": wf["id"], "slots": wf.get("slots", [])}] if "slots" in wf else []
            if "slots" not in wf:
                failures.append((members[0][0], "a context workflow without slots has no server form"))
                continue
        with Serve(config=config) as srv:
            agent = None
            for name, c in members:
                raw = c["raw"] if "raw" in c else json.dumps(c["input"])
                context = json.dumps(c["context"]) if "context" in c else None
                py = pairs([{"path": v.path, "code": v.code} for v in agentrules.check(c["kind"], raw, context).violations])
                js = sorted(npm[name])
                if c["kind"] == "launch":
                    status, body = request(srv.base, "POST", "/agents", raw.encode())
                    accepted = 201
                else:
                    if agent is None:
                        s, b = request(srv.base, "POST", "/agents", json.dumps({"prompt": {"text": "base"}}).encode())
                        assert s == 201, b
                        agent = b["data"]["id"]
                    terminal(srv.base, agent)
                    status, body = request(srv.base, "POST", f"/agents/{agent}/followup", raw.encode())
                    accepted = 202
                if py != js:
                    failures.append((name, f"python {py} != npm {js}"))
                    continue
                if not py:
                    if status == accepted:
                        agreed += 1
                    elif status == 404 and body.get("code") == "not_found" and c["kind"] == "launch":
                        not_found += 1
                    else:
                        failures.append((name, f"library accepts, server {status} {body}"))
                elif py == [["/workflowId", "workflow_mismatch"]]:
                    # The library was given the definition of another workflow; the server looks
                    # definitions up by id, so for it the named workflow is unknown: 404.
                    if status == 404 and body.get("code") == "not_found":
                        not_found += 1
                    else:
                        failures.append((name, f"library {py}, server {status} {body}"))
                elif status != 400 or pairs(body.get("violations", [])) != py:
                    failures.append((name, f"library {py}, server {status} {pairs(body.get('violations', []))}"))
                else:
                    agreed += 1
    total = len(cases)
    print(f"{total} corpus cases in {len(groups)} contexts: {agreed} agree exactly, "
          f"{not_found} with a workflow unknown to the server (library: accepted or workflow_mismatch; server: 404), "
          f"{len(failures)} disagree")
    for name, why in failures:
        print(f"  {name}: {why}")
    if failures or agreed + not_found != total:
        sys.exit(1)


if __name__ == "__main__":
    main()
