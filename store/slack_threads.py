"""Where each ticket's (or broadcast stream's) Slack thread lives: one root `ts` per channel.

The outbound side records a root when it posts a card; the inbound side finds the ticket of a
thread reply by (channel, ts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import AuditEvent, OutboxRow, SlackThread
from store.types import utcnow

_TICKET = bindparam("ticket_id")
# one query, built once: (what, value) rows for CardPlaces
_CARD_PLACES = union_all(
    select(literal("thread"), SlackThread.channel).where(SlackThread.ticket_id == _TICKET),
    select(literal("card"), OutboxRow.payload["channel"].as_string()).where(
        OutboxRow.ticket_id == _TICKET, OutboxRow.channel == "slack",
        OutboxRow.payload["kind"].as_string() == bindparam("card_kind")),
    select(literal("left"), AuditEvent.from_value).where(
        AuditEvent.ticket_id == _TICKET, AuditEvent.action == "assign",
        AuditEvent.from_value.is_not(None)),
)  # fmt: skip


@dataclass(frozen=True)
class CardPlaces:
    channels: frozenset[str]  # where the ticket has a card, or one is on its way
    groups_left: frozenset[str]  # resolver groups it was assigned away from


def card_places(session: Session, ticket_id: int, card_kind: str) -> CardPlaces:
    """`card_kind`: the `kind` of the outbox payloads that post a card."""
    channels: set[str] = set()
    left: set[str] = set()
    parameters = {"ticket_id": ticket_id, "card_kind": card_kind}
    for what, value in session.execute(_CARD_PLACES, parameters):
        if value:
            (left if what == "left" else channels).add(value)
    return CardPlaces(frozenset(channels), frozenset(left))


def find(session: Session, channel: str, thread_key: str) -> SlackThread | None:
    query = select(SlackThread).where(SlackThread.channel == channel,
                                      SlackThread.thread_key == thread_key)  # fmt: skip
    return session.scalars(query).first()


def find_by_ts(session: Session, channel: str, ts: str) -> SlackThread | None:
    query = select(SlackThread).where(SlackThread.channel == channel, SlackThread.ts == ts)
    return session.scalars(query).first()


def for_ticket(session: Session, ticket_id: int) -> list[SlackThread]:
    query = select(SlackThread).where(SlackThread.ticket_id == ticket_id).order_by(SlackThread.id)
    return list(session.scalars(query))


def record(session: Session, channel: str, thread_key: str, ts: str,
           ticket_id: int | None) -> SlackThread:  # fmt: skip
    """Keep `ts` as the thread's root, unless a root is already kept: then that one stands.

    Two processes may race to post the same card; the unique key decides, and the loser
    learns the winner's `ts` from the returned row.
    """
    existing = find(session, channel, thread_key)
    if existing is not None:
        return existing
    now = utcnow()
    row = SlackThread(channel=channel, thread_key=thread_key, ticket_id=ticket_id, ts=ts,
                      created_at=now, updated_at=now)  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = find(session, channel, thread_key)
        if winner is None:
            raise
        return winner
    return row


def replace(session: Session, channel: str, thread_key: str, ts: str) -> None:
    row = find(session, channel, thread_key)
    if row is not None:
        row.ts, row.updated_at = ts, utcnow()
