"""Knowledge article versions: a changed article gets a new version, old ones stay citable.

The versions of the last load are marked current: they are what the desk triages and searches
with, whichever directory they came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store.models import KbArticleVersion


@dataclass(frozen=True)
class ArticleContent:
    article_id: str
    sha256: str
    title: str
    owner: str
    content: str  # the whole article file, front matter included


def record(session: Session, articles: Iterable[ArticleContent], make_current: bool = False
           ) -> tuple[dict[str, int], int]:  # fmt: skip
    """Current version of each article, adding versions for new content; and how many added.

    With `make_current`, these versions become the knowledge base the desk uses.
    """
    known = {(row.article_id, row.sha256): row for row in session.scalars(select(KbArticleVersion))}
    latest: dict[str, int] = dict(
        session.execute(
            select(KbArticleVersion.article_id, func.max(KbArticleVersion.version)).group_by(
                KbArticleVersion.article_id
            )
        ).all()
    )
    if make_current:
        session.execute(update(KbArticleVersion).where(KbArticleVersion.current)
                        .values(current=False))  # fmt: skip
    versions, added = {}, 0
    for article in articles:
        row = known.get((article.article_id, article.sha256))
        if row is None:
            version = latest.get(article.article_id, 0) + 1
            latest[article.article_id] = version
            row = KbArticleVersion(
                article_id=article.article_id, version=version, sha256=article.sha256,
                title=article.title, owner=article.owner, content=article.content,
            )  # fmt: skip
            session.add(row)
            added += 1
        elif row.content != article.content:
            row.content = article.content  # same bytes (sha256); kept whole since 0007
        if make_current:
            row.current = True
        versions[article.article_id] = row.version
    session.flush()
    return versions, added


def current(session: Session) -> Sequence[KbArticleVersion]:
    """The articles the desk uses, by id."""
    query = select(KbArticleVersion).where(KbArticleVersion.current)
    return session.scalars(query.order_by(KbArticleVersion.article_id)).all()
