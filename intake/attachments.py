"""Attachment metadata: filenames as senders really write them, inline-ness, TNEF.

Filenames arrive as RFC 2231 (``filename*=utf-8''...``, with ``*0*`` continuations), as RFC
2047 encoded-words in or out of quotes, unquoted with spaces, or as raw 8-bit bytes. The stdlib
handles only the first cleanly, so parameters are read here from the raw header bytes.
"""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import unquote_to_bytes

from intake.charsets import decode_bytes
from intake.headers import clean, decode_words, first_header

_PARAM = re.compile(
    rb"""(?:^|[;\s])\s*(name|filename)(\*\d+)?(\*)?\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""",
    re.I,
)
_PATH = re.compile(r"[\\/]")
_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}


def _params(raw: bytes, wanted: bytes) -> str:
    """Decode one (possibly RFC 2231 continued) parameter from a raw header value."""
    sections: dict[int, tuple[bool, bytes]] = {}
    for match in _PARAM.finditer(raw):
        if match.group(1).lower() != wanted:
            continue
        index = int(match.group(2)[1:]) if match.group(2) else 0
        value = match.group(4).strip()
        if value.startswith(b'"'):
            value = value[1:-1] if value.endswith(b'"') and len(value) > 1 else value[1:]
            value = value.replace(b'\\"', b'"')
        sections.setdefault(index, (bool(match.group(3)), value))
    if not sections:
        return ""
    ordered = [sections[i] for i in sorted(sections)]
    if not any(extended for extended, _ in ordered):
        return clean(decode_words(b"".join(v for _, v in ordered)))
    charset: str | None = None
    chunks: list[bytes] = []
    for n, (extended, value) in enumerate(ordered):
        if extended:
            if n == 0 and value.count(b"'") >= 2:
                label, _, value = value.split(b"'", 2)
                charset = label.decode("ascii", "replace") or None
            chunks.append(unquote_to_bytes(value))
        else:
            chunks.append(value)
    return clean(decode_bytes(b"".join(chunks), charset))


def filename(part: Message) -> str:
    """The decoded filename from Content-Disposition, else the Content-Type ``name``; or "".

    Only the last path component is kept: some clients send ``C:\\Users\\...\\file.doc``
    (with unescaped backslashes), and a stored name must never carry a path.
    """
    found = ""
    disposition = first_header(part, "content-disposition")
    if disposition:
        found = _params(disposition, b"filename")
    ctype = first_header(part, "content-type")
    # An invalid Content-Type (no "/") means text/plain (RFC 2045 5.2): its name is not trusted.
    if not found and ctype and b"/" in ctype.split(b";", 1)[0]:
        found = _params(ctype, b"name")
    name = _PATH.split(found)[-1].strip()
    return "" if name in (".", "..") else name


def disposition(part: Message) -> str:
    raw = first_header(part, "content-disposition")
    if not raw:
        return ""
    return raw.split(b";", 1)[0].strip().lower().decode("ascii", "replace")


def is_inline(part: Message, in_related: bool) -> bool:
    """Inline when it says so, or when it is a Content-ID resource of multipart/related."""
    kind = disposition(part)
    if kind:
        return kind == "inline"
    return in_related and part.get("content-id") is not None


def is_tnef(content_type: str, name: str) -> bool:
    """Outlook's winmail.dat: kept as an attachment and flagged so an agent knows to open it."""
    return content_type in _TNEF_TYPES or name.lower() == "winmail.dat"
