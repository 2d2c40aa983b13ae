"""SLA clocks of stored tickets: the `sla` part of a view, and the tickets at risk of breach.

At risk, efficiently: a running ticket's resolution is never due before its due time with no
stops on the earliest of the calendars, and that bound grows with the opening time. So each
lane (priority x status, or priority within one resolver's open tickets) is read oldest first
from an index in small keyset pages, and the lanes are merged by that bound; reading stops once
the bound passes the horizon, or passes the latest of the `limit` most urgent found so far.
Only those candidates have their status events read, so 1,000,000 tickets cost a few short
index scans, not a table scan.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desk import lifecycle
from desk.priority import PRIORITIES
from desk.sla import SlaPolicy, SlaStatus, StatusChange, stops_from
from store import tickets
from store.models import AuditEvent, Ticket
from store.types import utcnow

RUNNING = (lifecycle.NEW, lifecycle.ASSIGNED, lifecycle.IN_PROGRESS, lifecycle.PENDING_PROVIDER)
PAGE = 64


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def changes_of(events: Sequence[AuditEvent]) -> tuple[list[StatusChange], list[datetime]]:
    """Status changes and reply times out of a ticket's audit events."""
    changes = [StatusChange(e.at, e.from_value, e.to_value or "") for e in events
               if e.action == "status"]  # fmt: skip
    return changes, [e.at for e in events if e.action == "reply"]


def assess(policy: SlaPolicy, ticket: Ticket, events: Sequence[AuditEvent],
           now: datetime) -> SlaStatus:  # fmt: skip
    changes, replies = changes_of(events)
    if ticket.status in {lifecycle.PENDING_PARTICIPANT, lifecycle.RESOLVED, lifecycle.CLOSED} and (
        not changes or changes[-1].after != ticket.status
    ):  # a ticket older than its audit trail: stopped since it last changed
        changes.append(StatusChange(ticket.resolved_at or ticket.updated_at, None, ticket.status))
    organisation = ticket.organisation.name if ticket.organisation else None
    return policy.assess(ticket.created_at, ticket.priority, changes, replies, now, organisation)


def resolution_due(policy: SlaPolicy) -> Callable[[Session, Ticket], datetime | None]:
    """When a ticket's resolution falls due now (None while its clock is stopped): for cards."""

    def due(session: Session, ticket: Ticket) -> datetime | None:
        events = tickets.status_events(session, [ticket.id])[ticket.id]
        return assess(policy, ticket, events, utcnow()).resolution_due

    return due


def sla_view(status: SlaStatus) -> dict[str, Any]:
    return {
        "priority": status.priority,
        "response_target": str(status.target.response),
        "resolution_target": str(status.target.resolution),
        "response_due": iso(status.response_due),
        "responded_at": iso(status.responded_at),
        "resolution_due": iso(status.resolution_due),
        "clock": status.clock,
        "remaining_seconds": int(status.remaining.total_seconds()) if status.remaining else None,
        "breached": status.breached,
        "response_breached": status.response_breached,
        "resolution_breached": status.resolution_breached,
        "at_risk": status.at_risk,
    }


@dataclass(frozen=True, order=True)
class _Candidate:
    bound: datetime
    ticket_id: int
    created_at: datetime
    organisation_id: int | None
    priority: str


def at_risk(session: Session, policy: SlaPolicy, resolver: str | None, horizon: datetime,
            limit: int) -> list[tuple[datetime, int]]:  # fmt: skip
    """(resolution due, ticket id) of running tickets due by `horizon`, soonest first."""
    scottish = tickets.organisation_ids(session, sorted(policy.scottish_organisations))
    statuses: Sequence[str | None] = [None] if resolver else RUNNING
    lanes = [_lane(session, policy, p, resolver, s) for p in PRIORITIES for s in statuses]
    best: Best = []
    pending: list[_Candidate] = []
    for candidate in heapq.merge(*lanes):
        if candidate.bound > horizon or (len(best) >= limit and candidate.bound > best[0][2]):
            break
        pending.append(candidate)
        if len(pending) >= PAGE:
            _settle(session, policy, pending, scottish, horizon, limit, best)
    _settle(session, policy, pending, scottish, horizon, limit, best)
    return sorted((due, -neg_id) for _, neg_id, due in best)


Best = list[tuple[float, int, datetime]]  # a max-heap by due: (-timestamp, -id, due)


def _settle(session: Session, policy: SlaPolicy, pending: list[_Candidate], scottish: set[int],
            horizon: datetime, limit: int, best: Best) -> None:  # fmt: skip
    """Work out the real due times of a page of candidates (their stops) and keep the soonest."""
    events = tickets.status_events(session, [c.ticket_id for c in pending])
    for c in pending:
        changes, _ = changes_of(events[c.ticket_id])
        calendar = policy.scotland if c.organisation_id in scottish and policy.scotland else None
        span = policy.targets[c.priority].resolution
        stops = [s for s in stops_from(changes) if s[1] is not None]
        due = policy.due(c.created_at, span, calendar or policy.calendar, stops)
        if due is None or due > horizon:
            continue
        item = (-due.timestamp(), -c.ticket_id, due)
        if len(best) < limit:
            heapq.heappush(best, item)
        elif item > best[0]:
            heapq.heapreplace(best, item)
    pending.clear()


def _lane(session: Session, policy: SlaPolicy, priority: str, resolver: str | None,
          status: str | None) -> Iterator[_Candidate]:  # fmt: skip
    after: tuple[datetime, int] | None = None
    while True:
        rows = tickets.running_oldest_first(session, priority, resolver, status, after, PAGE)
        for ticket_id, created_at, organisation_id in rows:
            bound = policy.earliest_resolution(created_at, priority)
            yield _Candidate(bound, ticket_id, created_at, organisation_id, priority)
        if len(rows) < PAGE:
            return
        after = (rows[-1][1], rows[-1][0])

