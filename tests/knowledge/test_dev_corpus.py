"""Evaluation on the labelled dev corpus: asserts the agreed bars, prints per-field accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import Triage, TriageRequest, score_decisions

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "tickets-dev.jsonl"
BARS = {"resolver": 0.90, "mpxn_exact": 0.95, "type": 0.85, "category": 0.80, "kb_top3": 0.85,
        "priority_within_one": 0.95}


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} not present")
def test_dev_corpus_meets_the_bars(triage: Triage) -> None:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    pairs = [(r["expected"], triage.decide(TriageRequest(subject=r["subject"], body=r["body"])))
             for r in records]
    report = score_decisions(pairs)
    print("\n" + report.format_text())
    assert report.n == len(records) > 0
    for field, bar in BARS.items():
        assert report.accuracy[field] >= bar, f"{field} {report.accuracy[field]:.1%} < {bar:.0%}"
