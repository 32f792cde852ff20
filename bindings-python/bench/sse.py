"""SSE decoding in Python, in one run on the same bytes: agentrules.SseDecoder against httpx-sse's
decoder (its SSELineDecoder and SSEDecoder, the path EventSource.iter_sse takes over
iter_bytes), on a recorded-style 20 MB stream of run text deltas in 16 KiB chunks.

    bindings-python/.venv/bin/python bindings-python/bench/sse.py
"""

import codecs
import statistics
import timeit

from httpx_sse._decoders import SSEDecoder, SSELineDecoder

import agentrules


def recorded(size: int) -> bytes:
    parts = ['event: run.started\nid: 1\ndata: {"runId":"run_1","workItemId":"wi_1","seq":1,"receipt":{"id":"rc_1"}}\n\n']
    n, seq = len(parts[0]), 1
    while n < size:
        seq += 1
        ev = (f'event: text.delta\nid: {seq}\ndata: {{"runId":"run_1","workItemId":"wi_1","seq":{seq},'
              f'"receipt":{{"id":"rc_{seq}"}},"delta":"The stair detail on sheet A-501 meets the egress width "}}\n\n')
        parts.append(ev)
        n += len(ev)
    return "".join(parts).encode()


DATA = recorded(20 * 1024 * 1024)
CHUNKS = [DATA[i : i + 16384] for i in range(0, len(DATA), 16384)]


def ours() -> int:
    d = agentrules.SseDecoder()
    n = sum(len(d.push(c)) for c in CHUNKS)
    d.finish()
    return n


def theirs() -> int:
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines, sse = SSELineDecoder(), SSEDecoder()
    n = 0
    for c in CHUNKS:
        for line in lines.decode(text.decode(c)):
            if sse.decode(line) is not None:
                n += 1
    return n


def main() -> None:
    a, b = ours(), theirs()
    assert a == b, (a, b)
    mib = len(DATA) / 1024 / 1024
    t1 = statistics.median(timeit.repeat(ours, number=1, repeat=5))
    t2 = statistics.median(timeit.repeat(theirs, number=1, repeat=5))
    print(f"{mib:.1f} MiB, {a} events")
    print(f"agentrules SseDecoder  {mib / t1:8.1f} MiB/s")
    print(f"httpx-sse              {mib / t2:8.1f} MiB/s")
    print(f"ratio                  {t2 / t1:.2f}x (≥ 10 is the goal)")


if __name__ == "__main__":
    main()
