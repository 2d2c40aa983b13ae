"""Events: a reply in a ticket card's thread becomes an internal note; App Home shows the
person's queue and the most urgent tickets."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import render
from bot.answers import answer
from desk.chat import ChatCaller, ChatDesk
from desk.errors import DeskError

log = logging.getLogger("switchdesk.slack")

# A person's message: plain, also sent to the channel, or with files attached.
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}


def note_text(event: dict[str, Any]) -> str:
    """The reply's text, naming the files shared with it (their content stays in Slack)."""
    text = event.get("text") or ""
    names = [f.get("name") or f.get("title") or "file" for f in event.get("files") or []]
    return "\n".join(filter(None, [text, f"[files in Slack: {', '.join(names)}]" if names
                                         else ""]))  # fmt: skip


def register(app: App, desk: ChatDesk) -> None:
    @app.event("message")
    def thread_reply(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        thread_ts = event.get("thread_ts")
        if (event.get("bot_id") or event.get("subtype") not in PERSON_SUBTYPES
                or not event.get("user") or not thread_ts or thread_ts == event.get("ts")):
            return  # not a person's reply in a thread
        who = ChatCaller(event["user"], event.get("channel"))

        def note() -> str | None:
            done = desk.thread_note(who, thread_ts, note_text(event))
            if done is not None:
                client.reactions_add(channel=who.channel_id, timestamp=event["ts"], name="memo")
            return None  # the reaction is the answer; only refusals are written

        def tell(text: str) -> None:
            client.chat_postEphemeral(channel=who.channel_id, user=who.slack_user_id,
                                      thread_ts=thread_ts, text=text)  # fmt: skip

        answer(tell, note, desk=desk, key=context.get("delivery_key"))

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        who = ChatCaller(event["user"], None)
        try:
            view = render.home_view(desk.home(who))
        except DeskError as exc:
            view = {"type": "home", "blocks": [{"type": "section", "text": {
                "type": "mrkdwn", "text": f":wave: {exc}"}}]}  # fmt: skip
        try:
            client.views_publish(user_id=who.slack_user_id, view=view)
        except Exception:  # noqa: BLE001 - the home tab is a convenience; log and go on
            log.exception("could not publish the App Home of %s", who.slack_user_id)
