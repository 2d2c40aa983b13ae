"""The HTTP listener of `serve`: Slack's requests at /slack/events (signature checked by Bolt)
and GET /healthz. Stdlib `http.server` on a thread: small, and enough for a desk's traffic,
since every listener acknowledges at once and works on Bolt's own threads."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App, BoltRequest

log = logging.getLogger("switchdesk.http")
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller
Health = Callable[[], dict[str, Any]]


class HttpListener:
    def __init__(self, host: str, port: int, bolt: App | None, health: Health) -> None:
        self.server = _Server((host, port), _Handler)
        self.server.bolt, self.server.health = bolt, health
        self._thread = threading.Thread(target=self.server.serve_forever, name="http",
                                        daemon=True)  # fmt: skip

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    bolt: App | None
    health: Health


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path.split("?")[0] != "/healthz":
            return self._send(404, {"error": "not found"})
        try:
            report = self.server.health()
        except Exception as exc:  # noqa: BLE001 - health must answer, whatever is broken
            report = {"status": "error", "error": type(exc).__name__}
        self._send(200 if report.get("status") == "ok" else 503, report)

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?")[0] != "/slack/events":
            return self._send(404, {"error": "not found"})
        if self.server.bolt is None:
            return self._send(404, {"error": "Slack HTTP mode is not configured "
                                             "(SWITCHDESK_SLACK_BOT_TOKEN and _SIGNING_SECRET)"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(413, {"error": "request too large"})
        body = self.rfile.read(length).decode("utf-8", "replace")
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        query = self.path.partition("?")[2]
        response = self.server.bolt.dispatch(BoltRequest(body=body, query=query, headers=headers))
        data = (response.body or "").encode("utf-8")
        self.send_response(response.status)
        for name, values in response.headers.items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug("%s " + format, self.address_string(), *args)
