"""Rank articles against a ticket: narrow with an inverted index, then score the few.

Scoring every article with rapidfuzz does not scale (DESIGN.md: 22 ms at 2,000 articles), so
choices are tokenised once at load, an IDF-weighted inverted index picks a handful of
candidates, and only those are scored on phrase coverage plus a rapidfuzz title comparison.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from knowledge.textnorm import tokens

if TYPE_CHECKING:
    from knowledge.articles import Article

CANDIDATES = 12
MAX_FUZZY_LOOKUPS = 25
FUZZY_CACHE = 20_000  # misspellings remembered: the same few recur from message to message
_UNSEEN = object()


@dataclass(frozen=True)
class ArticleMatch:
    id: str
    title: str
    score: float
    first_line: bool


@dataclass(frozen=True)
class _Profile:
    title: str
    title_tokens: frozenset[str]
    phrases: tuple[frozenset[str], ...]  # keywords
    symptoms: tuple[frozenset[str], ...]


# a phrase ready for scoring: ((word, idf), ...) and the sum of those idfs
_Weighted = tuple[tuple[tuple[str, float], ...], float]


def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


class ArticleIndex:
    def __init__(self, articles: tuple[Article, ...]) -> None:
        self.articles = articles
        postings: dict[str, set[int]] = defaultdict(set)
        self.profiles: list[_Profile] = []
        # every word an article is scored on: words outside it cannot change its score
        self.words: list[frozenset[str]] = []
        for n, article in enumerate(articles):
            profile = _Profile(
                title=default_process(article.title),
                title_tokens=frozenset(tokens(article.title)),
                phrases=tuple(p for p in map(_token_set, article.keywords) if p),
                symptoms=tuple(p for p in map(_token_set, article.symptoms) if p),
            )
            self.profiles.append(profile)
            self.words.append(profile.title_tokens.union(*profile.phrases, *profile.symptoms))
            for word in self.words[n]:
                postings[word].add(n)
        total = max(1, len(articles))
        self.idf = {w: math.log(1 + total / len(ids)) for w, ids in postings.items()}
        # very common words narrow nothing; leave them out of candidate generation at scale
        common = max(50, total // 10)
        self.postings = {w: tuple(ids) for w, ids in postings.items() if len(ids) <= common}
        self.weighted: list[tuple[tuple[_Weighted, ...], tuple[_Weighted, ...], _Weighted]] = [
            (tuple(map(self._weigh, p.phrases)), tuple(map(self._weigh, p.symptoms)),
             self._weigh(p.title_tokens))
            for p in self.profiles
        ]
        self._fuzzy_cache: dict[str, str | None] = {}
        self.vocab_by_head: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in postings:
            if len(word) >= 5:
                self.vocab_by_head[(word[0], len(word))].append(word)

    def _fuzzy(self, word: str) -> str | None:
        """`_nearest_word`, remembered in a plain dict (lru_cache would keep the index alive)."""
        found = self._fuzzy_cache.get(word, _UNSEEN)
        if found is _UNSEEN:
            found = self._nearest_word(word)
            if len(self._fuzzy_cache) >= FUZZY_CACHE:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[word] = found
        return found

    def _nearest_word(self, word: str) -> str | None:
        """Map a misspelt word onto the article vocabulary (same first letter, similar length)."""
        pool = [w for d in (-1, 0, 1) for w in self.vocab_by_head.get((word[0], len(word) + d), ())]
        best = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=85) if pool else None
        return best[0] if best else None

    def query_weights(self, subject: str, body: str, quoted: str = "") -> dict[str, float]:
        """Word -> weight: the subject counts most, quoted history least."""
        weights: dict[str, float] = {}
        lookups = 0
        for text, weight in ((subject, 2.0), (body, 1.0), (quoted, 0.3)):
            for word in tokens(text):
                if word not in self.idf and len(word) >= 5 and lookups < MAX_FUZZY_LOOKUPS:
                    lookups += 1
                    word = self._fuzzy(word) or word
                if weights.get(word, 0.0) < weight:
                    weights[word] = weight
        return weights

    def _weigh(self, phrase: frozenset[str]) -> _Weighted:
        pairs = tuple((w, self.idf[w]) for w in sorted(phrase))
        return pairs, sum(idf for _, idf in pairs)

    @staticmethod
    def _coverage(phrase: _Weighted, query: dict[str, float]) -> float:
        """IDF-weighted share of the phrase's words present in the query."""
        pairs, total = phrase
        got = 0.0
        for word, idf in pairs:
            weight = query.get(word)
            if weight:
                got += idf if weight >= 1.0 else idf * weight
        return got / total if total else 0.0

    def score(self, n: int, query: dict[str, float], subject: str) -> float:
        keywords, symptoms, title = self.weighted[n]
        profile, coverage = self.profiles[n], self._coverage
        # most phrases share no word with the query: they cover 0 and add nothing, so skip them
        shared = self.words[n].intersection(query)
        keyword_hits = 0.0
        for words, phrase in zip(profile.phrases, keywords, strict=True):
            if words.isdisjoint(shared):
                continue
            cov = coverage(phrase, query)
            keyword_hits += 1.0 if cov > 0.999 else (cov * 0.5 if cov >= 0.5 else 0.0)
        keyword_part = min(1.0, keyword_hits / 2.5)
        symptom_part = 0.0
        for words, phrase in zip(profile.symptoms, symptoms, strict=True):
            if not words.isdisjoint(shared):
                symptom_part = max(symptom_part, coverage(phrase, query))
        title_part = 0.0 if profile.title_tokens.isdisjoint(shared) else coverage(title, query)
        if subject:
            title_part = max(title_part, fuzz.token_set_ratio(profile.title, subject) / 100)
        return round(100 * (0.45 * keyword_part + 0.3 * symptom_part + 0.25 * title_part), 1)

    def candidates(self, query: dict[str, float]) -> list[int]:
        votes: dict[int, float] = defaultdict(float)
        for word, weight in query.items():
            ids = self.postings.get(word)
            if ids:
                gain = self.idf[word] * weight
                for n in ids:
                    votes[n] += gain
        return heapq.nlargest(CANDIDATES, votes, key=votes.__getitem__)

    def rank(self, subject: str, body: str, quoted: str = "",
             query: dict[str, float] | None = None) -> list[tuple[int, float]]:
        """(article position, score 0-100) for the best candidates, best first."""
        if query is None:
            query = self.query_weights(subject, body, quoted)
        processed_subject = default_process(subject) if subject else ""
        scored = [(n, self.score(n, query, processed_subject)) for n in self.candidates(query)]
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def search(self, subject: str, body: str, quoted: str = "", limit: int = 5
               ) -> list[ArticleMatch]:
        out = []
        for n, score in self.rank(subject, body, quoted)[:limit]:
            article = self.articles[n]
            out.append(ArticleMatch(article.id, article.title, score, article.first_line))
        return out
