"""Ticket queries: one ticket with its history, and filtered lists that use the indexes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session

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


def get(session: Session, ticket_id: int, for_update: bool = False) -> Ticket | None:
    if for_update:
        return session.scalar(
            select(Ticket).where(Ticket.id == ticket_id).with_for_update(of=Ticket)
        )
    return session.get(Ticket, ticket_id)


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
