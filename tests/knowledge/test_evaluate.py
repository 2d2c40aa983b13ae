from __future__ import annotations

from dataclasses import replace

from knowledge import EvalReport, Triage, TriageRequest, score_decisions
from knowledge.matcher import ArticleMatch


def expected(**overrides: object) -> dict:
    base = {"type": "query", "category": "sla_working_days", "resolver": "service_desk",
            "priority": "P4", "mpxn": [], "kb_hint": "Working days, bank holidays and SLA clocks"}
    return {**base, **overrides}


def test_scores_each_field_and_excludes_null_hints_from_kb(triage: Triage) -> None:
    decision = triage.decide(TriageRequest("Bank holiday", "Does Easter Monday count as a "
                                           "working day in Scotland?"))
    wrong = replace(decision, resolver="dno_mpas", priority="P2", mpxns=("1312345678907",),
                    articles=(ArticleMatch("X", "Other", 90.0, False), *decision.articles))
    report = score_decisions([
        (expected(), decision),
        (expected(), wrong),
        (expected(kb_hint=None), decision),
    ])
    assert isinstance(report, EvalReport)
    assert report.n == 3
    acc = report.accuracy
    assert acc["type"] == 1.0
    assert acc["resolver"] == 2 / 3
    assert acc["priority"] == 2 / 3 and acc["priority_within_one"] == 2 / 3
    assert acc["mpxn_exact"] == 2 / 3
    assert report.counts["kb_top1"] == (1, 2)  # null hint excluded
    assert acc["kb_top3"] == 1.0
    assert report.resolver_confusion == {"service_desk": {"service_desk": 2, "dno_mpas": 1}}


def test_report_shapes(triage: Triage) -> None:
    decision = triage.decide(TriageRequest("x", "Does Easter Monday count as a working day?"))
    report = score_decisions([(expected(), decision)])
    data = report.to_dict()
    assert data["n"] == 1
    assert set(data["accuracy"]) == {"type", "category", "resolver", "priority",
                                     "priority_within_one", "mpxn_exact", "kb_top1", "kb_top3"}
    text = report.format_text()
    assert "resolver" in text and "kb_top3" in text


def test_empty_input() -> None:
    report = score_decisions([])
    assert report.n == 0 and all(v == 1.0 for v in report.accuracy.values())
