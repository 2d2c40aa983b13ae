"""MPAN and MPRN check-digit arithmetic and correction suggestions (switching.md §1.2, §3.2).

MPAN is strict (check digit and distributor ID); MPRN is soft: a failed MPRN check is a
warning that the number is probably mistyped, never proof that it is wrong.
"""

from __future__ import annotations

from knowledge.distributors import DISTRIBUTORS

MPAN_PRIMES = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
MPRN_LENGTHS = range(6, 11)


def mpan_check_digit(first12: str) -> int:
    return sum(int(d) * p for d, p in zip(first12, MPAN_PRIMES, strict=True)) % 11 % 10


def mpan_failed_check(core: str) -> str | None:
    """Which MPAN check fails ("format", "distributor_id", "check_digit"), or None if valid."""
    if len(core) != 13 or not core.isdigit():
        return "format"
    if core[:2] not in DISTRIBUTORS:
        return "distributor_id"
    if mpan_check_digit(core[:12]) != int(core[12]):
        return "check_digit"
    return None


def mpan_valid(core: str) -> bool:
    """True for a 13-digit MPAN core with a known distributor and a correct check digit."""
    return mpan_failed_check(core) is None


def mprn_check(body: str) -> str:
    n = len(body)
    return f"{sum(int(d) * (n - i) for i, d in enumerate(body)) % 11:02d}"


def mprn_valid(mprn: str) -> bool:
    """True when 6-10 digits and the community-documented two-digit check passes."""
    return (
        mprn.isdigit() and len(mprn) in MPRN_LENGTHS and mprn_check(mprn[:-2]) == mprn[-2:]
    )


def _adjacent_transpositions(digits: str) -> list[str]:
    out = []
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            out.append(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
    return out


def mpan_suggestions(core: str) -> list[str]:
    """Cores one adjacent swap or one check-digit change away that pass: hints, not facts."""
    if len(core) != 13 or not core.isdigit():
        return []
    found = [c for c in _adjacent_transpositions(core) if mpan_valid(c)]
    if core[:2] in DISTRIBUTORS:
        fixed = core[:12] + str(mpan_check_digit(core[:12]))
        if fixed != core:
            found.append(fixed)
    return list(dict.fromkeys(found))


def mprn_suggestions(mprn: str) -> list[str]:
    """MPRNs one adjacent swap away that pass the soft check."""
    if not mprn.isdigit():
        return []
    return list(dict.fromkeys(c for c in _adjacent_transpositions(mprn) if mprn_valid(c)))
