"""Wording a participant might use that the rules must read correctly: denials, questions about
the rules, sites outside CSS, counts written loosely. Phrases written for these tests."""

from __future__ import annotations

import pytest

from knowledge import Triage, TriageRequest
from knowledge.identifiers import find_identifiers
from knowledge.rules import scale, urgency
from knowledge.rules.base import TicketText
from knowledge.rules.category import categories
from knowledge.rules.negation import without_denials
from knowledge.rules.priority import PrioritySignals, assess

ELEC = "1312345678907"
GAS = "3938424403"


def ticket(body: str, subject: str = "") -> TicketText:
    return TicketText(subject=subject, new=body)


def top_category(body: str, subject: str = "") -> str:
    return categories(ticket(body, subject))[0].category


@pytest.mark.parametrize(("denial", "concept"), [
    ("our certificates are in date", "certificate"), ("the certs are all valid", "cert"),
    ("tls is fine", "tls"), ("our inbound endpoint was down", "down"),
    ("our receiving server went down", "down"), ("nothing is stuck", "stuck"),
    ("no objections were raised", "objection"),
])
def test_denials_are_blanked(denial: str, concept: str) -> None:
    assert concept not in without_denials(f"x {denial} y")


@pytest.mark.parametrize("report", [
    "our certificate expired", "the css endpoint is down", "it is stuck in pending",
    "our certificate was valid until midnight", "the certificate is valid but css rejects it",
])
def test_reports_are_kept(report: str) -> None:
    assert without_denials(report) == report


@pytest.mark.parametrize("body", [
    "We have received nothing from CSS since 08:15.",
    "No CSS notifications since lunchtime.",
    "No Validated, no Confirmed and no Secured for our MPID today.",
    "Please replay the undelivered notifications for last night.",
    "Anything CSS tried to deliver to us overnight will have exhausted its retries.",
])
def test_missing_notification_wording(body: str) -> None:
    assert top_category(body) == "missing_notification"


def test_certificate_said_to_be_fine_does_not_make_a_certificate_issue() -> None:
    scores = categories(ticket("Nothing has arrived since 07:00. Our certificates are in date."))
    assert "certificate_issue" not in {s.category for s in scores}


@pytest.mark.parametrize("body", [
    "The switch went to the wrong flat in the block.",
    "We registered the wrong unit on the trading estate.",
    "How do we return the occupier to their previous supplier?",
])
def test_erroneous_switch_wording(body: str) -> None:
    assert top_category(body) == "erroneous_switch"


def test_objection_timing_question_beats_a_passing_data_mention() -> None:
    body = ("How long do we have to raise an objection, and when does the window close? If the "
            "gaining supplier used the wrong market sector, does that change anything?")
    assert top_category(body) == "objection_query"


def test_field_meaning_question_is_a_process_query() -> None:
    assert top_category("Could you explain what the related MPAN indicator actually does?") == (
        "process_query")


def test_own_endpoint_down_is_not_a_css_outage() -> None:
    assert scale.outage(ticket("Our inbound endpoint was down from 02:00 to 04:00.")) is None
    assert scale.outage(ticket("The CSS API is down for us.")).value == "hard"


@pytest.mark.parametrize(("body", "fires"), [
    ("Does the objection window close at 17:00 or at midnight?", False),
    ("Is gate closure at midnight?", False),
    ("We must withdraw these before 17:00.", True),
    ("Can you get this fixed before gate closure?", True),
    ("Not urgent, just checking our process notes.", False),
    ("No rush on this one.", False),
    ("This is urgent.", True),
])
def test_deadline_reads_questions_and_denials(body: str, fires: bool) -> None:
    assert (urgency.deadline(ticket(body)) is not None) is fires


@pytest.mark.parametrize(("body", "count"), [
    ("231 of our electricity switches are still pending", 231),
    ("164 new-build MPANs are missing", 164),
    ("a development of 120 plots", 120),
    ("1,250 of the SoLR gains", 1250),
])
def test_counts_allow_looser_wording(body: str, count: int) -> None:
    hit = scale.affected_count(ticket(body))
    assert hit is not None and hit.value == count


def test_received_nothing_from_css_is_a_whole_class_failure() -> None:
    assert scale.whole_class(ticket("We have received nothing from CSS since 06:00.")) is not None
    assert scale.whole_class(ticket("We have no record of any switch, nothing in our logs.")) is (
        None)


@pytest.mark.parametrize(("text", "found"), [
    (f"meter point reference {GAS}", [GAS]),
    (f"Supply Point Ref: {GAS}", [GAS]),
    (f"our reference {GAS}", []),
])
def test_meter_point_reference_is_an_mprn_label(text: str, found: list[str]) -> None:
    assert [i.value for i in find_identifiers(text).valid] == found


def test_routine_queries_have_no_impact() -> None:
    routine = PrioritySignals("switch_request_rejected", "query", mpxn_count=1, routine=True)
    assert assess(routine).priority == "P4"
    fault = PrioritySignals("switch_request_rejected", "incident", mpxn_count=1, routine=True)
    assert assess(fault).priority == "P3"


ROUTES = [
    ("Annulment failing", f"Our annulment for {ELEC} keeps coming back with 'technical error - "
     "unable to process'.", "annulment", "registration_service", "incident", None),
    ("Rejected gas switch", f"The registration for MPRN {GAS} was rejected. The site is fed from "
     "a bulk LPG tank. Can it go through CSS?", "switch_request_rejected", "service_desk",
     "query", "P4"),
    ("Rejected switch", f"CSS rejected {ELEC}: switch effective date invalid. Is a same-day "
     "start not allowed? What's the earliest date we can use?", "switch_request_rejected",
     "service_desk", "query", "P4"),
    ("Supply points", f"As shipper we intend to cease being registered user for supply point "
     f"{GAS} from next month. Please log this request.", "withdrawal", "xoserve_uk_link",
     "service_request", "P4"),
    ("SoLR smart updates", "After the SoLR gains our smart CoS updates are being quarantined "
     "by anomaly detection.", "bulk_switch_solr", "dcc_dsp", "incident", None),
    ("Wrong flat", f"We switched the wrong flat: {ELEC}. What's the correct route to put it "
     "right?", "erroneous_switch", "service_desk", "query", None),
]


@pytest.mark.parametrize(("subject", "body", "category", "resolver", "kind", "priority"), ROUTES,
                         ids=[r[0] for r in ROUTES])
def test_routes_for_new_wording(triage: Triage, subject: str, body: str, category: str,
                                resolver: str, kind: str, priority: str | None) -> None:
    decision = triage.decide(TriageRequest(subject=subject, body=body))
    assert (decision.category, decision.resolver, decision.type) == (category, resolver, kind)
    if priority:
        assert decision.priority == priority
