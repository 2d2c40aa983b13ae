"""Outbound e-mail through an SMTP relay named by one URL: smtp[s]://user:pass@host:port?starttls=1."""

from __future__ import annotations

import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from desk.delivery import PermanentFailure, TransientFailure
from intake.outbound import build_email


@dataclass(frozen=True)
class RelayUrl:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> RelayUrl:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("expected smtp://[user:pass@]host[:port][?starttls=1] or smtps://...")
        query = parse_qs(parts.query)
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpRelayDeliverer:
    """Keeps one relay connection per worker thread: a broadcast to 2,000 contacts costs one
    handshake (and login), not 2,000. A connection idle for a while is checked with NOOP
    before use, since relays drop idle clients; a failed one is closed and the row retried."""

    def __init__(self, relay: RelayUrl, sender_name: str, sender_email: str,
                 timeout: float = 30.0, idle_check_seconds: float = 5.0) -> None:  # fmt: skip
        self.relay, self.sender_name, self.sender_email = relay, sender_name, sender_email
        self.timeout, self.idle_check_seconds = timeout, idle_check_seconds
        self._local = threading.local()

    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        message = build_email(payload, self.sender_name, self.sender_email)
        try:
            client = self._client()
            client.send_message(message, from_addr=self.sender_email)
            self._local.used = time.monotonic()
        except smtplib.SMTPRecipientsRefused as exc:  # smtplib has RSET the session already
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipients refused: {exc.recipients}") from exc
            raise TransientFailure(f"recipients deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the relay is closing the connection
                self._discard()
            text = f"{exc.smtp_code} {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"relay refused: {text}") from exc
            raise TransientFailure(f"relay deferred: {text}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._discard()
            raise TransientFailure(f"relay unreachable: {exc}") from exc

    def close(self) -> None:
        self._discard()

    def _client(self) -> smtplib.SMTP:
        client: smtplib.SMTP | None = getattr(self._local, "client", None)
        if client is not None:
            if time.monotonic() - self._local.used < self.idle_check_seconds:
                return client
            try:
                if client.noop()[0] == 250:
                    return client
            except (OSError, smtplib.SMTPException):
                pass
            self._discard()
        client = self._connect()
        self._local.client, self._local.used = client, time.monotonic()
        return client

    def _connect(self) -> smtplib.SMTP:
        relay = self.relay
        client: smtplib.SMTP
        if relay.implicit_tls:
            client = smtplib.SMTP_SSL(relay.host, relay.port, timeout=self.timeout,
                                      context=ssl.create_default_context())  # fmt: skip
        else:
            client = smtplib.SMTP(relay.host, relay.port, timeout=self.timeout)
        try:
            if relay.starttls:
                client.starttls(context=ssl.create_default_context())
            if relay.username:
                client.login(relay.username, relay.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _discard(self) -> None:
        client = getattr(self._local, "client", None)
        self._local.client = None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
