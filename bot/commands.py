"""The `/desk` slash command: parse, call the desk, answer ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import modals, render
from bot.answers import answer, responder
from bot.command_parse import USAGE, UsageError, parse_command
from desk.chat import ChatCaller, ChatDesk

Handler = Callable[[ChatDesk, ChatCaller, tuple[str, ...]], str]

HANDLERS: dict[str, Handler] = {
    "help": lambda d, w, a: USAGE,
    "show": lambda d, w, a: render.ticket_detail(d.show(w, a[0])),
    "mine": lambda d, w, a: render.ticket_list(*d.mine(w)),
    "queue": lambda d, w, a: render.ticket_list(*d.queue(w, a[0] if a else None)),
    "assign": lambda d, w, a: d.assign(w, a[0], a[1]),
    "priority": lambda d, w, a: d.set_priority(w, a[0], a[1], a[2]),
    "status": lambda d, w, a: d.set_status(w, a[0], a[1]),
    "note": lambda d, w, a: d.note(w, a[0], a[1]),
    "reply": lambda d, w, a: d.reply(w, a[0], a[1]),
    "resolve": lambda d, w, a: d.resolve(w, a[0], a[1]),
    "escalate": lambda d, w, a: d.escalate(w, a[0], a[1]),
    "kb": lambda d, w, a: render.kb_results(a[0], d.kb(w, a[0])),
    "changes": lambda d, w, a: render.change_list(d.changes(w)),
}
MODALS = {
    "new": ("open tickets from Slack", lambda channel: modals.new_ticket_modal(channel)),
    "bulletin": ("create bulletins", lambda channel: modals.bulletin_modal(channel)),
}


def register(app: App, desk: ChatDesk) -> None:
    @app.command("/desk")
    def desk_command(ack: Ack, command: dict[str, Any], respond: Respond,
                     client: WebClient) -> None:  # fmt: skip
        ack()
        who = ChatCaller(command["user_id"], command.get("channel_id"))
        send = responder(respond)
        try:
            parsed = parse_command(command.get("text") or "")
        except UsageError as exc:
            send(f"{exc}\n{USAGE}")
            return
        if parsed.name in MODALS:
            what, build = MODALS[parsed.name]

            def open_modal() -> None:
                desk.check_desk(who, what)
                client.views_open(trigger_id=command["trigger_id"], view=build(who.channel_id))

            answer(send, open_modal, desk=desk)
            return
        answer(send, lambda: HANDLERS[parsed.name](desk, who, parsed.args), desk=desk)
