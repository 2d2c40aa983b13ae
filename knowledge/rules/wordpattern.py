"""Keyword regexes compiled so Python's engine can skip ahead fast.

A leading \\b hides the pattern's possible first characters from `re`, which then tries every
position (about ten times slower on a 1 kB e-mail). We strip a leading \\b from each top-level
alternative and check the boundary on each match instead.

Most keywords are absent from most e-mails, and a substring test is far cheaper than a regex
search, so each alternative also knows texts one of which every match contains ("working day"
for "(?:is|does) [^.]{0,40}working day"): when none is in the text, it is skipped unsearched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character that is neither escaped nor
    inside a character class: the ones that shape the pattern."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        else:
            in_class = ch == "["
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, start = [], 0
    for i, ch, depth in _structure(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str, start: int) -> int:
    """The index of the ")" closing the group opened at `start` (len(pattern) if none)."""
    return next((i for i, ch, depth in _structure(pattern, start) if ch == ")" and depth == 0),
                len(pattern))  # fmt: skip


def _class_end(pattern: str, start: int) -> int:
    """The index of the "]" closing the character class opened at `start`."""
    i = start + 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


_META = frozenset("\\[](){}.*+?|^$")
_OPTIONAL = frozenset("?*{")  # after an item: it may be absent (or counted, as in {0,2})
# what the scanners here do not read: inline flags such as (?i), which change what text
# matches; escapes longer than two characters (\x41, \u00a0, \N{...}, \1); "[]...]" and "[^]...]"
_UNSURE = re.compile(r"\(\?[aiLmsux]|\\[xuUN0-9]|\[\^?\]")


def _candidates(alternative: str) -> list[tuple[str, ...]]:
    """Sets of texts where every match of `alternative` contains a text of each set.

    Two kinds, read from the top level of the alternative: plain text ("working day"; a last
    character made optional by ?, * or {m,n} left out) and a group that must match, whose
    choices each yield a set ("(?:switch|request)" gives ("switch", "request")).
    """
    found, run, i = [], "", 0
    while i < len(alternative):
        ch = alternative[i]
        if ch not in _META:
            run += ch
            i += 1
            continue
        kept = run[:-1] if ch in _OPTIONAL else run
        if kept:
            found.append((kept,))
        run = ""
        if ch == "\\":
            i += 2
        elif ch == "[":
            i = _class_end(alternative, i) + 1
        elif ch == "(":
            end = _group_end(alternative, i)
            required = alternative[end + 1 : end + 2] not in _OPTIONAL
            if required and alternative.startswith("(?:", i):
                choices = [_required_texts(choice)
                           for choice in _top_level_alternatives(alternative[i + 3 : end])]
                if all(choices):
                    found.append(tuple(text for choice in choices for text in choice))
            i = end + 1
        elif ch == "{":  # the counts of {m,n} are not text
            i = alternative.find("}", i) + 1 or len(alternative)
        else:
            i += 1
    if run:
        found.append((run,))
    return found


def _required_texts(alternative: str) -> tuple[str, ...]:
    """Texts one of which occurs in every match of `alternative` (() if none is certain).

    Of the candidate sets, the one whose shortest text is longest: it rules out the most.
    """
    if _UNSURE.search(alternative):
        return ()
    return max(_candidates(alternative), key=lambda texts: (min(map(len, texts)), -len(texts)),
               default=())


def required_texts(pattern: str) -> tuple[str, ...] | None:
    """Texts one of which occurs in every match of `pattern`; None if that is not certain.

    Lets a caller skip a regex on text that contains none of them (see `contains_any`).
    """
    found = [_required_texts(alt) for alt in _top_level_alternatives(pattern)]
    return tuple(dict.fromkeys(text for texts in found for text in texts)) if all(found) else None


def contains_any(text: str, texts: tuple[str, ...] | None) -> bool:
    """True when `text` contains one of `texts`, or when `texts` is None (nothing is known)."""
    if texts is None:
        return True
    for part in texts:  # noqa: SIM110 - a plain loop is faster than any() over a generator
        if part in text:
            return True
    return False


def ignorecase_texts(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """`required_texts` of a re.IGNORECASE pattern, lower-cased; None unless all are ASCII."""
    texts = None if pattern.flags & re.VERBOSE else required_texts(pattern.pattern)
    if texts is None or not all(text.isascii() for text in texts):
        return None
    return tuple(text.lower() for text in texts)


def may_contain_ignorecase(text: str, texts: tuple[str, ...] | None) -> bool:
    """`contains_any` for a re.IGNORECASE pattern, given its `ignorecase_texts`.

    For ASCII text, re's case-insensitive matching is the same as lower-casing the text; other
    text (re also equates e.g. the long s, U+017F, with "s") is given the benefit of the doubt.
    """
    return not text.isascii() or contains_any(text.lower(), texts)


class WordPattern:
    """Like a compiled regex's `search`; alternatives written with a leading \\b still need one.

    Each top-level alternative is compiled on its own: `re` can then skip to the few positions
    where that alternative's first character occurs, which a combined pattern often prevents.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        # (needs a word start, texts one of which every match contains, compiled alternative)
        self._alternatives = tuple(
            (alt.startswith(r"\b"), _required_texts(bare) if not flags else (),
             re.compile(bare, flags))
            for alt in _top_level_alternatives(pattern)
            for bare in (alt.removeprefix(r"\b"),)
        )
        self._texts = None if flags else required_texts(pattern)

    @staticmethod
    def _at_word_start(text: str, start: int) -> bool:
        return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")

    def could_match(self, text: str) -> bool:
        """False when `search` is sure to find nothing, judged by substring tests alone.

        Any piece of `text` answers the same, so pieces joined need only one call.
        """
        return contains_any(text, self._texts)

    def search(self, text: str) -> re.Match[str] | None:
        """The earliest boundary-respecting match of any alternative."""
        best = None
        for bounded, texts, compiled in self._alternatives:
            if texts and not contains_any(text, texts):
                continue
            for match in compiled.finditer(text):
                if not bounded or self._at_word_start(text, match.start()):
                    if best is None or match.start() < best.start():
                        best = match
                    break
        return best
