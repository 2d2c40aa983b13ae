"""SLA clocks: when a ticket's response and resolution fall due, and whether they are missed.

Pure (stdlib and the `holidays` calendar). Due times are derived from stored facts only: when
the ticket was opened, its current priority, and its status-change audit events.

- Targets per priority (defaults from the desk's model, domain notes §5.7) are spans on one of
  three clocks: minutes/hours/days of real time (24x7), business minutes/hours, or working
  days. Only P1 runs 24x7; P2's 30-minute response counts business minutes like its 8 business
  hours of resolution. One
  working day is one business day's length of business time, so "3 working days" from
  Wednesday 13:30 falls due on Monday 13:30, and from Friday 20:00 on Wednesday 17:30.
- The resolution clock stops while the ticket waits for the participant (pending_participant)
  and while it is resolved (a reopened ticket resumes with the time it had left). The
  response clock never stops; a response is the first reply to the participant or the first
  move into work (in_progress, pending_*, resolved) - the automatic assignment by triage is not.
- A priority change re-targets the clocks from the opening time (the current priority counts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from desk import lifecycle
from desk.working_time import BUSINESS, WALL, Interval, WorkingCalendar, add, elapsed

STOPPED = frozenset({lifecycle.PENDING_PARTICIPANT, lifecycle.RESOLVED, lifecycle.CLOSED})
RESPONSE_STATUSES = frozenset(
    {lifecycle.IN_PROGRESS, lifecycle.PENDING_PARTICIPANT, lifecycle.PENDING_PROVIDER,
     lifecycle.RESOLVED, lifecycle.CLOSED}
)  # fmt: skip
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "bm": "business minutes",
          "bh": "business hours", "wd": "working days"}  # fmt: skip
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d|bm|bh|wd)\s*$")


@dataclass(frozen=True)
class Span:
    """An amount of time on one clock: '15m', '4h', '1d' (24x7), '30bm', '8bh', '3wd'."""

    amount: float
    unit: str  # a key of _UNITS

    @classmethod
    def parse(cls, text: str) -> Span:
        match = _SPAN.match(text.lower())
        if not match or float(match[1]) <= 0:
            raise ValueError(f"a span is a positive number and m, h, d, bm, bh or wd, not {text!r}")
        return cls(float(match[1]), match[2])

    @property
    def basis(self) -> str:
        return BUSINESS if self.unit in ("bm", "bh", "wd") else WALL

    def duration(self, business_day: timedelta) -> timedelta:
        """The clock time this span needs on its basis."""
        minute, hour = timedelta(minutes=1), timedelta(hours=1)
        unit = {"m": minute, "h": hour, "d": timedelta(days=1), "bm": minute, "bh": hour,
                "wd": business_day}[self.unit]  # fmt: skip
        return unit * self.amount

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        name = _UNITS[self.unit]
        if amount == "1":
            name = {"minutes": "minute", "hours": "hour", "days": "day"}.get(name, name[:-1])
        if self.unit in ("m", "bm"):
            name = "min" if self.unit == "m" else "business min"
        return f"{amount} {name}" + (", 24x7" if self.unit in ("h", "d") else "")


@dataclass(frozen=True)
class Target:
    response: Span
    resolution: Span

    @classmethod
    def parse(cls, text: str) -> Target:
        """'15m/4h' -> response 15 minutes, resolution 4 hours."""
        response, sep, resolution = text.partition("/")
        if not sep:
            raise ValueError(f"a target is RESPONSE/RESOLUTION such as 30m/8bh, not {text!r}")
        return cls(Span.parse(response), Span.parse(resolution))

    def __str__(self) -> str:
        return f"{self.response.amount:g}{self.response.unit}/{self.resolution.amount:g}" \
               f"{self.resolution.unit}"  # fmt: skip


DEFAULT_TARGETS: dict[str, Target] = {
    p: Target.parse(t)
    for p, t in {"P1": "15m/4h", "P2": "30bm/8bh", "P3": "4bh/3wd", "P4": "1wd/5wd"}.items()
}


def parse_targets(value: Mapping[str, str] | str) -> dict[str, Target]:
    """Overrides such as 'P2=30m/8bh,P3=4bh/3wd' (or a mapping) over the defaults."""
    if isinstance(value, str):
        pairs: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[,;]", value))):
            key, sep, spec = part.partition("=")
            if not sep:
                raise ValueError(f"write targets as P1=15m/4h,P2=30m/8bh, not {part!r}")
            pairs[key.strip()] = spec
        value = pairs
    targets = dict(DEFAULT_TARGETS)
    for key, spec in value.items():
        priority = key.strip().upper()
        if priority not in DEFAULT_TARGETS:
            raise ValueError(f"targets are for P1-P4, not {key!r}")
        targets[priority] = Target.parse(str(spec))
    return targets


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    before: str | None
    after: str


def stops_from(changes: Iterable[StatusChange]) -> list[Interval]:
    """Intervals in which the resolution clock stood still, from status changes in order."""
    stops: list[Interval] = []
    since: datetime | None = None
    for change in changes:
        if change.after in STOPPED and since is None:
            since = change.at
        elif change.after not in STOPPED and since is not None:
            stops.append((since, change.at))
            since = None
    if since is not None:
        stops.append((since, None))
    return stops


def responded_at(changes: Iterable[StatusChange], replies: Iterable[datetime]) -> datetime | None:
    moments = [c.at for c in changes if c.after in RESPONSE_STATUSES] + list(replies)
    return min(moments, default=None)


@dataclass(frozen=True)
class SlaStatus:
    priority: str
    target: Target
    response_due: datetime
    responded_at: datetime | None
    resolution_due: datetime | None  # None while paused for the participant
    clock: str  # running | paused (pending participant) | stopped (resolved or closed)
    remaining: timedelta | None  # clock time left on the resolution target, when paused
    response_breached: bool
    resolution_breached: bool
    at_risk: bool  # running, resolution not yet breached but due within the window

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolution_breached


@dataclass
class SlaPolicy:
    """Targets and calendars from settings: England & Wales unless an organisation is listed."""

    targets: Mapping[str, Target] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    scotland: WorkingCalendar | None = None
    scottish_organisations: frozenset[str] = frozenset()
    at_risk_window: timedelta = timedelta(hours=4)

    def calendar_for(self, organisation: str | None) -> WorkingCalendar:
        if self.scotland and organisation in self.scottish_organisations:
            return self.scotland
        return self.calendar

    @property
    def calendars(self) -> list[WorkingCalendar]:
        return [self.calendar] + ([self.scotland] if self.scotland else [])

    def due(self, start: datetime, span: Span, calendar: WorkingCalendar,
            stops: Sequence[Interval] = ()) -> datetime | None:  # fmt: skip
        return add(calendar, start, span.duration(calendar.hours.length), span.basis, stops)

    def response_due(self, opened_at: datetime, priority: str,
                     organisation: str | None = None) -> datetime:  # fmt: skip
        due = self.due(opened_at, self.targets[priority].response, self.calendar_for(organisation))
        assert due is not None  # no stops, so the clock always reaches it
        return due

    def resolution_due(self, opened_at: datetime, priority: str, stops: Sequence[Interval] = (),
                       organisation: str | None = None) -> datetime | None:  # fmt: skip
        span = self.targets[priority].resolution
        return self.due(opened_at, span, self.calendar_for(organisation), stops)

    def earliest_resolution(self, opened_at: datetime, priority: str) -> datetime:
        """A lower bound on the resolution due time whatever the calendar and stops."""
        span = self.targets[priority].resolution
        return min(d for c in self.calendars if (d := self.due(opened_at, span, c)) is not None)

    def assess(self, opened_at: datetime, priority: str, changes: Sequence[StatusChange],
               replies: Sequence[datetime], now: datetime, organisation: str | None = None,
               within: timedelta | None = None) -> SlaStatus:  # fmt: skip
        target = self.targets[priority]
        calendar = self.calendar_for(organisation)
        response_due = self.response_due(opened_at, priority, organisation)
        responded = responded_at(changes, replies)
        response_missed = (responded or now) > response_due
        stops = stops_from(changes)
        current = stops[-1] if stops and stops[-1][1] is None else None
        closed_stops = stops[:-1] if current else stops
        due = self.due(opened_at, target.resolution, calendar, closed_stops)
        assert due is not None
        if current is None:
            window = self.at_risk_window if within is None else within
            late = now > due
            return SlaStatus(priority, target, response_due, responded, due, "running", None,
                             response_missed, late, not late and due - now <= window)  # fmt: skip
        late = current[0] > due  # it stood still only after it was due
        if changes and changes[-1].after == lifecycle.PENDING_PARTICIPANT:
            need = target.resolution.duration(calendar.hours.length)
            ran = elapsed(calendar, opened_at, current[0], target.resolution.basis, closed_stops)
            return SlaStatus(priority, target, response_due, responded, None, "paused",
                             max(need - ran, timedelta()), response_missed, late, False)
        return SlaStatus(priority, target, response_due, responded, due, "stopped", None,
                         response_missed, late, False)  # fmt: skip


DEFAULT_POLICY = SlaPolicy()


def response_due(opened_at: datetime, priority: str) -> datetime:
    """The response due time on the default targets and England & Wales calendar."""
    return DEFAULT_POLICY.response_due(opened_at, priority)


def resolution_due(opened_at: datetime, priority: str,
                   stops: Sequence[Interval] = ()) -> datetime | None:  # fmt: skip
    """The resolution due time on the defaults; None while a stop has no end."""
    return DEFAULT_POLICY.resolution_due(opened_at, priority, stops)
