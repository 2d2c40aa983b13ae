"""The substring prefilter of keyword patterns: it may only ever rule out text that cannot match.

Triage skips a pattern when none of its required texts occurs, so a required text that some
match lacks would silently change decisions. These tests pin the extraction on small patterns
and check it against every match of the real patterns in the corpus and the articles.
"""

from __future__ import annotations

import json
import re

import pytest

from knowledge import KnowledgeBase
from knowledge.identifiers import _DISTRACTOR_LABEL, _GAS_LABEL, _MPRN_LABEL_NEAR
from knowledge.rules.category import _COMPILED
from knowledge.rules.dates import _SED
from knowledge.rules.multi_issue import _ANNOUNCE
from knowledge.rules.negation import HEALTHY, NO_OBJECTION, NOT_URGENT, NOTHING_STUCK, OWN_SIDE_DOWN
from knowledge.rules.wordpattern import (
    WordPattern,
    _required_texts,
    _top_level_alternatives,
    contains_any,
    ignorecase_texts,
    may_contain_ignorecase,
    required_texts,
)
from tests.conftest import SHARED

CORPUS = SHARED / "corpus" / "tickets-dev.jsonl"  # used when present; the articles always are


@pytest.mark.parametrize(("pattern", "texts"), [
    ("rmp not found", ("rmp not found",)),
    (r"(?:is|does) [^.\n]{0,40}working day", ("working day",)),
    (r"(?:switch|request)[^.\n]{0,40}bounced", ("bounced",)),
    (r"(?:switch|request)[^.\n]{0,4}x", ("switch", "request")),
    (r"hasn'?t secured", ("t secured",)),  # the optional apostrophe splits the text
    (r"notifications?\b", ("notification",)),
    (r"(?:not )?urgent", ("urgent",)),  # an optional group requires nothing
    (r"\b(?:nobody|no one) objected\b", (" objected",)),
    (r"a{2}bc", ("bc",)),  # counted repeats are not text
    (r"(?:ab|cd(?:ef|gh))[xy]", ("ab", "cd")),
    (r"[a-z]+ing\b", ("ing",)),
    (r"[a\]b]xyz", ("xyz",)),  # an escaped "]" does not end the class
    (r"ab(?=c)d", ("ab",)),  # lookarounds and other groups add nothing
])
def test_required_texts(pattern: str, texts: tuple[str, ...]) -> None:
    assert required_texts(pattern) == texts


@pytest.mark.parametrize("pattern", [
    r"[a-z]+", r"\d+", r"(?:a|\d)y?", r"(?i)gas", r"one|[0-9]+", r"\u00a0abc", r"(a)\1bc",
])
def test_nothing_required_when_unsure(pattern: str) -> None:
    assert required_texts(pattern) is None
    assert contains_any("anything", None)


def _texts() -> list[str]:
    texts = [a.text.lower() for a in KnowledgeBase.load().articles]
    if CORPUS.exists():
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts.append(f"{record['subject']}\n{record['body']}".lower())
    return texts


def _patterns() -> list[str]:
    keywords = [pattern.pattern for patterns in _COMPILED.values() for pattern, _ in patterns]
    prefiltered = (_ANNOUNCE, _SED, _DISTRACTOR_LABEL, _GAS_LABEL, _MPRN_LABEL_NEAR)
    return [*keywords, NO_OBJECTION, HEALTHY, OWN_SIDE_DOWN, NOT_URGENT, NOTHING_STUCK,
            *(pattern.pattern for pattern in prefiltered)]


def test_every_match_contains_a_required_text() -> None:
    texts, matches = _texts(), 0
    for pattern in _patterns():
        for alternative in _top_level_alternatives(pattern):
            bare = alternative.removeprefix(r"\b")
            required = _required_texts(bare)
            for text in texts:
                for match in re.finditer(bare, text):
                    matches += 1
                    assert contains_any(match.group(), required), (bare, match.group())
    assert matches > 500  # the check saw real matches


def test_could_match_never_hides_a_match() -> None:
    for text in _texts():
        for patterns in _COMPILED.values():
            for pattern, _ in patterns:
                if pattern.search(text):
                    assert pattern.could_match(text)
    assert not WordPattern(r"\bpending\b").could_match("nothing is waiting")


def test_ignorecase_prefilter() -> None:
    sed = re.compile(r"\bsed\b", re.IGNORECASE)
    texts = ignorecase_texts(sed)
    assert texts == ("sed",)
    assert may_contain_ignorecase("The SED is Friday", texts)
    assert not may_contain_ignorecase("The date is Friday", texts)
    # re equates the long s with "s" when ignoring case: non-ASCII text is always searched
    assert sed.search("the \u017fed is friday") and may_contain_ignorecase("\u017fed", texts)
    assert ignorecase_texts(re.compile(r"\w+", re.IGNORECASE)) is None
