"""Two ways to put tests/support/fakegithub.py's `FakeGithub` on the wire.

- `mount(fake, rsps)`: behind `responses`, for in-process tests; a schema violation raises
  in the caller (and stays in `fake.violations`, in case the caller swallowed it);
- `serve(fake)`: a threading `http.server` on 127.0.0.1 (a free port) for a subprocess such
  as the installed `fleetbot action`. It is bounded: it answers at most `max_requests`
  requests (then 429) and stops itself after `lifetime` seconds; a violation is answered
  with a 500 and raised when the block ends.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import responses

from tests.support.fakegithub import FakeGithub


def mount(fake: FakeGithub, rsps: responses.RequestsMock) -> FakeGithub:
    """Answer every request to `fake.base`'s host from `fake`, through `responses`."""
    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        body = json.loads(request.body) if request.body else None
        status, headers, text = fake.handle(request.method, request.url, body,
                                            "Authorization" in request.headers)
        return status, {"Content-Type": "application/json", **headers}, text

    host = re.escape(urlsplit(fake.base).netloc)
    pattern = re.compile(rf"https?://{host}(:\d+)?/.*")
    for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
        rsps.add_callback(method, pattern, callback=callback)
    return fake


@contextmanager
def serve(fake: FakeGithub, *, max_requests: int = 500, lifetime: float = 60.0) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1; yields the base URL; always stops; then `fake.check()`."""
    count = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            count["n"] += 1
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers: dict[str, str] = {}
            if count["n"] > max_requests:
                status, text = 429, json.dumps({"message": "fake GitHub: request budget spent"})
            else:
                try:
                    status, headers, text = fake.handle(
                        self.command, fake.base + self.path, json.loads(raw) if raw else None,
                        "Authorization" in self.headers)
                except Exception as exc:  # recorded in fake.violations
                    status, text = 500, json.dumps({"message": f"fake GitHub: {exc}"})
            out = text.encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    before = fake.base
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield fake.base
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        fake.base = before
    fake.check()
