"""The Python probe of scripts/hostile: runs one call through the package from a JSON spec and
prints one line {"outcome": ...}: the report's codes, the refusal's code, the decision.
`check_file.py <kind> <file>` (the old form) checks the file's bytes."""
import json
import sys

import agentrules


def codes(r):
    return "ok" if r.ok else ", ".join(sorted({v.code for v in r.violations}))


def read(p):
    with open(p, "rb") as f:
        return f.read()


def refusal(e):
    code = getattr(e, "code", None)
    if code is None:
        return f"refused {type(e).__name__}"
    vs = sorted({v.code for v in getattr(e, "violations", ()) or ()})
    return f"refused {code}" + (f" ({', '.join(vs)})" if vs else "")


class FloatMutates(int):
    """An int above 2**64 whose __float__/__index__/__int__ change the dict it is in (item 3)."""

    def __new__(cls, victim):
        obj = super().__new__(cls, 2**70)
        obj.victim = victim
        return obj

    def _mutate(self):
        self.victim.clear()
        self.victim.update({f"k{i}": i for i in range(5)})

    def __float__(self):
        self._mutate()
        return 1.0

    def __index__(self):
        self._mutate()
        return 1

    def __int__(self):
        self._mutate()
        return 1


def num(n):
    return float("nan") if n == "NaN" else n


def run(s):
    call = s["call"]
    if call == "check":
        raw = read(s["input"])
        inp = json.loads(raw) if s.get("as") == "value" else raw
        ctx = read(s["context_file"]) if "context_file" in s else s.get("context")
        return codes(agentrules.check(s["kind"], inp, ctx))
    if call == "sse":
        data, chunk = read(s["input"]), s.get("chunk") or 0
        d, items = agentrules.SseDecoder(), 0
        try:
            for i in range(0, len(data), chunk or max(len(data), 1)):
                items += len(d.push(data[i : i + chunk] if chunk else data))
            d.finish()
        except agentrules.ValidationError as e:
            m = str(e)
            what = "line too long" if "line is longer" in m else "event too large" if "data is larger" in m else m
            return f"{e.code}: {what}"
        return f"ok: {items} items"
    if call == "op":
        return "ok: " + json.dumps(agentrules.evaluate(s["name"], read(s["args"])))
    if call == "decide":
        d = agentrules.PolicyMatrix(read(s["matrix"])).decide(s["tool"], s["role"], num(s["calls"]), True)
        return f"{d.kind}/{d.reason}" if d.reason else d.kind
    if call == "verify_webhook":
        v = agentrules.verify_webhook(s["provider"], [tuple(h) for h in s["headers"]], read(s["body"]), s["secret"], s.get("now", 0))
        return "verified" if v.verified else str(v.reason)
    if call == "verify_google_webhook":
        e = s["expect"]
        v = agentrules.verify_google_webhook(
            [tuple(h) for h in s["headers"]], read(s["keys"]).decode("utf-8", "replace"),
            audience=e.get("audience"), email=e.get("email"), channel_token=e.get("channelToken"),
            skew_seconds=e.get("skewSeconds"), now=s.get("now", 0),
        )
        return "verified" if v.verified else str(v.reason)
    if call == "mutating-int":
        body = {}
        body["limit"] = FloatMutates(body)
        body["status"] = "running"
        r = agentrules.check("list-query", body)
        return "; ".join(f"{v.path} {v.code}" for v in r.violations) or "ok"
    raise SystemExit(f"unknown call {call}")


args = sys.argv[1:]
spec = {"call": "check", "kind": args[0], "input": args[1], "as": "bytes"} if len(args) == 2 else json.loads(args[0])
try:
    outcome = run(spec)
except Exception as e:  # a refusal; pyo3's PanicException is a BaseException: it dies, and the row fails
    outcome = refusal(e)
print(json.dumps({"outcome": outcome}))
