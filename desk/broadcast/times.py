"""Europe/London time for people, UTC for the database.

A time typed without an offset is London time. One that falls into the spring-forward gap
does not exist and is refused; one in the autumn overlap means its first (BST) occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from desk.errors import InvalidInput

LONDON = ZoneInfo("Europe/London")
_RELATIVE = re.compile(r"\+\s*(\d+)\s*(m|min|minutes?|h|hours?|d|days?)", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_when(text: str, now: datetime) -> datetime:
    """'now', '+90m', '+2h', '+1d', or an ISO date and time (London unless it has an offset)."""
    value = text.strip()
    if value.lower() == "now":
        return now
    relative = _RELATIVE.fullmatch(value)
    if relative:
        unit = _UNITS[relative.group(2)[0].lower()]
        return now + timedelta(**{unit: int(relative.group(1))})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"not a time: {text!r} (use e.g. 2026-12-07 09:00, +2h or now; "
                           "London time unless an offset is given)") from None  # fmt: skip
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return london_to_utc(parsed)


def london_to_utc(wall: datetime) -> datetime:
    """A London wall-clock time as UTC; the autumn hour means its first occurrence."""
    first = wall.replace(tzinfo=LONDON, fold=0)
    back = first.astimezone(UTC).astimezone(LONDON)
    if back.replace(tzinfo=None) != wall:
        raise InvalidInput(f"{wall:%Y-%m-%d %H:%M} does not exist in London: the clocks "
                           "go forward over it")  # fmt: skip
    return first.astimezone(UTC)


def local(moment: datetime | None) -> str:
    """How a person in GB reads a moment: '2026-03-29 09:00 BST'."""
    if moment is None:
        return "-"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z")


def reminder_times(start: datetime, offsets: tuple[timedelta, ...]) -> list[datetime]:
    """When to remind before a window starting at `start` (UTC).

    Whole-day offsets are calendar days in London, so "24 h before" a 09:00 change is 09:00
    the day before even across a clock change; shorter offsets are elapsed time.
    """
    times = []
    for offset in offsets:
        if offset and offset % timedelta(days=1) == timedelta(0):
            wall = start.astimezone(LONDON).replace(tzinfo=None) - offset
            try:
                times.append(london_to_utc(wall))
            except InvalidInput:  # the same wall time the day before fell in the gap
                times.append(start - offset)
        else:
            times.append(start - offset)
    return times
