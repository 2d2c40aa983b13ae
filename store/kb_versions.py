"""Knowledge article versions: a changed article gets a new version, old ones stay citable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import KbArticleVersion


@dataclass(frozen=True)
class ArticleContent:
    article_id: str
    sha256: str
    title: str
    owner: str
    content: str


def record(session: Session, articles: Iterable[ArticleContent]) -> tuple[dict[str, int], int]:
    """Current version of each article, adding versions for new content; and how many added."""
    known = {
        (row.article_id, row.sha256): row.version
        for row in session.scalars(select(KbArticleVersion))
    }
    latest: dict[str, int] = dict(
        session.execute(
            select(KbArticleVersion.article_id, func.max(KbArticleVersion.version)).group_by(
                KbArticleVersion.article_id
            )
        ).all()
    )
    versions, added = {}, 0
    for article in articles:
        version = known.get((article.article_id, article.sha256))
        if version is None:
            version = latest.get(article.article_id, 0) + 1
            latest[article.article_id] = version
            session.add(KbArticleVersion(
                article_id=article.article_id, version=version, sha256=article.sha256,
                title=article.title, owner=article.owner, content=article.content,
            ))  # fmt: skip
            added += 1
        versions[article.article_id] = version
    session.flush()
    return versions, added
