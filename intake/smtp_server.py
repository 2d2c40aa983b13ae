"""The SMTP edge: check recipients at RCPT, spool at DATA, answer 250 only after the commit.

Spooling runs in a thread so a slow commit never stalls other sessions, and messages that
arrive while one spool transaction runs go together in the next (group commit): eight senders
at once cost one commit, not eight in a row. Any failure to spool answers 451 4.3.0, so the
sending MTA keeps the message and retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger("switchdesk.smtp")

# (raw, mail_from, rcpt_tos, peer) of one message
Arrival = tuple[bytes, str | None, list[str], str]
# spool_many(arrivals) -> their spool ids, committed; raises when they are not stored.
SpoolFunction = Callable[[list[Arrival]], list[int]]
MAX_GROUP = 100


class GroupSpool:
    """Spools arrivals in groups: one transaction at a time, with everything that came in
    while the previous one ran. Lives on the SMTP server's event loop (no locks needed)."""

    def __init__(self, spool_many: SpoolFunction) -> None:
        self.spool_many = spool_many
        self._waiting: list[tuple[Arrival, asyncio.Future[int]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def spool(self, arrival: Arrival) -> int:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
                try:
                    ids = await loop.run_in_executor(
                        None, self.spool_many, [arrival for arrival, _ in group])
                except Exception as exc:  # noqa: BLE001 - each sender is told to retry
                    for _, done in group:
                        if not done.done():
                            done.set_exception(exc)
                else:
                    for (_, done), spool_id in zip(group, ids, strict=True):
                        if not done.done():  # a sender that hung up has cancelled it
                            done.set_result(spool_id)
        finally:
            self._writer = None


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 8025
    max_message_bytes: int = 25 * 1024 * 1024
    max_recipients: int = 100
    hostname: str = "switchdesk"


class DeskHandler:
    def __init__(
        self, spool: SpoolFunction, desk_addresses: Iterable[str], max_recipients: int
    ) -> None:
        self.spool = GroupSpool(spool)
        self.addresses = frozenset(a.lower() for a in desk_addresses)
        self.max_recipients = max_recipients

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address.lower() not in self.addresses:
            return f"550 5.1.1 <{address}>: no such mailbox at this desk"
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = f"{session.peer[0]}:{session.peer[1]}" if session.peer else "unknown"
        mail_from = envelope.mail_from or None
        try:
            spool_id = await self.spool.spool((raw, mail_from, list(envelope.rcpt_tos), peer))
        except Exception as exc:  # noqa: BLE001 - not stored: the sender must retry
            log.warning("SMTP from %s: spool failed, answered 451: %s", peer, exc)
            return "451 4.3.0 Temporary failure storing the message; please retry"
        return f"250 2.0.0 Queued as inbound {spool_id}"


class DeskSMTP(SMTP):
    """aiosmtpd's size refusals, with the enhanced status code RFC 3463 gives them."""

    async def push(self, status: AnyStr) -> None:
        text = status.decode() if isinstance(status, bytes) else status
        if text.startswith("552 Error:"):
            text = "552 5.3.4 Message too big for this desk"
        await super().push(text)


class DeskController(Controller):
    def factory(self) -> SMTP:
        return DeskSMTP(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """Runs aiosmtpd in its own thread; `start()` returns once it accepts connections."""

    def __init__(self, config: SmtpConfig, handler: DeskHandler) -> None:
        self.config = config
        self.controller = DeskController(
            handler, hostname=config.host, port=config.port, server_hostname=config.hostname,
            data_size_limit=config.max_message_bytes)  # fmt: skip

    def start(self) -> None:
        self.controller.start()
        log.info("SMTP listening on %s:%d", self.config.host, self.config.port)

    def stop(self) -> None:
        self.controller.stop()
