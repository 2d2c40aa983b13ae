from __future__ import annotations

from knowledge.rules.priority import PrioritySignals, assess


def test_market_wide_hard_outage_is_p1() -> None:
    result = assess(PrioritySignals("css_outage", "incident", market_wide=True, outage="hard"))
    assert (result.impact, result.urgency, result.priority) == (1, 1, "P1")


def test_outage_without_wider_evidence_or_degradation_is_p2() -> None:
    assert assess(PrioritySignals("css_outage", "incident", outage="hard")).priority == "P2"
    degraded = PrioritySignals("css_outage", "incident", market_wide=True, outage="degraded",
                               deadline=True)
    assert assess(degraded).priority == "P2"


def test_security_compromise_is_p1() -> None:
    assert assess(PrioritySignals("certificate_issue", "incident", security=True)).priority == "P1"


def test_whole_class_for_one_participant_is_p2_not_p1() -> None:
    result = assess(PrioritySignals("certificate_issue", "incident", whole_class=True,
                                    deadline=True))
    assert result.priority == "P2"


def test_single_switch_is_p3_and_imminent_sed_alone_stays_p3() -> None:
    single = PrioritySignals("switch_stuck_pending", "incident", mpxn_count=1)
    assert assess(single).priority == "P3"
    imminent = PrioritySignals("switch_stuck_pending", "incident", mpxn_count=1,
                               sed_within_1_wd=True)
    assert assess(imminent).priority == "P3"


def test_vulnerable_within_one_day_bumps_p3_to_p2_with_reason() -> None:
    result = assess(PrioritySignals("switch_stuck_pending", "incident", mpxn_count=1,
                                    vulnerable=True, sed_within_1_wd=True))
    assert result.priority == "P2"
    assert any("vulnerable" in r for r in result.reasons)


def test_hundred_or_more_meter_points_bumps_with_reason() -> None:
    result = assess(PrioritySignals("switch_stuck_pending", "incident", mpxn_count=3,
                                    affected=143))
    assert result.priority == "P2"
    assert any("100+" in r for r in result.reasons)


def test_queries_and_requests_are_p4() -> None:
    assert assess(PrioritySignals("sla_working_days", "query", deadline=True)).priority == "P4"
    assert assess(PrioritySignals("portal_access", "service_request")).priority == "P4"
