"""Deterministic synthetic knowledge articles, for benchmarking search at scale.

Synthetic articles mix the real articles' vocabulary with invented words, so posting lists
grow the way a large real knowledge base's would. Run as a script to write them as files:
    python scripts/gen_articles.py OUT_DIR COUNT
"""

from __future__ import annotations

import hashlib
import random
import sys
from pathlib import Path

from knowledge.articles import Article, KnowledgeBase
from knowledge.taxonomy import CATEGORIES

_SYLLABLES = ("ka", "lo", "mi", "ner", "tos", "va", "dri", "qu", "sel", "om", "pra", "zen",
              "tur", "bel", "cha", "fi", "gon", "ix", "ru", "sta")


def _vocabulary(rng: random.Random, real: KnowledgeBase, invented: int) -> list[str]:
    words = {w.lower() for a in real.articles for text in (a.title, *a.symptoms, *a.keywords)
             for w in text.split() if w.isalpha() and len(w) > 2}
    made = {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
            for _ in range(invented)}
    return sorted(words) + sorted(made)


def synthetic_articles(count: int, seed: int = 2026) -> list[Article]:
    """`count` articles with ids SYN-00001..., identical for the same seed."""
    rng = random.Random(seed)
    real = KnowledgeBase.load()
    vocab = _vocabulary(rng, real, invented=max(2000, count // 2))
    categories = sorted(CATEGORIES)
    out = []
    for n in range(1, count + 1):
        def phrase(lo: int, hi: int) -> str:
            return " ".join(rng.choice(vocab) for _ in range(rng.randint(lo, hi)))

        category = rng.choice(categories)
        title = phrase(4, 7).capitalize()
        body = f"# {title}\n\n" + "\n".join(f"{i}. {phrase(8, 14)}." for i in range(1, 6))
        out.append(Article(
            id=f"SYN-{n:05d}", title=title, owner=CATEGORIES[category][0],
            categories=(category,), type_hint=CATEGORIES[category][1],
            symptoms=tuple(phrase(5, 9) for _ in range(4)),
            keywords=tuple(phrase(1, 3) for _ in range(8)), first_line=False, answer=None,
            body=body, source=f"syn-{n:05d}.md",
            sha256=hashlib.sha256(f"{seed}:{n}:{title}".encode()).hexdigest(),
        ))
    return out


def to_markdown(article: Article) -> str:
    def items(values: tuple[str, ...]) -> str:
        return "\n".join(f"  - {v}" for v in values)

    return (
        f"---\nid: {article.id}\ntitle: {article.title}\nowner: {article.owner}\n"
        f"categories: [{', '.join(article.categories)}]\ntype_hint: {article.type_hint}\n"
        f"first_line: false\nsymptoms:\n{items(article.symptoms)}\n"
        f"keywords:\n{items(article.keywords)}\n---\n{article.body}\n"
    )


if __name__ == "__main__":
    target, count = Path(sys.argv[1]), int(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for article in synthetic_articles(count):
        (target / article.source).write_text(to_markdown(article), encoding="utf-8")
