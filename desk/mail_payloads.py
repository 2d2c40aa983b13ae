"""Outbound e-mail as outbox payloads: what to send, threaded on the ticket's one e-mail thread.

The intake's mailer renders the named template with the context at delivery time.
"""

from __future__ import annotations

import uuid
from typing import Any

from desk.reference import format_ref


def new_message_id(ticket_id: int | None, desk_email: str) -> str:
    domain = desk_email.rsplit("@", 1)[-1]
    prefix = format_ref(ticket_id).lower() if ticket_id else "sd"
    return f"{prefix}.{uuid.uuid4().hex}@{domain}"


def email_payload(
    *,
    template: str,
    to: str,
    subject: str,
    context: dict[str, Any],
    message_id: str,
    thread: list[str],
    auto_submitted: str | None = None,
) -> dict[str, Any]:
    """In-Reply-To is the newest message of the thread; References keep its root and tail."""
    references = thread[:1] + thread[-9:] if len(thread) > 10 else list(thread)
    return {
        "template": template,
        "to": [to],
        "subject": " ".join(subject.split()),
        "context": context,
        "message_id": message_id,
        "in_reply_to": thread[-1] if thread else None,
        "references": references,
        "auto_submitted": auto_submitted,
    }
