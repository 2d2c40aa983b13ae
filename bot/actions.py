"""Card buttons and the message shortcut: acknowledge at once, or open the modal they need."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import modals
from bot.answers import answer, responder
from desk.chat import ChatCaller, ChatDesk

TEXT_MODALS = {"ticket_resolve": "resolve", "ticket_escalate": "escalate", "ticket_reply": "reply"}


def caller(body: dict[str, Any]) -> ChatCaller:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    return ChatCaller(body["user"]["id"], channel)


def register(app: App, desk: ChatDesk) -> None:
    @app.action("ticket_ack")
    def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond,
                    context: BoltContext) -> None:  # fmt: skip
        ack()
        ref = body["actions"][0].get("value", "")
        answer(responder(respond), lambda: desk.acknowledge(caller(body), ref), desk=desk,
               key=context.get("delivery_key"))  # fmt: skip

    def open_text_modal(ack: Ack, body: dict[str, Any], respond: Respond,
                        client: WebClient) -> None:  # fmt: skip
        ack()
        who, action = caller(body), body["actions"][0]
        ref = action.get("value", "")

        def open_modal() -> None:
            desk.check_act(who, ref)
            view = modals.ticket_text_modal(TEXT_MODALS[action["action_id"]], ref, who.channel_id)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        answer(responder(respond), open_modal, desk=desk)

    for action_id in TEXT_MODALS:
        app.action(action_id)(open_text_modal)

    @app.action("ticket_reassign")
    def reassign(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        who, ref = caller(body), body["actions"][0].get("value", "")

        def open_modal() -> None:
            desk.check_act(who, ref)
            view = modals.reassign_modal(ref, who.channel_id, desk.groups(), None)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        answer(responder(respond), open_modal, desk=desk)

    @app.shortcut("create_ticket_from_message")
    def from_message(ack: Ack, body: dict[str, Any], respond: Respond,
                     client: WebClient) -> None:  # fmt: skip
        ack()
        who = caller(body)
        text = (body.get("message") or {}).get("text") or ""
        subject = text.strip().splitlines()[0][:120] if text.strip() else ""

        def open_modal() -> None:
            desk.check_desk(who, "open tickets from Slack")
            view = modals.new_ticket_modal(who.channel_id, "slack", subject, text)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        answer(responder(respond), open_modal, desk=desk)
