"""A local fake of Slack's Web API over real HTTP, for the real `slack_sdk` WebClient.

Point a client at `FakeSlack.base_url` (it ends in `/api/`). Every call is recorded with its
arguments; `fail(method, ...)` scripts the next answers of one method: an HTTP status (429 with
Retry-After, 500), or a Slack error payload (`{"ok": false, "error": "channel_not_found"}`).
Messages posted get increasing `ts` values, and `chat.update` edits them in place, so a test
can read the channel as a person would see it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.support.smtp import free_port


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    token: str | None


@dataclass
class Failure:
    status: int = 200
    error: str | None = None  # a Slack error code, answered with HTTP 200 and ok: false
    retry_after: float | None = None
    applied: bool = False  # the call takes effect, but its answer is lost (a failed response)


@dataclass
class Posted:
    channel: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    edits: int = 0
    metadata: dict[str, Any] | None = None


@dataclass
class FakeSlack:
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], Posted] = field(default_factory=dict)
    failures: dict[str, deque[Failure]] = field(default_factory=dict)
    valid_token: str | None = None  # when set, other tokens get invalid_auth
    delays: dict[str, float] = field(default_factory=dict)  # method -> seconds before answering
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def fail(self, method: str, times: int = 1, status: int = 200, error: str | None = None,
             retry_after: float | None = None, applied: bool = False) -> None:  # fmt: skip
        """Answer the next `times` calls of `method` with a failure instead of success.

        `applied=True` carries the call out first, as when Slack acted but the answer was lost.
        """
        with self.lock:
            queue = self.failures.setdefault(method, deque())
            queue.extend(Failure(status, error, retry_after, applied) for _ in range(times))

    def slow(self, method: str, seconds: float) -> None:
        """Answer every call of `method` only after `seconds` (a slow network, a busy Slack)."""
        self.delays[method] = seconds

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def channel(self, channel: str) -> list[Posted]:
        """The channel's messages in order, as they stand after edits."""
        with self.lock:
            return sorted((m for m in self.messages.values() if m.channel == channel),
                          key=lambda m: float(m.ts))  # fmt: skip

    def thread(self, channel: str, ts: str) -> list[Posted]:
        return [m for m in self.channel(channel) if m.thread_ts == ts]

    # --- the server side -------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any], token: str | None,
               ) -> tuple[int, dict[str, str], dict[str, Any]]:  # fmt: skip
        with self.lock:
            self.calls.append(Call(method, args, time.monotonic(), token))
            delay = self.delays.get(method, 0.0)
        if delay:
            time.sleep(delay)
        with self.lock:
            queue = self.failures.get(method)
            failure = queue.popleft() if queue else None
            if failure is not None:
                if failure.applied:
                    self._succeed(method, args)
                headers = {}
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(int(failure.retry_after))
                if failure.status != 200:
                    return failure.status, headers, {"ok": False, "error": "ratelimited"
                                                      if failure.status == 429 else "fatal_error"}
                return 200, headers, {"ok": False, "error": failure.error or "fatal_error"}
            if self.valid_token is not None and token != self.valid_token:
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            problem = block_kit_problem(args) if method.startswith("chat.") else None
            if problem is not None:
                return 200, {}, {"ok": False, "error": problem}
            return 200, {}, self._succeed(method, args)

    def _succeed(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake",
                    "user": "switchdesk", "team_id": "T0FAKE", "user_id": "U0BOT",
                    "bot_id": "B0BOT"}  # fmt: skip
        if method in ("chat.postMessage", "chat.postEphemeral"):
            self._ts += 1
            ts = f"{1_700_000_000 + self._ts}.{self._ts:06d}"
            channel = args.get("channel", "")
            if method == "chat.postMessage":
                self.messages[(channel, ts)] = Posted(
                    channel, ts, args.get("text", ""), _maybe_json(args.get("blocks")),
                    args.get("thread_ts"), metadata=_maybe_json(args.get("metadata")))  # fmt: skip
                return {"ok": True, "channel": channel, "ts": ts,
                        "message": {"text": args.get("text", ""), "ts": ts}}  # fmt: skip
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            key = (args.get("channel", ""), args.get("ts", ""))
            posted = self.messages.get(key)
            if posted is None:
                return {"ok": False, "error": "message_not_found"}
            posted.text = args.get("text", posted.text)
            posted.blocks = _maybe_json(args.get("blocks")) or posted.blocks
            posted.edits += 1
            return {"ok": True, "channel": key[0], "ts": key[1], "text": posted.text}
        if method == "chat.delete":
            removed = self.messages.pop((args.get("channel", ""), args.get("ts", "")), None)
            return {"ok": True} if removed else {"ok": False, "error": "message_not_found"}
        if method in ("conversations.history", "conversations.replies"):
            return {"ok": True, "has_more": False,
                    "messages": self._listing(method, args)}  # fmt: skip
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = _maybe_json(args.get("view")) or {}
            return {"ok": True, "view": {**view, "id": f"V{len(self.calls):08d}"}}
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": args.get("channel"), "name": "fake"}}
        if method == "users.info":
            return {"ok": True, "user": {"id": args.get("user"), "name": "someone"}}
        return {"ok": True}


    def _listing(self, method: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        """A channel's top level newest first (history), or one thread oldest first (replies)."""
        channel = args.get("channel", "")
        mine = sorted((m for m in self.messages.values() if m.channel == channel),
                      key=lambda m: float(m.ts))  # fmt: skip
        if method == "conversations.history":
            picked = [m for m in reversed(mine) if m.thread_ts in (None, m.ts)]
        else:
            root = args.get("ts", "")
            picked = [m for m in mine if m.ts == root or m.thread_ts == root]
        limit = int(args.get("limit") or 100)
        return [{"type": "message", "ts": m.ts, "text": m.text, "thread_ts": m.thread_ts,
                 **({"metadata": m.metadata} if m.metadata else {})}
                for m in picked[:limit]]  # fmt: skip


def block_kit_problem(args: dict[str, Any]) -> str | None:
    """The error Slack answers for a message over Block Kit's limits, or None if it fits."""
    if len(str(args.get("text") or "")) > 40000:
        return "msg_too_long"
    blocks = _maybe_json(args.get("blocks")) or []
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        kind, text = block.get("type"), (block.get("text") or {}).get("text", "")
        fields = block.get("fields") or []
        if (kind == "header" and len(text) > 150) or len(text) > 3000 or len(fields) > 10 \
                or any(len(f.get("text", "")) > 2000 for f in fields):  # fmt: skip
            return "invalid_blocks"
        for element in block.get("elements") or []:
            label = element.get("text")
            label = label.get("text", "") if isinstance(label, dict) else str(label or "")
            limit = 75 if element.get("type") == "button" else 3000
            if len(label) > limit or len(str(element.get("value") or "")) > 2000:
                return "invalid_blocks"
    return None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        path, _, query = self.path.partition("?")
        method = path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        kind = self.headers.get("Content-Type", "")
        if "json" in kind:
            args = json.loads(raw or "{}")
        else:
            args = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        args.update({k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()})
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        status, headers, body = self.server.fake.answer(method, args, token)
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST  # noqa: N815 - a few Web API methods are fetched with GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlack


@contextmanager
def fake_slack(fake: FakeSlack | None = None) -> Iterator[FakeSlack]:
    fake = fake or FakeSlack()
    fake.port = free_port()
    server = _Server(("127.0.0.1", fake.port), _Handler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, name="fake-slack", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
