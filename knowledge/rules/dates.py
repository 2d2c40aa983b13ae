"""Switch Effective Dates and how soon they land.

Only calendar dates are used (no clock times), so clock changes cannot shift a day; working
days skip weekends only, since bank holidays need the gov.uk feed which is I/O.
"""

from __future__ import annotations

import datetime as dt
import re

from knowledge.rules.base import RuleHit, TicketText
from knowledge.rules.wordpattern import ignorecase_texts, may_contain_ignorecase

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SED = re.compile(
    r"\b(?:sed|switch effective date|effective date|switch date|start date)\b[^.\n]{0,25}?"
    r"\b(today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec)[a-z]* ?\d{0,4})",
    re.IGNORECASE,
)
_SED_TEXTS = ignorecase_texts(_SED)  # most mail names no SED: a quick no


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days (Mon-Fri) after `start` up to and including `end`."""
    if end <= start:
        return 0
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += day.weekday() < 5
    return days


def parse_day(text: str, today: dt.date | None) -> dt.date | None:
    word = text.lower().strip()
    if today is not None:
        if word == "today":
            return today
        if word == "tomorrow":
            return today + dt.timedelta(days=1)
        if word in _WEEKDAYS:
            ahead = (_WEEKDAYS.index(word) - today.weekday()) % 7 or 7
            return today + dt.timedelta(days=ahead)
    if "/" in word:
        d, m, y = (int(p) for p in word.split("/"))
        try:
            return dt.date(y + 2000 if y < 100 else y, m, d)
        except ValueError:
            return None
    match = re.match(r"(\d{1,2})\D* ([a-z]{3})[a-z]* ?(\d{4})?", word)
    if match and match.group(2) in _MONTHS:
        year = int(match.group(3)) if match.group(3) else (today.year if today else None)
        if year is None:
            return None
        try:
            return dt.date(year, _MONTHS.index(match.group(2)) + 1, int(match.group(1)))
        except ValueError:
            return None
    return None


def switch_date(ticket: TicketText, today: dt.date | None) -> RuleHit | None:
    """The SED and, when it is today or the next working day, value 'within_1_wd'."""
    text = f"{ticket.subject}\n{ticket.new}"
    match = _SED.search(text) if may_contain_ignorecase(text, _SED_TEXTS) else None
    if not match:
        return None
    said = match.group(1)
    day = parse_day(said, today)
    soon = said.lower() in ("today", "tomorrow")
    if day is not None and today is not None:
        soon = day >= today and working_days_between(today, day) <= 1
    evidence = f"SED {said}" + (f" = {day.isoformat()}" if day else "")
    return RuleHit("switch_date", (evidence,), "within_1_wd" if soon else (
        day.isoformat() if day else said))
