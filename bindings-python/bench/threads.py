"""Thread scaling of the Python package: N threads each validating their own copy of a table
(100k valid rows by default, and a variant with one invalid row) with one TableValidator, and
N threads each checking launch bodies. Prints rows (or bodies) per second for 1 and N threads
and the ratio. A measurement (issue 18's "Threads"), not a test: run it on a quiet machine.

    python bench/threads.py [--rows 100000] [--threads 4]
"""

from __future__ import annotations

import argparse
import threading
import time

import agentrules


def timed(threads: int, work) -> float:
    barrier = threading.Barrier(threads + 1)

    def run() -> None:
        barrier.wait()
        work()

    ts = [threading.Thread(target=run) for _ in range(threads)]
    for t in ts:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in ts:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    schema = {
        "type": "object",
        "properties": {"sheet": {"type": "string"}, "count": {"type": "integer", "minimum": 0}, "ok": {"type": "boolean"}},
        "required": ["sheet", "count"],
    }
    v = agentrules.TableValidator(schema)
    valid = [{"key": f"r{i}", "value": {"sheet": f"A-{i}", "count": i, "ok": True}} for i in range(args.rows)]
    one_bad = [dict(r) for r in valid]
    one_bad[-1] = {"key": one_bad[-1]["key"], "value": {"sheet": 1, "count": -1}}
    body = {"prompt": {"text": "Summarise the drawings"}, "fileIds": ["019def34-0000-7000-8000-000000000001"]}
    n_bodies = 20_000

    cases = [
        ("table, all rows valid (the in-place path)", args.rows, lambda rows=valid: v.validate_elements(rows)),
        ("table, one invalid row (converted, validated without the GIL)", args.rows, lambda rows=one_bad: v.validate_elements(rows)),
        ("table as JSON bytes (parsed and validated without the GIL)", args.rows, lambda b=__import__("json").dumps(valid).encode(): v.validate_elements(b)),
        ("validate_launch on dicts", n_bodies, lambda: [agentrules.validate_launch(body) for _ in range(n_bodies)]),
        ("validate_launch on JSON bytes", n_bodies, lambda b=__import__("json").dumps(body).encode(): [agentrules.validate_launch(b) for _ in range(n_bodies)]),
    ]
    for name, items, work in cases:
        work()  # warm
        one = items / timed(1, work)
        many = items * args.threads / timed(args.threads, work)
        print(f"{name}: 1 thread {one:,.0f}/s; {args.threads} threads {many:,.0f}/s ({many / one:.2f}x)")


if __name__ == "__main__":
    main()
