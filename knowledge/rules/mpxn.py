"""Meter point identifiers in the whole message, quoted history included."""

from __future__ import annotations

from knowledge.identifiers import FoundIdentifiers, find_identifiers
from knowledge.rules.base import RuleHit


def identifiers(subject: str, body: str, quoted: str) -> FoundIdentifiers:
    """Scan the untruncated text: an MPxN deep in a long forwarded chain still counts."""
    return find_identifiers(f"{subject}\n{body}\n{quoted}")


def identifier_hits(found: FoundIdentifiers) -> list[RuleHit]:
    hits = []
    if found.truncated:
        hits.append(RuleHit("mpxn_scan_truncated", ("too many numbers; stopped scanning",)))
    if found.valid:
        hits.append(RuleHit("mpxn_found", tuple(i.describe() for i in found.valid),
                            len(found.valid)))
    for bad in found.invalid:
        hint = f"; did you mean {', '.join(bad.suggestions)}?" if bad.suggestions else ""
        hits.append(RuleHit(f"{bad.kind.lower()}_invalid",
                            (f"{bad.kind} {bad.raw} fails {bad.failed_check}{hint}",),
                            bad.value))
    return hits
