"""The spool port the intake adapters call: store first, acknowledge after the commit."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from store import inbound
from store.db import unit_of_work
from store.inbound import Envelope
from store.models import ImapCheckpoint
from store.types import utcnow


@dataclass(frozen=True)
class Incoming:
    raw: bytes
    received_via: str  # smtp | imap | file
    source: str | None = None
    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()


class Spooler:
    """Raises store.db.DatabaseUnavailable when the spool cannot be written: say "try later"."""

    def __init__(self, factory: sessionmaker[Session], wake: threading.Event | None = None) -> None:
        self.factory = factory
        self.wake = wake or threading.Event()

    def spool(self, message: Incoming) -> int:
        return self.spool_many([message])[0]

    def spool_many(self, messages: Sequence[Incoming]) -> list[int]:
        with unit_of_work(self.factory) as session:
            ids = self._spool(session, messages)
        self.wake.set()
        return ids

    def imap_checkpoint(self, mailbox: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last spooled UID) of a mailbox, or None if never polled."""
        with unit_of_work(self.factory) as session:
            row = session.get(ImapCheckpoint, mailbox)
            return (row.uidvalidity, row.last_uid) if row else None

    def spool_imap(
        self, mailbox: str, uidvalidity: int, messages: Sequence[tuple[int, bytes]]
    ) -> list[int]:
        """Spool fetched messages and advance the checkpoint in the same transaction."""
        if not messages:
            return []
        with unit_of_work(self.factory) as session:
            ids = self._spool(
                session, [Incoming(raw, "imap", f"{mailbox};UID={uid}") for uid, raw in messages]
            )
            row = session.get(ImapCheckpoint, mailbox, with_for_update=True)
            last = max(uid for uid, _ in messages)
            if row is None or row.uidvalidity != uidvalidity:
                session.merge(
                    ImapCheckpoint(
                        mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last, updated_at=utcnow()
                    )
                )
            else:
                row.last_uid, row.updated_at = max(row.last_uid, last), utcnow()
        self.wake.set()
        return ids

    @staticmethod
    def _spool(session: Session, messages: Sequence[Incoming]) -> list[int]:
        return [s.id for s in inbound.spool_many(session, [
            (m.raw, Envelope(m.received_via, m.source, m.mail_from, tuple(m.rcpt_to)))
            for m in messages])]  # fmt: skip
