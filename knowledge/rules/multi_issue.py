"""More than one issue in one e-mail: numbered points that fall into different categories."""

from __future__ import annotations

import re

from knowledge.rules.base import RuleHit, TicketText
from knowledge.rules.category import BODY_WEIGHT, score_text
from knowledge.rules.wordpattern import contains_any, required_texts

_ITEM = re.compile(r"^\s*(?:\d[.)]|[-*•]\s|(?:also|secondly|second(?:ly)?|separately)\b)",
                   re.IGNORECASE | re.MULTILINE)
_ANNOUNCE = re.compile(r"\b(?:two|three|a couple of) (?:things|issues|questions)\b|while i have "
                       r"you|additional comments|second issue|another issue|also[,:]? ")
_ANNOUNCE_TEXTS = required_texts(_ANNOUNCE.pattern)  # a cheap no before the slow regex


def issue_categories(ticket: TicketText, in_play: frozenset[str] | None = None) -> list[str]:
    """The distinct categories of the separate points in the new text, in order.

    `in_play` (categories the whole text already scored for) keeps this cheap: a part can only
    match wording the whole message contains.
    """
    starts = [m.start() for m in _ITEM.finditer(ticket.new)]
    lowered = ticket.new.lower()
    announce = _ANNOUNCE.search(lowered) if contains_any(lowered, _ANNOUNCE_TEXTS) else None
    if announce:
        starts.append(announce.start())
    if not starts:
        return []
    bounds = sorted({0, *starts, len(ticket.new)})
    found: list[str] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if len(ticket.new[a:b].strip()) < 15:
            continue
        scores = score_text(((ticket.new[a:b].lower(), BODY_WEIGHT),), in_play)
        if scores and scores[0].score >= 2.0 and scores[0].category not in found:
            found.append(scores[0].category)
    return found


def multiple_issues_hit(found: list[str]) -> RuleHit | None:
    if len(found) < 2:
        return None
    return RuleHit("multiple_issues", tuple(f"issue: {c}" for c in found), len(found))


def multiple_issues(ticket: TicketText, in_play: frozenset[str] | None = None
                    ) -> RuleHit | None:
    """Fires when separate parts of the new text point at different categories."""
    return multiple_issues_hit(issue_categories(ticket, in_play))
