"""Modal submissions: check the fields (errors shown in the modal), close it, call the desk,
and tell the user the outcome in the channel the modal came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.answers import answer, notifier
from bot.modals import metadata, split_list, values
from desk.chat import BulletinDraft, ChatCaller, ChatDesk, PhoneCall

Work = Callable[[ChatDesk, ChatCaller, dict[str, Any], dict[str, str]], str]
REQUIRED = {
    "resolve_submit": {"text": "Write the resolution the participant will read."},
    "escalate_submit": {"text": "Say why the ticket needs escalating."},
    "reply_submit": {"text": "Write the reply."},
    "reassign_submit": {"group": "Choose a resolver group."},
    "new_ticket_submit": {"from_email": "Whose call was it? Give their e-mail address.",
                          "body": "Write what the participant said."},
    "bulletin_submit": {"title": "A bulletin needs a title.", "body": "A bulletin needs a body."},
}  # fmt: skip
WORK: dict[str, Work] = {
    "resolve_submit": lambda d, w, m, v: d.resolve(w, m["ref"], v["text"]),
    "escalate_submit": lambda d, w, m, v: d.escalate(w, m["ref"], v["text"]),
    "reply_submit": lambda d, w, m, v: d.reply(w, m["ref"], v["text"]),
    "reassign_submit": lambda d, w, m, v: d.assign(w, m["ref"], v["group"]),
    "new_ticket_submit": lambda d, w, m, v: d.log_call(w, PhoneCall(
        v["from_email"], v.get("subject", ""), v["body"], v.get("type") or "incident",
        m.get("via", "phone"))),
    "bulletin_submit": lambda d, w, m, v: d.create_bulletin(w, BulletinDraft(
        v["title"], v["body"], v.get("severity") or "information",
        split_list(v.get("services", "")), split_list(v.get("audience", "")) or ("all",),
        v.get("publish_at") or None)),
}  # fmt: skip


def register(app: App, desk: ChatDesk) -> None:
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                  context: BoltContext) -> None:  # fmt: skip
        callback = view["callback_id"]
        typed, meta = values(view), metadata(view)
        missing = {block: why for block, why in REQUIRED[callback].items() if not typed.get(block)}
        if missing:
            ack(response_action="errors", errors=missing)
            return
        ack()
        who = ChatCaller(body["user"]["id"], meta.get("channel"))
        echo = "\n".join(v for v in typed.values() if v)
        answer(notifier(client, who), lambda: WORK[callback](desk, who, meta, typed),
               desk=desk, key=context.get("delivery_key"), typed=echo)  # fmt: skip

    for callback_id in WORK:
        app.view(callback_id)(submitted)
