"""Which Slack rows a ticket change writes, in the change's own transaction.

A ticket has a card in the triage channel (every new ticket) and in the channel of each
resolver group it was assigned to. A change edits every card in place and adds a line to its
thread; both are outbox rows, and the card's content is read when the row is delivered, so
a row written after several changes shows the ticket as it then stands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.reference import format_ref
from store import directory, outbox, slack_threads
from store.models import OutboxRow, Ticket

CARD, UPDATE = "ticket_card", "ticket_update"


class ChatNotices:
    def __init__(self, triage_channel: str | None = None) -> None:
        self.triage_channel = triage_channel

    def opened(self, session: Session, ticket: Ticket) -> None:
        """Every new ticket gets a card in the desk's triage channel."""
        if self.triage_channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": self.triage_channel})

    def assigned(self, session: Session, ticket: Ticket, group: str, line: str | None) -> None:
        """A card in the group's channel (edited in place if it has one); a line elsewhere."""
        target = directory.resolver_group(session, group)
        channel = target.slack_channel if target is not None else None
        if channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": channel})
        if line:
            self.changed(session, ticket, line, skip={channel} if channel else set())

    def escalated(self, session: Session, ticket: Ticket, operator_channel: str | None,
                  line: str) -> None:  # fmt: skip
        """The Operator's channel gets the ticket's card; every card gets the line."""
        if operator_channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": operator_channel})
        self.changed(session, ticket, line)

    def changed(self, session: Session, ticket: Ticket, line: str,
                skip: set[str] | None = None) -> None:  # fmt: skip
        """Edit every card of the ticket and add `line` to each card's thread."""
        for channel in sorted(self.channels(session, ticket) - (skip or set())):
            self._enqueue(session, ticket, {"kind": UPDATE, "channel": channel, "line": line})

    def channels(self, session: Session, ticket: Ticket) -> set[str]:
        """Where the ticket has a card, or one is on its way."""
        found = {t.channel for t in slack_threads.for_ticket(session, ticket.id)}
        payloads = session.scalars(select(OutboxRow.payload).where(
            OutboxRow.ticket_id == ticket.id, OutboxRow.channel == "slack"))  # fmt: skip
        found |= {p["channel"] for p in payloads if p.get("kind") == CARD and p.get("channel")}
        if self.triage_channel:
            found.add(self.triage_channel)
        if ticket.resolver_key:
            group = directory.resolver_group(session, ticket.resolver_key)
            if group is not None and group.slack_channel:
                found.add(group.slack_channel)
        return found

    @staticmethod
    def _enqueue(session: Session, ticket: Ticket, payload: dict[str, Any]) -> None:
        outbox.enqueue(session, "slack", {**payload, "ref": format_ref(ticket.id)}, ticket.id)
