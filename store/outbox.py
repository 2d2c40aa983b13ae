"""Outbox rows: written with the change that causes them, claimed safely by many workers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from store import claims, writes
from store.claims import CLAIMED
from store.models import OutboxRow
from store.types import utcnow

PENDING, SENT, DEAD, SKIPPED = "pending", "sent", "dead", "skipped"
STATES = (PENDING, CLAIMED, SENT, DEAD, SKIPPED)


_INSERT = OutboxRow.__table__.insert()


def enqueue(
    session: Session, channel: str, payload: dict[str, Any], ticket_id: int | None = None
) -> None:
    """Write the row in the caller's transaction, at once or with its store.writes.batched
    block (a Core insert: no flush; a rolled-back savepoint takes it away)."""
    now = utcnow()
    writes.insert(session, _INSERT, {
        "channel": channel, "payload": payload, "ticket_id": ticket_id, "state": PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now,
    })  # fmt: skip


def claim(
    session: Session, limit: int, lease: timedelta, now: datetime | None = None
) -> tuple[str, list[OutboxRow]]:
    """Take up to `limit` due rows under a fresh token and lease (see store.claims)."""
    now = now or utcnow()
    due = and_(OutboxRow.state == PENDING, OutboxRow.next_attempt_at <= now)
    order = [OutboxRow.next_attempt_at, OutboxRow.id]
    return claims.claim(session, OutboxRow, due, order, limit, lease, now)


def finish(session: Session, row_id: int, token: str, **values: Any) -> bool:
    return claims.finish(session, OutboxRow, row_id, token, **values)


def listing(session: Session, state: str | None = None, limit: int = 100) -> Sequence[OutboxRow]:
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if state:
        query = query.where(OutboxRow.state == state)
    return session.scalars(query).all()


def retry(session: Session, row_id: int) -> OutboxRow | None:
    row = session.get(OutboxRow, row_id)
    if row is None:
        return None
    row.state, row.next_attempt_at, row.attempts = PENDING, utcnow(), 0
    row.claim_token = row.lease_until = None
    return row
