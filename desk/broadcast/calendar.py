"""iCalendar for the forward schedule of change. The UID is stable per change and SEQUENCE
grows with each amendment, so calendar clients update an entry instead of adding one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from desk.broadcast.services import SERVICES
from desk.broadcast.times import LONDON

PRODID = "-//switchdesk//Forward Schedule of Change//EN"
_STATUS = {"cancelled": "CANCELLED", "planned": "TENTATIVE"}  # everything else CONFIRMED


@dataclass(frozen=True)
class ChangeInfo:
    ref: str
    title: str
    provider: str
    services: tuple[str, ...]
    start: datetime
    end: datetime
    impact: str
    status: str
    sequence: int
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "services": list(self.services),
                **{k: _aware(getattr(self, k)).isoformat()
                   for k in ("start", "end", "updated_at")}}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChangeInfo:
        return cls(**{**data, "services": tuple(data["services"]),
                      **{k: datetime.fromisoformat(data[k])
                         for k in ("start", "end", "updated_at")}})  # fmt: skip


@cache
def _london(first_year: int, last_year: int) -> Timezone:
    """VTIMEZONE for the years the calendar spans; slow to build, hence cached."""
    return Timezone.from_tzinfo(LONDON, "Europe/London", date(first_year, 1, 1),
                                date(last_year, 1, 1))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def change_event(change: ChangeInfo, domain: str, organizer: tuple[str, str] | None = None
                 ) -> Event:  # fmt: skip
    event = Event()
    if organizer is not None:  # iTIP (RFC 5546): a REQUEST or CANCEL names its organizer
        name, email = organizer
        address = vCalAddress(f"mailto:{email}")
        address.params["cn"] = vText(name)
        event["organizer"] = address
    event.add("uid", f"{change.ref.lower()}@{domain}")
    event.add("sequence", change.sequence)
    event.add("dtstamp", _aware(change.updated_at))
    event.add("last-modified", _aware(change.updated_at))
    event.add("dtstart", _aware(change.start).astimezone(LONDON))
    event.add("dtend", _aware(change.end).astimezone(LONDON))
    event.add("summary", f"[{change.ref}] {change.title}")
    services = ", ".join(SERVICES.get(s, s) for s in change.services)
    event.add("description", f"{change.impact}\n\nServices: {services}\n"
                             f"Provider: {change.provider}\nStatus: {change.status}")
    event.add("categories", [SERVICES.get(s, s) for s in change.services])
    event.add("status", _STATUS.get(change.status, "CONFIRMED"))
    event.add("transp", "TRANSPARENT")
    return event


def calendar_bytes(changes: Sequence[ChangeInfo], domain: str, method: str = "PUBLISH",
                   organizer: tuple[str, str] | None = None) -> bytes:  # fmt: skip
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", "Switching Service: forward schedule of change")
    calendar.add("x-wr-timezone", "Europe/London")
    if changes:
        first = min(_aware(c.start) for c in changes)
        last = max(_aware(c.end) for c in changes)
        calendar.add_component(_london(first.year, last.year + 1))
    for change in changes:
        calendar.add_component(change_event(change, domain, organizer))
    return calendar.to_ical()
