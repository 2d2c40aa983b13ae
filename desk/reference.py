"""Ticket references: SD-000123 is ticket id 123, so references are unique wherever ids are."""

from __future__ import annotations

import re

from desk.errors import InvalidInput

PREFIX = "SD-"
_REF = re.compile(r"^\s*\[?SD-?(\d{1,12})\]?\s*$", re.IGNORECASE)
TAG = re.compile(r"\[SD-(\d{6,12})\]", re.IGNORECASE)


def format_ref(ticket_id: int) -> str:
    return f"{PREFIX}{ticket_id:06d}"


def parse_ref(text: str) -> int:
    """Accept SD-000123, sd-123, [SD-000123] or a bare 123."""
    match = _REF.match(text) or re.match(r"^\s*(\d{1,12})\s*$", text)
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(f"not a ticket reference: {text!r} (expected e.g. SD-000123)")
    return int(match.group(1))
