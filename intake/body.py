"""Turning one MIME part into text: payload decoding, charset fallback, HTML to visible text.

HTML goes through inscriptis, which renders what a reader sees (tables, lists, line breaks)
rather than markup; scripts, styles and comments are dropped.
"""

from __future__ import annotations

import re
import textwrap
from email.message import Message

from inscriptis import get_text

from intake.charsets import decode_bytes

_CHARSET = re.compile(r"charset\*?\s*=\s*\"?([^\";\s']+)", re.I)
_NEWLINES = re.compile(r"\r\n?")
_TRAILING_SPACE = re.compile(r"[ \t\xa0]+$", re.M)
_BLANK_RUNS = re.compile(r"\n{3,}")
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)
_MAX_HTML = 500_000  # characters given to the HTML renderer; the rest is dropped


def payload_bytes(part: Message) -> bytes:
    """The decoded payload of a leaf part (base64, quoted-printable, uuencode undone)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - malformed encodings must not stop the message
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("ascii", "surrogateescape")
    return b""


def part_charset(part: Message) -> str | None:
    """The declared charset, read with a regex: ``get_param`` re-parses every parameter."""
    ctype = part.get("content-type")
    if not isinstance(ctype, str) or "charset" not in ctype.lower():
        return None
    match = _CHARSET.search(ctype)
    return match.group(1) if match else None


def normalise(text: str) -> str:
    """Unix newlines, no NUL bytes; nothing else is touched (backslashes stay as written)."""
    return _NEWLINES.sub("\n", text).replace("\x00", "")


def part_text(part: Message) -> str:
    return normalise(decode_bytes(payload_bytes(part), part_charset(part)))


def html_to_text(html: str) -> str:
    """Visible text of an HTML document; falls back to tag stripping if the renderer fails."""
    html = html[:_MAX_HTML]
    if not html.strip():
        return ""
    try:
        text = get_text(html)
    except Exception:  # noqa: BLE001 - lxml rejects some documents outright
        import html as html_lib

        text = html_lib.unescape(_TAGS.sub(" ", html))
    # inscriptis indents block elements; the common indent carries no meaning for a reader.
    text = textwrap.dedent(_TRAILING_SPACE.sub("", normalise(text)))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")
