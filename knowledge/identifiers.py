"""Find MPANs and MPRNs in free text, and tell them apart from look-alike numbers.

People write MPAN cores as 13 digits, in groups ("23 1234 5678 900"), as the full 21 digits
or as a top line plus core ("S 01 801 100 / 23 ..."). Dates, times, IP addresses, phone
numbers, UPRNs and references share the digits, so a run of digits only counts when it stands
alone (not glued to letters, hyphens, dots, colons or slashes) and is not labelled as
something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.checkdigits import (
    mpan_failed_check,
    mpan_suggestions,
    mpan_valid,
    mprn_suggestions,
    mprn_valid,
)
from knowledge.distributors import distributor_for
from knowledge.rules.wordpattern import ignorecase_texts, may_contain_ignorecase

__all__ = [
    "FoundIdentifiers",
    "Identifier",
    "InvalidIdentifier",
    "find_identifiers",
    "mpan_valid",
    "mprn_valid",
]

# digit runs not touching letters or digits (checked in the engine: base64 has many digits)
_RUN = re.compile(r"(?<![^\W_])\d+(?:[ \t\u00a0]{1,3}\d+)*(?![^\W_])")
_HYPHENATED_CORE = re.compile(r"(?<![\w-])\d{2}-\d{4}-\d{4}-\d{3}(?![\w-])")
MAX_CANDIDATES = 500  # a pasted data dump should not turn triage into a batch job
_GLUE_BEFORE = set(".-/:@+£$#,_=")
_GLUE_AFTER = set("-/@_")
_LABEL_BEFORE = re.compile(r"[A-Za-z][:=#]$")
_DISTRACTOR_LABEL = re.compile(
    r"\b(?:ref(?:erence)?|ticket|case|incident|order|invoice|account|acct|"
    r"tel(?:ephone)?|phone|mob(?:ile)?|fax|msg ?id|message ?id|uprns?|ssd|po|hours|username|"
    r"call|contact|extn?|dial|sort code)\b[^\n\d]{0,12}$",
    re.IGNORECASE,
)
# "meter point reference" is the MPRN's own name (Meter Point Reference Number), not a ref
_ID_LABEL_RIGHT_BEFORE = re.compile(
    r"\b(?:mpans?|mprns?|mpxns?|(?:meter|supply) point ref(?:erence)?(?: (?:number|no))?)\b"
    r"\W{0,3}$", re.IGNORECASE)
_GAS_LABEL = re.compile(r"\b(?:mprns?|gas|supply points?|meter points?)\b", re.IGNORECASE)
_MPRN_LABEL_NEAR = re.compile(
    r"\b(?:mprns?|gas|supply points?|meter points?)\b[^\n\d]{0,30}$", re.IGNORECASE
)
_TOP_LINE = re.compile(r"^0[0-8] \d{3} \d{3}$")
# texts these case-insensitive patterns need: a substring test is a quick no for most text
_REQUIRED = {pattern: ignorecase_texts(pattern)
             for pattern in (_DISTRACTOR_LABEL, _GAS_LABEL, _MPRN_LABEL_NEAR)}


def _found(pattern: re.Pattern[str], text: str) -> bool:
    """bool(pattern.search(text)), without the search when `_REQUIRED` rules a match out."""
    return may_contain_ignorecase(text, _REQUIRED[pattern]) and bool(pattern.search(text))


@dataclass(frozen=True)
class Identifier:
    """A meter point identifier that passed validation, normalised (MPAN core, MPRN digits)."""

    kind: str  # "MPAN" | "MPRN"
    value: str
    raw: str
    position: int
    fuel: str
    distributor_id: str | None = None
    distributor: str | None = None
    igt: bool = False

    def describe(self) -> str:
        if self.kind == "MPAN":
            return f"MPAN {self.value} (distributor {self.distributor_id} {self.distributor})"
        return f"MPRN {self.value} (gas{', IGT' if self.igt else ''})"


@dataclass(frozen=True)
class InvalidIdentifier:
    """A number written as an MPxN that fails a check, with candidate corrections as hints."""

    kind: str
    value: str
    raw: str
    position: int
    failed_check: str
    suggestions: tuple[str, ...] = ()
    severity: str = "error"  # MPRN checks are advisory: "warning"


@dataclass(frozen=True)
class FoundIdentifiers:
    valid: list[Identifier] = field(default_factory=list)
    invalid: list[InvalidIdentifier] = field(default_factory=list)
    truncated: bool = False  # stopped after MAX_CANDIDATES numbers


def _glued(text: str, start: int, end: int) -> bool:
    """Is the digit run part of a bigger token (date, time, IP, reference, amount)?"""
    if start > 0:
        before = text[start - 1]
        if before.isalnum():
            return True
        if before in _GLUE_BEFORE and not _LABEL_BEFORE.search(text[max(0, start - 2) : start]):
            return True
    if end < len(text):
        after = text[end]
        if after.isalnum() or after in _GLUE_AFTER:
            return True
        if after in ".,:" and end + 1 < len(text) and text[end + 1].isdigit():
            return True
    return False


def _looks_like_phone(groups: list[str], prefix: str) -> bool:
    digits = "".join(groups)
    if prefix.rstrip().endswith("+44"):
        return True
    return groups[0].startswith("0") and len(digits) in (10, 11) and len(groups) >= 2


def _looks_like_date(digits: str) -> bool:
    if len(digits) != 8:
        return False
    for year, month, day in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4],
                                                                       digits[:2])):
        if year[:2] in ("19", "20") and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return True
    return False


def _mpan_candidates(groups: list[str]) -> list[str]:
    """13- or 21-digit spans made of whole consecutive groups, left to right."""
    whole = "".join(groups)
    if len(whole) in (13, 21):
        return [whole]
    found, i = [], 0
    while i < len(groups):
        for j in range(i, len(groups)):
            joined = "".join(groups[i : j + 1])
            plausible = j == i or len(groups[i]) == 2 or mpan_valid(joined[-13:])
            if len(joined) in (13, 21) and plausible:
                found.append(joined)
                i = j
                break
            if len(joined) > 21:
                break
        i += 1
    return found


class _Collector:
    def __init__(self, text: str) -> None:
        self.text = text
        self.gas_context = _found(_GAS_LABEL, text)
        self.valid: dict[str, Identifier] = {}
        self.invalid: dict[str, InvalidIdentifier] = {}
        self.truncated = False

    def _full(self) -> bool:
        if len(self.valid) + len(self.invalid) >= MAX_CANDIDATES:
            self.truncated = True
        return self.truncated

    def add_mpan(self, digits: str, raw: str, pos: int) -> None:
        core = digits[-13:]
        failed = mpan_failed_check(core)
        if failed is None:
            dist = distributor_for(core)
            self.valid.setdefault(core, Identifier(
                "MPAN", core, raw, pos, "electricity", core[:2], dist.name if dist else None))
        elif core not in self.valid:
            self.invalid.setdefault(core, InvalidIdentifier(
                "MPAN", core, raw, pos, failed, tuple(mpan_suggestions(core))))

    def add_mprn(self, digits: str, raw: str, pos: int, labelled: bool) -> None:
        if digits.startswith("0") or _looks_like_date(digits):
            return
        if mprn_valid(digits):
            if len(digits) >= 8 or self.gas_context or labelled:
                self.valid.setdefault(digits, Identifier(
                    "MPRN", digits, raw, pos, "gas", igt=digits[:2] in ("74", "75", "76", "77")))
        elif labelled and digits not in self.valid:
            self.invalid.setdefault(digits, InvalidIdentifier(
                "MPRN", digits, raw, pos, "mprn_check_digits",
                tuple(mprn_suggestions(digits)), "warning"))

    def scan(self) -> FoundIdentifiers:
        text = self.text
        hyphenated = _HYPHENATED_CORE.finditer(text) if "-" in text else ()  # skip a slow scan
        for match in hyphenated:
            self.add_mpan(match.group().replace("-", ""), match.group(), match.start())
        for match in _RUN.finditer(text):
            if self._full():
                break
            start, end, raw = match.start(), match.end(), match.group()
            if _glued(text, start, end):
                continue
            prefix = text[max(0, start - 40) : start]
            groups = raw.split()
            if _looks_like_phone(groups, prefix) or _TOP_LINE.match(raw):
                continue
            # a label such as "ticket" or "UPRN" discounts a number, unless it validates as an
            # MPAN: a chance 13-digit match (distributor and check digit) is too unlikely
            distracted = _found(_DISTRACTOR_LABEL, prefix) and not (
                _ID_LABEL_RIGHT_BEFORE.search(prefix))
            mpans = _mpan_candidates(groups)
            for digits in mpans:
                if not distracted or mpan_valid(digits[-13:]):
                    self.add_mpan(digits, raw, start)
            if mpans or distracted:
                continue
            labelled = _found(_MPRN_LABEL_NEAR, prefix)
            if len(groups) == 1 and 6 <= len(raw) <= 10:
                self.add_mprn(raw, raw, start, labelled)
            elif (labelled or self.gas_context) and len(groups) > 1 and (
                    6 <= len("".join(groups)) <= 10):
                # read out in groups ("31 039 812 00"): in a gas e-mail a grouped number that
                # passes the check is an MPRN; one that fails only counts when labelled
                self.add_mprn("".join(groups), raw, start, labelled)
        valid = sorted(self.valid.values(), key=lambda i: i.position)
        invalid = sorted(self.invalid.values(), key=lambda i: i.position)
        return FoundIdentifiers(valid=valid, invalid=invalid, truncated=self.truncated)


def find_identifiers(text: str) -> FoundIdentifiers:
    """Every MPAN core and MPRN in order of first appearance, plus those that fail a check."""
    return _Collector(text or "").scan()
