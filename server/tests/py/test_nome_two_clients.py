"""Two clients of one user over loopback: a thread, a run streamed to both over SSE, a tool
call that needs approval, the approval given from the second client, the run completing; the
replay of the run (GET /replay) equal, byte for byte, to the core's replay of what was streamed
(`agentrules sse --replay`), and `Last-Event-ID` resuming from the log."""

import time

from common import Serve
from nome import Client, Streamer, decode, replay

CONFIG = {
    "keys": [{"key": "npk_web", "owner": "alice"}, {"key": "npk_phone", "owner": "alice"},
             {"key": "npk_mallory", "owner": "mallory"}],
    "rateLimits": False,
}


def test_two_clients_stream_a_run_and_the_second_approves_its_tool_call():
    with Serve(config=CONFIG, timing="fast") as srv:
        web, phone = Client(srv.base, "npk_web", "web"), Client(srv.base, "npk_phone", "ios", "1.0.0-beta.2", "r9")
        r = web.post("/threads", {"title": "Launch mail"})
        assert r.status_code == 201, r.text
        thread = r.json()["data"]["id"]
        assert phone.get("/threads").json()["data"][0]["id"] == thread  # cross-device history
        assert Client(srv.base, "npk_mallory", "web").get(f"/threads/{thread}").status_code == 403

        r = web.post(f"/threads/{thread}/messages", {"text": "draft it, web_search facts, then send_email", "domainHints": ["mail"]})
        assert r.status_code == 201, r.text
        run = r.json()["data"]["run"]["id"]
        a, b = Streamer(web, run), Streamer(phone, run)
        a.start()
        b.start()

        # The queue shows the request on the other device; it approves with the tier's rank.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            queue = phone.get("/approvals").json()["data"]
            if queue:
                break
            time.sleep(0.02)
        assert len(queue) == 1 and queue[0]["tool"] == "send_email" and queue[0]["tier"] == "user", queue
        assert phone.get(f"/runs/{run}").json()["data"]["status"] == "active"
        r = phone.post(f"/approvals/{queue[0]['id']}/approve")
        assert r.status_code == 200, r.text
        assert r.json()["data"]["decidedBy"] == {"surface": "ios", "version": "1.0.0-beta.2", "revision": "r9", "role": "member"}
        assert phone.post(f"/approvals/{queue[0]['id']}/approve").status_code == 409

        a.join(30)
        b.join(30)
        assert a.error is None and b.error is None, (a.error, b.error)
        assert a.raw == b.raw, "the two devices saw different streams"
        events = decode(a.raw)
        types = [e["event"] for e in events]
        assert types[0] == "run.started" and types[-1] == "run.completed", types
        assert "approval.request" in types and types.count("tool.call") == 2, types
        assert [e["id"] for e in events] == [str(i) for i in range(1, len(events) + 1)]

        # The replay is the core's over the stored log, the same bytes as over the stream.
        r = web.get(f"/runs/{run}/replay")
        assert r.status_code == 200
        assert r.content == replay(a.raw), (r.content, replay(a.raw))
        state = r.json()
        assert state["status"] == "completed" and [c["tool"] for c in state["toolCalls"]] == ["web_search", "send_email"]
        assert web.get(f"/runs/{run}").json()["data"]["status"] == "completed"

        # Last-Event-ID resumes from the log: the rest of the same bytes.
        rest = phone.stream(run, last_event_id=4)
        assert a.raw.endswith(rest) and decode(rest)[0]["id"] == "5"

        # Receipts are typed; the assistant message carries its metadata.
        receipts = web.get(f"/runs/{run}/receipts").json()["data"]
        assert [(x["tool"], x["outcome"]) for x in receipts] == [("web_search", "completed"), ("send_email", "completed")]
        assert receipts[1]["approvalId"] == queue[0]["id"]
        msgs = phone.get(f"/threads/{thread}/messages").json()["data"]
        assert [m["role"] for m in msgs] == ["user", "assistant"]
        md = msgs[1]["metadata"]
        assert md["runId"] == run and md["episodeIds"] == [run] and md["toolsInvoked"] == ["web_search", "send_email"]
        assert md["domainHints"] == ["mail"] and md["tierUsed"] == "local"
        assert msgs[1]["text"] == state["text"]
        print(f"{len(events)} events streamed to both clients, approved from the second, replay equal")
