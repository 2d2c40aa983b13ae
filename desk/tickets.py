"""Ticket use cases: each call is one transaction with its audit events and outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from desk import lifecycle
from desk.actor import Actor
from desk.errors import InvalidInput, NotFound
from desk.mail_payloads import email_payload, new_message_id
from desk.priority import parse_level, parse_priority, priority_for
from desk.reference import format_ref, parse_ref
from store import directory, outbox, tickets
from store.blobs import BlobStore
from store.db import unit_of_work
from store.models import Attachment, AuditEvent, Message, Ticket, TicketLink, TicketMpxn
from store.types import utcnow

MESSAGE_KINDS = ("inbound_email", "outbound_email", "note", "chat", "phone")


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class NewTicket:
    requester_email: str | None
    subject: str
    body: str
    requester_name: str | None = None
    type: str | None = None
    impact: int | str | None = None
    urgency: int | str | None = None
    resolver: str | None = None
    category: str | None = None
    mpxns: Sequence[tuple[str, str]] = ()  # (value, "mpan" | "mprn")
    message_kind: str = "phone"
    email_message_id: str | None = None
    attachments: Sequence[NewAttachment] = field(default_factory=tuple)
    triage: dict[str, Any] | None = None
    acknowledge: bool = True
    flags: Sequence[str] = ()


@dataclass(frozen=True)
class DeskIdentity:
    name: str
    email: str


class TicketService:
    def __init__(
        self, factory: sessionmaker[Session], blobs: BlobStore, desk: DeskIdentity
    ) -> None:
        self.factory, self.blobs, self.desk = factory, blobs, desk

    # --- opening ---------------------------------------------------------------------------

    def open(self, new: NewTicket, actor: Actor) -> str:
        stored = self.store_attachments(new.attachments)  # content first, outside the transaction
        with unit_of_work(self.factory) as session:
            return format_ref(self.open_in(session, new, actor, stored).id)

    def store_attachments(self, attachments: Sequence[NewAttachment]) -> list[str]:
        """Blobs are written before the transaction that names them; an orphan blob is harmless."""
        return [self.blobs.put(a.data) for a in attachments]

    def open_in(
        self,
        session: Session,
        new: NewTicket,
        actor: Actor,
        digests: Sequence[str] = (),
        sender: directory.Sender | None = None,
    ) -> Ticket:
        """Open a ticket inside the caller's transaction (the intake marks its spool row in it)."""
        ticket_type = lifecycle.check_type(new.type or "incident")
        impact = parse_level(new.impact if new.impact is not None else 3, "impact")
        urgency = parse_level(new.urgency if new.urgency is not None else 3, "urgency")
        if not new.subject.strip() and not new.body.strip():
            raise InvalidInput("a ticket needs a subject or a body")
        if sender is None:
            sender = directory.find_sender(session, new.requester_email or "")
        if new.resolver and directory.resolver_group(session, new.resolver) is None:
            raise InvalidInput(f"unknown resolver group {new.resolver!r}")
        now = utcnow()
        ticket = Ticket(
            type=ticket_type, status=lifecycle.NEW, impact=impact, urgency=urgency,
            priority=priority_for(impact, urgency), category=new.category,
            organisation_id=sender.organisation.id if sender.organisation else None,
            contact_id=sender.contact.id if sender.contact else None,
            requester_email=(new.requester_email or "").lower() or None,
            requester_name=new.requester_name or (sender.contact.name if sender.contact else None),
            verified=sender.organisation is not None and "dmarc_fail" not in new.flags,
            subject=" ".join(new.subject.split())[:1000] or "(no subject)",
            channel=actor.channel, triage=new.triage, flags=list(new.flags),
            created_at=now, updated_at=now,
        )  # fmt: skip
        ticket.mpxns = [
            TicketMpxn(position=i, value=v, kind=k) for i, (v, k) in enumerate(new.mpxns)
        ]
        session.add(ticket)
        session.flush()
        message = self._message(
            session,
            ticket,
            new.message_kind,
            actor,
            new.body,
            subject=new.subject,
            email_message_id=new.email_message_id,
        )
        self._attach(session, ticket, message, new.attachments, digests)
        self._audit(
            session,
            ticket,
            actor,
            "open",
            None,
            lifecycle.NEW,
            f"{ticket.type} {ticket.priority} from {ticket.requester_email or 'unknown'}",
        )
        if new.resolver:
            self._assign(session, ticket, new.resolver, actor)
        if new.acknowledge and ticket.requester_email:
            self._mail(
                session,
                ticket,
                "acknowledgement",
                {},
                record=f"Acknowledgement sent: logged as {format_ref(ticket.id)}.",
            )
        return ticket

    def add_email_in(
        self,
        session: Session,
        ticket: Ticket,
        actor: Actor,
        body: str,
        subject: str,
        email_message_id: str | None,
        visibility: str,
        attachments: Sequence[NewAttachment] = (),
        digests: Sequence[str] = (),
        action: str = "email_in",
    ) -> Message:
        """An inbound e-mail on an existing ticket: a participant's reply or a provider update."""
        message = self._message(
            session,
            ticket,
            "inbound_email",
            actor,
            body,
            subject=subject,
            email_message_id=email_message_id,
            visibility=visibility,
        )
        self._attach(session, ticket, message, attachments, digests)
        self._audit(session, ticket, actor, action, None, None, _clip(body))
        ticket.updated_at = utcnow()
        return message

    def reopen_in(self, session: Session, ticket: Ticket, reason: str, actor: Actor) -> None:
        self._reopen(session, ticket, reason, actor)

    def move_in(
        self, session: Session, ticket: Ticket, status: str, actor: Actor, detail: str | None = None
    ) -> None:
        self._move(session, ticket, status, actor, detail)

    def link_in(
        self, session: Session, ticket: Ticket, other: Ticket, actor: Actor, kind: str = "related"
    ) -> None:
        if ticket.id == other.id:
            raise InvalidInput("a ticket cannot be linked to itself")
        for a, b in ((ticket, other), (other, ticket)):
            session.add(TicketLink(ticket_id=a.id, other_id=b.id, kind=kind))
            self._audit(session, a, actor, "link", None, format_ref(b.id), kind)

    # --- changes ---------------------------------------------------------------------------

    def assign(self, ref: str, group: str, actor: Actor) -> None:
        with unit_of_work(self.factory) as session:
            self._assign(session, self._get(session, ref), group, actor)

    def set_priority(self, ref: str, priority: str, reason: str, actor: Actor) -> None:
        priority = parse_priority(priority)
        if not reason.strip():
            raise InvalidInput("a priority override needs a reason")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self._audit(session, ticket, actor, "priority", ticket.priority, priority, reason)
            ticket.priority, ticket.priority_reason = priority, reason.strip()
            ticket.updated_at = utcnow()

    def set_status(self, ref: str, status: str, actor: Actor, reason: str = "") -> None:
        if status == lifecycle.RESOLVED:
            return self.resolve(ref, reason or "Resolved.", actor)
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if ticket.status == lifecycle.RESOLVED and status != lifecycle.CLOSED:
                return self._reopen(session, ticket, reason or f"status set to {status}", actor)
            self._move(session, ticket, status, actor, reason or None)

    def note(self, ref: str, text: str, actor: Actor, kind: str = "note") -> None:
        self._require_text(text, "a note")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self._message(session, ticket, kind, actor, text)
            self._audit(session, ticket, actor, kind, None, None, _clip(text))
            ticket.updated_at = utcnow()

    def reply(self, ref: str, text: str, actor: Actor) -> None:
        """Write to the participant: kept on the ticket and sent on its e-mail thread."""
        self._require_text(text, "a reply")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if not ticket.requester_email:
                raise InvalidInput(f"{ref}: the ticket has no requester address to reply to")
            if ticket.status == lifecycle.CLOSED:
                raise InvalidInput(f"{ref} is closed; open a new ticket to write again")
            self._mail(session, ticket, "reply", {"body": text}, actor=actor)
            self._audit(session, ticket, actor, "reply", None, ticket.requester_email, _clip(text))
            ticket.updated_at = utcnow()

    def resolve(self, ref: str, text: str, actor: Actor) -> None:
        self._require_text(text, "a resolution")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self._move(session, ticket, lifecycle.RESOLVED, actor, _clip(text))
            ticket.resolved_at = utcnow()
            if ticket.requester_email:
                self._mail(session, ticket, "resolved", {"body": text}, actor=actor)
            else:
                self._message(session, ticket, "note", actor, f"Resolution: {text}")

    def close(self, ref: str, actor: Actor, reason: str = "") -> None:
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self._move(session, ticket, lifecycle.CLOSED, actor, reason or None)
            ticket.closed_at = utcnow()

    def reopen(self, ref: str, reason: str, actor: Actor) -> None:
        self._require_text(reason, "a reopen reason")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if ticket.status != lifecycle.RESOLVED:
                raise lifecycle.IllegalTransition(
                    ticket.status, "reopened", "only a resolved ticket can be reopened"
                )
            self._reopen(session, ticket, reason, actor)

    def link(self, ref: str, other_ref: str, actor: Actor, kind: str = "related") -> None:
        with unit_of_work(self.factory) as session:
            self.link_in(
                session, self._get(session, ref), self._get(session, other_ref), actor, kind
            )

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, session: Session, ref: str) -> Ticket:
        ticket = tickets.get(session, parse_ref(ref), for_update=True)
        if ticket is None:
            raise NotFound(f"no ticket {format_ref(parse_ref(ref))}")
        return ticket

    def _assign(self, session: Session, ticket: Ticket, group: str, actor: Actor) -> None:
        target = directory.resolver_group(session, group)
        if target is None:
            known = ", ".join(sorted(directory.resolver_keys(session))) or "none loaded"
            raise InvalidInput(f"unknown resolver group {group!r} (known: {known})")
        if not lifecycle.is_open(ticket.status):
            raise lifecycle.IllegalTransition(
                ticket.status, lifecycle.ASSIGNED, "reopen the ticket before assigning it"
            )
        previous = ticket.resolver_key
        self._audit(session, ticket, actor, "assign", previous, group)
        ticket.resolver_key = group
        if ticket.status != lifecycle.ASSIGNED:
            self._move(session, ticket, lifecycle.ASSIGNED, actor, f"assigned to {group}")
        ticket.updated_at = utcnow()
        if target.slack_channel:
            outbox.enqueue(
                session,
                "slack",
                {
                    "kind": "ticket_card",
                    "channel": target.slack_channel,
                    "ref": format_ref(ticket.id),
                },
                ticket.id,
            )

    def _move(
        self, session: Session, ticket: Ticket, status: str, actor: Actor, detail: str | None
    ) -> None:
        lifecycle.check_transition(ticket.status, status)
        self._audit(session, ticket, actor, "status", ticket.status, status, detail)
        ticket.status = status
        ticket.updated_at = utcnow()

    def _reopen(self, session: Session, ticket: Ticket, reason: str, actor: Actor) -> None:
        target = lifecycle.reopen_target(ticket.resolver_key is not None)
        self._move(session, ticket, target, actor, f"reopened: {reason}")
        ticket.resolved_at = None

    def _attach(
        self,
        session: Session,
        ticket: Ticket,
        message: Message,
        attachments: Sequence[NewAttachment],
        digests: Sequence[str],
    ) -> None:
        for attachment, digest in zip(attachments, digests, strict=True):
            session.add(
                Attachment(
                    ticket_id=ticket.id,
                    message_id=message.id,
                    sha256=digest,
                    filename=attachment.filename[:500] or "unnamed",
                    content_type=attachment.content_type[:200],
                    size=len(attachment.data),
                )
            )

    def _message(
        self,
        session: Session,
        ticket: Ticket,
        kind: str,
        actor: Actor,
        body: str,
        subject: str | None = None,
        email_message_id: str | None = None,
        visibility: str | None = None,
    ) -> Message:
        if visibility is None:
            participant = kind in ("inbound_email", "outbound_email", "phone")
            visibility = "participant" if participant else "internal"
        message = Message(
            ticket_id=ticket.id,
            kind=kind,
            author=actor.name,
            channel=actor.channel,
            visibility=visibility,
            subject=subject[:1000] if subject else subject,
            body=body,
            email_message_id=email_message_id,
            created_at=utcnow(),
        )
        session.add(message)
        session.flush()
        return message

    def _mail(
        self,
        session: Session,
        ticket: Ticket,
        template: str,
        context: dict[str, Any],
        actor: Actor | None = None,
        record: str | None = None,
    ) -> None:
        """Queue an e-mail to the requester and keep what it says on the ticket."""
        ref = format_ref(ticket.id)
        message_id = new_message_id(ticket.id, self.desk.email)
        thread = tickets.email_thread_ids(session, ticket.id)
        subject = (
            f"[{ref}] {ticket.subject}"
            if ticket.verified or template != "acknowledgement"
            else f"[{ref}] Your message to the {self.desk.name}"
        )
        context = {
            "ref": ref,
            "desk_name": self.desk.name,
            "requester_name": ticket.requester_name,
            "subject": ticket.subject if ticket.verified else "",
            **context,
        }
        payload = email_payload(
            template=template,
            to=ticket.requester_email or "",
            subject=subject,
            context=context,
            message_id=message_id,
            thread=thread,
            auto_submitted="auto-replied" if template == "acknowledgement" else None,
        )
        self._message(
            session,
            ticket,
            "outbound_email",
            actor or Actor(self.desk.email, "email"),
            record or context["body"],
            subject=subject,
            email_message_id=message_id,
        )
        outbox.enqueue(session, "email", payload, ticket.id)

    def _audit(
        self,
        session: Session,
        ticket: Ticket,
        actor: Actor,
        action: str,
        before: str | None,
        after: str | None,
        detail: str | None = None,
    ) -> None:
        session.add(
            AuditEvent(
                ticket_id=ticket.id,
                at=utcnow(),
                actor=actor.name,
                channel=actor.channel,
                action=action,
                from_value=before,
                to_value=after,
                detail=detail,
            )
        )

    @staticmethod
    def _require_text(text: str, what: str) -> None:
        if not text or not text.strip():
            raise InvalidInput(f"{what} cannot be empty")


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
