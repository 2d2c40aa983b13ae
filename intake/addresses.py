"""Address headers: lenient extraction of lowercased addr-specs and the display name.

``email.utils.getaddresses`` handles the well-formed majority; a regex rescues addresses from
headers it gives up on (missing brackets, double ``@``, raw UTF-8 local parts).
"""

from __future__ import annotations

import re
from email.utils import getaddresses

from intake.charsets import decode_bytes
from intake.headers import clean, decode_words

_ANGLE = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")
_BARE = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")
_SIMPLE = re.compile(r"\s*(?:([^<>@]*?)\s*<([^<>\s@]+@[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+))\s*")
_MAX_HEADER = 100_000  # bounds the work on pathological recipient lists


def _valid(addr: str) -> bool:
    return "@" in addr and not addr.startswith("@") and not addr.endswith("@")


def parse_addresses(raw: bytes | None, fallback: str | None = None) -> list[tuple[str, str]]:
    """Return ``(display name, lowercased addr-spec)`` pairs; addresses without ``@`` dropped."""
    if not raw:
        return []
    text = decode_bytes(raw[:_MAX_HEADER], fallback).replace("\x00", "")
    pairs: list[tuple[str, str]] = []
    simple = _simple(text)
    parsed = simple if simple is not None else _stdlib(text)
    for name, addr in parsed:
        addr = addr.strip().strip("<>").lower()
        if _valid(addr):
            pairs.append((_display_name(name), addr))
    if pairs:
        return pairs
    found = _ANGLE.findall(text) or _BARE.findall(text)
    return [("", a.strip().lower()) for a in found if _valid(a.strip())]


def _display_name(name: str) -> str:
    """The decoded, cleaned display name; plain ASCII (the usual case) needs no decoding."""
    if name.isascii() and "=?" not in name:
        return clean(name)
    return clean(decode_words(name.encode("utf-8"), "utf-8"))


def _simple(text: str) -> list[tuple[str, str]] | None:
    """Fast path for the usual ``Name <a@b>, c@d`` lists; None when quoting or comments appear."""
    if any(c in text for c in '"(\\:;'):
        return None
    found: list[tuple[str, str]] = []
    for item in text.split(","):
        if not item.strip():
            continue
        match = _SIMPLE.fullmatch(item)
        if match is None:
            return None
        found.append((match.group(1) or "", match.group(2) or match.group(3)))
    return found


def _stdlib(text: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([text])
    except Exception:  # noqa: BLE001 - the stdlib parser has raised on odd input before
        return []


def address_list(raw: bytes | None, fallback: str | None = None) -> tuple[str, ...]:
    """Distinct addr-specs in header order."""
    seen: dict[str, None] = {}
    for _, addr in parse_addresses(raw, fallback):
        seen.setdefault(addr, None)
    return tuple(seen)


def first_address(raw: bytes | None, fallback: str | None = None) -> tuple[str | None, str]:
    """``(addr, display name)`` of the first usable address; ``(None, name)`` when there is none."""
    pairs = parse_addresses(raw, fallback)
    if pairs:
        return pairs[0][1], pairs[0][0]
    name = clean(decode_words(raw, fallback)) if raw else ""
    return None, name
