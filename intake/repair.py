"""Byte-level repairs made before the stdlib parser sees a message.

Two faults make ``email`` end the header block early and turn the whole MIME structure into
body text: a leading byte-order mark, and a header folded without leading whitespace (seen from
Exchange). Both are fixed here on the raw bytes; well-formed input is returned untouched.
"""

from __future__ import annotations

import re

_BOM = b"\xef\xbb\xbf"
# The stdlib's own test for "this line belongs to the header block" (feedparser.headerRE).
_HEADERISH = re.compile(rb"From |[\041-\071\073-\176]*:|[\t ]")
# A line after the first that _stray() would flag: one scan instead of a split and a match per line.
_STRAY_LINE = re.compile(rb"\n(?!From |[\041-\071\073-\176]*:|[\t ])\r*[^\r\n]")
_NAMED = re.compile(rb"[A-Za-z][A-Za-z0-9-]*[ \t]*:")
_MAX_STRAY = 3  # stray lines tolerated between two headers


def repair(raw: bytes) -> tuple[bytes, list[str]]:
    """Return the bytes to parse and the names of the repairs that were needed."""
    fixes: list[str] = []
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
        fixes.append("LeadingByteOrderMark")
    stripped = raw.lstrip(b"\r\n")
    if stripped is not raw and _NAMED.match(stripped):
        raw = stripped
        fixes.append("LeadingBlankLines")
    end = _header_end(raw)
    if not _STRAY_LINE.search(raw, 0, end):
        return raw, fixes
    lines = raw[:end].split(b"\n")
    bad = [i for i, line in enumerate(lines) if i and _stray(line)]
    if not bad:
        return raw, fixes
    changed = False
    for i in bad:
        # Rejoin only a short run of stray lines that is followed directly by a real header.
        j = i
        while j < len(lines) and j - i < _MAX_STRAY and _stray(lines[j]):
            j += 1
        if j < len(lines) and _NAMED.match(lines[j]):
            lines[i] = b" " + lines[i]
            changed = True
        else:
            break
    if changed:
        fixes.append("HeaderFoldedWithoutWhitespace")
        raw = b"\n".join(lines) + raw[end:]
    return raw, fixes


def _stray(line: bytes) -> bool:
    """A non-empty line that the stdlib would not accept inside a header block."""
    return bool(line.strip(b"\r")) and not _HEADERISH.match(line)


def _header_end(raw: bytes) -> int:
    """Offset just past the header block (the first empty line), or the whole input."""
    candidates = [p for p in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if p >= 0]
    return min(candidates) if candidates else len(raw)
