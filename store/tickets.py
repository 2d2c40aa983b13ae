"""Ticket queries: one ticket with its history, and filtered lists that use the indexes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, text
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached

from store import writes
from store.models import (
    OPEN_STATUS_SQL,
    Attachment,
    AuditEvent,
    Message,
    Organisation,
    Ticket,
    TicketLink,
    TicketMpxn,
)


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None  # a status, or "open" for every open status
    resolver: str | None = None
    organisation: str | None = None
    priority: str | None = None
    mpxn: str | None = None
    limit: int = 50


_INSERT = Ticket.__table__.insert()
_INSERT_MPXN = TicketMpxn.__table__.insert()
_TABLE = Ticket.__table__
_COLUMNS = tuple(c.key for c in _TABLE.columns)
_UPDATE = _TABLE.update().where(_TABLE.c.id == bindparam("b_id"))


@contextmanager
def creating(session: Session, values: dict[str, Any], mpxns: Sequence[tuple[str, str]] = ()
             ) -> Iterator[Ticket]:  # fmt: skip
    """A new ticket (and its MPxNs, (value, kind) in order), inside a store.writes.batched
    block; this block sets it up (status, group…) and may write rows that name its id.

    The ticket's row is written with the batched block's rows, as it then stands: usually
    one INSERT after this block, with nothing to update. Should a query in this block write
    it sooner, what the block changed afterwards is written in one UPDATE when it ends. The
    ticket then joins the session as a loaded, clean, persistent object, with no
    unit-of-work flush on the way; a block that fails leaves it out.
    """
    ticket_id = writes.new_id(session, _TABLE)
    if ticket_id is None:
        raise RuntimeError("a ticket is created inside a store.writes.batched block")
    ticket = Ticket(**(dict.fromkeys(_COLUMNS) | values | {"id": ticket_id}))
    written: dict[str, Any] = {}

    def row() -> dict[str, Any]:
        written.update((key, getattr(ticket, key)) for key in _COLUMNS)
        return dict(written)

    writes.insert(session, _INSERT, row)
    for position, (value, kind) in enumerate(mpxns):
        writes.insert(session, _INSERT_MPXN,
                      {"ticket_id": ticket_id, "position": position, "value": value, "kind": kind})
    yield ticket
    if written:  # the row went out early
        changed = {k: value for k in _COLUMNS if (value := getattr(ticket, k)) != written[k]}
        if changed:  # the parameters' keys make the SET clause
            session.connection().execute(_UPDATE, {"b_id": ticket.id, **changed})
    make_transient_to_detached(ticket)
    session.add(ticket)


def get(session: Session, ticket_id: int, for_update: bool = False, mpxns: bool = True
        ) -> Ticket | None:  # fmt: skip
    """`mpxns=False` leaves the ticket's MPxNs to a lazy load, for callers that do not read them
    (one query fewer)."""
    options = () if mpxns else (lazyload(Ticket.mpxns),)
    if for_update:
        return session.scalar(
            select(Ticket)
            .where(Ticket.id == ticket_id)
            .with_for_update(of=Ticket)
            .options(*options)
        )
    return session.get(Ticket, ticket_id, options=options)


def find(session: Session, f: TicketFilter) -> Sequence[Ticket]:
    """Newest first. "open" repeats the partial index's predicate so that it is used."""
    query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(f.limit)
    if f.status == "open":
        query = query.where(text(f"tickets.{OPEN_STATUS_SQL}"))
    elif f.status:
        query = query.where(Ticket.status == f.status)
    if f.resolver:
        query = query.where(Ticket.resolver_key == f.resolver)
    if f.priority:
        query = query.where(Ticket.priority == f.priority)
    if f.organisation:
        query = query.join(Organisation, Ticket.organisation_id == Organisation.id).where(
            Organisation.name == f.organisation
        )
    if f.mpxn:
        query = query.where(
            Ticket.id.in_(select(TicketMpxn.ticket_id).where(TicketMpxn.value == f.mpxn))
        )
    return session.scalars(query).unique().all()


def messages(session: Session, ticket_id: int) -> Sequence[Message]:
    return session.scalars(
        select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
    ).all()


def attachments(session: Session, ticket_id: int) -> Sequence[Attachment]:
    return session.scalars(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    ).all()


def events(session: Session, ticket_id: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket_id).order_by(AuditEvent.id)
    ).all()


def links(session: Session, ticket_id: int) -> Sequence[TicketLink]:
    return session.scalars(select(TicketLink).where(TicketLink.ticket_id == ticket_id)).all()


def email_thread_ids(session: Session, ticket_id: int) -> list[str]:
    """Message-IDs of the ticket's e-mails, oldest first: its one e-mail thread."""
    return [
        m
        for m in session.scalars(
            select(Message.email_message_id)
            .where(Message.ticket_id == ticket_id, Message.email_message_id.is_not(None))
            .order_by(Message.id)
        )
        if m
    ]


def status_events(session: Session, ticket_ids: Sequence[int]) -> dict[int, list[AuditEvent]]:
    """Status changes and replies of several tickets, oldest first: what SLA clocks are made of."""
    found: dict[int, list[AuditEvent]] = {i: [] for i in ticket_ids}
    if ticket_ids:
        for event in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.ticket_id.in_(ticket_ids), AuditEvent.action.in_(("status", "reply")))
            .order_by(AuditEvent.id)
        ):
            found[event.ticket_id].append(event)  # type: ignore[index]
    return found


def running_oldest_first(
    session: Session,
    priority: str,
    resolver: str | None,
    status: str | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[tuple[int, datetime, int | None]]:
    """(id, created_at, organisation_id) of open tickets whose SLA clock runs, oldest first.

    With a resolver the partial open-by-resolver index serves it (its predicate is repeated);
    without, one status at a time uses the status index. Keyset pages continue `after`.
    """
    query = (
        select(Ticket.id, Ticket.created_at, Ticket.organisation_id)
        .where(Ticket.priority == priority)
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    if resolver:
        query = query.where(
            Ticket.resolver_key == resolver,
            text(f"tickets.{OPEN_STATUS_SQL}"),
            Ticket.status != "pending_participant",
        )
    if status:
        query = query.where(Ticket.status == status)
    if after:
        later = and_(Ticket.created_at == after[0], Ticket.id > after[1])
        query = query.where(or_(Ticket.created_at > after[0], later))
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def organisation_ids(session: Session, names: Sequence[str]) -> set[int]:
    if not names:
        return set()
    return set(session.scalars(select(Organisation.id).where(Organisation.name.in_(names))))


def by_ids(session: Session, ticket_ids: Sequence[int]) -> dict[int, Ticket]:
    return {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))}
