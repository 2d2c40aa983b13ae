"""Which Slack rows a ticket change writes, in the change's own transaction.

A ticket has a card in the triage channel (every new ticket) and in the channel of each
resolver group it was assigned to. A change edits every card in place and adds a line to its
thread; both are outbox rows, and the card's content is read when the row is delivered, so
a row written after several changes shows the ticket as it then stands.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desk.reference import format_ref
from store import directory, outbox, slack_threads
from store.models import Ticket

CARD, UPDATE = "ticket_card", "ticket_update"
OPERATOR_GROUP = "switching_operator"  # escalations bring its card in: it stays informed


class ChatNotices:
    def __init__(self, triage_channel: str | None = None) -> None:
        self.triage_channel = triage_channel

    def opened(self, session: Session, ticket: Ticket) -> None:
        """Every new ticket gets a card in the desk's triage channel."""
        if self.triage_channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": self.triage_channel})

    def assigned(self, session: Session, ticket: Ticket, group: str, line: str | None,
                 previous: str | None = None) -> None:  # fmt: skip
        """A card in the group's channel (edited in place if it has one); a line elsewhere,
        the group it was taken from included: that is the last its channel hears of it."""
        channel = _channel_of(session, group)
        if channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": channel})
        if line:
            last = _channel_of(session, previous) if previous else None
            self.changed(session, ticket, line, skip={channel} if channel else set(),
                         also={last} if last else set())  # fmt: skip

    def escalated(self, session: Session, ticket: Ticket, operator_channel: str | None,
                  line: str) -> None:  # fmt: skip
        """The Operator's channel gets the ticket's card; every card gets the line."""
        if operator_channel:
            self._enqueue(session, ticket, {"kind": CARD, "channel": operator_channel})
        self.changed(session, ticket, line)

    def changed(self, session: Session, ticket: Ticket, line: str,
                skip: set[str] | None = None, also: set[str] | None = None) -> None:  # fmt: skip
        """Edit every card of the ticket and add `line` to each card's thread."""
        targets = (self.channels(session, ticket) | (also or set())) - (skip or set())
        for channel in sorted(targets):
            self._enqueue(session, ticket, {"kind": UPDATE, "channel": channel, "line": line})

    def channels(self, session: Session, ticket: Ticket) -> set[str | None]:
        """Where the ticket has a card, or one is on its way — but not the channels of groups
        it was reassigned away from: a provider sees nothing of another provider's work.

        A pure look-up: it needs no ORM flush first.
        """
        with session.no_autoflush:
            places = slack_threads.card_places(session, ticket.id, CARD)
        found: set[str | None] = set(places.channels)
        found -= {_channel_of(session, k)
                  for k in places.groups_left - {ticket.resolver_key, OPERATOR_GROUP}}  # fmt: skip
        if self.triage_channel:
            found.add(self.triage_channel)
        found.add(_channel_of(session, ticket.resolver_key))
        return found - {None}

    @staticmethod
    def _enqueue(session: Session, ticket: Ticket, payload: dict[str, Any]) -> None:
        outbox.enqueue(session, "slack", {**payload, "ref": format_ref(ticket.id)}, ticket.id)


def _channel_of(session: Session, group: str | None) -> str | None:
    target = directory.resolver_group(session, group) if group else None
    return target.slack_channel if target is not None else None
