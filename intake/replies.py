"""Separating the sender's new words from quoted history and the signature.

mail-parser-reply finds the reply headers ("On ... wrote:", Outlook's "From:/Sent:" block,
"-----Original Message-----") and signature openers; it normalises whitespace as it works, so
its findings are mapped back onto the original lines and the text we return is never altered.
Lines quoted with ``>`` and no header are split off here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailparser_reply.parser import EmailMessage

_LANGUAGES = ["en"]
_PROTOTYPE = EmailMessage(text="", languages=list(_LANGUAGES))
# The library compiles its patterns per message; compile once and hand them to each instance
# (plain attributes: a library version without them simply compiles its own again).
_PATTERNS = {
    "_header_regex": _PROTOTYPE.HEADER_REGEX,
    "_disclaimers_regex": _PROTOTYPE.DISCLAIMERS_REGEX,
    "_signature_regex": _PROTOTYPE.SIGNATURE_REGEX,
}
_MAX_TEXT = 100_000  # longer bodies are not split (regex cost); all of it counts as new
_MAX_SIGNATURE_LINES = 25
_BLANK_RUNS = re.compile(r"\n{3,}")
_BULLET = re.compile(r"\s*[-*•] ?\w")
# "Jane Doe wrote:" style attributions without a date, which the library leaves alone.
_ATTRIBUTION = re.compile(
    r"(wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|napisał|skrev)\s*:\s*$", re.I
)


@dataclass(frozen=True, slots=True)
class Split:
    new: str
    quoted: str
    signature: str


def split_reply(text: str) -> Split:
    """Split ``text`` into new text, quoted history and signature; never raises."""
    if not text.strip() or len(text) > _MAX_TEXT:
        return Split(text.strip(), "", "")
    lines = text.split("\n")
    try:
        found = EmailMessage(text=text, languages=list(_LANGUAGES))
        for name, pattern in _PATTERNS.items():
            setattr(found, name, pattern)
        found.read()
        replies = found.replies
    except Exception:  # noqa: BLE001 - a reply-parser bug must not lose the message
        replies = []
    cut = len(lines)
    if len(replies) > 1:
        cut = _find_line(lines, replies[1].headers or replies[1].content, 0)
    block = _quote_block_start(lines)
    if block < cut:
        cut = _attribution(lines, block)
    new_lines, quoted = lines[:cut], "\n".join(lines[cut:]).strip()
    if any(line.lstrip().startswith(">") for line in new_lines):
        new_lines, inline_quotes = _interleaved(new_lines)
        quoted = "\n".join([inline_quotes, quoted]).strip()
    signature = ""
    if replies and replies[0].signatures:
        start = _find_line(new_lines, replies[0].signatures, 1)
        if len(new_lines) - start <= _MAX_SIGNATURE_LINES and not _in_list(new_lines, start):
            signature = "\n".join(new_lines[start:]).strip()
            new_lines = new_lines[:start]
    return Split("\n".join(new_lines).strip(), quoted, signature)


def _find_line(lines: list[str], fragment: str, start: int) -> int:
    """Index of the first original line equal (ignoring edge whitespace) to ``fragment``'s first."""
    first = next((ln.strip() for ln in fragment.split("\n") if ln.strip()), "")
    if not first:
        return len(lines)
    for i in range(start, len(lines)):
        if lines[i].strip() == first:
            return i
    return len(lines)


def _in_list(lines: list[str], start: int) -> bool:
    """The library takes any line opening "- word" for a signature; a dash that begins a list
    (introduced by a colon, or followed by another item) is the message itself: MPxNs and
    volumes are often given so."""
    if start >= len(lines) or not _BULLET.match(lines[start]):
        return False
    before = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
    after = next((ln for ln in lines[start + 1:] if ln.strip()), "")
    return before.endswith(":") or bool(_BULLET.match(after))


def _quote_block_start(lines: list[str]) -> int:
    """Start of the trailing run of ``>``-quoted lines (blank lines allowed inside)."""
    start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped.startswith(">"):
            start = i
        elif stripped:
            break
    return start


def _attribution(lines: list[str], start: int) -> int:
    """Move a quote block's start up to include the "X wrote:" line just above it."""
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    return i if i >= 0 and _ATTRIBUTION.search(lines[i]) else start


def _interleaved(lines: list[str]) -> tuple[list[str], str]:
    """Inline replies: quoted lines (and their attributions) out, the person's lines kept."""
    quoted_at = {i for i, line in enumerate(lines) if line.lstrip().startswith(">")}
    for i in sorted(quoted_at):
        if i - 1 not in quoted_at:
            quoted_at.add(_attribution(lines, i))
    new = "\n".join(line for i, line in enumerate(lines) if i not in quoted_at)
    return _BLANK_RUNS.sub("\n\n", new).split("\n"), "\n".join(lines[i] for i in sorted(quoted_at))
