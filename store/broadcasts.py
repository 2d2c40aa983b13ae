"""Queries for bulletins, changes and their publications, and the delivery ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store import claims
from store.models import (
    Broadcast,
    BroadcastDelivery,
    Change,
    Contact,
    InboundRecord,
    Mpid,
    Organisation,
    OutboxRow,
)
from store.types import utcnow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def audience_rows(
    session: Session,
) -> list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]]:
    """(organisation, role codes, active contacts) for every active participant."""
    roles: dict[int, set[str]] = {}
    for org_id, role in session.execute(select(Mpid.organisation_id, Mpid.role_code)):
        roles.setdefault(org_id, set()).add(role)
    contacts: dict[int, list[tuple[str, str]]] = {}
    for org_id, name, email in session.execute(
        select(Contact.organisation_id, Contact.name, Contact.email).where(Contact.active)
    ):
        contacts.setdefault(org_id, []).append((name, email))
    return [
        (name, tuple(sorted(roles.get(org_id, ()))), tuple(contacts.get(org_id, ())))
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.active)
        )
    ]


def next_version(session: Session, **owner: int) -> int:
    current = session.scalar(select(func.max(Broadcast.version)).filter_by(**owner))
    return 0 if current is None else current + 1


def pending_for(session: Session, **owner: int) -> Sequence[Broadcast]:
    return session.scalars(select(Broadcast).filter_by(state="scheduled", **owner)).all()


def any_sent(session: Session, **owner: int) -> bool:
    return (
        session.scalar(select(Broadcast.id).filter_by(state="sent", **owner).limit(1)) is not None
    )


def publications(session: Session, **owner: int) -> list[dict[str, Any]]:
    counts = dict(session.execute(
        select(BroadcastDelivery.broadcast_id, func.count())
        .join(Broadcast).filter_by(**owner).group_by(BroadcastDelivery.broadcast_id)
    ).all())  # fmt: skip
    return [
        {"version": b.version, "kind": b.kind, "state": b.state, "due_at": _iso(b.due_at),
         "sent_at": _iso(b.sent_at), "recipients": counts.get(b.id, 0), "detail": b.detail}
        for b in session.scalars(select(Broadcast).filter_by(**owner).order_by(Broadcast.id))
    ]  # fmt: skip


def ledger(session: Session, **owner: int) -> list[dict[str, Any]]:
    """Each publication's deliveries: queued, sent, failed (dead-lettered) or bounced.

    A delivery is bounced when a bounce for its address came back after it was sent: a bounce
    is news about mail already sent, not about mail sent later or long before.
    """
    rows = session.execute(
        select(Broadcast.version, Broadcast.kind, BroadcastDelivery.recipient,
               BroadcastDelivery.organisation, OutboxRow.state, OutboxRow.last_error,
               OutboxRow.done_at)
        .join(BroadcastDelivery, BroadcastDelivery.broadcast_id == Broadcast.id)
        .outerjoin(OutboxRow, OutboxRow.id == BroadcastDelivery.outbox_id)
        .filter(*[getattr(Broadcast, k) == v for k, v in owner.items()])
        .order_by(Broadcast.version, BroadcastDelivery.recipient)
    ).all()  # fmt: skip
    sent = [done_at for *_, state, _, done_at in rows if state == "sent" and done_at]
    bounced = _bounces_since(session, min(sent)) if sent else {}
    result = []
    for version, kind, recipient, organisation, state, error, done_at in rows:
        status = {"sent": "sent", "dead": "failed", "skipped": "skipped"}.get(state, "queued")
        if status == "sent" and done_at and bounced.get(recipient.lower(), done_at) > done_at:
            status = "bounced"
        result.append({"version": version, "kind": kind, "recipient": recipient,
                       "organisation": organisation, "status": status, "error": error,
                       "at": _iso(done_at)})  # fmt: skip
    return result


def _bounces_since(session: Session, since: datetime) -> dict[str, datetime]:
    """The latest bounce received for each address since `since`."""
    latest: dict[str, datetime] = {}
    for received_at, addresses in session.execute(
        select(InboundRecord.received_at, InboundRecord.parsed["bounce_recipients"])
        .where(InboundRecord.outcome == "bounce", InboundRecord.received_at >= since)
    ):  # fmt: skip
        for address in addresses or []:
            key = address.lower()
            latest[key] = max(latest.get(key, received_at), received_at)
    return latest


def claim_due(session: Session, limit: int, lease: timedelta, now: datetime | None = None
              ) -> tuple[str, list[Broadcast]]:  # fmt: skip
    now = now or utcnow()
    due = (Broadcast.state == "scheduled") & (Broadcast.due_at <= now)
    return claims.claim(session, Broadcast, due, [Broadcast.due_at, Broadcast.id], limit,
                        lease, now)  # fmt: skip


def delivered_to(session: Session, broadcast_id: int) -> set[str]:
    return set(session.scalars(
        select(BroadcastDelivery.recipient).where(BroadcastDelivery.broadcast_id == broadcast_id)
    ))  # fmt: skip


def thread_before(session: Session, broadcast: Broadcast) -> list[int]:
    """Ids of the publications sent earlier on the same bulletin or change, oldest first."""
    if broadcast.bulletin_id is None and broadcast.change_id is None:
        return []
    owner = (Broadcast.bulletin_id == broadcast.bulletin_id if broadcast.bulletin_id
             else Broadcast.change_id == broadcast.change_id)  # fmt: skip
    return list(session.scalars(
        select(Broadcast.id).where(owner, Broadcast.state == "sent", Broadcast.id < broadcast.id)
        .order_by(Broadcast.id)
    ))  # fmt: skip


def exists_key(session: Session, key: str) -> bool:
    return session.scalar(select(Broadcast.id).where(Broadcast.key == key)) is not None


def changes_meeting(session: Session, start: datetime, end: datetime) -> Sequence[Change]:
    return session.scalars(
        select(Change).where(Change.start_at < end, Change.end_at > start,
                             Change.status != "cancelled").order_by(Change.start_at, Change.id)
    ).all()  # fmt: skip
