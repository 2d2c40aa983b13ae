"""Running one desk call for a Slack user and telling them the outcome, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from desk.chat import ChatCaller, ChatDesk
from desk.errors import DeskError

log = logging.getLogger("switchdesk.slack")
Send = Callable[[str], Any]
FAILED = (":x: Something went wrong on the desk's side and it may not have been saved; "
          "please try again in a minute, or tell the desk.")  # fmt: skip


def answer(send: Send, work: Callable[[], str | None], *, desk: ChatDesk | None = None,
           key: str | None = None, typed: str = "") -> None:  # fmt: skip
    """Do `work` and send its answer; a user's mistake is explained, a fault is logged.

    `typed` is what the user wrote in a modal: repeated on failure, so nothing is lost. After an
    unexpected fault the delivery key is released so that Slack's retry can try again.
    """
    try:
        text = work()
    except DeskError as exc:
        text = f":warning: {exc}"
    except Exception:  # noqa: BLE001 - a fault must reach the user as a sentence, not a trace
        log.exception("Slack request failed")
        if desk is not None and key:
            _release(desk, key)
        text = FAILED
    else:
        typed = ""
    if text is None:
        return
    if typed:
        text += "\nWhat you wrote (not saved):\n>>> " + typed
    try:
        send(text)
    except Exception:  # noqa: BLE001 - the answer itself could not be delivered
        log.exception("could not tell the Slack user the outcome")


def _release(desk: ChatDesk, key: str) -> None:
    try:
        desk.forget_delivery(key)
    except Exception:  # noqa: BLE001
        log.exception("could not release delivery key %s", key)


def responder(respond: Callable[..., Any]) -> Send:
    """Answer through the request's response_url, seen only by the user."""
    return lambda text: respond(text=text, response_type="ephemeral", replace_original=False)


def notifier(client: WebClient, who: ChatCaller) -> Send:
    """After a modal: an ephemeral line in the channel it came from, else a direct message."""

    def send(text: str) -> None:
        if who.channel_id:
            client.chat_postEphemeral(channel=who.channel_id, user=who.slack_user_id, text=text)
        else:
            client.chat_postMessage(channel=who.slack_user_id, text=text)

    return send
