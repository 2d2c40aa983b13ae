"""What inbound Slack handling reads and writes: deliveries already seen, the people by Slack
id, and the tickets a Slack user has acted on (card threads: `store.slack_threads`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.directory import PersonRef
from store.models import OPEN_STATUS_SQL, AuditEvent, Person, SlackEventSeen, Ticket


def mark_seen(session: Session, key: str) -> bool:
    """Insert-or-ignore: True the first time `key` is seen, across processes."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(SlackEventSeen).values(key=key[:200]).on_conflict_do_nothing()
                 .returning(SlackEventSeen.key))  # rowcount is -1 here with psycopg 3
    return session.execute(statement).scalar() is not None


def forget(session: Session, key: str) -> None:
    """Let a retry in again after the first attempt failed unexpectedly."""
    session.execute(delete(SlackEventSeen).where(SlackEventSeen.key == key[:200]))


def person_by_slack_id(session: Session, slack_user_id: str) -> PersonRef | None:
    p = session.scalar(
        select(Person).where(Person.slack_user_id == slack_user_id, Person.active)
    )
    return None if p is None else PersonRef(p.name, p.email, p.role, p.resolver_key,
                                            p.slack_user_id)  # fmt: skip


def open_tickets_acted_on(session: Session, actor_suffix: str, limit: int = 20
                          ) -> Sequence[Ticket]:  # fmt: skip
    """Open tickets, newest first, with an audit event whose actor ends with `actor_suffix`."""
    acted = select(AuditEvent.ticket_id).where(AuditEvent.actor.endswith(actor_suffix))
    query = (select(Ticket).where(text(f"tickets.{OPEN_STATUS_SQL}"), Ticket.id.in_(acted))
             .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))  # fmt: skip
    return session.scalars(query).all()
