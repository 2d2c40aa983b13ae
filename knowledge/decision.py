"""The immutable, explainable result of triage, and its JSON-safe round trip."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from knowledge.identifiers import Identifier, InvalidIdentifier
from knowledge.matcher import ArticleMatch
from knowledge.rules.base import RuleHit


@dataclass(frozen=True)
class TriageRequest:
    subject: str
    body: str
    quoted: str = ""
    sender_roles: tuple[str, ...] = ()
    sender_kind: str | None = None  # "participant" | "resolver" | "desk" | None
    today: dt.date | None = None


@dataclass(frozen=True)
class TriageDecision:
    type: str
    category: str
    impact: int
    urgency: int
    priority: str
    priority_reasons: tuple[str, ...]
    resolver: str
    mpxns: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    invalid_identifiers: tuple[InvalidIdentifier, ...]
    articles: tuple[ArticleMatch, ...]
    rules: tuple[RuleHit, ...]
    first_line_answer: str | None = None

    def rule(self, name: str) -> RuleHit | None:
        return next((r for r in self.rules if r.rule == name), None)

    def summary(self) -> str:
        """One line for a triage channel or an audit event."""
        if self.identifiers:
            first = self.identifiers[0]
            more = f" +{len(self.identifiers) - 1} more" if len(self.identifiers) > 1 else ""
            ids = f"{first.kind} {first.value} ({first.fuel}){more}"
        else:
            ids = "no MPxN"
        line = f"routed to {self.resolver}: {ids}"
        if self.articles:
            best = self.articles[0]
            line += f' · article "{best.title}" {best.score:.0f}%'
        return f"{line} · {self.priority} {self.type} ({self.category})"

    def to_dict(self) -> dict:
        return {
            "type": self.type,
            "category": self.category,
            "impact": self.impact,
            "urgency": self.urgency,
            "priority": self.priority,
            "priority_reasons": list(self.priority_reasons),
            "resolver": self.resolver,
            "mpxns": list(self.mpxns),
            "identifiers": [asdict(i) for i in self.identifiers],
            "invalid_identifiers": [
                {**asdict(i), "suggestions": list(i.suggestions)} for i in self.invalid_identifiers
            ],
            "articles": [asdict(a) for a in self.articles],
            "rules": [r.to_dict() for r in self.rules],
            "first_line_answer": self.first_line_answer,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TriageDecision:
        return cls(
            type=data["type"],
            category=data["category"],
            impact=data["impact"],
            urgency=data["urgency"],
            priority=data["priority"],
            priority_reasons=tuple(data["priority_reasons"]),
            resolver=data["resolver"],
            mpxns=tuple(data["mpxns"]),
            identifiers=tuple(Identifier(**i) for i in data["identifiers"]),
            invalid_identifiers=tuple(
                InvalidIdentifier(**{**i, "suggestions": tuple(i["suggestions"])})
                for i in data["invalid_identifiers"]
            ),
            articles=tuple(ArticleMatch(**a) for a in data["articles"]),
            rules=tuple(RuleHit.from_dict(r) for r in data["rules"]),
            first_line_answer=data.get("first_line_answer"),
        )
