"""Knowledge triage as the desk uses it: sender roles in, ticket fields and reasons out."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desk.errors import InvalidInput
from knowledge import (
    Article,
    KnowledgeBase,
    KnowledgeError,
    Triage,
    TriageDecision,
    TriageRequest,
)
from store import kb_versions
from store.directory import Sender

# Gas roles have no MDD letter; the directory writes them as two-letter codes.
GAS_ROLE_CODES = {"S": "gas:shipper", "GT": "gas:transporter", "GS": "gas:supplier",
                  "MA": "gas:mam"}  # fmt: skip


@dataclass(frozen=True)
class TriageInput:
    subject: str
    new_text: str
    quoted: str = ""


class TriageService:
    def __init__(self, kb: KnowledgeBase, first_line_threshold: float) -> None:
        self.kb = kb
        self.triage = Triage(kb, first_line_threshold=first_line_threshold)
        self._versions: dict[str, int] | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        directory: Path | None,
        known_owners: frozenset[str] | None,
        first_line_threshold: float,
    ) -> TriageService:
        if directory is not None and not Path(directory).is_dir():
            raise InvalidInput(f"{directory}: not a directory of articles")
        try:
            kb = KnowledgeBase.load(directory, known_owners)
        except KnowledgeError as exc:
            raise InvalidInput(f"{directory or 'packaged articles'}: {exc}") from None
        if not kb.articles:
            raise InvalidInput(f"{directory}: no *.md articles found")
        return cls(kb, first_line_threshold)

    @classmethod
    def from_store(cls, session: Session, first_line_threshold: float) -> TriageService | None:
        """The articles last loaded into the database, or None before the first load."""
        rows = kb_versions.current(session)
        if not rows:
            return None
        owners = frozenset(r.owner for r in rows)  # checked when they were loaded
        try:
            kb = KnowledgeBase(Article.parse(r.content, f"{r.article_id} v{r.version}", owners)
                               for r in rows)  # fmt: skip
        except KnowledgeError:
            return None  # stored before whole files were kept: load them afresh
        service = cls(kb, first_line_threshold)
        service._versions = {r.article_id: r.version for r in rows}
        return service

    def record_versions(self, session: Session, make_current: bool = False
                        ) -> tuple[dict[str, int], int]:  # fmt: skip
        """Make sure every article has a stored version; return versions and how many new.

        With `make_current`, these articles become the ones the desk uses (`kb load`).
        """
        contents = [
            kb_versions.ArticleContent(a.id, a.sha256, a.title, a.owner, a.text)
            for a in self.kb.articles
        ]
        versions, added = kb_versions.record(session, contents, make_current)
        self._versions = versions
        return versions, added

    def versions(self, session: Session) -> dict[str, int]:
        with self._lock:
            if self._versions is None:
                self.record_versions(session)
            assert self._versions is not None
            return self._versions

    def decide(
        self, text: TriageInput, sender: Sender | None, today: date | None = None
    ) -> TriageDecision:
        roles = sender.organisation.role_codes if sender and sender.organisation else ()
        request = TriageRequest(
            subject=text.subject, body=text.new_text, quoted=text.quoted,
            sender_roles=tuple(GAS_ROLE_CODES.get(code, code) for code in roles),
            sender_kind=sender.kind if sender else None, today=today,
        )  # fmt: skip
        return self.triage.decide(request)

    def stored_form(self, decision: TriageDecision, session: Session) -> dict[str, Any]:
        """The decision as kept on the ticket, with each article's version and a summary."""
        versions = self.versions(session)
        stored = decision.to_dict()
        for article in stored["articles"]:
            article["version"] = versions.get(article["id"])
        stored["summary"] = decision.summary()
        return stored

    def article(self, article_id: str) -> Any:
        return next((a for a in self.kb.articles if a.id == article_id), None)
