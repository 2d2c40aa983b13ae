from __future__ import annotations

import time

import pytest

from knowledge.identifiers import MAX_CANDIDATES, find_identifiers

VALID = "2312345678900"  # distributor 23, Yorkshire


def values(text: str) -> list[str]:
    return [i.value for i in find_identifiers(text).valid]


@pytest.mark.parametrize("text", [
    "MPAN 2312345678900 please",
    "MPAN: 23 1234 5678 900.",
    "MPAN:2312345678900",
    "S 01 801 100 / 23 1234 5678 900",
    "S  01  801  100\n    23  1234  5678  900",
    "full number 018011002312345678900 from the bill",
    "core 23-1234-5678-900",
    "(2312345678900)",
])
def test_mpan_written_forms_normalise_to_the_core(text: str) -> None:
    assert values(text) == [VALID]


def test_top_line_alone_is_not_an_identifier() -> None:
    assert find_identifiers("the top line is 01 801 200").valid == []
    assert find_identifiers("the top line is 01 801 200").invalid == []


def test_distributor_is_mapped_for_dno_and_idno() -> None:
    found = find_identifiers("1312345678907 and " + "2566437151054").valid
    assert [(i.distributor_id, i.kind, i.fuel) for i in found] == [
        ("13", "MPAN", "electricity"), ("25", "MPAN", "electricity")]
    assert "Manweb" in found[0].distributor
    assert found[1].distributor == "ESP Electricity"


def test_mprn_is_found_with_fuel_and_igt_flag() -> None:
    found = find_identifiers("gas MPRN 3938424403 and IGT 7438930000").valid
    assert [i.value for i in found] == ["3938424403", "7438930000"]
    assert all(i.fuel == "gas" for i in found)
    assert [i.igt for i in found] == [False, True]


def test_short_mprn_needs_gas_context() -> None:
    assert values("order 28323908") == []
    assert values("see 28323908 attached") == ["28323908"]  # 8 digits stands alone
    six = "456706"  # passes the soft check
    assert values(f"number {six}") == []
    assert values(f"gas supply point {six}") == [six]


@pytest.mark.parametrize("text", [
    "UPRN 100061234567",
    "new UPRNs 100061234567, 100061234568",
    "call 0161 496 0815 or 0113 496 0771",
    "mobile +44 7700 900123",
    "egress 203.0.113.24 and 203.0.113.25",
    "ticket SSD-219904 and ref BWE-SW-88214 and VR-20260301-0447",
    "at 2025-10-15T15:52:07.331Z on 21/10/2025",
    "msgId 7f3a9c2e-00b1 status=SENT",
    "owes £1,900 and c.3,100 updates, 38,500 registrations",
    "reference 3938424403",
    "e-mail d.harper1958@hotmail.co.uk",
])
def test_distractors_are_not_identifiers(text: str) -> None:
    found = find_identifiers(text)
    assert found.valid == [] and found.invalid == []


def test_order_of_first_appearance_and_no_duplicates() -> None:
    text = f"1312345678907 then {VALID} then 13 1234 5678 907 again and MPRN 3938424403"
    assert values(text) == ["1312345678907", VALID, "3938424403"]


def test_quoted_history_counts() -> None:
    text = "Chasing this.\n\n> From: me\n> Switch for 2000012345672 is stuck"
    assert values(text) == ["2000012345672"]


def test_invalid_mpan_reports_check_and_suggestions() -> None:
    found = find_identifiers("MPAN 2312345678903 rejected")
    assert found.valid == []
    (bad,) = found.invalid
    assert (bad.kind, bad.failed_check, bad.severity) == ("MPAN", "check_digit", "error")
    assert VALID in bad.suggestions


def test_invalid_mprn_is_a_warning_when_labelled() -> None:
    (bad,) = find_identifiers("MPRN 3938424430 rejected").invalid
    assert (bad.kind, bad.failed_check, bad.severity) == ("MPRN", "mprn_check_digits", "warning")
    assert "3938424403" in bad.suggestions
    # an unlabelled 10-digit number that fails is just a number
    assert find_identifiers("quote 3938424430").invalid == []


def test_body_of_only_numbers() -> None:
    text = " ".join(["1312345678907", "0161", "4960815", "100061234567", "12", "2000012345672"])
    assert values(text) == ["1312345678907", "2000012345672"]


def test_huge_number_dump_is_capped_and_fast() -> None:
    text = "\n".join(f"{n:013d}" for n in range(10**12, 10**12 + 50_000))
    started = time.perf_counter()
    found = find_identifiers(text)
    assert time.perf_counter() - started < 5
    assert found.truncated
    assert len(found.valid) + len(found.invalid) <= MAX_CANDIDATES


def test_empty_text() -> None:
    found = find_identifiers("")
    assert found.valid == [] and found.invalid == [] and not found.truncated


def test_labels_discount_numbers_but_not_a_valid_mpan() -> None:
    assert values("incident on 1312345678907") == ["1312345678907"]
    assert find_identifiers("ticket 1012345678809").invalid == []
