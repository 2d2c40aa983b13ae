"""Score triage decisions against labelled expectations (tickets-dev.jsonl `expected`).

kb_top1/kb_top3 exclude records whose kb_hint is null from their denominators: a null hint
says "no article answers this", which neither confirms nor refutes the articles we suggest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from desk.priority import PRIORITIES
from knowledge.decision import TriageDecision

FIELDS = ("type", "category", "resolver", "priority", "priority_within_one", "mpxn_exact",
          "kb_top1", "kb_top3")


@dataclass(frozen=True)
class EvalReport:
    n: int
    accuracy: dict[str, float]
    counts: dict[str, tuple[int, int]]  # field -> (correct, denominator)
    resolver_confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "accuracy": {k: self.accuracy[k] for k in FIELDS},
            "counts": {k: list(v) for k, v in self.counts.items()},
            "resolver_confusion": self.resolver_confusion,
        }

    def format_text(self) -> str:
        lines = [f"n = {self.n}"]
        for name in FIELDS:
            right, total = self.counts[name]
            lines.append(f"  {name:<20} {self.accuracy[name]:6.1%}  ({right}/{total})")
        lines.append("resolver confusion (expected -> predicted: count), errors only:")
        for expected, row in sorted(self.resolver_confusion.items()):
            for predicted, count in sorted(row.items()):
                if predicted != expected:
                    lines.append(f"  {expected} -> {predicted}: {count}")
        return "\n".join(lines)


def score_decisions(pairs: Iterable[tuple[dict, TriageDecision]]) -> EvalReport:
    right: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {}
    n = 0
    for expected, decision in pairs:
        n += 1
        checks = {
            "type": decision.type == expected["type"],
            "category": decision.category == expected["category"],
            "resolver": decision.resolver == expected["resolver"],
            "priority": decision.priority == expected["priority"],
            "priority_within_one": abs(PRIORITIES.index(decision.priority)
                                       - PRIORITIES.index(expected["priority"])) <= 1,
            "mpxn_exact": list(decision.mpxns) == list(expected["mpxn"]),
        }
        hint = expected.get("kb_hint")
        if hint is not None:
            titles = [a.title for a in decision.articles]
            checks["kb_top1"] = titles[:1] == [hint]
            checks["kb_top3"] = hint in titles[:3]
        for name, ok in checks.items():
            totals[name] += 1
            right[name] += ok
        row = confusion.setdefault(expected["resolver"], Counter())
        row[decision.resolver] += 1
    accuracy = {k: (right[k] / totals[k] if totals[k] else 1.0) for k in FIELDS}
    counts = {k: (right[k], totals[k]) for k in FIELDS}
    return EvalReport(n, accuracy, counts, {k: dict(v) for k, v in confusion.items()})
