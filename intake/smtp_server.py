"""The SMTP edge: check recipients at RCPT, spool at DATA, answer 250 only after the commit.

The spool call runs in a thread so a slow commit never stalls other sessions; any failure to
spool answers 451 4.3.0, so the sending MTA keeps the message and retries.
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

# spool(raw, mail_from, rcpt_tos, peer) -> spool id; raises when the message is not stored.
SpoolFunction = Callable[[bytes, str | None, list[str], str], int]


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
        self.spool = spool
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
            spool_id = await asyncio.get_running_loop().run_in_executor(
                None, self.spool, raw, mail_from, list(envelope.rcpt_tos), peer
            )
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
