"""Which fuel the ticket is about, from identifiers first and wording second."""

from __future__ import annotations

from knowledge.identifiers import FoundIdentifiers
from knowledge.rules.base import RuleHit, TicketText
from knowledge.rules.wordpattern import WordPattern

_GAS = WordPattern(r"\b(?:gas|mprns?|shipper|uk link|xoserve|igt|des|ges|transporter)\b")
_ELEC = WordPattern(r"\b(?:electricity|elec|mpans?|dno|idno|mpas|erds|ecoes|llfc|mtc)\b")


def fuel(ticket: TicketText, found: FoundIdentifiers) -> RuleHit | None:
    kinds = {i.fuel for i in found.valid} | {
        "gas" if i.kind == "MPRN" else "electricity" for i in found.invalid}
    evidence = [f"{i.kind} {i.value}" for i in found.valid[:3]]
    if not kinds:
        gas, elec = bool(_GAS.search(ticket.own)), bool(_ELEC.search(ticket.own))
        kinds = {k for k, seen in (("gas", gas), ("electricity", elec)) if seen}
        evidence = ["wording mentions " + " and ".join(sorted(kinds))] if kinds else []
    if not kinds:
        return None
    value = "dual" if len(kinds) == 2 else kinds.pop()
    return RuleHit("fuel", tuple(evidence), value)
