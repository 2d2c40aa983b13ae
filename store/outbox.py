"""Outbox rows: written with the change that causes them, claimed safely by many workers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from store.models import OutboxRow
from store.types import utcnow

PENDING, CLAIMED, SENT, DEAD, SKIPPED = "pending", "claimed", "sent", "dead", "skipped"
STATES = (PENDING, CLAIMED, SENT, DEAD, SKIPPED)


def enqueue(
    session: Session, channel: str, payload: dict[str, Any], ticket_id: int | None = None
) -> OutboxRow:
    row = OutboxRow(
        channel=channel,
        payload=payload,
        ticket_id=ticket_id,
        state=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


def claim(
    session: Session, limit: int, lease: timedelta, now: datetime | None = None
) -> tuple[str, list[OutboxRow]]:
    """Take up to `limit` due rows under a fresh token and lease.

    One UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED): on PostgreSQL concurrent
    workers skip each other's rows; on SQLite the statement runs under the write lock. A row
    whose lease ran out (its worker died) is due again.
    """
    now = now or utcnow()
    token = str(uuid.uuid4())
    due = (
        select(OutboxRow.id)
        .where(
            or_(
                and_(OutboxRow.state == PENDING, OutboxRow.next_attempt_at <= now),
                and_(OutboxRow.state == CLAIMED, OutboxRow.lease_until < now),
            )
        )
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(due.scalar_subquery()))
        .values(state=CLAIMED, claim_token=token, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    rows = session.scalars(
        select(OutboxRow).where(OutboxRow.claim_token == token).order_by(OutboxRow.id)
    ).all()
    return token, list(rows)


def finish(session: Session, row_id: int, token: str, **values: Any) -> bool:
    """Record an attempt's outcome, only if this worker still holds the claim."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.claim_token == token)
        .values(claim_token=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


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
