"""Where each ticket's (or broadcast stream's) Slack thread lives: one root `ts` per channel.

The outbound side records a root when it posts a card; the inbound side finds the ticket of a
thread reply by (channel, ts).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import SlackThread
from store.types import utcnow


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
