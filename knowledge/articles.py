"""Knowledge articles as Markdown files with YAML front matter, validated on load.

Files are the source of truth so articles are reviewed like code; each carries a sha256 of its
bytes so the store can version what an agent or participant was actually shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge.matcher import ArticleIndex, ArticleMatch

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "articles"
DEFAULT_OWNERS = frozenset({
    "registration_service", "address_service", "xoserve_uk_link", "dno_mpas", "gemserv_ecoes",
    "dcc_dsp", "switching_network", "switching_operator", "service_desk",
})
TYPE_HINTS = frozenset({"incident", "service_request", "query"})
_REQUIRED = ("id", "title", "owner", "categories", "type_hint", "symptoms", "keywords",
             "first_line")


class KnowledgeError(ValueError):
    """An article that cannot be loaded; names the file and the field at fault."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(f"{file}: {field}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    owner: str
    categories: tuple[str, ...]
    type_hint: str
    symptoms: tuple[str, ...]
    keywords: tuple[str, ...]
    first_line: bool
    answer: str | None
    body: str
    source: str
    sha256: str
    text: str = field(default="", repr=False, compare=False)  # the file as written, kept as loaded

    @classmethod
    def parse(cls, text: str, source: str, known_owners: frozenset[str] = DEFAULT_OWNERS
              ) -> Article:
        """Parse one article file's text; `source` names it in errors."""
        meta, body = _split_front_matter(text, source)
        for name in _REQUIRED:
            if name not in meta or meta[name] is None or meta[name] == "":
                raise KnowledgeError(source, name, "missing")
        if meta["owner"] not in known_owners:
            raise KnowledgeError(source, "owner", f"unknown resolver {meta['owner']!r}")
        if meta["type_hint"] not in TYPE_HINTS:
            raise KnowledgeError(source, "type_hint", f"must be one of {sorted(TYPE_HINTS)}")
        if not isinstance(meta["first_line"], bool):
            raise KnowledgeError(source, "first_line", "must be true or false")
        answer = meta.get("answer")
        if answer is not None and not isinstance(answer, str):
            raise KnowledgeError(source, "answer", "must be text")
        return cls(
            id=_text(meta, "id", source), title=_text(meta, "title", source),
            owner=meta["owner"], categories=_strings(meta, "categories", source),
            type_hint=meta["type_hint"], symptoms=_strings(meta, "symptoms", source),
            keywords=_strings(meta, "keywords", source), first_line=meta["first_line"],
            answer=answer.strip() if answer else None, body=body.strip(), source=source,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text,
        )


def _split_front_matter(text: str, source: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        raise KnowledgeError(source, "front matter", "file must start with '---'")
    parts = text[3:].split("\n---", 1)  # the body may contain '---' rules of its own
    if len(parts) < 2:
        raise KnowledgeError(source, "front matter", "no closing '---'")
    try:
        meta = yaml.safe_load(parts[0])
    except yaml.YAMLError as exc:
        raise KnowledgeError(source, "front matter", f"invalid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise KnowledgeError(source, "front matter", "must be a mapping")
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return meta, body


def _text(meta: dict, name: str, source: str) -> str:
    value = meta[name]
    if not isinstance(value, str | int) or not str(value).strip():
        raise KnowledgeError(source, name, "must be non-empty text")
    return str(value).strip()


def _strings(meta: dict, name: str, source: str) -> tuple[str, ...]:
    value = meta[name]
    if not isinstance(value, list) or not value:
        raise KnowledgeError(source, name, "must be a non-empty list")
    if not all(isinstance(v, str | int) and str(v).strip() for v in value):
        raise KnowledgeError(source, name, "every item must be non-empty text")
    return tuple(str(v).strip() for v in value)


class KnowledgeBase:
    """A validated, immutable set of articles with a search index built once."""

    def __init__(self, articles: Iterable[Article]) -> None:
        articles = tuple(articles)
        seen: dict[str, str] = {}
        for article in articles:
            if article.id in seen:
                raise KnowledgeError(article.source, "id",
                                     f"duplicate id {article.id!r} (also in {seen[article.id]})")
            seen[article.id] = article.source
        self.articles: tuple[Article, ...] = articles
        self.by_id: dict[str, Article] = {a.id: a for a in self.articles}
        self.by_title: dict[str, Article] = {a.title: a for a in self.articles}
        self.index = ArticleIndex(self.articles)

    @classmethod
    def load(cls, directory: Path | None = None, known_owners: frozenset[str] | None = None
             ) -> KnowledgeBase:
        """Read every *.md article in `directory` (default: the packaged articles)."""
        directory = Path(directory) if directory is not None else DEFAULT_DIRECTORY
        owners = known_owners if known_owners is not None else DEFAULT_OWNERS
        articles = []
        for path in sorted(directory.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise KnowledgeError(path.name, "file", f"not UTF-8: {exc}") from exc
            articles.append(Article.parse(text, path.name, owners))
        return cls(articles)

    def search(self, text: str, limit: int = 5) -> list[ArticleMatch]:
        """Articles ranked by how well `text` matches their title, symptoms and keywords."""
        return self.index.search(subject="", body=text, limit=limit)
