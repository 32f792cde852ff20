"""With --data, kill -9 the server during a burst of launches, restart it on the same database:
every launch that got a 201 is there (a write is acknowledged only once it is on disk)."""

import json
import os
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request

from common import Serve

CONFIG = {"keys": [{"key": "npk_durable", "owner": "d"}], "rateLimits": False}


def launch(base, key, i):
    body = json.dumps({"prompt": {"text": f"burst {i}"}}).encode()
    req = urllib.request.Request(base + "/api/v0/agents", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 201
        return json.load(r)["data"]["id"]


def get(base, key, path):
    req = urllib.request.Request(base + "/api/v0" + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_every_acknowledged_launch_survives_kill_9():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "state.db")
        acked, lock, stop = [], threading.Lock(), threading.Event()
        srv = Serve(config=CONFIG, data=db)

        def worker(w):
            i = 0
            while not stop.is_set():
                try:
                    id_ = launch(srv.base, "npk_durable", f"{w}-{i}")
                except Exception:
                    return  # the server is gone: the answer was never received
                with lock:
                    acked.append(id_)
                i += 1

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        while len(acked) < 150:
            time.sleep(0.01)
        os.kill(srv.proc.pid, signal.SIGKILL)  # in the middle of the burst
        srv.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        with lock:
            acknowledged = list(acked)
        assert len(acknowledged) >= 150
        with Serve(config=CONFIG, data=db) as again:
            missing = [a for a in acknowledged if get(again.base, "npk_durable", f"/agents/{a}")[0] != 200]
            assert missing == [], f"{len(missing)} acknowledged launches lost"
            listed, cursor = [], None
            while True:
                q = "/agents?limit=100" + (f"&cursor={cursor}" if cursor else "")
                status, page = get(again.base, "npk_durable", q)
                assert status == 200, page
                listed += [a["id"] for a in page["data"]]
                cursor = page["nextCursor"]
                if not cursor:
                    break
            assert len(listed) == len(set(listed)), "an agent is listed twice"
            assert set(acknowledged) <= set(listed)
            # Agents caught working resume their pipeline after the restart.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                statuses = {get(again.base, "npk_durable", f"/agents/{a}")[1]["data"]["status"] for a in acknowledged[-20:]}
                if statuses == {"finished"}:
                    break
                time.sleep(0.1)
            assert statuses == {"finished"}, statuses
            print(f"{len(acknowledged)} acknowledged before kill -9, {len(listed)} listed after the restart, none lost")
