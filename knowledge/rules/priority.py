"""Impact and urgency from the signals, then priority through the desk matrix and bumping
rules (switching.md §5.7). Every step adds a reason so an agent can see how P-n was reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.priority import priority_for, raise_priority

BULK_THRESHOLD = 100
_NO_CUSTOMER_IMPACT = frozenset({
    "invalid_mpxn", "process_query", "misdirected", "sla_working_days", "planned_maintenance",
    "portal_access", "report_request", "participant_change", "ecoes_access", "address_update",
})


@dataclass(frozen=True)
class PrioritySignals:
    category: str
    ticket_type: str
    mpxn_count: int = 0
    affected: int = 0
    whole_class: bool = False
    market_wide: bool = False
    outage: str | None = None  # "hard" | "degraded"
    security: bool = False
    workaround: bool = False
    deadline: bool = False
    vulnerable: bool = False
    sed_within_1_wd: bool = False
    routine: bool = False  # routing found nothing to fix: a rule to explain or a hand-on
    book_transfer: bool = False  # a SoLR appointment or trade sale: a whole customer book


@dataclass(frozen=True)
class PriorityResult:
    impact: int
    urgency: int
    priority: str
    reasons: tuple[str, ...]


def _impact(s: PrioritySignals, why: list[str]) -> int:
    if s.security:
        why.append("impact 1: security compromise")
        return 1
    if s.category == "css_outage":
        if s.outage == "hard" and s.market_wide:
            why.append("impact 1: central service down for several participants")
            return 1
        why.append("impact 2: degradation or single-participant outage")
        return 2
    if s.ticket_type != "incident" and s.category in _NO_CUSTOMER_IMPACT:
        why.append("impact 4: no service impact")
        return 4
    if s.ticket_type != "incident" and s.routine and s.affected < BULK_THRESHOLD:
        why.append("impact 4: routine answer or hand-on, nothing to fix")
        return 4
    bulk_event = s.category == "bulk_switch_solr" and (
        s.ticket_type == "incident" or s.affected >= BULK_THRESHOLD or s.book_transfer)
    if bulk_event or (s.whole_class and s.ticket_type == "incident"):
        if s.workaround:
            why.append("impact 3: whole class affected but a workaround is in place")
            return 3
        why.append("impact 2: a participant's whole class of switches or messages")
        return 2
    if s.ticket_type == "incident" or s.mpxn_count or s.affected >= BULK_THRESHOLD:
        why.append("impact 3: meter points or switches affected")
        return 3
    why.append("impact 4: query or routine request")
    return 4


def _urgency(s: PrioritySignals, impact: int, why: list[str]) -> int:
    if s.security or (s.category == "css_outage" and impact == 1):
        why.append("urgency 1: service down or compromised now")
        return 1
    if impact == 2 or (impact == 3 and (s.deadline or s.sed_within_1_wd)):
        why.append("urgency 2: impact lands within one working day")
        return 2
    if s.ticket_type == "incident" or impact == 3:
        why.append("urgency 3: days")
        return 3
    why.append("urgency 4: no deadline")
    return 4


def assess(s: PrioritySignals) -> PriorityResult:
    why: list[str] = []
    impact = _impact(s, why)
    urgency = _urgency(s, impact, why)
    priority = priority_for(impact, urgency)
    why.append(f"matrix impact {impact} x urgency {urgency} = {priority}")
    if priority == "P1" and not (s.market_wide or s.security):
        priority = "P2"
        why.append("capped at P2: P1 needs market-wide impact or a security compromise")
    if priority == "P3" and s.vulnerable and (s.deadline or s.sed_within_1_wd):
        priority = raise_priority(priority)
        why.append("bumped +1: vulnerable consumer and impact within one working day")
    if priority == "P3" and max(s.affected, s.mpxn_count) >= BULK_THRESHOLD:
        priority = raise_priority(priority)
        why.append(f"bumped +1: {BULK_THRESHOLD}+ meter points affected for one participant")
    return PriorityResult(impact, urgency, priority, tuple(why))
