"""Header decoding done by hand on the raw bytes, because that is both faster and more lenient.

The stdlib's ``policy.default`` header objects cost most of the parse time and still fail on
encoded-words without quotes, charset ``NONE``, bad base64 padding and raw 8-bit values. We parse
with ``compat32`` (which keeps raw values) and decode here, never raising.
"""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

from intake.charsets import decode_bytes

# Encoded text never contains "?", which keeps the scan linear on hostile input.
_ENCODED_WORD = re.compile(rb"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*)\?=")
_SPACES = re.compile(r"\s+")
_MSG_ID = re.compile(r"<([^<>]*)>")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def raw_bytes(value: object) -> bytes:
    """Recover the wire bytes of a compat32 header value (stored as surrogate-escaped str)."""
    if isinstance(value, bytes):
        return value
    text = str(value)
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def unfold(value: bytes) -> bytes:
    """Join folded lines; the whitespace that started each continuation is kept."""
    return value.replace(b"\r\n", b"\n").replace(b"\n ", b" ").replace(b"\n\t", b"\t").strip()


def _decode_word(charset: bytes, enc: bytes, text: bytes) -> bytes | None:
    try:
        if enc in (b"b", b"B"):
            data = _B64_JUNK.sub(b"", text)
            data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return binascii.a2b_qp(text, header=True)
    except (binascii.Error, ValueError):
        return None


def decode_words(value: bytes, fallback: str | None = None) -> str:
    """Decode RFC 2047 encoded-words anywhere in ``value`` (quoted or not) and raw 8-bit text.

    Adjacent words in one charset are joined before decoding so that a multi-byte character
    split across two words survives; whitespace between encoded-words is dropped (RFC 2047 6.2).
    """
    if b"=?" not in value:
        return decode_bytes(value, fallback)
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = b""
    pos = 0
    last_was_word = False

    def flush() -> None:
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset.decode("ascii", "replace")))
            pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        if decoded is None:
            continue
        if gap and not (last_was_word and not gap.strip()):
            flush()
            out.append(decode_bytes(gap, fallback))
        charset = match.group(1).lower()
        if pending and charset != pending_charset:
            flush()
        pending_charset = charset
        pending.append(decoded)
        pos = match.end()
        last_was_word = True
    flush()
    out.append(decode_bytes(value[pos:], fallback))
    return "".join(out)


def clean(text: str) -> str:
    """Drop NUL (PostgreSQL text rejects it) and collapse whitespace runs to one space."""
    return _SPACES.sub(" ", text.replace("\x00", "")).strip()


def first_header(msg: Message, name: str) -> bytes | None:
    """The first ``name`` header's unfolded raw bytes, or None when absent."""
    lname = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lname:
            return unfold(raw_bytes(value))
    return None


def message_ids(value: bytes | None) -> tuple[str, ...]:
    """Every ``<id>`` in a Message-ID / In-Reply-To / References value, without brackets."""
    if not value:
        return ()
    text = decode_bytes(value)
    ids = [clean(m).replace(" ", "") for m in _MSG_ID.findall(text)]
    ids = [i for i in ids if i]
    if not ids:
        bare = clean(text).split(" ")[0] if clean(text) else ""
        ids = [bare] if bare and "@" in bare else []
    return tuple(ids)


def first_id(value: bytes | None) -> str | None:
    ids = message_ids(value)
    return ids[0] if ids else None


def parse_date(value: bytes | None) -> datetime | None:
    """An aware datetime (UTC when the zone is missing or ``-0000``), or None if unparsable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(decode_bytes(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
