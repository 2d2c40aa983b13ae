"""References of bulletins (BUL-000012) and changes (CHG-000034)."""

from __future__ import annotations

import re

from desk.errors import InvalidInput


def _format(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def _parse(prefix: str, what: str, text: str) -> int:
    match = re.fullmatch(rf"\s*(?:{prefix}-?)?0*(\d{{1,12}})\s*", text, re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(f"not a {what} reference: {text!r} (expected e.g. {prefix}-000012)")
    return int(match.group(1))


def format_bulletin_ref(bulletin_id: int) -> str:
    return _format("BUL", bulletin_id)


def parse_bulletin_ref(text: str) -> int:
    return _parse("BUL", "bulletin", text)


def format_change_ref(change_id: int) -> str:
    return _format("CHG", change_id)


def parse_change_ref(text: str) -> int:
    return _parse("CHG", "change", text)
