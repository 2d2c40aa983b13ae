"""Evaluation on the labelled dev corpus: asserts the agreed bars, prints per-field accuracy."""

from __future__ import annotations

import json

from knowledge import Triage, TriageRequest, score_decisions
from tests.conftest import shared_corpus

BARS = {"resolver": 0.90, "mpxn_exact": 0.95, "type": 0.85, "category": 0.80, "kb_top3": 0.85,
        "priority_within_one": 0.95}


def test_dev_corpus_meets_the_bars(triage: Triage) -> None:
    corpus = shared_corpus("tickets-dev.jsonl")
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    pairs = [(r["expected"], triage.decide(TriageRequest(subject=r["subject"], body=r["body"])))
             for r in records]
    report = score_decisions(pairs)
    print("\n" + report.format_text())
    assert report.n == len(records) > 0
    for field, bar in BARS.items():
        assert report.accuracy[field] >= bar, f"{field} {report.accuracy[field]:.1%} < {bar:.0%}"
