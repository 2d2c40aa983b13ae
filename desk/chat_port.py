"""What the Slack deliverer needs from the desk at delivery time: a port of plain values.

The deliverer (in `bot/`) must not touch the database, so it asks this port for the card as
the ticket stands now and for the thread roots it has posted; `desk/chat_store.py` implements
it over the database and `desk/bootstrap.py` injects it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TicketCard:
    """Everything a ticket card shows, read when the card is posted or edited."""

    ref: str
    status: str
    priority: str
    type: str
    summary: str
    category: str | None = None
    organisation: str | None = None
    requester: str | None = None
    resolver: str | None = None  # the resolver group's name
    mpxns: tuple[str, ...] = ()
    triage_summary: str | None = None
    reasons: tuple[str, ...] = ()  # why it has this priority and route
    sla_due: datetime | None = None
    updated_at: datetime | None = None


class ChatStore(Protocol):
    def card(self, ref: str) -> TicketCard | None:
        """The ticket as it is now, or None if there is no such ticket."""

    def thread_root(self, channel: str, thread_key: str) -> str | None:
        """The `ts` of the thread's root message in `channel`, if one was posted."""

    def record_root(self, channel: str, thread_key: str, ts: str, ticket_ref: str | None) -> str:
        """Keep `ts` as the root unless another is already kept; return the root that stands."""

    def replace_root(self, channel: str, thread_key: str, ts: str) -> None:
        """The old root is gone from Slack (deleted by someone): `ts` is the root now."""

    def attempted_before(self, row_id: int) -> bool:
        """Whether an earlier attempt at this outbox row may already have reached Slack."""

    def alert(self, text: str) -> None:
        """Tell the desk's alert channel (through the outbox) that a Slack post failed."""
