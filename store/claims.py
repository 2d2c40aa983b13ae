"""Claiming work rows safely across processes: a token and a lease, set in one UPDATE.

On PostgreSQL the sub-select takes `FOR UPDATE SKIP LOCKED`, so concurrent workers skip each
other's rows; on SQLite the statement runs under the database write lock. A row whose lease
ran out (its worker died) is due again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from store.types import utcnow

Row = TypeVar("Row")
CLAIMED = "claimed"


def claim(
    session: Session,
    model: type[Row],
    due: ColumnElement[bool],
    order_by: list[Any],
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
) -> tuple[str, list[Row]]:
    now = now or utcnow()
    token = str(uuid.uuid4())
    table: Any = model
    candidates = (
        select(table.id)
        .where(or_(due, and_(table.state == CLAIMED, table.lease_until < now)))
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(table)
        .where(table.id.in_(candidates.scalar_subquery()))
        .values(state=CLAIMED, claim_token=token, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    # `state` leads an index on every claimable table: only claimed rows are looked at, not
    # the whole table (on SQLite, reading past a large column costs its overflow pages)
    claimed = select(table).where(table.state == CLAIMED, table.claim_token == token)
    rows = session.scalars(claimed.order_by(table.id))
    return token, list(rows.all())


def finish(session: Session, model: type[Any], row_id: int, token: str, **values: Any) -> bool:
    """Record the outcome, only if this worker still holds the claim."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.claim_token == token)
        .values(claim_token=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
