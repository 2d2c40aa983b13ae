"""Keyword regexes compiled so Python's engine can skip ahead fast.

A leading \\b hides the pattern's possible first characters from `re`, which then tries every
position (about ten times slower on a 1 kB e-mail). We strip a leading \\b from each top-level
alternative and check the boundary on each match instead, and skip an alternative outright
when the literal text it must start with is absent.
"""

from __future__ import annotations

import re


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


_META = set("\\[](){}.*+?|^$")


def _leading_literal(alternative: str) -> str:
    """The plain text every match of `alternative` starts with ('' if none is certain)."""
    end = 0
    while end < len(alternative) and alternative[end] not in _META:
        end += 1
    if end < len(alternative) and alternative[end] in "?*{":
        end -= 1  # the last character is optional
    return alternative[:max(0, end)]


class WordPattern:
    """Like a compiled regex's `search`; alternatives written with a leading \\b still need one.

    Each top-level alternative is compiled on its own: `re` can then skip to the few positions
    where that alternative's first character occurs, which a combined pattern often prevents.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        # (needs a word start, literal every match starts with, compiled alternative)
        self._alternatives = tuple(
            (alt.startswith(r"\b"), _leading_literal(bare) if not flags else "",
             re.compile(bare, flags))
            for alt in _top_level_alternatives(pattern)
            for bare in (alt.removeprefix(r"\b"),)
        )

    @staticmethod
    def _at_word_start(text: str, start: int) -> bool:
        return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")

    def search(self, text: str) -> re.Match[str] | None:
        """The earliest boundary-respecting match of any alternative."""
        best = None
        for bounded, literal, compiled in self._alternatives:
            if literal and literal not in text:
                continue
            for match in compiled.finditer(text):
                if not bounded or self._at_word_start(text, match.start()):
                    if best is None or match.start() < best.start():
                        best = match
                    break
        return best
