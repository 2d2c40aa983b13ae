"""The weekly forward-schedule-of-change digest: what is planned over the next weeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from desk.broadcast.calendar import ChangeInfo
from desk.broadcast.services import SERVICES
from desk.broadcast.times import LONDON, local


def _day(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y")


def digest_content(changes: Sequence[ChangeInfo], start: datetime, end: datetime
                   ) -> tuple[str, str]:  # fmt: skip
    """(title, Markdown body) for the changes whose window meets [start, end)."""
    title = f"Forward schedule of change from {_day(start)}"
    shown = sorted((c for c in changes if c.status != "cancelled" and c.end > start
                    and c.start < end), key=lambda c: (c.start, c.ref))  # fmt: skip
    lines = [f"Changes planned from {_day(start)} to {_day(end)} (times are London time).", ""]
    if not shown:
        lines.append("No changes are planned in this period.")
    for change in shown:
        services = ", ".join(SERVICES.get(s, s) for s in change.services)
        lines += [f"- **{change.ref}** {change.title}",
                  f"  {local(change.start)} to {local(change.end)} · {services} · "
                  f"{change.provider} · {change.status.replace('_', ' ')}",
                  f"  Impact: {' '.join(change.impact.split())}", ""]  # fmt: skip
    return title, "\n".join(lines).rstrip() + "\n"
