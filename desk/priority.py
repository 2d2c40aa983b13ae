"""Priority from impact x urgency: the desk's ITIL matrix, both on a 1-4 scale.

Impact: 1 extensive (market-wide, many participants), 2 significant (one participant's
whole class of switches, ~100+ MPxNs), 3 moderate (one or a few MPxNs with customer
impact), 4 minor (no service impact: query, how-to).
Urgency: 1 critical (cut-off or supply at risk within hours), 2 high (within one working
day), 3 medium (days), 4 low (no deadline).

Priority = the row/column of the matrix below; it is symmetric and equals
P1 for a sum of 2-3, P2 for 4, P3 for 5-6 and P4 for 7-8.

              urgency 1   2   3   4
    impact 1          P1  P1  P2  P3
    impact 2          P1  P2  P3  P3
    impact 3          P2  P3  P3  P4
    impact 4          P3  P3  P4  P4
"""

from __future__ import annotations

from desk.errors import InvalidInput

PRIORITIES = ("P1", "P2", "P3", "P4")
LEVEL_WORDS = {"critical": 1, "high": 2, "medium": 3, "low": 4}
_BY_SUM = {2: "P1", 3: "P1", 4: "P2", 5: "P3", 6: "P3", 7: "P4", 8: "P4"}


class PriorityError(InvalidInput):
    """An impact, urgency or priority outside the scale."""


def parse_level(value: int | str, name: str) -> int:
    """Accept 1-4 or critical/high/medium/low; refuse anything else naming the field."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in LEVEL_WORDS:
            return LEVEL_WORDS[text]
        if not text.isdigit():
            raise PriorityError(f"{name} must be 1-4 or critical/high/medium/low, not {value!r}")
        value = int(text)
    if not 1 <= value <= 4:
        raise PriorityError(f"{name} must be 1-4, not {value}")
    return value


def priority_for(impact: int, urgency: int) -> str:
    return _BY_SUM[parse_level(impact, "impact") + parse_level(urgency, "urgency")]


def parse_priority(value: str) -> str:
    text = value.strip().upper()
    if text.isdigit():
        text = "P" + text
    if text not in PRIORITIES:
        raise PriorityError(f"priority must be one of {', '.join(PRIORITIES)}, not {value!r}")
    return text


def raise_priority(priority: str, levels: int = 1) -> str:
    """Bump towards P1 (a bumping rule), never past it."""
    return PRIORITIES[max(0, PRIORITIES.index(priority) - levels)]
