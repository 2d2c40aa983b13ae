"""Tokenising shared by the article index and the query, so both sides agree on words."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.utils import default_process

_STOPWORD_TEXT = (
    "a an and are as at be been but by can could did do does for from had has have he her his "
    "how i if in into is it its just me my no not of on or our out she so some than that the "
    "their them then there these they this to up us was we were what when where which who why "
    "will with would you your hi hello thanks thank regards kind please team cheers any all "
    "get got also one two see need needs"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A deliberately crude stem: enough to match 'rejections'/'rejected' with 'reject'."""
    for suffix in ("ations", "ation", "ings", "ing", "ions", "ion", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed content words in order; numbers only as 3 digits (HTTP status codes)."""
    return [
        stem(w) for w in _WORD.findall(default_process(text))
        if w not in STOPWORDS and len(w) > 1 and (not w.isdigit() or len(w) == 3)
    ]
