from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from knowledge import KnowledgeBase, Triage, TriageDecision, TriageRequest
from knowledge.taxonomy import CATEGORIES, TYPES

RESOLVERS = {resolver for resolver, _ in CATEGORIES.values()}


def decide(triage: Triage, body: str, subject: str = "", **kw: object) -> TriageDecision:
    return triage.decide(TriageRequest(subject=subject, body=body, **kw))


def assert_well_formed(decision: TriageDecision) -> None:
    assert decision.type in TYPES
    assert decision.category in CATEGORIES
    assert decision.resolver in RESOLVERS
    assert decision.priority in ("P1", "P2", "P3", "P4")
    assert 1 <= decision.impact <= 4 and 1 <= decision.urgency <= 4
    assert all(0 <= a.score <= 100 for a in decision.articles)


def test_gas_data_ticket_routes_to_xoserve_with_summary(triage: Triage) -> None:
    decision = decide(triage, "UK Link still shows the previous shipper as registered user "
                      "for MPRN 3938424403 a week after the switch secured.",
                      subject="Wrong shipper in UK Link")
    assert decision.resolver == "xoserve_uk_link"
    assert decision.mpxns == ("3938424403",)
    summary = decision.summary()
    assert summary.startswith("routed to xoserve_uk_link: MPRN 3938424403 (gas)")
    assert '"Gas meter point data discrepancies (GRDS/UK Link)"' in summary
    assert "\n" not in summary


def test_to_dict_is_json_safe_and_round_trips(triage: Triage) -> None:
    decision = decide(triage, "MPAN 2312345678903 rejected as invalid, also 1312345678907",
                      subject="invalid MPAN?")
    data = decision.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == ["type", "category", "impact", "urgency", "priority",
                          "priority_reasons", "resolver", "mpxns", "identifiers",
                          "invalid_identifiers", "articles", "rules", "first_line_answer"]
    assert TriageDecision.from_dict(data) == decision


def test_invalid_identifier_is_reported_with_suggestions(triage: Triage) -> None:
    decision = decide(triage, "CSS says MPAN 2312345678903 is invalid format, it is on the "
                      "bill", subject="MPAN rejected as invalid")
    assert decision.mpxns == ()
    (bad,) = decision.invalid_identifiers
    assert bad.failed_check == "check_digit" and "2312345678900" in bad.suggestions
    assert decision.category == "invalid_mpxn" and decision.resolver == "service_desk"
    assert decision.rule("mpan_invalid") is not None


def test_market_wide_outage_is_p1_for_the_switching_operator(triage: Triage) -> None:
    decision = decide(triage, "Every call to CSS returns HTTP 503 since 09:00 and other "
                      "suppliers on the industry call see the same.", subject="CSS down?")
    assert (decision.category, decision.resolver, decision.priority) == (
        "css_outage", "switching_operator", "P1")
    assert decision.first_line_answer is None


def test_vulnerable_customer_bump_is_explained(triage: Triage) -> None:
    decision = decide(triage, "Care home gas switch validated on Monday but still not secured "
                      "and the SED is tomorrow. MPRN 3938424403.", subject="Switch not secured")
    assert decision.category == "switch_stuck_pending"
    assert decision.priority == "P2"
    assert any("vulnerable" in reason for reason in decision.priority_reasons)


def test_first_line_answer_for_a_simple_query(triage: Triage) -> None:
    decision = decide(triage, "Does Easter Monday count as a working day for a Scottish "
                      "customer when we work out the 5 working day switching deadline?",
                      subject="Bank holiday question")
    assert decision.category == "sla_working_days" and decision.priority == "P4"
    assert decision.articles[0].first_line and decision.articles[0].score >= 80
    assert decision.first_line_answer


def test_first_line_threshold_is_configurable(kb: KnowledgeBase) -> None:
    strict = Triage(kb, first_line_threshold=100.1)
    decision = strict.decide(TriageRequest("Bank holiday question", "Does Easter Monday count "
                                           "as a working day in Scotland?"))
    assert decision.first_line_answer is None
    assert decision.rule("first_line_blocked") is not None


def test_quoted_text_identifiers_count_but_new_text_decides(triage: Triage) -> None:
    body = ("Thanks, please close this now.\n\n-----Original Message-----\nFrom: Desk\n"
            "Sent: today\nThe meter point 1312345678907 had wrong energisation status.")
    decision = decide(triage, body, subject="RE: energisation status wrong")
    assert decision.mpxns == ("1312345678907",)
    assert decision.category == "process_query"


def test_separately_passed_quoted_text(triage: Triage) -> None:
    decision = decide(triage, "Any update on this?", subject="Chasing",
                      quoted="> Switch for 2000012345672 validated, no objection, still pending")
    assert decision.mpxns == ("2000012345672",)
    assert decision.category == "switch_stuck_pending"


def test_shipper_role_changes_withdrawal_routing(triage: Triage) -> None:
    body = "How do we withdraw from a few supply points once the customers have moved?"
    as_supplier = decide(triage, body, subject="Withdrawal", sender_roles=("X",))
    as_shipper = decide(triage, body, subject="Withdrawal", sender_roles=("gas:shipper",))
    assert as_supplier.resolver == "service_desk"
    assert as_shipper.resolver == "xoserve_uk_link"


def test_multiple_issues_block_first_line_answer(triage: Triage) -> None:
    decision = decide(triage, "1. 2051433747541 was validated last week, still not secured.\n"
                      "2. I can't log into the switching portal, my account is disabled.",
                      subject="Two issues")
    assert decision.rule("multiple_issues") is not None
    assert decision.category == "switch_stuck_pending"
    assert decision.first_line_answer is None


def test_today_makes_weekday_sed_urgent(triage: Triage) -> None:
    body = "Validated, no objection, still pending. SED is Monday. PSR customer. 2000012345672"
    friday = decide(triage, body, subject="stuck", today=dt.date(2025, 11, 14))
    tuesday = decide(triage, body, subject="stuck", today=dt.date(2025, 11, 11))
    assert friday.priority == "P2" and tuesday.priority == "P3"


@pytest.mark.parametrize(("subject", "body"), [
    ("", ""),
    ("   ", "\n\n"),
    ("numbers", "1312345678907 0161 496 0815 100061234567 42 2000012345672 3.14"),
    ("junk", "\x00\ufffd" * 50 + "🙂" * 20),
])
def test_degenerate_input_gives_a_decision(triage: Triage, subject: str, body: str) -> None:
    decision = decide(triage, body, subject=subject)
    assert_well_formed(decision)
    TriageDecision.from_dict(json.loads(json.dumps(decision.to_dict())))


def test_numbers_only_body_keeps_valid_identifiers(triage: Triage) -> None:
    decision = decide(triage, "1312345678907 0161 496 0815 100061234567 2000012345672")
    assert decision.mpxns == ("1312345678907", "2000012345672")


def test_huge_body_is_bounded(triage: Triage) -> None:
    line = "We have a switch stuck in pending for 1312345678907, please look. "
    body = line * (1_000_000 // len(line)) + "\nLast one: 2000012345672"
    started = time.perf_counter()
    decision = decide(triage, body, subject="Huge")
    assert time.perf_counter() - started < 2.0
    assert_well_formed(decision)
    assert decision.mpxns == ("1312345678907", "2000012345672")
