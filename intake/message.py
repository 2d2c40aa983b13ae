"""The parsed form of one inbound e-mail: plain frozen values the rest of the desk can trust.

Everything here is already decoded and sanitised (no NUL bytes, no lone surrogates), so the
store and the triage never have to think about MIME or charsets again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    """One non-body MIME part; ``filename`` is "" when the sender gave none."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False
    is_tnef: bool = False
    is_message: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """What intake hands to the desk; ``body_text`` is always the whole extracted text."""

    from_addr: str | None = None
    from_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    date: datetime | None = None
    body_text: str = ""
    new_text: str = ""
    quoted_text: str = ""
    signature: str = ""
    attachments: tuple[Attachment, ...] = ()
    is_auto_reply: bool = False
    auto_reply_reason: str | None = None
    auto_submitted: str | None = None
    is_bounce: bool = False
    bounce_recipients: tuple[str, ...] = ()
    auth_results: dict[str, str] = field(default_factory=dict)
    defects: tuple[str, ...] = ()

    @property
    def attachment_names(self) -> list[str]:
        """Sorted names of the attachments a person would see (named, not inline)."""
        return sorted(a.filename for a in self.attachments if a.filename and not a.inline)
