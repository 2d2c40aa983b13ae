"""Separating the sender's new words from quoted history and the signature.

mail-parser-reply finds the reply headers ("On ... wrote:", Outlook's "From:/Sent:" block,
"-----Original Message-----") and signature openers; it normalises whitespace as it works, so
its findings are mapped back onto the original lines and the text we return is never altered.
Lines quoted with ``>`` and no header are split off here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from itertools import chain

from mailparser_reply.constants import OUTLOOK_MAIL_SEPARATOR
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
_HEADER = _PROTOTYPE.HEADER_REGEX
_SIGNATURE = _PROTOTYPE.SIGNATURE_REGEX
# _library_view mirrors this release of the library, and its shortcuts were read off this
# release's English patterns; with any other release the library's own read() is used.
try:
    _MIRRORED = metadata.version("mail-parser-reply") == "1.36"
except metadata.PackageNotFoundError:
    _MIRRORED = False
# Literal text that any match of the patterns must contain (they are case-insensitive, so it is
# looked for in the lowercased text). A reply header holds "wrote:", "original message", or
# two of the header names with their colon; a signature starts at a line that opens with one
# of the sign-off phrases, or (after optional ">" quoting) with a dash, underscore or space.
_WROTE_OR_SEPARATOR = ("wrote:", "original message")
_HEADER_NAMES = ("from:", "sent:", "to:", "subject:", "date:", "cc:", "organization:")
_SIGN_OFFS = (
    "sent from my", "get outlook for", "best regards", "kind regards", "thanks,", "thank you,",
    "best,", "all the best", "regards,",
)  # fmt: skip
_LINE_OPENERS = ("\n>", "\n-", "\n_", "\n ")
# Characters that match an ASCII letter case-insensitively in ``re`` but not under str.lower()
# (or change length there): when one occurs, the literal shortcuts are not taken.
_CASE_ODDITIES = ("\u0130", "\u0131", "\u017f", "\u212a")
# The library's normalisation puts a line break before an Outlook separator run that follows
# text (its re.sub passes re.MULTILINE, 8, where the count goes: at most 8 are rewritten).
_SEPARATOR_AFTER_TEXT = re.compile(f"([^\n]){OUTLOOK_MAIL_SEPARATOR}")
_SEPARATOR_COUNT = 8
_SEPARATOR_STARTS = ("\n\n_", "\n\n-", "\n\n _", "\n\n -")
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
        signature, second = _library_view(text) if _MIRRORED else _library_read(text)
    except Exception:  # noqa: BLE001 - a reply-parser bug must not lose the message
        signature, second = "", None
    cut = len(lines)
    if second is not None:
        cut = _find_line(lines, second, 0)
    block = _quote_block_start(lines)
    if block < cut:
        cut = _attribution(lines, block)
    new_lines, quoted = lines[:cut], "\n".join(lines[cut:]).strip()
    if ">" in text and any(line.lstrip().startswith(">") for line in new_lines):
        new_lines, inline_quotes = _interleaved(new_lines)
        quoted = "\n".join([inline_quotes, quoted]).strip()
    if signature:
        start = _find_line(new_lines, signature, 1)
        if len(new_lines) - start <= _MAX_SIGNATURE_LINES and not _in_list(new_lines, start):
            signature = "\n".join(new_lines[start:]).strip()
            new_lines = new_lines[:start]
        else:
            signature = ""
    return Split("\n".join(new_lines).strip(), quoted, signature)


def _library_read(text: str) -> tuple[str, str | None]:
    """The library's own reading: the first reply's signature, and the header (else the
    content) of the second reply, or None when there is only one."""
    found = EmailMessage(text=text, languages=list(_LANGUAGES))
    for name, pattern in _PATTERNS.items():
        setattr(found, name, pattern)
    replies = found.read().replies
    signature = replies[0].signatures if replies else ""
    second = (replies[1].headers or replies[1].content) if len(replies) > 1 else None
    return signature, second


def _library_view(text: str) -> tuple[str, str | None]:
    """Same result as ``_library_read``, without the work whose result is never used.

    Mirrors ``EmailMessage.read()`` (1.36) but skips disclaimers, stops after the second reply,
    looks for a signature only in the first, and skips (or shortens) regex scans that a literal
    check in the lowercased text shows cannot match: most mail has no reply header at all.
    """
    normalized = _normalized(text)
    folded = _folded(normalized)
    replies: list[tuple[str, str]] = []  # (header, content) of each non-empty reply
    current, previous, first_at = 0, "", 0
    for header in _headers(normalized, folded):
        position = normalized.find(header, current + 1 if current > 0 else current)
        content = normalized[current:position]
        if content.strip():
            if not replies:
                first_at = current
            replies.append((previous, content))
            if len(replies) == 2:
                break
        current = position if position >= 0 else 0
        previous = header
    else:
        if not replies:
            first_at = current
        replies.append((previous, normalized[current:]))
    first = replies[0][1]
    end = first_at + len(first)
    signature = _signature(first, folded[first_at:end] if folded is not None else None)
    if len(replies) < 2:
        return signature, None
    header, content = replies[1]
    return signature, header.strip() or content.strip()


def _normalized(text: str) -> str:
    """The text as ``EmailMessage`` normalises it: lines stripped, separators set apart."""
    text = "\n".join([line.strip() for line in text.replace("\r\n", "\n").split("\n")])
    if any(start in text for start in _SEPARATOR_STARTS):
        text = _SEPARATOR_AFTER_TEXT.sub("\\1\n", text, count=_SEPARATOR_COUNT)
    return text


def _folded(text: str) -> str | None:
    """``text`` lowercased with every offset unchanged, or None when that cannot be trusted."""
    if not text.isascii() and any(c in text for c in _CASE_ODDITIES):
        return None
    return text.lower()


def _headers(text: str, folded: str | None) -> list[str]:
    """The reply headers the library finds, in order; no scan when none can be there."""
    if folded is not None and not _may_hold_header(folded):
        return []
    return [h for h in chain.from_iterable(_HEADER.findall(text)) if h]


def _may_hold_header(folded: str) -> bool:
    if any(w in folded for w in _WROTE_OR_SEPARATOR):
        return True
    return sum(folded.count(name) for name in _HEADER_NAMES) >= 2


def _signature(content: str, folded: str | None) -> str:
    """The library's signature match in one reply, searched from the first line that could open it.

    A match reaches a line holding a sign-off phrase or an opener, possibly after whitespace
    (including the blank lines before that line); nothing can match before that whitespace run.
    """
    start = 0
    if folded is not None:
        hits = [i for i in (folded.find(p) for p in _SIGN_OFFS + _LINE_OPENERS) if i >= 0]
        if content[:1] in (">", "-", "_", " "):
            hits.append(0)
        if not hits:
            return ""
        start = content.rfind("\n", 0, min(hits)) + 1
        while start > 0 and content[start - 1].isspace():
            start -= 1
    match = _SIGNATURE.search(content, start)
    return match.group().strip() if match else ""


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
