"""Market participant IDs (4 characters) named in the text, e.g. "MPID (CSGP)"."""

from __future__ import annotations

import re

from knowledge.rules.base import RuleHit, TicketText

_MPID = re.compile(r"\bMPIDs?\b[^A-Za-z0-9\n]{0,4}(?:is\s|of\s)?\(?([A-Z][A-Z0-9]{3})\b")


def mpids(ticket: TicketText) -> RuleHit | None:
    text = f"{ticket.subject}\n{ticket.new}"
    if "MPID" not in text:  # a quick no for most messages; the regex tries every position
        return None
    found = list(dict.fromkeys(_MPID.findall(text)))
    if not found:
        return None
    return RuleHit("mpid", tuple(f"MPID {m}" for m in found), found[0])
