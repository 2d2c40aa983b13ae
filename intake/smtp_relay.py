"""Outbound e-mail through an SMTP relay named by one URL: smtp[s]://user:pass@host:port?starttls=1."""

from __future__ import annotations

import smtplib
import ssl
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
    def __init__(
        self, relay: RelayUrl, sender_name: str, sender_email: str, timeout: float = 30.0
    ) -> None:
        self.relay, self.sender_name, self.sender_email = relay, sender_name, sender_email
        self.timeout = timeout

    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        message = build_email(payload, self.sender_name, self.sender_email)
        relay = self.relay
        try:
            if relay.implicit_tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    relay.host,
                    relay.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(relay.host, relay.port, timeout=self.timeout)
            with client:
                if relay.starttls:
                    client.starttls(context=ssl.create_default_context())
                if relay.username:
                    client.login(relay.username, relay.password or "")
                client.send_message(message, from_addr=self.sender_email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipients refused: {exc.recipients}") from exc
            raise TransientFailure(f"recipients deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            text = f"{exc.smtp_code} {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"relay refused: {text}") from exc
            raise TransientFailure(f"relay deferred: {text}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientFailure(f"relay unreachable: {exc}") from exc
