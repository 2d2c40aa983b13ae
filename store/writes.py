"""Append-only rows (audit events, outbox rows) written with Core inserts in the caller's
transaction: at once, or — inside `batched` — together when the block ends, one statement per
table, in the order they were added.

A row written at once is there for any later query in the transaction and goes with a
rolled-back savepoint; no unit-of-work flush is involved. `batched` is for blocks that do not
read those rows back before they end (opening a ticket): a block that fails writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.orm import Session

_PENDING = "switchdesk_batched_inserts"


def insert(session: Session, statement: Insert, row: dict[str, Any]) -> None:
    pending: dict[Insert, list[dict[str, Any]]] | None = session.info.get(_PENDING)
    if pending is None:
        session.connection().execute(statement, row)
    else:
        pending.setdefault(statement, []).append(row)


@contextmanager
def batched(session: Session) -> Iterator[None]:
    if _PENDING in session.info:  # an enclosing block writes them
        yield
        return
    pending: dict[Insert, list[dict[str, Any]]] = {}
    session.info[_PENDING] = pending
    try:
        yield
        del session.info[_PENDING]
        connection = session.connection()
        for statement, rows in pending.items():
            connection.execute(statement, rows)
    finally:
        session.info.pop(_PENDING, None)
