"""Urgency signals: deadlines within a working day, and consumers at risk."""

from __future__ import annotations

import re

from knowledge.rules.base import RuleHit, TicketText, first_match
from knowledge.rules.negation import without_urgency_denials
from knowledge.rules.wordpattern import WordPattern

_SOON = WordPattern(
    r"before (?:the )?weekend|tonight|\btoday\b|end of (?:the )?day|\burgent(?:ly)?\b|\basap\b|"
    r"immediately|runs? out|tomorrow"
)
# a market cut-off is a deadline when something must beat it, not when asked how it works
_CUT_OFF = WordPattern(r"gate closure|\b17:00\b|cut-?off")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_ASKS_THE_DESK = WordPattern(r"\byou\b|\byour\b|fixed|resolved|sorted|in time|\bmiss")
_VULNERABLE = WordPattern(
    r"\bpsr\b|priority services? register|vulnerab|care home|residential care|oxygen|medical"
    r"|life[- ]support|elderly|disabled|(?:payg|prepay\w*|pay[- ]as[- ]you[- ]go)[\s\S]{0,160}"
    r"(?:top[- ]?up|credit)|(?:top[- ]?up|credit)[\s\S]{0,160}(?:payg|prepay\w*|pay[- ]as[- ]"
    r"you[- ]go)"
)


def _rules_question(sentence: str) -> bool:
    """'Does the window close at 17:00 or at midnight?' asks how the market works."""
    return sentence.rstrip().endswith("?") and not _ASKS_THE_DESK.search(sentence)


def _cut_off(text: str) -> str | None:
    if not _CUT_OFF.search(text):
        return None
    for sentence in _SENTENCE.findall(text):
        evidence = first_match(_CUT_OFF, sentence)
        if evidence and not _rules_question(sentence):
            return evidence
    return None


def deadline(ticket: TicketText) -> RuleHit | None:
    text = without_urgency_denials(ticket.affirmed)
    evidence = first_match(_SOON, text) or _cut_off(text)
    return RuleHit("deadline_within_1_wd", (evidence,)) if evidence else None


def vulnerable(ticket: TicketText) -> RuleHit | None:
    evidence = first_match(_VULNERABLE, ticket.own)
    return RuleHit("vulnerable_customer", (evidence,)) if evidence else None
