"""Poll an IMAP folder into the inbound spool: commit first, then flag \\Seen or move.

The spool port commits a batch and the folder's checkpoint (UIDVALIDITY, last UID) in one
transaction; only then is the batch acknowledged on the server. A crash in between leaves
messages spooled but unflagged: they are not spooled again (the checkpoint is past them) and
are acknowledged when the next session starts. A spool failure leaves the mailbox untouched
and the checkpoint where it was, so the same messages are fetched again later.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from imapclient.exceptions import IMAPClientError

from intake.imap_session import ImapSession

T = TypeVar("T")


class SpoolPort(Protocol):
    """What the poller needs from the application (desk.spooling.Spooler fits)."""

    def imap_checkpoint(self, mailbox: str) -> tuple[int, int] | None: ...

    def spool_imap(self, mailbox: str, uidvalidity: int, messages: Sequence[tuple[int, bytes]]
                   ) -> list[int]: ...


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    ssl: bool
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    poll_seconds: float = 60.0
    batch: int = 50
    idle: bool = True
    processed_folder: str | None = None
    timeout: float = 30.0

    @property
    def mailbox(self) -> str:
        """The checkpoint key: one per account and folder."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


class SpoolFailed(Exception):
    """The spool refused a batch; the mailbox is untouched and the batch will be fetched again."""


_EXPECTED = (SpoolFailed, OSError, IMAPClientError)  # logged without a traceback


class ImapPoller:
    """Moves mail from one IMAP folder into the spool; one thread, one connection at a time."""

    def __init__(self, config: ImapConfig, spooler: SpoolPort,
                 log: logging.Logger | None = None, *,
                 retry_base: float = 1.0, retry_cap: float = 300.0) -> None:
        if config.batch < 1 or config.poll_seconds <= 0:
            raise ValueError("batch must be at least 1 and poll_seconds more than 0")
        if config.processed_folder == config.folder:
            raise ValueError("processed_folder must differ from the folder polled")
        self.config = config
        self.spooler = spooler
        self.log = log or logging.getLogger(__name__)
        self.retry_base, self.retry_cap = retry_base, retry_cap
        self._session: ImapSession | None = None
        self._settled = False  # acknowledgements left over from an earlier session are done
        self._reported_validity: int | None = None
        self._stop: threading.Event | None = None  # set by run(): checked between batches

    def poll_once(self) -> int:
        """Spool everything new in the folder; returns how many messages were spooled.

        Raises SpoolFailed (connection kept) or the IMAP/socket error (connection dropped).
        """
        session = self._session or self._connect()
        try:
            return self._sweep(session)
        except SpoolFailed:
            self._settled = False  # it may have committed after all: settle on the next sweep
            raise
        except BaseException:
            self.close()
            raise

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set: IDLE between sweeps if the server can, else sleep."""
        failures, self._stop = 0, stop
        try:
            while not stop.is_set():
                try:
                    count = self.poll_once()
                    if count:
                        self.log.info("spooled %d message(s) from %s", count, self.config.mailbox)
                    failures = 0
                    self._wait(stop)
                except Exception as exc:  # noqa: BLE001 - a daemon: log, back off, try again
                    failures += 1
                    delay = self._delay(failures)
                    self.log.warning("IMAP intake from %s failed (%s: %s); retrying in %.1fs",
                                     self.config.mailbox, type(exc).__name__, exc, delay,
                                     exc_info=not isinstance(exc, _EXPECTED))
                    if not isinstance(exc, SpoolFailed):
                        self.close()
                    stop.wait(delay)
        finally:
            self._stop = None
            self.close()

    def _wait(self, stop: threading.Event) -> None:
        if self._session is None:
            stop.wait(self.config.poll_seconds)
        else:
            self._session.wait(self.config.poll_seconds, stop, self.config.idle)

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _connect(self) -> ImapSession:
        c = self.config
        session = ImapSession(c.host, c.port, c.ssl, c.timeout)
        try:
            session.login(c.username, c.password)
        except BaseException:
            session.close()
            raise
        self._session, self._settled = session, False
        return session

    def _sweep(self, session: ImapSession) -> int:
        c = self.config
        validity = session.select(c.folder)
        checkpoint = self._call(self.spooler.imap_checkpoint, c.mailbox)
        last_uid = 0
        if checkpoint is not None and checkpoint[0] == validity:
            last_uid = checkpoint[1]
            if not self._settled:
                moving = c.processed_folder is not None
                session.acknowledge(session.unacknowledged(last_uid, moving), c.processed_folder)
                self._settled = True
        elif checkpoint is not None and self._reported_validity != validity:
            self.log.warning("%s: UIDVALIDITY changed from %d to %d; spooling the folder again "
                             "(copies already spooled are kept as duplicates)",
                             c.mailbox, checkpoint[0], validity)
            self._reported_validity = validity
        uids = session.uids_after(last_uid)
        spooled = 0
        for start in range(0, len(uids), c.batch):
            if self._stop is not None and self._stop.is_set():
                break  # the rest waits, untouched, for the next start
            messages = session.fetch(uids[start:start + c.batch])
            if not messages:
                continue
            self._call(self.spooler.spool_imap, c.mailbox, validity, messages)
            session.acknowledge([uid for uid, _ in messages], c.processed_folder)
            spooled += len(messages)
        return spooled

    @staticmethod
    def _call(method: Callable[..., T], *args: object) -> T:
        try:
            return method(*args)
        except Exception as exc:
            raise SpoolFailed(f"{type(exc).__name__}: {exc}") from exc

    def _delay(self, failures: int) -> float:
        ceiling = min(self.retry_cap, self.retry_base * 2 ** min(failures - 1, 20))
        return ceiling * random.uniform(0.5, 1.0)
