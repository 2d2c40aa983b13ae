from __future__ import annotations

import pytest

from knowledge.checkdigits import (
    mpan_check_digit,
    mpan_failed_check,
    mpan_suggestions,
    mprn_suggestions,
)
from knowledge.identifiers import mpan_valid, mprn_valid


@pytest.mark.parametrize("core", ["1312345678907", "2000012345672", "1012345678806",
                                  "2312345678900", "1700000000014"])
def test_documented_valid_mpan_cores(core: str) -> None:
    assert mpan_valid(core)


def test_worked_example_check_digit() -> None:
    assert mpan_check_digit("200001234567") == 2
    assert mpan_check_digit("101234567880") == 6


@pytest.mark.parametrize(("core", "failed"), [
    ("1012345678809", "check_digit"),
    ("2312345678903", "check_digit"),
    ("9912345678906", "distributor_id"),  # arithmetic passes, distributor unknown
    ("0912345678906", "distributor_id"),
    ("123", "format"),
    ("12345678901a3", "format"),
])
def test_invalid_mpan_names_the_failed_check(core: str, failed: str) -> None:
    assert not mpan_valid(core)
    assert mpan_failed_check(core) == failed


def test_mpan_suggestions_include_check_digit_fix_and_transpositions() -> None:
    suggestions = mpan_suggestions("2312345678903")
    assert "2312345678900" in suggestions
    assert all(mpan_valid(s) for s in suggestions)
    # an adjacent swap of a valid core is found again
    swapped = "1321345678907"
    assert "1312345678907" in mpan_suggestions(swapped)


def test_mpan_suggestions_for_unknown_distributor_only_use_swaps() -> None:
    assert all(s[:2] != "99" for s in mpan_suggestions("9912345678906"))


def test_mprn_soft_check() -> None:
    assert mprn_valid("3938424403")
    assert not mprn_valid("3938424430")
    assert not mprn_valid("12345")  # too short
    assert not mprn_valid("12345678901")  # 11 digits not accepted by default
    assert not mprn_valid("39384244O3")


def test_mprn_suggestions_are_adjacent_swaps_that_pass() -> None:
    suggestions = mprn_suggestions("3938424430")
    assert "3938424403" in suggestions
    assert all(mprn_valid(s) for s in suggestions)
