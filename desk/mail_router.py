"""How one inbound e-mail becomes its outcome: loops, bounces, threading, or a new ticket.

Everything here runs inside the processor's transaction (a savepoint per message).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from desk import lifecycle
from desk.actor import Actor
from desk.confirmation import confirms_resolution
from desk.mail_threading import ThreadMatch, find_thread, is_desk_message
from desk.reference import format_ref
from desk.tickets import NewAttachment, NewTicket, TicketService
from intake.message import InboundMessage
from store.directory import DirectorySnapshot, Sender
from store.models import Contact, Ticket
from store.types import utcnow

log = logging.getLogger("switchdesk.intake")

_MACHINE = ("auto-submitted: auto-generated", "precedence: bulk", "precedence: list",
            "precedence: junk", "mailing list")  # fmt: skip


@dataclass(frozen=True)
class IntakePolicy:
    desk_addresses: frozenset[str]
    reopen_window: timedelta = timedelta(days=14)
    acks_per_sender_per_hour: int = 5
    max_message_bytes: int = 25 * 1024 * 1024
    lease: timedelta = timedelta(minutes=5)


@dataclass
class Outcome:
    outcome: str
    ticket: Ticket | None = None
    detail: str | None = None


@dataclass
class Batch:
    """What messages of one batch share: the directory, and tickets per sender this hour."""

    directory: DirectorySnapshot
    recent: Counter[str]


class MailRouter:
    def __init__(self, tickets: TicketService, policy: IntakePolicy) -> None:
        self.tickets, self.policy = tickets, policy
        self.desk_domain = tickets.desk.email.rsplit("@", 1)[-1].lower()

    def decide(self, session: Session, batch: Batch, m: InboundMessage, size: int) -> Outcome:
        if size > self.policy.max_message_bytes:
            return Outcome("rejected", detail=f"over the size limit ({size} bytes)")
        if m.is_bounce:
            return self._bounce(session, m)
        if not m.from_addr:
            return Outcome("rejected", detail="no sender address")
        if m.from_addr in self.policy.desk_addresses or is_desk_message(
            session, m.message_id, self.desk_domain
        ):
            return Outcome("auto_reply", detail="the desk's own mail")
        sender = batch.directory.sender(m.from_addr)
        dmarc_fail = m.auth_results.get("dmarc") == "fail" and sender.organisation is not None
        match = (
            None
            if dmarc_fail
            else find_thread(session, sender, m.in_reply_to, m.references, m.subject)
        )
        if match is not None and not match.allowed:
            log.warning(
                "%s quoted %s (%s) but may not join it",
                m.from_addr,
                format_ref(match.ticket.id),
                match.how,
            )
            match = None
        if m.is_auto_reply and not self._machine_report(m, sender):
            if match is not None:
                self.tickets.add_email_in(
                    session,
                    match.ticket,
                    self._actor(m),
                    f"Auto-reply ({m.auto_reply_reason}):\n\n{m.body_text}",
                    m.subject,
                    m.message_id,
                    "internal",
                    action="auto_reply",
                )
                return Outcome("auto_reply", match.ticket, m.auto_reply_reason)
            return Outcome("auto_reply", detail=m.auto_reply_reason)
        if match is not None:
            reply = self._reply(session, m, match)
            if reply is not None:
                return reply
        linked = match.ticket if match is not None else None
        return self._open(session, batch, m, sender, dmarc_fail, linked)

    @staticmethod
    def _machine_report(m: InboundMessage, sender: Sender) -> bool:
        """Reports and list mail from known participants and providers are still work."""
        reason = (m.auto_reply_reason or "").lower()
        return sender.known and any(reason.startswith(kind) for kind in _MACHINE)

    def _reply(self, session: Session, m: InboundMessage, match: ThreadMatch) -> Outcome | None:
        ticket, actor = match.ticket, self._actor(m)
        if ticket.status == lifecycle.CLOSED:
            return None
        confirmed = False
        if ticket.status == lifecycle.RESOLVED:
            if ticket.resolved_at and utcnow() - ticket.resolved_at > self.policy.reopen_window:
                return None
            confirmed = not match.as_provider and confirms_resolution(m.new_text or m.body_text)
            if not confirmed:
                self.tickets.reopen_in(session, ticket, f"e-mail from {m.from_addr}", actor)
        elif ticket.status == lifecycle.PENDING_PARTICIPANT and not match.as_provider:
            self.tickets.move_in(session, ticket, lifecycle.IN_PROGRESS, actor, "participant reply")
        attachments = self._attachments(m)
        digests = self.tickets.store_attachments(attachments)
        visibility, action = (
            ("internal", "provider_update") if match.as_provider else ("participant", "email_in")
        )
        self.tickets.add_email_in(
            session,
            ticket,
            actor,
            m.new_text or m.body_text,
            m.subject,
            m.message_id,
            visibility,
            attachments,
            digests,
            action,
        )
        if confirmed:
            self.tickets.close_in(session, ticket, actor, "the participant confirmed it")
        return Outcome("reply_added", ticket, f"joined by {match.how}")

    def _open(
        self,
        session: Session,
        batch: Batch,
        m: InboundMessage,
        sender: Sender,
        dmarc_fail: bool,
        linked: Ticket | None,
    ) -> Outcome:
        flags = (["dmarc_fail"] if dmarc_fail else []) + ([] if sender.known else ["unverified"])
        attachments = self._attachments(m)
        digests = self.tickets.store_attachments(attachments)
        new = NewTicket(
            requester_email=m.from_addr, requester_name=m.from_name or None,
            subject=m.subject, body=m.body_text, message_kind="inbound_email",
            new_text=m.new_text or m.body_text, quoted=m.quoted_text,
            email_message_id=m.message_id, attachments=attachments, flags=flags,
            resolver=None if sender.organisation and not dmarc_fail else "service_desk",
            acknowledge=not m.is_auto_reply and self._may_acknowledge(batch, m.from_addr),
        )  # fmt: skip
        ticket = self.tickets.open_in(session, new, self._actor(m), digests, sender)
        if linked is not None:
            self.tickets.link_in(session, ticket, linked, self._actor(m), "follow_up")
        return Outcome("ticket_created", ticket, "unverified sender" if not sender.known else None)

    def _bounce(self, session: Session, m: InboundMessage) -> Outcome:
        addresses = [a.lower() for a in m.bounce_recipients]
        if addresses:
            session.execute(
                update(Contact)
                .where(Contact.email.in_(addresses))
                .values(bouncing=True)
                .execution_options(synchronize_session=False)
            )
        return Outcome("bounce", detail=", ".join(addresses)[:500] or "recipient unknown")

    def _may_acknowledge(self, batch: Batch, address: str) -> bool:
        """Rate-limit acknowledgements per sender, so a looping robot gets a few at most."""
        batch.recent[address] += 1
        return batch.recent[address] <= self.policy.acks_per_sender_per_hour

    @staticmethod
    def _attachments(m: InboundMessage) -> list[NewAttachment]:
        return [NewAttachment(a.filename, a.content_type, a.data)
                for a in m.attachments if not a.inline]  # fmt: skip

    @staticmethod
    def _actor(m: InboundMessage) -> Actor:
        return Actor(m.from_addr or "unknown sender", "email")
