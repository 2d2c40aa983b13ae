"""Urgency signals: deadlines within a working day, and consumers at risk."""

from __future__ import annotations

from knowledge.rules.base import RuleHit, TicketText, first_match
from knowledge.rules.wordpattern import WordPattern

_DEADLINE = WordPattern(
    r"gate closure|\b17:00\b|cut-?off|before (?:the )?weekend|tonight|\btoday\b|end of (?:the )?"
    r"day|\burgent(?:ly)?\b|\basap\b|immediately|runs? out|tomorrow"
)
_VULNERABLE = WordPattern(
    r"\bpsr\b|priority services? register|vulnerab|care home|residential care|oxygen|medical"
    r"|life[- ]support|elderly|disabled|(?:payg|prepay\w*|pay[- ]as[- ]you[- ]go)[\s\S]{0,160}"
    r"(?:top[- ]?up|credit)|(?:top[- ]?up|credit)[\s\S]{0,160}(?:payg|prepay\w*|pay[- ]as[- ]"
    r"you[- ]go)"
)


def deadline(ticket: TicketText) -> RuleHit | None:
    evidence = first_match(_DEADLINE, ticket.own)
    return RuleHit("deadline_within_1_wd", (evidence,)) if evidence else None


def vulnerable(ticket: TicketText) -> RuleHit | None:
    evidence = first_match(_VULNERABLE, ticket.own)
    return RuleHit("vulnerable_customer", (evidence,)) if evidence else None
