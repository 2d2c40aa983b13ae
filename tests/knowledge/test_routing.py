"""Routing of messages written for these tests (not from the dev corpus): the rules should
generalise to wording they were not tuned on."""

from __future__ import annotations

import pytest

from knowledge import Triage, TriageRequest

ELEC = "1312345678907"
GAS = "3938424403"

CASES = [
    ("Registration rejected", f"Our request for MPAN {ELEC} was rejected: RMP not eligible.",
     "switch_request_rejected", "registration_service", "incident"),
    ("Gas rejection", f"Switch for MPRN {GAS} rejected as RMP not found; the meter is live.",
     "switch_request_rejected", "xoserve_uk_link", "incident"),
    ("Switches not moving to Secured", f"250 switches validated last week still pending, e.g. "
     f"{ELEC}.", "switch_stuck_pending", "registration_service", "incident"),
    ("Objection timing", "For a domestic site, when does the objection period end?",
     "objection_query", "service_desk", "query"),
    ("Objection dispute", f"Our objection for {ELEC} was sent at 16:40 but refused as the "
     "window had closed. Please check the receipt timestamp.", "objection_query",
     "registration_service", "incident"),
    ("CSR rejected", "Our certificate signing request was rejected by the CSS CA: key size not "
     "permitted. What key size should we use?", "certificate_issue", "switching_network",
     "service_request"),
    ("Firewall change", "Since our firewall change we get HTTP 403 on every call to the CSS "
     "API.", "connectivity", "switching_network", "incident"),
    ("Wrong shipper", f"MPRN {GAS}: UK Link still has the previous shipper as registered user.",
     "gas_data_incorrect", "xoserve_uk_link", "incident"),
    ("New build MPAN", f"The IDNO gave us {ELEC} for a new property but CSS says not found.",
     "new_connection_missing", "dno_mpas", "incident"),
    ("CSS copy stale", f"We corrected the energisation status of {ELEC} on Monday but CSS still "
     "holds the old value.", "electricity_data_incorrect", "registration_service", "incident"),
    ("No notifications", "We haven't had any Confirmed or Secured messages since 14:00 for our "
     "MPID. Outbound is fine.", "missing_notification", "switching_network", "incident"),
    ("Broker request", "I am a broker acting for a client with 40 sites; please send me all "
     "their MPANs.", "misdirected", "service_desk", "query"),
    ("Statistics", "Could you provide statistics on our switch requests per month as a CSV?",
     "report_request", "switching_operator", "service_request"),
    ("Bulk withdrawal", "A faulty batch created 350 duplicate switch requests; we need to "
     "withdraw them before 17:00 today.", "withdrawal", "registration_service",
     "service_request"),
    ("MAP question", "We're a meter asset provider. Is it possible for us to receive CSS switch "
     "notifications?", "process_query", "service_desk", "query"),
]


@pytest.mark.parametrize(("subject", "body", "category", "resolver", "kind"), CASES,
                         ids=[c[0] for c in CASES])
def test_routing_generalises(triage: Triage, subject: str, body: str, category: str,
                             resolver: str, kind: str) -> None:
    decision = triage.decide(TriageRequest(subject=subject, body=body))
    assert (decision.category, decision.resolver, decision.type) == (category, resolver, kind)
    assert decision.rule("routing") is not None
