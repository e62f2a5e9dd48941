"""A real webhook receiver: a tiny HTTP server on 127.0.0.1 in a thread.

It answers from a script of status codes (then 200), and keeps every request it got.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, script: list[int] | None = None):
        self.script = list(script or [])
        self.received: list[dict[str, Any]] = []  # every request: status answered, headers, body
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer._lock:
                    status = outer.script.pop(0) if outer.script else 200
                    outer.received.append({"status": status, "headers": dict(self.headers.items()), "body": body})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def accepted(self) -> list[dict[str, Any]]:
        """Payloads answered 2xx, in arrival order."""
        return [json.loads(r["body"]) for r in self.received if 200 <= r["status"] < 300]

    def types(self) -> list[str]:
        return [p["type"] for p in self.accepted()]
