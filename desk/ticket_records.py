"""What every ticket change writes in the caller's transaction: messages, attachments, audit
events, status moves and queued e-mail. Shared by the ticket use cases and first-line triage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from desk import lifecycle
from desk.actor import Actor
from desk.mail_payloads import email_payload, new_message_id
from desk.reference import format_ref
from store import outbox, tickets, writes
from store.models import Attachment, AuditEvent, Message, Ticket
from store.types import utcnow

# The desk's own automatic mail; a person's reply carries no Auto-Submitted header.
AUTOMATIC_TEMPLATES = {"acknowledgement": "auto-replied", "first_line": "auto-replied",
                       "confirm_mpxn": "auto-replied"}  # fmt: skip


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DeskIdentity:
    name: str
    email: str


def clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Records are written with Core inserts in the caller's transaction, at once or with the
# store.writes.batched block they are made in: no unit-of-work flush per row, and any later
# query in the transaction (the ORM's or ours) sees them.
_AUDIT = AuditEvent.__table__.insert()
_MESSAGES = Message.__table__
_MESSAGE = _MESSAGES.insert()
_ATTACHMENT = Attachment.__table__.insert()


class TicketRecords:
    def __init__(self, desk: DeskIdentity) -> None:
        self.desk = desk

    def audit(self, session: Session, ticket: Ticket, actor: Actor, action: str,
              before: str | None = None, after: str | None = None,
              detail: str | None = None) -> None:  # fmt: skip
        if actor.where:
            detail = f"{detail} ({actor.where})" if detail else actor.where
        writes.insert(session, _AUDIT, {
            "ticket_id": ticket.id, "at": utcnow(), "actor": actor.name,
            "channel": actor.channel, "action": action, "from_value": before,
            "to_value": after, "detail": detail,
        })  # fmt: skip

    def move(self, session: Session, ticket: Ticket, status: str, actor: Actor,
             detail: str | None = None) -> None:  # fmt: skip
        lifecycle.check_transition(ticket.status, status)
        self.audit(session, ticket, actor, "status", ticket.status, status, detail)
        ticket.status = status
        ticket.updated_at = utcnow()
        if status == lifecycle.RESOLVED:
            ticket.resolved_at = ticket.updated_at

    def message(self, session: Session, ticket: Ticket, kind: str, actor: Actor, body: str,
                subject: str | None = None, email_message_id: str | None = None,
                visibility: str | None = None) -> int:  # fmt: skip
        """Write the message (with its store.writes.batched block, if in one); its id is
        returned."""
        if visibility is None:
            participant = kind in ("inbound_email", "outbound_email", "phone")
            visibility = "participant" if participant else "internal"
        row = {
            "ticket_id": ticket.id, "kind": kind, "author": actor.name,
            "channel": actor.channel, "visibility": visibility,
            "subject": subject[:1000] if subject else subject, "body": body,
            "email_message_id": email_message_id, "created_at": utcnow(),
        }  # fmt: skip
        message_id = writes.new_id(session, _MESSAGES)
        if message_id is None:
            return int(session.connection().execute(_MESSAGE, row).inserted_primary_key[0])
        writes.insert(session, _MESSAGE, {"id": message_id, **row})
        return message_id

    def attach(
        self,
        session: Session,
        ticket: Ticket,
        message_id: int,
        attachments: Sequence[NewAttachment],
        digests: Sequence[str],
    ) -> None:
        now = utcnow()
        for attachment, digest in zip(attachments, digests, strict=True):
            writes.insert(session, _ATTACHMENT, {
                "ticket_id": ticket.id, "message_id": message_id, "sha256": digest,
                "filename": attachment.filename[:500] or "unnamed",
                "content_type": attachment.content_type[:200], "size": len(attachment.data),
                "created_at": now,
            })  # fmt: skip

    def mail(self, session: Session, ticket: Ticket, template: str, context: dict[str, Any],
             actor: Actor | None = None, record: str | None = None,
             thread: list[str] | None = None) -> None:  # fmt: skip
        """Queue an e-mail to the requester on the ticket's thread, and keep what it says.

        An unverified sender's acknowledgement reveals nothing but the reference.
        """
        ref = format_ref(ticket.id)
        message_id = new_message_id(ticket.id, self.desk.email)
        if thread is None:
            thread = tickets.email_thread_ids(session, ticket.id)
        subject = (f"[{ref}] {ticket.subject}" if ticket.verified
                   else f"[{ref}] Your message to the {self.desk.name}")  # fmt: skip
        context = {
            "ref": ref, "desk_name": self.desk.name, "requester_name": ticket.requester_name,
            "subject": ticket.subject if ticket.verified else "", **context,
        }  # fmt: skip
        payload = email_payload(
            template=template, to=ticket.requester_email or "", subject=subject, context=context,
            message_id=message_id, thread=thread,
            auto_submitted=AUTOMATIC_TEMPLATES.get(template),
        )  # fmt: skip
        author = actor or Actor(self.desk.email, "email")
        self.message(
            session,
            ticket,
            "outbound_email",
            author,
            record or context["body"],
            subject=subject,
            email_message_id=message_id,
        )
        outbox.enqueue(session, "email", payload, ticket.id)
