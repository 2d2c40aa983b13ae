"""Working time: business hours on working days, and clocks that add a span of it (pure).

Working days exclude weekends and bank holidays of England & Wales (the default, as industry
codes define a working day) or Scotland, from the `holidays` package. Business hours are local
times in Europe/London, so a business day is 09:00-17:30 on the day the clocks change too;
24x7 spans are real elapsed time in UTC, so 4 hours across a clock change is 4 real hours.
All datetimes in and out are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
REGIONS = {"england-and-wales": "ENG", "scotland": "SCT"}  # gov.uk division -> holidays subdiv
WALL, BUSINESS = "wall", "business"
_HORIZON_DAYS = 3660  # no span runs past ten years; a bound that keeps a bad calendar finite

Interval = tuple[datetime, datetime | None]  # a stop of the clock; an open end: still stopped


@dataclass(frozen=True)
class BusinessHours:
    start: time = time(9, 0)
    end: time = time(17, 30)

    @classmethod
    def parse(cls, text: str) -> BusinessHours:
        """'09:00-17:30' -> BusinessHours; refuse anything else with the reason."""
        try:
            first, second = (time.fromisoformat(p.strip().zfill(5)) for p in text.split("-"))
        except ValueError:
            raise ValueError(f"business hours must look like 09:00-17:30, not {text!r}") from None
        if first >= second:
            raise ValueError(f"business hours must end after they start, not {text!r}")
        return cls(first, second)

    @property
    def length(self) -> timedelta:
        day = date(2000, 1, 1)
        return datetime.combine(day, self.end) - datetime.combine(day, self.start)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class WorkingCalendar:
    """Which days are working days, and the business hours on them."""

    def __init__(self, region: str = "england-and-wales", hours: BusinessHours | None = None,
                 tz: ZoneInfo = LONDON) -> None:  # fmt: skip
        if region not in REGIONS:
            raise ValueError(f"calendar must be one of {', '.join(REGIONS)}, not {region!r}")
        self.region = region
        self.hours = hours or BusinessHours()
        self.tz = tz
        self._holidays = holidays.country_holidays("GB", subdiv=REGIONS[region])
        self.is_working_day = lru_cache(maxsize=8192)(self._is_working_day)

    def _is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def holiday(self, day: date) -> str | None:
        return self._holidays.get(day)

    def windows(self, start: datetime, basis: str) -> Iterator[tuple[datetime, datetime]]:
        """The running time of a clock from `start`, as UTC intervals in order."""
        if start.tzinfo is None:
            raise ValueError("a naive datetime has no place on a clock; give it a timezone")
        start = start.astimezone(UTC)
        if basis == WALL:
            for n in range(_HORIZON_DAYS):
                yield start + timedelta(days=n), start + timedelta(days=n + 1)
            return
        day = start.astimezone(self.tz).date()
        for n in range(_HORIZON_DAYS):
            current = day + timedelta(days=n)
            if not self.is_working_day(current):
                continue
            opens = datetime.combine(current, self.hours.start, self.tz).astimezone(UTC)
            closes = datetime.combine(current, self.hours.end, self.tz).astimezone(UTC)
            if closes > start:
                yield max(opens, start), closes


def running(windows: Iterable[tuple[datetime, datetime]],
            stops: Sequence[Interval]) -> Iterator[tuple[datetime, datetime]]:  # fmt: skip
    """The windows less the stops (sorted, non-overlapping); ends at a stop with no end."""
    stops = sorted(stops, key=lambda s: s[0])
    for a, b in windows:
        for s, e in stops:
            if e is not None and e <= a:
                continue
            if s >= b:
                break
            if s > a:
                yield a, s
            if e is None:
                return
            a = max(a, e)
            if a >= b:
                break
        if a < b:
            yield a, b


def add(calendar: WorkingCalendar, start: datetime, amount: timedelta, basis: str,
        stops: Sequence[Interval] = ()) -> datetime | None:  # fmt: skip
    """When `amount` of clock time has run from `start`; None if a stop never ends first."""
    left = amount
    for a, b in running(calendar.windows(start, basis), stops):
        if b - a >= left:
            return a + left
        left -= b - a
    if stops and any(e is None for _, e in stops):
        return None
    raise ValueError(f"no working time within {_HORIZON_DAYS} days of {start.isoformat()}")


def elapsed(calendar: WorkingCalendar, start: datetime, end: datetime, basis: str,
            stops: Sequence[Interval] = ()) -> timedelta:  # fmt: skip
    """Clock time that ran between `start` and `end`."""
    total = timedelta()
    for a, b in running(calendar.windows(start, basis), stops):
        if a >= end:
            break
        total += min(b, end) - a
    return total
