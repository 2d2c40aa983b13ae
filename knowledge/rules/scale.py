"""Impact signals: how much is affected (counts, whole classes, the market) and how badly."""

from __future__ import annotations

import re

from knowledge.rules.base import RuleHit, TicketText, first_match
from knowledge.rules.wordpattern import WordPattern

# "231 switches", "231 of our electricity switches", "164 new-build MPANs", "164 plots";
# not a reference ("CBL-882213") and not across a blank line (a signature's "Registrations")
_GAP = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"
_COUNT = re.compile(
    r"(?<![\w,/-])(?<!\d\.)(\d{1,3}(?:,\d{3})+|\d{1,6})\+?" + _GAP +
    r"(?:(?:of|from|across) (?:our|the|these|those|their|your|my) )?(?:[a-z][a-z'-]*" + _GAP +
    r"){0,3}?"
    r"(?:switch(?:es)?|switch requests|mpans|mprns|mpxns|requests|registrations|updates|"
    r"customers|sites|meter points|supply points|premises|properties|gains|losses|plots|homes|"
    r"flats|units|meters|accounts|transfers|notifications|messages)\b"
)
_STATUS_CODE_BEFORE = re.compile(r"(?:http|status|error|code)\W*$")
_WHOLE_CLASS = WordPattern(
    r"\b(?:all|every|any|zero|none of (?:our|the))\s+(?:(?:of\s+)?(?:our|the|my)\s+)?"
    r"(?:[a-z]+\s){0,3}?(?:switch(?:es)?|messages?|calls?|requests?|gains?|updates?|"
    r"notifications?|postcodes?|searches|addresses)\b|"
    # "we can't submit a switch for her" is one switch, not the whole class
    r"\b(?:cannot|can't|unable to) (?:submit|send|receive|transact)\b"
    r"(?! (?:a|an|this|that|her|his|their|one|it)\b)|"
    r"\b(?:received|had|got) nothing (?:at all )?(?:from (?:the )?css|since)\b"
)
_FAILURE = WordPattern(
    r"fail|reject|error|not (?:been )?(?:received|arriv|work)|\b5\d\d|\bzero\b|cannot|can't|"
    r"unable|\bdown\b|timing out|timed out|haven't (?:received|had)|stopped|return\w* nothing|"
    r"no results|empty|(?:received|had|got) nothing"
)
# "requests with a later SED validate fine": the failing ones are a subset, not the class
_OTHERS_FINE = WordPattern(
    r"\b(?:requests|switch(?:es| requests)|registrations|ones|others)\b[^.\n]{0,60}\b(?:validate|"
    r"validated|go through|gone through|went through|work|worked|are accepted|were accepted|"
    r"process|processed)\b(?: [a-z]+){0,2}? (?:fine|normally|as expected|ok)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+")
_MARKET_WIDE = WordPattern(
    r"market[- ]wide|other (?:suppliers|participants|parties)|not just us|industry "
    r"(?:call|chat)|all (?:suppliers|participants)|everyone is"
)
_HARD_DOWN = WordPattern(r"\b5\d\d(?:s|\b)|\b5xx\b|\bdown\b|unavailable|not responding|outage")
_DEGRADED = WordPattern(
    r"\bslow|taking \d+|\bdelay|intermittent|\b\d+ in \d+ calls|\bsome calls|timing out"
)
_SECURITY = WordPattern(
    r"private key|compromised|security incident|key (?:was )?(?:exposed|leaked|committed)|"
    r"exposure of"
)
# a supplier's whole customer book moving (SoLR appointment, trade sale) is bulk by nature,
# even when the volumes are only in an attachment or a list
_BOOK_TRANSFER = WordPattern(
    r"\bappointed (?:as )?(?:the )?(?:supplier of last resort|solr)\b|"
    r"\b(?:ceased|ceases|has ceased) trading\b|"
    r"\btrade sale (?:of|from|with|completes|completed|agreed)\b|"
    r"\btaking (?:on|over) (?:[a-z]+ ){0,3}?customers\b"
)
_WORKAROUND = WordPattern(r"workaround|routed back|temporarily rout|fall(?:en)? ?back|still works")


def affected_count(ticket: TicketText) -> RuleHit | None:
    best, evidence = 0, ""
    for match in _COUNT.finditer(ticket.own):
        before = ticket.own[max(0, match.start() - 8) : match.start()]
        if _STATUS_CODE_BEFORE.search(before) or match.group().endswith("too many requests"):
            continue  # "HTTP 429 Too Many Requests" counts nothing
        number = int(match.group(1).replace(",", ""))
        if number > best:
            best, evidence = number, match.group()
    if not best:
        return None
    return RuleHit("affected_count", (evidence,), best)


def _hit(name: str, pattern: WordPattern, text: str) -> RuleHit | None:
    evidence = first_match(pattern, text)
    return RuleHit(name, (evidence,)) if evidence else None


def whole_class(ticket: TicketText) -> RuleHit | None:
    """'all/every/any ... switches' only counts in a sentence that also says they fail, and
    not when the sender says others of the kind go through fine."""
    text = ticket.affirmed
    if not _WHOLE_CLASS.could_match(text):
        return None  # most messages: no sentence can match, so none needs looking at
    sentences = _SENTENCE.findall(text)
    if _OTHERS_FINE.could_match(text) and any(
            _OTHERS_FINE.search(s) and not _FAILURE.search(s) for s in sentences):
        return None
    for sentence in sentences:
        if _WHOLE_CLASS.search(sentence) and _FAILURE.search(sentence):
            return RuleHit("whole_class_failing", (" ".join(sentence.split())[:120],))
    return None


def market_wide(ticket: TicketText) -> RuleHit | None:
    return _hit("market_wide", _MARKET_WIDE, ticket.own)


def outage(ticket: TicketText) -> RuleHit | None:
    """'hard' when calls fail outright, 'degraded' when they are slow or partly failing."""
    degraded = first_match(_DEGRADED, ticket.affirmed)
    if degraded:
        return RuleHit("service_degraded", (degraded,), "degraded")
    hard = first_match(_HARD_DOWN, ticket.affirmed)
    return RuleHit("service_down", (hard,), "hard") if hard else None


def security(ticket: TicketText) -> RuleHit | None:
    return _hit("security_compromise", _SECURITY, ticket.own)


def book_transfer(ticket: TicketText) -> RuleHit | None:
    return _hit("customer_book_transfer", _BOOK_TRANSFER, ticket.own)


def workaround(ticket: TicketText) -> RuleHit | None:
    return _hit("workaround_in_place", _WORKAROUND, ticket.own)
