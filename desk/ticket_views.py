"""Read side: tickets as plain dicts, the stable shape behind `--json` and every display."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from desk import sla_views
from desk.errors import NotFound
from desk.reference import format_ref, parse_ref
from desk.sla import SlaPolicy
from store import tickets
from store.db import unit_of_work
from store.models import AuditEvent, Ticket
from store.tickets import TicketFilter
from store.types import utcnow


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "ref": format_ref(ticket.id),
        "type": ticket.type,
        "status": ticket.status,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "category": ticket.category,
        "resolver": ticket.resolver_key,
        "organisation": ticket.organisation.name if ticket.organisation else None,
        "requester_email": ticket.requester_email,
        "verified": ticket.verified,
        "subject": ticket.subject,
        "mpxn": [m.value for m in ticket.mpxns],
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
    }


class TicketQueries:
    def __init__(self, factory: sessionmaker[Session], sla: SlaPolicy | None = None) -> None:
        self.factory = factory
        self.sla = sla or SlaPolicy()

    def list(self, f: TicketFilter, now: datetime | None = None) -> list[dict[str, Any]]:
        """Newest first; each with its resolution due time (null while paused)."""
        now = now or utcnow()
        with unit_of_work(self.factory) as session:
            found = tickets.find(session, f)
            events = tickets.status_events(session, [t.id for t in found])
            return [
                {**summary(t), "resolution_due": iso(
                    sla_views.assess(self.sla, t, events[t.id], now).resolution_due)}
                for t in found
            ]  # fmt: skip

    def at_risk(self, resolver: str | None = None, within: timedelta | None = None,
                now: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:  # fmt: skip
        """Open tickets whose resolution is due within `within` (default: the at-risk window)
        or already past, most urgent first; paused ones are not at risk (their clock stands)."""
        now = now or utcnow()
        horizon = now + (self.sla.at_risk_window if within is None else within)
        with unit_of_work(self.factory) as session:
            due = sla_views.at_risk(session, self.sla, resolver, horizon, limit)
            found = tickets.by_ids(session, [ticket_id for _, ticket_id in due])
            return [
                {**summary(found[ticket_id]), "resolution_due": iso(when), "breached": when < now}
                for when, ticket_id in due
            ]

    def show(self, ref: str, now: datetime | None = None) -> dict[str, Any]:
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            audit = tickets.events(session, ticket.id)
            view = summary(ticket)
            view.update(
                requester_name=ticket.requester_name,
                priority_reason=ticket.priority_reason,
                channel=ticket.channel,
                resolved_at=iso(ticket.resolved_at),
                closed_at=iso(ticket.closed_at),
                triage=ticket.triage,
                links=[
                    {"ref": format_ref(link.other_id), "kind": link.kind}
                    for link in tickets.links(session, ticket.id)
                ],
                messages=[
                    {
                        "id": m.id,
                        "kind": m.kind,
                        "author": m.author,
                        "channel": m.channel,
                        "visibility": m.visibility,
                        "subject": m.subject,
                        "body": m.body,
                        "email_message_id": m.email_message_id,
                        "created_at": iso(m.created_at),
                    }
                    for m in tickets.messages(session, ticket.id)
                ],
                attachments=[
                    {
                        "id": a.id,
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                        "created_at": iso(a.created_at),
                    }
                    for a in tickets.attachments(session, ticket.id)
                ],
                events=self._events(audit),
                sla=sla_views.sla_view(sla_views.assess(self.sla, ticket, audit, now or utcnow())),
            )
            return view

    def history(self, ref: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            return self._events(tickets.events(session, self._get(session, ref).id))

    @staticmethod
    def _events(events: Sequence[AuditEvent]) -> list[dict[str, Any]]:
        return [
            {
                "at": iso(e.at),
                "actor": e.actor,
                "channel": e.channel,
                "action": e.action,
                "from": e.from_value,
                "to": e.to_value,
                "detail": e.detail,
            }
            for e in events
        ]

    @staticmethod
    def _get(session: Session, ref: str) -> Ticket:
        ticket = tickets.get(session, parse_ref(ref))
        if ticket is None:
            raise NotFound(f"no ticket {format_ref(parse_ref(ref))}")
        return ticket
