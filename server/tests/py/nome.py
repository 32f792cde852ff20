"""Helpers of the NOME tests: a client (a key and a build identity), the raw bytes of a run's
stream, and the CLI's decoder (`agentrules sse`, the core's SseDecoder) over them."""

import json
import subprocess
import threading

import requests

from common import BIN


class Client:
    """One device of a user: its key and its build identity headers."""

    def __init__(self, base, key, surface, version="2.3.0", revision="r1"):
        self.base = base + "/nome/v1"
        self.http = requests.Session()
        self.http.headers.update({
            "Authorization": f"Bearer {key}",
            "X-Nome-Client-Surface": surface,
            "X-Nome-Client-Version": version,
            "X-Nome-Client-Revision": revision,
        })

    def get(self, path, **kw):
        return self.http.get(self.base + path, timeout=10, **kw)

    def post(self, path, body=None, **kw):
        return self.http.post(self.base + path, json=body, timeout=10, **kw)

    def stream(self, run, last_event_id=None, on_event=None):
        """The raw bytes of the run's stream until the server ends it; `on_event(block)` is
        called with each complete event block as it arrives."""
        headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
        with self.http.get(self.base + f"/runs/{run}/stream", headers=headers, stream=True, timeout=60) as r:
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "text/event-stream"
            raw, pending = b"", b""
            for chunk in r.iter_content(chunk_size=None):
                raw += chunk
                pending += chunk
                while b"\n\n" in pending:
                    block, pending = pending.split(b"\n\n", 1)
                    if on_event and not block.startswith(b":"):
                        on_event(block)
            return raw


class Streamer(threading.Thread):
    """A stream read in the background."""

    def __init__(self, client, run, **kw):
        super().__init__(daemon=True)
        self.client, self.run_id, self.kw, self.raw, self.error = client, run, kw, None, None

    def run(self):
        try:
            self.raw = self.client.stream(self.run_id, **self.kw)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def decode(raw):
    """The events of an SSE byte stream, decoded by the CLI (the core's SseDecoder)."""
    out = subprocess.run([BIN, "sse"], input=raw, capture_output=True, check=True).stdout
    return [json.loads(line) for line in out.decode().splitlines()]


def replay(raw):
    """The CLI's replay (R5) of an SSE byte stream: the bytes it prints, without the newline."""
    out = subprocess.run([BIN, "sse", "--replay"], input=raw, capture_output=True, check=True).stdout
    return out.rstrip(b"\n")


def as_sse(log):
    """A stored log as the stream writes it."""
    text = ""
    for ev in log:
        data = {k: v for k, v in ev.items() if k != "type"}
        text += f"id: {ev['seq']}\nevent: {ev['type']}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"
    return text.encode()
