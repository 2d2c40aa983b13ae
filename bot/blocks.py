"""Block Kit for what the desk posts: ticket cards, thread lines, alerts. Pure functions.

Everything is cut to Block Kit's limits before it leaves, with a pointer to the full ticket,
so Slack never rejects a card for being long. Text that came from outside (subjects, names,
e-mail) is escaped, so nobody can mention @channel through a ticket.
"""

from __future__ import annotations

import re
from typing import Any

from desk.broadcast.times import local
from desk.chat_port import TicketCard

HEADER_MAX, SECTION_MAX, FIELD_MAX, FIELDS_MAX = 150, 3000, 2000, 10
BUTTON_MAX, BLOCKS_MAX, TEXT_MAX = 75, 50, 40000

# action_id -> button text; the inbound listeners answer these ids (value = the ticket ref)
ACTIONS = {
    "ticket_ack": "Acknowledge",
    "ticket_resolve": "Resolve",
    "ticket_reassign": "Reassign",
    "ticket_escalate": "Escalate",
    "ticket_reply": "Reply to participant",
}
_STYLES = {"ticket_resolve": "primary", "ticket_escalate": "danger"}
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters, so outside text is shown, never acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pointer(ref: str | None) -> str:
    return f"… see `switchdesk tickets show {ref}`" if ref else "…"


def cut(text: str, limit: int, ref: str | None = None) -> str:
    """`text` if it fits, else as much as fits followed by a pointer to the whole ticket."""
    if len(text) <= limit:
        return text
    tail = pointer(ref)
    head = _PARTIAL_ENTITY.sub("", text[: max(0, limit - len(tail) - 1)])
    return f"{head.rstrip()} {tail}"[:limit]


def plain_cut(text: str, limit: int) -> str:
    """For plain_text (headers, buttons): no room for a pointer, an ellipsis says it is cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ticket_card(card: TicketCard) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for a ticket's card; the same shape for a post and an edit."""
    ref = card.ref
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": False,
                                    "text": plain_cut(f"{ref} · {card.priority} · {card.summary}",
                                                      HEADER_MAX)}},  # fmt: skip
        {"type": "section", "fields": _fields(card)},
    ]
    if card.triage_summary:
        blocks.append(_section(f"*Triage:* {escape(card.triage_summary)}", ref))
    if card.reasons:
        reasons = "\n".join(f"• {escape(r)}" for r in card.reasons)
        blocks.append(_section(f"*Why:*\n{reasons}", ref))
    blocks.append({"type": "actions", "block_id": f"ticket:{ref}", "elements": [
        _button(action_id, label, ref) for action_id, label in ACTIONS.items()]})  # fmt: skip
    if card.updated_at is not None:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"Updated {local(card.updated_at)}"}]})  # fmt: skip
    text = cut(f"{ref} [{card.priority} {card.status}] {escape(card.summary)}", 300, ref)
    return text, blocks[:BLOCKS_MAX]


def _fields(card: TicketCard) -> list[Block]:
    ref = card.ref
    values = [
        ("Status", card.status.replace("_", " ")),
        ("Priority", card.priority),
        ("Type", card.type),
        ("Category", card.category),
        ("Organisation", card.organisation),
        ("Requester", card.requester),
        ("Resolver", card.resolver),
        ("SLA due", local(card.sla_due) if card.sla_due else None),
        ("MPxNs", ", ".join(card.mpxns) if card.mpxns else None),
    ]
    return [{"type": "mrkdwn", "text": cut(f"*{name}*\n{escape(value)}", FIELD_MAX, ref)}
            for name, value in values if value][:FIELDS_MAX]  # fmt: skip


def _section(text: str, ref: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_MAX, ref)}}


def _button(action_id: str, label: str, ref: str) -> Block:
    text = {"type": "plain_text", "text": plain_cut(label, BUTTON_MAX)}
    button: Block = {"type": "button", "action_id": action_id, "value": ref, "text": text}
    if action_id in _STYLES:
        button["style"] = _STYLES[action_id]
    return button


def thread_line(ref: str, line: str) -> str:
    """A change on the ticket, as one line in its card's thread."""
    return cut(escape(line), TEXT_MAX, ref)


def message_text(text: str) -> str:
    """A desk-authored post (bulletins, changes): already mrkdwn, only cut to fit."""
    return cut(text, TEXT_MAX)


def alert_text(text: str) -> str:
    return cut(f":warning: {escape(text)}", TEXT_MAX)
