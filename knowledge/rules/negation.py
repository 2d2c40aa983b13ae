"""Mentions that deny a concept rather than report it: blank them out before matching.

"No objections were raised", "our certificates are in date", "our inbound endpoint was down"
(the sender's side, not CSS) and "not urgent" name a symptom only to rule it out. Each kind is
a small named pattern; `without_denials` replaces the matched text with a space so the
category, outage and urgency rules do not count it. Input is lower-cased text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.rules.wordpattern import contains_any, required_texts

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

# what every matching rule should ignore, in the order of the alternation that blanks them
_KINDS = (NO_OBJECTION, HEALTHY, OWN_SIDE_DOWN, NOTHING_STUCK)
# Most text denies nothing, and these substring tests (e.g. "objected", "nothing ") say so far
# faster than the patterns, whose leading \b makes `re` try every position. A kind whose
# texts are all absent cannot match, so leaving it out of the alternation changes nothing.
_KIND_TEXTS = tuple(required_texts(kind) for kind in _KINDS)
_URGENCY = re.compile(NOT_URGENT)
_URGENCY_TEXTS = required_texts(NOT_URGENT)


@lru_cache(maxsize=2 ** len(_KINDS))  # one per subset of the kinds
def _denials(kinds: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(kinds))


def without_denials(text: str) -> str:
    """`text` with denied mentions blanked (lower-case input)."""
    kinds = tuple(kind for kind, texts in zip(_KINDS, _KIND_TEXTS, strict=True)
                  if contains_any(text, texts))
    return _denials(kinds).sub(" ", text) if kinds else text


def without_urgency_denials(text: str) -> str:
    """`text` with "not urgent", "no rush" and the like blanked (lower-case input)."""
    return _URGENCY.sub(" ", text) if contains_any(text, _URGENCY_TEXTS) else text
