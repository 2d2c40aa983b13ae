"""Slack's side of a conversation with our Bolt app: signed requests, as Slack sends them."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"
T = TypeVar("T")
_ids = itertools.count(1)


def signed_headers(body: str, content_type: str, secret: str = SECRET,
                   timestamp: int | None = None) -> dict[str, list[str]]:  # fmt: skip
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"content-type": [content_type], "x-slack-request-timestamp": [stamp],
            "x-slack-signature": [signature]}  # fmt: skip


def form_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


def wait_for(probe: Callable[[], T], timeout: float = 5.0) -> T:
    """Bolt runs listeners on its threads after the ack: wait for what they do."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def command_body(user: str, text: str, channel: str, response_url: str) -> str:
    return urlencode({"command": "/desk", "text": text, "user_id": user, "channel_id": channel,
                      "team_id": "T0FAKE", "trigger_id": next_id("trigger"),
                      "response_url": response_url})  # fmt: skip


class SlackSide:
    """Sends a user's commands, clicks, submissions and events to the app."""

    def __init__(self, app: App, api_url: str) -> None:
        self.app, self.api_url = app, api_url

    def dispatch(self, body: str, content_type: str,
                 extra: dict[str, list[str]] | None = None) -> BoltResponse:  # fmt: skip
        headers = signed_headers(body, content_type) | (extra or {})
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def command(self, user: str, text: str, channel: str = "C0DESKTRI1"
                ) -> tuple[BoltResponse, str]:  # fmt: skip
        """`/desk TEXT`; returns the response and the response_url's method name at the fake."""
        method = next_id("respond")
        body = command_body(user, text, channel, f"{self.api_url}{method}")
        return self.dispatch(body, "application/x-www-form-urlencoded"), method

    def click(self, user: str, action_id: str, ref: str, channel: str = "C0REGSVC01",
              action_ts: str | None = None) -> tuple[BoltResponse, str]:  # fmt: skip
        method = next_id("respond")
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0FAKE"},
                   "channel": {"id": channel}, "trigger_id": next_id("trigger"),
                   "container": {"type": "message", "channel_id": channel,
                                 "message_ts": "1700000001.000001"},
                   "response_url": f"{self.api_url}{method}",
                   "actions": [{"action_id": action_id, "block_id": "card", "value": ref,
                                "type": "button",
                                "action_ts": action_ts or f"{time.time():.6f}"}]}  # fmt: skip
        return self.dispatch(form_body(payload), "application/x-www-form-urlencoded"), method

    def shortcut(self, user: str, text: str, channel: str = "C0DESKTRI1") -> BoltResponse:
        payload = {"type": "message_action", "callback_id": "create_ticket_from_message",
                   "user": {"id": user}, "team": {"id": "T0FAKE"}, "channel": {"id": channel},
                   "trigger_id": next_id("trigger"), "message_ts": "1700000002.000002",
                   "response_url": f"{self.api_url}{next_id('respond')}",
                   "message": {"type": "message", "user": "U0SOMEONE1", "text": text,
                               "ts": "1700000002.000002"}}  # fmt: skip
        return self.dispatch(form_body(payload), "application/x-www-form-urlencoded")

    def submit(self, user: str, view: dict[str, Any], typed: dict[str, str],
               view_id: str | None = None) -> BoltResponse:  # fmt: skip
        """Submit a modal we opened, with `typed` values by block id (initial values kept)."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            element, block_id = block["element"], block["block_id"]
            if element["type"] == "static_select":
                chosen = typed.get(block_id) or (element.get("initial_option") or {}).get("value")
                state[block_id] = {"value": {"type": "static_select", "selected_option":
                                             {"value": chosen} if chosen else None}}
            else:
                text = typed.get(block_id, element.get("initial_value", ""))
                state[block_id] = {"value": {"type": "plain_text_input", "value": text or None}}
        payload = {"type": "view_submission", "user": {"id": user}, "team": {"id": "T0FAKE"},
                   "view": {**view, "id": view_id or next_id("V"), "state": {"values": state}}}
        return self.dispatch(form_body(payload), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], event_id: str | None = None,
              retry: int | None = None) -> BoltResponse:  # fmt: skip
        body = json.dumps({"type": "event_callback", "team_id": "T0FAKE", "api_app_id": "A0FAKE",
                           "event_id": event_id or next_id("Ev"), "event_time": int(time.time()),
                           "event": event})  # fmt: skip
        extra = {"x-slack-retry-num": [str(retry)], "x-slack-retry-reason": ["http_timeout"]
                 } if retry else None  # fmt: skip
        return self.dispatch(body, "application/json", extra)
