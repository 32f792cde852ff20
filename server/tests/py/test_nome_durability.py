"""With --data, kill -9 the server while a run streams; restart it on the same database: the
event log has every event the stream delivered before the kill (the same events), the log is
valid and its replay is the core's, and the run resumes to completed."""

import json
import os
import signal
import tempfile
import threading
import time

from common import Serve
from nome import Client, as_sse, decode, replay

CONFIG = {"keys": [{"key": "npk_durable", "owner": "d"}], "rateLimits": False}


def test_every_streamed_event_survives_kill_9_and_the_run_resumes():
    words = " ".join(f"word{i}" for i in range(80))
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "state.db")
        srv = Serve(config=CONFIG, data=db, timing="fast")
        c = Client(srv.base, "npk_durable", "cli")
        run = c.post("/runs", {"input": words}).json()["data"]["id"]
        received, enough = [], threading.Event()

        def on_event(block):
            received.append(block + b"\n\n")
            if len(received) >= 20:
                enough.set()

        t = threading.Thread(target=lambda: _stream_until_killed(c, run, on_event), daemon=True)
        t.start()
        assert enough.wait(20), f"only {len(received)} events streamed"
        os.kill(srv.proc.pid, signal.SIGKILL)  # in the middle of the run
        srv.proc.wait()
        t.join(10)
        streamed = decode(b"".join(received))
        assert len(streamed) >= 20
        total = 2 + 80 + 2  # run.started, "Working on: ", the words, "Done.", run.completed
        assert len(streamed) < total, "the run ended before the kill: the test proves nothing"

        with Serve(config=CONFIG, data=db, timing="fast") as again:
            c = Client(again.base, "npk_durable", "cli")
            log = c.get(f"/runs/{run}/events").json()["data"]
            by_seq = {e["seq"]: e for e in log}
            for e in streamed:
                stored = by_seq.get(int(e["id"]))
                assert stored is not None, f"event {e['id']} was streamed but is not in the log"
                assert {**json.loads(e["data"]), "type": e["event"]} == stored
            # The stored log replays (R4 holds) to what the server's replay answers.
            r = c.get(f"/runs/{run}/replay")
            assert r.status_code == 200 and r.content == replay(as_sse(log))
            # The run resumes from its stored step and completes, the log contiguous.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and c.get(f"/runs/{run}").json()["data"]["status"] != "completed":
                time.sleep(0.05)
            log = c.get(f"/runs/{run}/events").json()["data"]
            assert [e["seq"] for e in log] == list(range(1, total + 1))
            full = c.stream(run)
            assert full.startswith(b"".join(received)), "the log after the restart does not extend what was streamed"
            r = c.get(f"/runs/{run}/replay")
            assert r.content == replay(full) and r.json()["status"] == "completed"
            print(f"{len(streamed)} events streamed before kill -9, all in the log; resumed to {total} events")


def _stream_until_killed(client, run, on_event):
    try:
        client.stream(run, on_event=on_event)
    except Exception:  # noqa: BLE001 - the server was killed under the stream
        pass
