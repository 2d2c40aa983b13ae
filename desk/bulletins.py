"""Service bulletins: create, update, resolve, cancel; each publication is a Broadcast row
that the publisher sends at its time to the bulletin's audience, on one thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk.actor import Actor
from desk.broadcast.audience import parse_audience, select_recipients
from desk.broadcast.services import parse_service, parse_severity
from desk.broadcast_refs import format_bulletin_ref, parse_bulletin_ref
from desk.errors import InvalidInput, NotFound
from desk.publishing import audience_pool
from desk.ticket_views import iso
from store import broadcasts
from store.db import unit_of_work
from store.models import Broadcast, Bulletin
from store.types import utcnow

PAST_TOLERANCE = timedelta(minutes=1)  # "now" typed a moment ago is not in the past


@dataclass(frozen=True)
class NewBulletin:
    title: str
    body: str
    severity: str = "information"
    services: tuple[str, ...] = ()
    audience: tuple[str, ...] = ("all",)
    publish_at: datetime | None = None  # None: now
    expires_at: datetime | None = None


class BulletinService:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def create(self, new: NewBulletin, actor: Actor, now: datetime | None = None) -> str:
        now = now or utcnow()
        title, body = _required(new.title, "title"), _required(new.body, "body")
        severity = parse_severity(new.severity)
        services = [parse_service(s) for s in new.services]
        publish_at = new.publish_at or now
        if publish_at < now - PAST_TOLERANCE:
            raise InvalidInput("the publish time is in the past")
        if new.expires_at is not None and new.expires_at <= publish_at:
            raise InvalidInput("the expiry must come after the publish time")
        rules = parse_audience(new.audience)
        with unit_of_work(self.factory) as session:
            if not select_recipients(rules, audience_pool(session)):
                raise InvalidInput("the audience is empty: no participant contact matches it")
            bulletin = Bulletin(title=title, body=body, severity=severity, services=services,
                                audience=list(new.audience), state="scheduled",
                                publish_at=publish_at, expires_at=new.expires_at,
                                created_by=actor.name, created_at=now, updated_at=now)
            session.add(bulletin)
            session.flush()
            session.add(Broadcast(kind="bulletin", bulletin_id=bulletin.id, version=0,
                                  title=title, body=body, due_at=publish_at, state="scheduled",
                                  created_at=now))
            return format_bulletin_ref(bulletin.id)

    def update(self, ref: str, body: str, actor: Actor, *, title: str | None = None,
               severity: str | None = None, at: datetime | None = None,
               resolve: bool = False, now: datetime | None = None) -> int:
        """Publish an update (or the resolution) on the bulletin's thread; returns its version."""
        now = now or utcnow()
        body = _required(body, "body")
        with unit_of_work(self.factory) as session:
            bulletin = self._get(session, ref)
            if bulletin.state in ("resolved", "cancelled"):
                raise InvalidInput(f"{format_bulletin_ref(bulletin.id)} is {bulletin.state}")
            due = at or now
            if due < now - PAST_TOLERANCE:
                raise InvalidInput("the publish time is in the past")
            # Never ahead of a notice of this bulletin still waiting: the thread keeps its order.
            waiting = broadcasts.pending_for(session, bulletin_id=bulletin.id)
            due = max([due, now, *(b.due_at for b in waiting)])
            version = broadcasts.next_version(session, bulletin_id=bulletin.id)
            if title:
                bulletin.title = _required(title, "title")
            bulletin.severity = "resolved" if resolve else parse_severity(
                severity or bulletin.severity)  # fmt: skip
            bulletin.updated_at = now
            if resolve:
                bulletin.state = "resolved"
            session.add(Broadcast(kind="bulletin_resolved" if resolve else "bulletin_update",
                                  bulletin_id=bulletin.id, version=version,
                                  title=bulletin.title, body=body, due_at=due,
                                  state="scheduled", created_at=now))  # fmt: skip
            return version

    def cancel(self, ref: str, actor: Actor) -> None:
        """Withdraw a bulletin that has not gone out yet; a published one is resolved instead."""
        with unit_of_work(self.factory) as session:
            bulletin = self._get(session, ref)
            pending = broadcasts.pending_for(session, bulletin_id=bulletin.id)
            if broadcasts.any_sent(session, bulletin_id=bulletin.id):
                raise InvalidInput(f"{format_bulletin_ref(bulletin.id)} has been published; "
                                   "resolve it to tell participants it is over")
            for broadcast in pending:
                broadcast.state = "cancelled"
            bulletin.state, bulletin.updated_at = "cancelled", utcnow()

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            rows = session.scalars(select(Bulletin).order_by(Bulletin.id.desc()).limit(limit))
            return [self._view(b) for b in rows]

    def show(self, ref: str) -> dict[str, Any]:
        with unit_of_work(self.factory) as session:
            bulletin = self._get(session, ref)
            view = self._view(bulletin)
            view["body"] = bulletin.body
            view["publications"] = broadcasts.publications(session, bulletin_id=bulletin.id)
            return view

    def status(self, ref: str) -> list[dict[str, Any]]:
        with unit_of_work(self.factory) as session:
            return broadcasts.ledger(session, bulletin_id=self._get(session, ref).id)

    @staticmethod
    def _view(b: Bulletin) -> dict[str, Any]:
        return {"ref": format_bulletin_ref(b.id), "id": b.id, "title": b.title,
                "severity": b.severity, "services": b.services, "audience": b.audience,
                "state": _current_state(b), "publish_at": iso(b.publish_at),
                "expires_at": iso(b.expires_at), "created_by": b.created_by,
                "created_at": iso(b.created_at), "updated_at": iso(b.updated_at)}  # fmt: skip

    @staticmethod
    def _get(session: Session, ref: str) -> Bulletin:
        bulletin = session.get(Bulletin, parse_bulletin_ref(ref), with_for_update=True)
        if bulletin is None:
            raise NotFound(f"no bulletin {format_bulletin_ref(parse_bulletin_ref(ref))}")
        return bulletin


def _current_state(b: Bulletin) -> str:
    """A published bulletin past its expiry is no longer current news: shown as expired."""
    if b.state == "published" and b.expires_at is not None and b.expires_at <= utcnow():
        return "expired"
    return b.state


def _required(text: str, what: str) -> str:
    if not text or not text.strip():
        raise InvalidInput(f"a bulletin needs a {what}")
    return text.strip()
