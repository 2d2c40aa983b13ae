"""Score the ticket against each category's wording; the best becomes the decision's category.

The subject weighs more than the body and quoted history less, so a reply that quotes an old
problem is still classified by what the sender says now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.rules.base import RuleHit, TicketText
from knowledge.rules.category_patterns import CATEGORY_PATTERNS
from knowledge.rules.negation import without_denials
from knowledge.rules.wordpattern import WordPattern

_COMPILED = {
    category: tuple((WordPattern(p), w) for p, w in patterns)
    for category, patterns in CATEGORY_PATTERNS.items()
}
SUBJECT_WEIGHT, BODY_WEIGHT, QUOTED_WEIGHT = 1.5, 1.0, 0.3
REPLY_SUBJECT_WEIGHT = 0.5  # "RE:" subjects name the thread's old problem
_REPLY = re.compile(r"^\s*(?:re|aw|sv)\s*:", re.IGNORECASE)
# a forward hands on the problem below it: its subject and quoted text are the report
_FORWARD = re.compile(r"^\s*(?:fw|fwd)\s*:", re.IGNORECASE)
# a chaser says little itself: the quoted history carries the problem
_CHASER = WordPattern(r"\bchas(?:e|ing)\b|any update|no update|still waiting|following up|"
                      r"see (?:below|the (?:e-?mail|message|note) below)|(?:from|by) [a-z ]{0,30}"
                      r"below")


@dataclass(frozen=True)
class CategoryScore:
    category: str
    score: float
    evidence: tuple[str, ...]


def _pieces(ticket: TicketText) -> tuple[tuple[str, float], ...]:
    subject_weight = REPLY_SUBJECT_WEIGHT if _REPLY.match(ticket.subject) else SUBJECT_WEIGHT
    chaser = _FORWARD.match(ticket.subject) or _CHASER.search(
        f"{ticket.subject} {ticket.new[:300]}".lower())
    return (
        (without_denials(ticket.subject.lower()), subject_weight),
        (without_denials(ticket.new.lower()), BODY_WEIGHT),
        (without_denials(ticket.quoted.lower()), BODY_WEIGHT if chaser else QUOTED_WEIGHT),
    )


def score_text(pieces: tuple[tuple[str, float], ...], only: frozenset[str] | None = None
               ) -> list[CategoryScore]:
    """Category scores, best first; `only` limits the work to categories already in play."""
    pieces = tuple(sorted((p for p in pieces if p[0].strip()), key=lambda p: -p[1]))
    everything = "\n".join(text for text, _ in pieces)  # most patterns can be ruled out at once
    scores = []
    for category, patterns in _COMPILED.items():
        if only is not None and category not in only:
            continue
        total, evidence = 0.0, []
        for pattern, weight in patterns:
            if not pattern.could_match(everything):
                continue
            best, seen = 0.0, None
            for text, piece_weight in pieces:  # heaviest first: the first match is the best
                match = pattern.search(text)
                if match:
                    best, seen = piece_weight, match.group()
                    break
            if seen is not None:
                total += weight * best
                evidence.append(seen)
        if total:
            scores.append(CategoryScore(category, round(total, 2), tuple(evidence)))
    scores.sort(key=lambda s: -s.score)
    return scores


def categories(ticket: TicketText) -> list[CategoryScore]:
    return score_text(_pieces(ticket))


def category_hit(best: CategoryScore) -> RuleHit:
    return RuleHit("category_wording", tuple(f"{e!r}" for e in best.evidence), best.category)
