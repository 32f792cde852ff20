"""Shared helpers of the server's Python tests: start `agentrules serve` on a free loopback
port, wait until it answers, stop it by its pid."""

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.environ.get("AGENTRULES_BIN", os.path.join(ROOT, "target", "debug", "agentrules"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """`agentrules serve` in a child process, on 127.0.0.1."""

    def __init__(self, config=None, data=None, timing="instant", seed=0):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [BIN, "serve", "--port", str(self.port), "--timing", timing, "--seed", str(seed)]
        self._cfg = None
        if config is not None:
            self._cfg = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
            json.dump(config, self._cfg)
            self._cfg.close()
            args += ["--config", self._cfg.name]
        if data is not None:
            args += ["--data", data]
        started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.banner = []
        # The banner: address, key, workflows; then it answers.
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"agentrules serve exited: {''.join(self.banner)}")
            self.banner.append(line)
            if "API key" in line:
                self.key = line.split()[-1]
                break
        # The rest of its output (pipeline logs) is read on, so the server never blocks on a
        # full pipe, and kept for a failing test to show.
        self.output = []
        threading.Thread(target=lambda: self.output.extend(self.proc.stdout), daemon=True).start()
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/openapi.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.01)
        self.startup_s = time.monotonic() - started

    def kill(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        if self._cfg:
            os.unlink(self._cfg.name)
