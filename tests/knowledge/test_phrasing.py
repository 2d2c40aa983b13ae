"""More wording the rules must read correctly: counts next to references, one switch versus a
whole class, stale CSS copies, cooling-off cancellations, transport-layer failures, forwards,
grouped MPRNs and questions about procedure. Phrases written for these tests."""

from __future__ import annotations

import pytest

from knowledge import Triage, TriageRequest
from knowledge.identifiers import find_identifiers
from knowledge.rules import scale
from knowledge.rules.base import TicketText
from knowledge.rules.category import categories
from knowledge.rules.negation import without_denials
from knowledge.rules.priority import PrioritySignals, assess

ELEC = "1312345678907"
GAS = "3938424403"
GAS_GROUPED = "39 384 244 03"


def ticket(body: str, subject: str = "", quoted: str = "") -> TicketText:
    return TicketText(subject=subject, new=body, quoted=quoted)


def top_category(body: str, subject: str = "", quoted: str = "") -> str:
    return categories(ticket(body, subject, quoted))[0].category


@pytest.mark.parametrize("body", [
    "Our case ref is ABC-440210\n\nJo Bloggs\nSwitching Registrations",
    "Ticket 9921\n\nKind regards\nGas Registrations team",
])
def test_references_and_signatures_are_not_counts(body: str) -> None:
    assert scale.affected_count(ticket(body)) is None


def test_counts_still_read_across_a_wrapped_line() -> None:
    hit = scale.affected_count(ticket("We now have 240\nswitches waiting."))
    assert hit is not None and hit.value == 240


@pytest.mark.parametrize(("body", "whole"), [
    ("We can't submit a switch for this tenant until the address is fixed.", False),
    ("We cannot submit this registration because of the flat number.", False),
    ("Since 09:00 we cannot submit anything to CSS.", True),
    ("Every request with an SED in May is rejected. Requests for June validate fine.", False),
    ("Every outbound request fails. Test requests in pre-production work fine but live fail.",
     True),
])
def test_one_switch_or_a_subset_is_not_a_whole_class(body: str, whole: bool) -> None:
    assert (scale.whole_class(ticket(body)) is not None) is whole


@pytest.mark.parametrize("denial", [
    "nobody objected", "no-one has objected", "the switch wasn't objected to",
])
def test_nobody_objected_is_a_denial(denial: str) -> None:
    assert "object" not in without_denials(f"x {denial} y")


@pytest.mark.parametrize(("body", "subject", "category"), [
    ("Can we have a monthly breakdown of our rejections by reason code?", "MI request",
     "report_request"),
    ("Is there a standard report pack for switch volumes?", "", "report_request"),
    ("Not about any particular MPAN: we are writing up our switching procedures. Which parties "
     "get told when a switch is Confirmed?", "Procedure question", "process_query"),
    ("Our feed to CSS has been failing overnight, every call refused at the transport layer "
     "with 403 Forbidden. The updates are energisation and MTC changes.", "ERDS updates",
     "connectivity"),
])
def test_category_wording(body: str, subject: str, category: str) -> None:
    assert top_category(body, subject) == category


def test_a_forward_is_classified_by_what_it_forwards() -> None:
    quoted = ("From: Sales\nSent: Monday\n\nThe gas switch still says Pending in our system and "
              "the start date has already passed.")
    assert top_category("Could you look at this one please?", "FW: switch query",
                        quoted) == "switch_stuck_pending"


@pytest.mark.parametrize(("text", "found"), [
    (f"The customer read his gas meter number off the bill as {GAS_GROUPED}.", [GAS]),
    (f"Reference {GAS_GROUPED} for our records.", []),
    ("Call our gas team on 0113 496 0219.", []),
    (f"Electricity only: the account was {GAS_GROUPED}.", []),
])
def test_grouped_mprn_in_a_gas_email(text: str, found: list[str]) -> None:
    assert [i.value for i in find_identifiers(text).valid] == found


def test_a_supplier_book_moving_is_a_bulk_event() -> None:
    hit = scale.book_transfer(ticket("We have been appointed as Supplier of Last Resort."))
    assert hit is not None
    assert scale.book_transfer(ticket("How does the SoLR process work?")) is None
    signals = PrioritySignals("bulk_switch_solr", "service_request", book_transfer=True)
    assert assess(signals).priority == "P2"


ROUTES = [
    ("Cooling-off", f"The customer changed her mind inside cooling-off. We sent an annulment for "
     f"{ELEC} and it was rejected. Which message should we send?", "annulment", "service_desk",
     "query", "P4"),
    ("Annulment stuck", f"A valid annulment for {ELEC} is not being processed: we get a technical "
     "failure response each time.", "annulment", "registration_service", "incident", None),
    ("Stale CSS copy", f"We corrected the GSP group in our MPAS last week and ECOES now shows it, "
     f"but CSS, as far as we can see, still holds the old GSP group for {ELEC}.",
     "electricity_data_incorrect", "registration_service", "incident", None),
    ("ERDS fixed", f"ERDS was corrected on Friday, yet CSS shows the old LLFC for {ELEC}.",
     "electricity_data_incorrect", "registration_service", "incident", None),
    ("Wrong GSP group", f"CSS still shows the wrong GSP group for {ELEC}, please correct it.",
     "electricity_data_incorrect", "dno_mpas", "incident", None),
    ("Objection timing", f"We are losing supplier on {ELEC}, validated on Monday. When is the "
     "last moment we can object?", "objection_query", "service_desk", "query", "P4"),
]


@pytest.mark.parametrize(("subject", "body", "category", "resolver", "kind", "priority"), ROUTES,
                         ids=[r[0] for r in ROUTES])
def test_routes(triage: Triage, subject: str, body: str, category: str, resolver: str, kind: str,
                priority: str | None) -> None:
    decision = triage.decide(TriageRequest(subject=subject, body=body))
    assert (decision.category, decision.resolver, decision.type) == (category, resolver, kind)
    if priority:
        assert decision.priority == priority
