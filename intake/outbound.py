"""Outbound e-mail: an outbox payload rendered with jinja2 into a threaded MIME message."""

from __future__ import annotations

import email.policy
import email.utils
from email.headerregistry import Address
from email.message import EmailMessage
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("intake", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _one_line(value: str) -> str:
    """Headers get no line breaks from user text: no header injection through subjects."""
    return " ".join(str(value).split())


def _angle(message_id: str) -> str:
    return f"<{message_id.strip('<> ')}>"


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    env = _environment()
    text = env.get_template(f"{template}.txt.j2").render(**context)
    html = env.get_template(f"{template}.html.j2").render(**context)
    return text, html


def build_email(payload: dict[str, Any], sender_name: str, sender_email: str) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = Address(_one_line(sender_name), addr_spec=sender_email)
    message["To"] = ", ".join(_one_line(a) for a in payload["to"])
    message["Subject"] = _one_line(payload["subject"])[:900]
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = _angle(payload["message_id"])
    if payload.get("in_reply_to"):
        message["In-Reply-To"] = _angle(payload["in_reply_to"])
    if payload.get("references"):
        message["References"] = " ".join(_angle(r) for r in payload["references"])
    if payload.get("auto_submitted"):
        message["Auto-Submitted"] = _one_line(payload["auto_submitted"])
    message["X-Auto-Response-Suppress"] = "All"
    for name, value in (payload.get("headers") or {}).items():
        message[_one_line(name)] = _one_line(value)
    text, html = render(payload["template"], payload["context"])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in payload.get("attachments") or ():
        maintype, _, subtype = attachment["content_type"].partition("/")
        params = attachment.get("params") or {}
        message.add_attachment(attachment["text"].encode("utf-8"), maintype=maintype,
                               subtype=subtype, filename=attachment["filename"], params=params)
    return message
