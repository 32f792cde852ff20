#!/usr/bin/env python3
"""Seeds each fuzz target's corpus from tests/conformance (and the golden run log), and writes
fuzz/dict/json.dict from the corpus's keys. Run by scripts/fuzz; idempotent (files are named by
their content's hash)."""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fuzz = os.path.join(root, "fuzz")
cases = []
for f in sorted(glob.glob(os.path.join(root, "tests/conformance/*.json"))):
    cases += json.load(open(f, encoding="utf-8"))

# The op and kind names from the core's registries, through the CLI (`scripts/fuzz` builds it).
cli = os.environ.get("AGENTRULES_CLI", os.path.join(root, "target/debug/agentrules"))
ops = [o["op"] for o in json.loads(subprocess.check_output([cli, "op", "--list", "--format", "json"]))]
kinds = [k["kind"] for k in json.loads(subprocess.check_output([cli, "kinds", "--format", "json"]))]
if len(ops) < 10 or len(kinds) < 10:
    sys.exit(f"seed.py: the registries look empty: {ops} {kinds}")


def text(c):
    return c["raw"].encode() if "raw" in c else json.dumps(c["input"], ensure_ascii=False).encode()


def put(target, data):
    d = os.path.join(fuzz, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(d, name)
    if not os.path.exists(path):
        open(path, "wb").write(data)


def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()


for c in cases:
    kind, op = c.get("kind"), c.get("op")
    if kind in ("launch", "followup"):
        put("launch", bytes([0 if kind == "launch" else 0x80]) + text(c))
    if kind == "table" and isinstance(c.get("input"), dict):
        put("table", compact(c["input"].get("schema")) + b"\n" + compact(c["input"].get("elements")))
    if kind == "table-schema" and "input" in c:
        put("table", compact(c["input"]) + b"\n[]")
    if kind == "policy-matrix" and "input" in c:
        put("policy", compact(c["input"]) + b"\nsend_email,member,0,1\nweb_search,admin,9,0\n")
    if op == "decide":
        put("policy", compact(c["args"]["matrix"]) + "\n{},{},{},{}\n".format(c["args"]["tool"], c["args"]["role"], c["args"]["calls"], int(c["args"]["online"])).encode())
    if op == "sse_decode":
        stream = b"".join(ch.encode() if isinstance(ch, str) else bytes.fromhex(ch["hex"]) for ch in c["args"]["chunks"])
        put("sse", b"\x03" + stream)
    if kind == "run-log" and "input" in c:
        put("replay", text(c))
    if op == "replay":
        put("replay", compact(c["args"]["log"]))
    if op == "verify_webhook":
        a = c["args"]
        hs = a["headers"].items() if isinstance(a["headers"], dict) else a["headers"]
        body = a["body"].encode() if isinstance(a["body"], str) else bytes.fromhex(a["body"]["hex"]) if "hex" in a["body"] else b""
        sel = ["github", "slack", "whatsapp"].index(a["provider"])
        put("webhook", bytes([sel]) + "\n".join(f"{n}: {v}" for n, v in hs).encode() + b"\0" + a["secret"].encode() + b"\0" + body)
    if op == "verify_google_webhook":
        a = c["args"]
        hs = a["headers"].items() if isinstance(a["headers"], dict) else a["headers"]
        tokens = [v.split(" ", 1)[-1] for n, v in hs if n.lower() == "authorization"] or [""]
        keys = a.get("keys")
        tail = b"" if keys is None else b"\0" + (keys if isinstance(keys, str) else json.dumps(keys, separators=(",", ":"))).encode()
        put("google", bytes([1]) + tokens[0].encode() + tail)
    if op in ops:
        put("ops", bytes([(ops.index(op) * 2) % 256]) + compact(c["args"]))
    if kind in kinds:
        put("ops", bytes([(kinds.index(kind) * 2 + 1) % 256]) + text(c))
golden = open(os.path.join(root, "tests/golden/run-log.json"), "rb").read()
put("replay", golden)

keys = set()


def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            keys.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)


for c in cases:
    for part in ("input", "args", "context"):
        if part in c:
            walk(c[part])
esc = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')
lines = ["# JSON tokens and the keys of the agentrules documents (written by fuzz/seed.py from tests/conformance)"]
lines += ['"%s"' % esc(t) for t in ["{", "}", "[", "]", ":", ",", '"', "null", "true", "false", "0", "-1", "1e999", "0.5", '"\\u0000"', '"\\ud800"']]
lines += ['"%s"' % esc('"' + k + '"') for k in sorted(keys) if re.fullmatch(r"[ -~]{1,40}", k)]
os.makedirs(os.path.join(fuzz, "dict"), exist_ok=True)
open(os.path.join(fuzz, "dict/json.dict"), "w").write("\n".join(lines) + "\n")
counts = {t: len(os.listdir(os.path.join(fuzz, "corpus", t))) for t in sorted(os.listdir(os.path.join(fuzz, "corpus")))}
print("seeded:", ", ".join(f"{t} {n}" for t, n in counts.items()), file=sys.stderr)
