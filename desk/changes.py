"""The forward schedule of change: create, amend, cancel, list, and the calendar feed.

Every change notice (and each amendment or cancellation) is a Broadcast on the change's
thread, carrying an iCalendar event whose UID is stable and whose SEQUENCE grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.actor import Actor
from desk.broadcast.audience import parse_audience, select_recipients
from desk.broadcast.calendar import calendar_bytes
from desk.broadcast.services import CHANGE_STATUSES, parse_service
from desk.broadcast.times import reminder_times
from desk.broadcast_refs import format_change_ref, parse_change_ref
from desk.errors import InvalidInput, NotFound
from desk.publishing import audience_pool, change_info
from desk.ticket_views import iso
from store import broadcasts, directory
from store.db import unit_of_work
from store.models import Broadcast, Change
from store.types import utcnow

FEED_HISTORY = timedelta(days=30)  # finished changes stay in the feed this long
DEFAULT_REMINDERS = (timedelta(hours=24), timedelta(hours=1))
PAST_TOLERANCE = timedelta(minutes=1)  # "now" typed a moment ago is not in the past
# Where a change may go from each status by `amend` (cancel has its own command).
NEXT_STATUSES = {
    "planned": {"approved", "in_progress"},
    "approved": {"planned", "in_progress"},
    "in_progress": {"completed", "rolled_back"},
    "rolled_back": {"planned", "approved"},
    "completed": set(),
}


@dataclass(frozen=True)
class NewChange:
    title: str
    provider: str
    services: tuple[str, ...]
    start: datetime
    end: datetime
    impact: str
    audience: tuple[str, ...] = ("all",)


class ChangeService:
    def __init__(self, factory: sessionmaker[Session], domain: str, home: Path,
                 reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS) -> None:  # fmt: skip
        self.factory, self.domain, self.home = factory, domain, home
        self.reminders = reminders

    def create(self, new: NewChange, actor: Actor, now: datetime | None = None) -> str:
        now = now or utcnow()
        if new.start < now - PAST_TOLERANCE:
            raise InvalidInput("the window cannot start in the past")
        services = self._check(new.title, new.services, new.start, new.end, new.impact, now)
        rules = parse_audience(new.audience)
        with unit_of_work(self.factory) as session:
            if directory.resolver_group(session, new.provider) is None:
                raise InvalidInput(f"unknown provider (resolver group) {new.provider!r}")
            if not select_recipients(rules, audience_pool(session)):
                raise InvalidInput("the audience is empty: no participant contact matches it")
            change = Change(title=new.title.strip(), provider=new.provider, services=services,
                            start_at=new.start, end_at=new.end, impact=new.impact.strip(),
                            status="planned", audience=list(new.audience), sequence=0,
                            created_by=actor.name, created_at=now, updated_at=now)
            session.add(change)
            session.flush()
            self._announce(session, change, "change", now)
            ref = format_change_ref(change.id)
        self.write_feed()
        return ref

    def amend(self, ref: str, actor: Actor, *, title: str | None = None,
              start: datetime | None = None, end: datetime | None = None,
              impact: str | None = None, status: str | None = None,
              services: tuple[str, ...] = (), note: str = "",
              now: datetime | None = None) -> int:  # fmt: skip
        """Change what is planned and republish on the same thread; returns the new SEQUENCE."""
        now = now or utcnow()
        if status is not None and status not in CHANGE_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(CHANGE_STATUSES)}")
        if status == "cancelled":
            raise InvalidInput("use `changes cancel` to cancel a change")
        with unit_of_work(self.factory) as session:
            change = self._get(session, ref)
            if change.status == "cancelled":
                raise InvalidInput(f"{format_change_ref(change.id)} is cancelled")
            if status not in (None, change.status) and status not in NEXT_STATUSES[change.status]:
                raise InvalidInput(f"{format_change_ref(change.id)} cannot go from "
                                   f"{change.status} to {status}")  # fmt: skip
            if start is not None and start < now - PAST_TOLERANCE:
                raise InvalidInput("the window cannot start in the past")
            new_start, new_end = start or change.start_at, end or change.end_at
            window_moved = start is not None or end is not None
            checked = self._check(title or change.title, services or tuple(change.services),
                                  new_start, new_end, impact or change.impact, now,
                                  window_moved=window_moved)  # fmt: skip
            change.title, change.services = (title or change.title).strip(), checked
            change.start_at, change.end_at = new_start, new_end
            change.impact = (impact or change.impact).strip()
            change.status = status or change.status
            change.sequence += 1
            change.updated_at = now
            self._announce(session, change, "change_amended", now, note)
            sequence = change.sequence
        self.write_feed()
        return sequence

    def cancel(self, ref: str, reason: str, actor: Actor, now: datetime | None = None) -> None:
        now = now or utcnow()
        if not reason.strip():
            raise InvalidInput("a cancellation needs a reason")
        with unit_of_work(self.factory) as session:
            change = self._get(session, ref)
            if change.status in ("cancelled", "completed"):
                raise InvalidInput(f"{format_change_ref(change.id)} is already {change.status}")
            change.status, change.updated_at = "cancelled", now
            change.sequence += 1
            self._announce(session, change, "change_cancelled", now, reason)
        self.write_feed()

    def list(self, upcoming_only: bool = True, now: datetime | None = None) -> list[dict[str, Any]]:
        now = now or utcnow()
        with unit_of_work(self.factory) as session:
            query = select(Change).order_by(Change.start_at, Change.id)
            if upcoming_only:
                query = query.where(Change.end_at >= now, Change.status != "cancelled")
            return [self._view(c) for c in session.scalars(query)]

    def ics(self, now: datetime | None = None) -> bytes:
        """The whole schedule as one calendar: recent, current and future changes."""
        now = now or utcnow()
        with unit_of_work(self.factory) as session:
            changes = session.scalars(
                select(Change).where(Change.end_at >= now - FEED_HISTORY).order_by(Change.start_at)
            )
            return calendar_bytes([change_info(c) for c in changes], self.domain)

    def write_feed(self) -> Path:
        """Keep $HOME/calendar/fsc.ics current for calendar clients that subscribe to a file."""
        target = self.home / "calendar" / "fsc.ics"
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(self.ics())
        temporary.replace(target)
        return target

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _check(title: str, services: tuple[str, ...], start: datetime, end: datetime,
               impact: str, now: datetime, window_moved: bool = True) -> list[str]:  # fmt: skip
        if not title.strip():
            raise InvalidInput("a change needs a title")
        if not impact.strip():
            raise InvalidInput("a change needs an impact statement")
        if not services:
            raise InvalidInput("name at least one affected service (--service)")
        if end <= start:
            raise InvalidInput("the window ends before it starts")
        if window_moved and end <= now:
            raise InvalidInput("the window is in the past")
        return [parse_service(s) for s in services]

    def _announce(self, session: Session, change: Change, kind: str, now: datetime,
                  note: str = "") -> None:  # fmt: skip
        """Queue the notice with the change as it now stands, and its reminders afresh."""
        body = change.impact if not note else f"{note}\n\n{change.impact}"
        snapshot = change_info(change).to_json()
        session.add(Broadcast(kind=kind, change_id=change.id, version=change.sequence,
                              title=change.title, body=body, due_at=now, state="scheduled",
                              snapshot=snapshot, created_at=now))  # fmt: skip
        self._cancel_reminders(session, change)
        if change.status in ("cancelled", "completed", "rolled_back"):
            return
        for offset, due in zip(self.reminders, reminder_times(change.start_at, self.reminders),
                               strict=True):  # fmt: skip
            if due > now:
                session.add(Broadcast(
                    kind="change_reminder", change_id=change.id, version=change.sequence,
                    title=f"{change.title} starts in {_span(offset)}", body=change.impact,
                    due_at=due, state="scheduled", snapshot=snapshot, created_at=now,
                ))  # fmt: skip

    @staticmethod
    def _cancel_reminders(session: Session, change: Change) -> None:
        for broadcast in broadcasts.pending_for(session, change_id=change.id):
            if broadcast.kind == "change_reminder":
                broadcast.state, broadcast.detail = "cancelled", "superseded by a later notice"

    @staticmethod
    def _view(c: Change) -> dict[str, Any]:
        return {"ref": format_change_ref(c.id), "id": c.id, "title": c.title,
                "provider": c.provider, "services": c.services, "start": iso(c.start_at),
                "end": iso(c.end_at), "impact": c.impact, "status": c.status,
                "sequence": c.sequence, "audience": c.audience,
                "updated_at": iso(c.updated_at)}  # fmt: skip

    def _get(self, session: Session, ref: str) -> Change:
        change = session.get(Change, parse_change_ref(ref), with_for_update=True)
        if change is None:
            raise NotFound(f"no change {format_change_ref(parse_change_ref(ref))}")
        return change

    def status(self, ref: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            return broadcasts.ledger(session, change_id=self._get(session, ref).id)


def _span(offset: timedelta) -> str:
    hours = offset.total_seconds() / 3600
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return "1 day" if days == 1 else f"{days} days"
    if hours >= 1 and hours == int(hours):
        return "1 hour" if hours == 1 else f"{int(hours)} hours"
    return f"{int(offset.total_seconds() // 60)} minutes"
