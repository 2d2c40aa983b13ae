"""Each Slack delivery is handled once: events by event_id (Slack's retries, marked by
X-Slack-Retry-Num, repeat it), clicks by user/action/action_ts, submissions by view id.

The key is recorded before the listener runs (insert-or-ignore, safe across processes); a
listener that fails unexpectedly releases it (bot.answers) so that the retry is handled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from desk.chat import ChatDesk


def delivery_key(body: dict[str, Any]) -> str | None:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("type") == "block_actions" and body.get("actions"):
        action = body["actions"][0]
        return f"action:{body['user']['id']}:{action.get('action_id')}:{action.get('action_ts')}"
    if body.get("type") == "view_submission":
        return f"view:{body['view']['id']}"
    return None


def dedupe(desk: ChatDesk) -> Callable[..., BoltResponse | None]:
    def middleware(body: dict[str, Any], context: BoltContext,
                   next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002 - Bolt's name
        key = delivery_key(body)
        if key is not None:
            if not desk.first_delivery(key):
                return BoltResponse(status=200, body="")  # seen: acknowledged, nothing done
            context["delivery_key"] = key
        next()
        return None

    return middleware
