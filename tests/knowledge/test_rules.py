from __future__ import annotations

import datetime as dt

import pytest

from knowledge.identifiers import find_identifiers
from knowledge.rules import dates, fuel, mpids, roles, scale, urgency
from knowledge.rules.base import TicketText, split_quoted
from knowledge.rules.category import categories
from knowledge.rules.multi_issue import multiple_issues


def ticket(body: str, subject: str = "", **kw: object) -> TicketText:
    return TicketText(subject=subject, new=body, **kw)


def test_split_quoted_handles_gt_lines_and_original_message() -> None:
    new, quoted = split_quoted("New words\n> old words\nmore new")
    assert "old words" in quoted and "more new" in new and "old" not in new
    new, quoted = split_quoted("Top\n\n-----Original Message-----\nFrom: x\nOld body")
    assert new.strip() == "Top" and "Old body" in quoted
    new, quoted = split_quoted("Thanks\n\nOn Tue, 18 Nov 2025 at 14:02, Desk wrote:\n> hi")
    assert new.strip() == "Thanks" and "hi" in quoted


@pytest.mark.parametrize(("body", "expected"), [
    ("SED is tomorrow", "within_1_wd"),
    ("switch effective date 21/10/2025", "2025-10-21"),
    ("SED of 12 November 2025", "2025-11-12"),
])
def test_switch_date_parsing(body: str, expected: str) -> None:
    hit = dates.switch_date(ticket(body), dt.date(2025, 6, 1))
    assert hit is not None and hit.value == expected


def test_switch_date_weekday_is_relative_to_today() -> None:
    friday = dt.date(2025, 11, 14)
    assert dates.switch_date(ticket("The SED is Monday"), friday).value == "within_1_wd"
    wednesday = dt.date(2025, 11, 12)
    assert dates.switch_date(ticket("The SED is Monday"), wednesday).value == "2025-11-17"


def test_working_days_skip_weekends_and_ignore_clock_changes() -> None:
    # 2026-03-29 is the spring-forward Sunday: calendar dates are unaffected
    assert dates.working_days_between(dt.date(2026, 3, 27), dt.date(2026, 3, 30)) == 1
    assert dates.working_days_between(dt.date(2026, 10, 23), dt.date(2026, 10, 26)) == 1
    assert dates.working_days_between(dt.date(2026, 3, 30), dt.date(2026, 3, 30)) == 0


def test_fuel_from_identifiers_then_wording() -> None:
    both = "1312345678907 and MPRN 3938424403"
    assert fuel.fuel(ticket(both), find_identifiers(both)).value == "dual"
    assert fuel.fuel(ticket("our gas shipper"), find_identifiers("")).value == "gas"
    assert fuel.fuel(ticket("hello"), find_identifiers("")) is None


def test_mpids() -> None:
    hit = mpids.mpids(ticket("messages for our MPID (CSGP) and MPID ORCH"))
    assert hit.value == "CSGP" and "MPID ORCH" in hit.evidence


def test_sender_role_from_codes_and_wording() -> None:
    assert roles.sender_role(ticket("x", sender_roles=("X",))).value == "supplier"
    assert roles.sender_role(ticket("x", sender_roles=("R",))).value == "distributor"
    assert roles.sender_role(ticket("x", sender_roles=("gas:shipper",))).value == "shipper"
    assert roles.sender_role(ticket("we as shipper want to withdraw")).value == "shipper"
    assert roles.sender_role(ticket("We're a MEM working for suppliers")).value == "meter_operator"
    assert roles.sender_role(ticket("I did not agree to this")).value == "consumer"
    assert roles.sender_role(ticket("hello")) is None


def test_scale_signals() -> None:
    assert scale.affected_count(ticket("we have 143 switch requests stuck")).value == 143
    assert scale.affected_count(ticket("c.3,100 updates queued")).value == 3100
    assert scale.affected_count(ticket("MPAN 1312345678907 affected")) is None
    assert scale.whole_class(ticket("every message we send is rejected"))
    assert scale.whole_class(ticket("we received all the expected notifications")) is None
    assert scale.market_wide(ticket("other suppliers see the same"))
    assert scale.outage(ticket("HTTP 503 on all calls")).value == "hard"
    assert scale.outage(ticket("500s on about 1 in 3 calls")).value == "degraded"
    assert scale.security(ticket("the private key was committed to github"))
    assert scale.workaround(ticket("we have temporarily routed back"))


def test_urgency_signals() -> None:
    assert urgency.vulnerable(ticket("PSR customer on oxygen"))
    assert urgency.vulnerable(ticket("prepayment customer cannot top up, credit low"))
    assert urgency.vulnerable(ticket("a business customer")) is None
    assert urgency.deadline(ticket("before Gate Closure tonight"))


def test_category_wording_prefers_subject_and_ignores_negations() -> None:
    best = categories(ticket("validated Monday, no objection was raised, still pending",
                             subject="Switch not secured"))[0]
    assert best.category == "switch_stuck_pending"


def test_multiple_issues_need_different_categories() -> None:
    two = ticket("1. switch validated last week still pending, not secured\n"
                 "2. I can't log into the portal, my account is disabled")
    hit = multiple_issues(two)
    assert hit is not None and hit.value == 2
    same = ticket("1) Why was the annulment refused?\n2) Can the annulment be stopped?")
    assert multiple_issues(same) is None
