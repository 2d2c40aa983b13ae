"""Mentions that deny a concept rather than report it: blank them out before matching.

"No objections were raised", "our certificates are in date", "our inbound endpoint was down"
(the sender's side, not CSS) and "not urgent" name a symptom only to rule it out. Each kind is
a small named pattern; `without_denials` replaces the matched text with a space so the
category, outage and urgency rules do not count it. Input is lower-cased text.
"""

from __future__ import annotations

import re

NO_OBJECTION = (
    r"\bno objections? (?:was |were |had been )?(?:raised)?|no objection\b|"
    r"\b(?:nobody|no-?one|no one|no party|neither supplier) (?:has |had )?(?:ever )?objected\b|"
    r"\bwas(?:n'?t| not) objected to\b"
)
HEALTHY = (
    r"\b(?:certificates?|certs?|tls|endpoints?|connectivity|connections?)\b(?: [a-z]+){0,2}? "
    r"(?:is|are|all|look|looks|seem|seems|remain|remains)(?: all| still)? (?:in date|valid|fine|"
    r"ok|okay|healthy|current|up|working|not expired|unchanged)\b(?! until| till| but)"
)
OWN_SIDE_DOWN = (
    r"\b(?:our|my|own|inbound|receiving)(?: [a-z]+){0,3}? (?:endpoints?|servers?|listeners?|"
    r"platforms?|systems?|middleware|adapters?)(?: (?:was|were|is|are|went|been|being|had been)"
    r")?(?: briefly| completely)? (?:down|unavailable|offline)\b"
)
NOT_URGENT = (
    r"\b(?:not|isn'?t|is not|nothing) (?:at all |very |particularly |too |that )?(?:urgent|"
    r"time[- ]critical|pressing)\b|\bnon[- ]urgent\b|\bno (?:rush|hurry|urgency)\b"
)
NOTHING_STUCK = r"\bnothing (?:is |has )?(?:stuck|pending|failed|failing)\b"

# what every matching rule should ignore
_COMMON = re.compile("|".join((NO_OBJECTION, HEALTHY, OWN_SIDE_DOWN, NOTHING_STUCK)))
_URGENCY = re.compile(NOT_URGENT)


def without_denials(text: str) -> str:
    """`text` with denied mentions blanked (lower-case input)."""
    return _COMMON.sub(" ", text)


def without_urgency_denials(text: str) -> str:
    """`text` with "not urgent", "no rush" and the like blanked (lower-case input)."""
    return _URGENCY.sub(" ", text)
