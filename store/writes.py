"""New rows written with Core inserts in the caller's transaction: at once, or — inside a
`batched` block — grouped into one statement per table, for a block that opens many tickets.

Inside a block the transaction still reads as if every row had been written at once: any
other statement on the block's connection (a query, an update, the ORM's own flush) first
writes what is pending, parents before children. Tickets and messages get their ids up front
(`new_id`), so nothing waits on an insert to learn an id. A block that fails writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Insert, Table, event, func, select, text
from sqlalchemy.orm import Session

from store.models import Base

_PENDING = "switchdesk_batched_inserts"
_PARENTS_FIRST = {table: n for n, table in enumerate(Base.metadata.sorted_tables)}
# A row, or (for an object the block is still changing, e.g. a new ticket) what makes it.
Row = dict[str, Any] | Callable[[], dict[str, Any]]
_NEXTVAL = text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))")


def _made(row: Row) -> dict[str, Any]:
    return row() if callable(row) else row


class _Pending:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows: dict[Insert, list[Row]] = {}
        self.next_ids: dict[Table, int] = {}

    def write(self, *_event: Any) -> None:
        """Write what is pending (also run before any other statement on the connection)."""
        if not self.rows:
            return
        rows, self.rows = self.rows, {}
        for statement in sorted(rows, key=lambda s: _PARENTS_FIRST[s.table]):
            self.connection.execute(statement, [_made(row) for row in rows[statement]])

    def new_id(self, table: Table) -> int:
        if self.connection.dialect.name == "postgresql":
            return int(self.connection.scalar(_NEXTVAL, {"table": table.name}))
        # SQLite: every transaction holds the write lock (store.db), and within the block
        # every row of `table` is given its id here, so the next free id is ours to count.
        if table not in self.next_ids:
            last = self.connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            self.next_ids[table] = int(last) + 1
        self.next_ids[table] += 1
        return self.next_ids[table] - 1


def insert(session: Session, statement: Insert, row: Row) -> None:
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is None:
        session.connection().execute(statement, _made(row))
    else:
        pending.rows.setdefault(statement, []).append(row)


def new_id(session: Session, table: Table) -> int | None:
    """An id for a row of `table` written inside a block, or None outside one (the insert
    then returns it)."""
    pending: _Pending | None = session.info.get(_PENDING)
    return pending.new_id(table) if pending is not None else None


@contextmanager
def batched(session: Session) -> Iterator[None]:
    if _PENDING in session.info:  # an enclosing block writes them
        yield
        return
    connection = session.connection()
    pending = session.info[_PENDING] = _Pending(connection)
    event.listen(connection, "before_execute", pending.write)
    try:
        yield
        pending.write()
    finally:
        event.remove(connection, "before_execute", pending.write)
        session.info.pop(_PENDING, None)
