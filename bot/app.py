"""The Bolt app, built from the desk's chat port: listeners are registered by module."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot import actions, commands, events, submissions
from bot.dedupe import dedupe
from desk.chat import ChatDesk


def create_app(desk: ChatDesk, *, token: str, signing_secret: str | None, api_url: str,
               logger: logging.Logger | None = None) -> App:  # fmt: skip
    """Calls `auth.test` once at start (token verification), so a bad token fails early and
    Bolt learns the bot's own user id to ignore its own messages."""
    client = WebClient(token=token, base_url=api_url)
    app = App(client=client, signing_secret=signing_secret or "",
              logger=logger or logging.getLogger("switchdesk.slack.bolt"))  # fmt: skip
    app.middleware(dedupe(desk))
    for module in (commands, actions, submissions, events):
        module.register(app, desk)
    return app


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """Socket Mode over slack_sdk's built-in client: `connect()` to start, `close()` to stop."""
    return SocketModeHandler(app, app_token)
