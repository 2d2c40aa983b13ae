"""Ticket use cases: each call is one transaction with its audit events and outbox rows.

The `*_in` methods work inside a caller's transaction, so that the intake can mark its spool
row in the same commit as the ticket change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from desk import lifecycle
from desk.actor import TRIAGE, Actor
from desk.chat_notices import ChatNotices
from desk.errors import InvalidInput, NotFound
from desk.first_line import FirstLine
from desk.priority import parse_level, parse_priority, priority_for
from desk.reference import format_ref, parse_ref
from desk.ticket_records import DeskIdentity, NewAttachment, TicketRecords, clip
from desk.triage_service import TriageInput, TriageService
from knowledge import TriageDecision
from store import directory, tickets, writes
from store.blobs import BlobStore
from store.db import unit_of_work
from store.models import Ticket, TicketLink
from store.types import utcnow

__all__ = ["DeskIdentity", "NewAttachment", "NewTicket", "TicketService"]


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
    acknowledge: bool = True  # False for silent tickets (machine reports, rate-limited senders)
    flags: Sequence[str] = ()
    new_text: str | None = None  # what the sender wrote now, without quoted history
    quoted: str = ""


class TicketService:
    def __init__(self, factory: sessionmaker[Session], blobs: BlobStore, desk: DeskIdentity,
                 triage: TriageService | None = None,
                 chat: ChatNotices | None = None) -> None:  # fmt: skip
        self.factory, self.blobs, self.desk, self.triage = factory, blobs, desk, triage
        self.chat = chat or ChatNotices()
        self.records = TicketRecords(desk)
        self.first_line = FirstLine(self.records, triage)

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
        """Open, triage and route a ticket inside the caller's transaction.

        The ticket's row is written first (its id names everything else); its audit events
        and outbox rows are written together at the end (nothing here reads them back), and
        what opening changed on the ticket in one UPDATE.
        """
        if not new.subject.strip() and not new.body.strip():
            raise InvalidInput("a ticket needs a subject or a body")
        if sender is None:
            sender = directory.find_sender(session, new.requester_email or "")
        decision, routed_by = None, actor if new.resolver else TRIAGE
        if new.triage is None and self.triage is not None:
            text = TriageInput(new.subject, new.body if new.new_text is None else new.new_text,
                               new.quoted)  # fmt: skip
            decision = self.triage.decide(text, sender)
            new = self._with_decision(new, decision, sender)
            new.triage = self.triage.stored_form(decision, session)
            if routed_by is TRIAGE and new.resolver and not directory.resolver_group(
                    session, new.resolver):  # fmt: skip
                new.resolver = None  # a group the directory lacks: the desk's queue, not a loss
        row = self._row(session, new, actor, sender)
        with writes.batched(session), tickets.creating(session, row, new.mpxns) as ticket:
            self._opened(session, ticket, new, actor, digests, decision, routed_by)
        return ticket

    def _opened(self, session: Session, ticket: Ticket, new: NewTicket, actor: Actor,
                digests: Sequence[str], decision: TriageDecision | None,
                routed_by: Actor) -> None:  # fmt: skip
        message = self.records.message(
            session,
            ticket,
            new.message_kind,
            actor,
            new.body,
            subject=new.subject,
            email_message_id=new.email_message_id,
        )
        self.records.attach(session, ticket, message, new.attachments, digests)
        self.records.audit(session, ticket, actor, "open", None, lifecycle.NEW,
                           f"{ticket.type} {ticket.priority} from "
                           f"{ticket.requester_email or 'unknown'}")  # fmt: skip
        if decision is not None:
            self.records.audit(session, ticket, TRIAGE, "triage", None, ticket.resolver_key,
                               decision.summary())  # fmt: skip
        self.chat.opened(session, ticket)
        thread = [new.email_message_id] if new.email_message_id else []
        answered = new.acknowledge and ticket.verified and decision is not None and (
            self.first_line.confirm_identifiers(session, ticket, decision, thread)
            or self.first_line.answer(session, ticket, decision, thread)
        )  # fmt: skip
        if ticket.resolver_key and ticket.status == lifecycle.NEW:
            self._assign(session, ticket, ticket.resolver_key, routed_by, None, announce=False)
        if new.acknowledge and ticket.requester_email and not answered:
            self.records.mail(
                session,
                ticket,
                "acknowledgement",
                {},
                thread=thread,
                record=f"Acknowledgement sent: logged as {format_ref(ticket.id)}.",
            )

    @staticmethod
    def _with_decision(new: NewTicket, decision: TriageDecision, sender: directory.Sender
                       ) -> NewTicket:  # fmt: skip
        """Triage fills in what the agent or the intake did not decide themselves."""
        changes: dict[str, Any] = {
            "type": new.type or decision.type,
            "category": new.category or decision.category,
            # unknown senders go to the desk for review, whatever the text says
            "resolver": new.resolver or (decision.resolver if sender.organisation
                                         else "service_desk"),
            "mpxns": new.mpxns or [(i.value, i.kind.lower()) for i in decision.identifiers],
        }  # fmt: skip
        if new.impact is None and new.urgency is None:
            changes.update(impact=decision.impact, urgency=decision.urgency)
        return dataclasses.replace(new, **changes)

    def _row(self, session: Session, new: NewTicket, actor: Actor,
             sender: directory.Sender) -> dict[str, Any]:  # fmt: skip
        """The new ticket's columns."""
        ticket_type = lifecycle.check_type(new.type or "incident")
        impact = parse_level(new.impact if new.impact is not None else 3, "impact")
        urgency = parse_level(new.urgency if new.urgency is not None else 3, "urgency")
        priority, reason = priority_for(impact, urgency), None
        triaged = new.triage or {}
        if triaged.get("priority") and (triaged["impact"], triaged["urgency"]) == (impact, urgency):
            priority = triaged["priority"]  # with the bumping rules' reasons
            reason = "; ".join(triaged.get("priority_reasons") or []) or None
        if new.resolver and directory.resolver_group(session, new.resolver) is None:
            raise InvalidInput(f"unknown resolver group {new.resolver!r}")
        now = utcnow()
        return dict(
            type=ticket_type, status=lifecycle.NEW, impact=impact, urgency=urgency,
            priority=priority, priority_reason=reason, category=new.category,
            resolver_key=new.resolver,
            organisation_id=sender.organisation.id if sender.organisation else None,
            contact_id=sender.contact.id if sender.contact else None,
            requester_email=(new.requester_email or "").lower() or None,
            requester_name=new.requester_name or (sender.contact.name if sender.contact else None),
            verified=sender.organisation is not None and "dmarc_fail" not in new.flags,
            subject=" ".join(new.subject.split())[:1000] or "(no subject)",
            channel=actor.channel, triage=new.triage, flags=list(new.flags),
            created_at=now, updated_at=now,
        )  # fmt: skip

    def add_email_in(self, session: Session, ticket: Ticket, actor: Actor, body: str,
                     subject: str, email_message_id: str | None, visibility: str,
                     attachments: Sequence[NewAttachment] = (), digests: Sequence[str] = (),
                     action: str = "email_in") -> int:  # fmt: skip
        """An inbound e-mail on an existing ticket: a participant's reply or a provider update.
        Returns the message's id."""
        message = self.records.message(session, ticket, "inbound_email", actor, body,
                                       subject=subject, email_message_id=email_message_id,
                                       visibility=visibility)  # fmt: skip
        self.records.attach(session, ticket, message, attachments, digests)
        self.records.audit(session, ticket, actor, action, None, None, clip(body))
        ticket.updated_at = utcnow()
        label = _EMAIL_LINES.get(action, "E-mail")
        self.chat.changed(session, ticket, f"{label} from {actor.name}: {clip(body)}")
        return message

    def reopen_in(self, session: Session, ticket: Ticket, reason: str, actor: Actor) -> None:
        """Back to its resolver group (told again), or to the desk queue if it has none."""
        target = lifecycle.reopen_target(ticket.resolver_key is not None)
        self.records.move(session, ticket, target, actor, f"reopened: {reason}")
        ticket.resolved_at = None
        self.chat.changed(session, ticket, f"Reopened by {actor.name}: {clip(reason)}")

    def move_in(self, session: Session, ticket: Ticket, status: str, actor: Actor,
                detail: str | None = None) -> None:  # fmt: skip
        self.records.move(session, ticket, status, actor, detail)
        self.chat.changed(session, ticket, f"Status: {status} ({actor.name})")

    def link_in(self, session: Session, ticket: Ticket, other: Ticket, actor: Actor,
                kind: str = "related") -> None:  # fmt: skip
        if ticket.id == other.id:
            raise InvalidInput("a ticket cannot be linked to itself")
        for a, b in ((ticket, other), (other, ticket)):
            session.add(TicketLink(ticket_id=a.id, other_id=b.id, kind=kind))
            self.records.audit(session, a, actor, "link", None, format_ref(b.id), kind)
            self.chat.changed(session, a, f"Linked to {format_ref(b.id)} ({kind}) by {actor.name}")

    # --- changes ---------------------------------------------------------------------------

    def assign(self, ref: str, group: str, actor: Actor) -> None:
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self._assign(session, ticket, group, actor, ticket.resolver_key)

    def set_priority(self, ref: str, priority: str, reason: str, actor: Actor) -> None:
        priority = parse_priority(priority)
        if not reason.strip():
            raise InvalidInput("a priority override needs a reason")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self.records.audit(session, ticket, actor, "priority", ticket.priority, priority,
                               reason)  # fmt: skip
            line = f"Priority {ticket.priority} → {priority} by {actor.name}: {clip(reason)}"
            ticket.priority, ticket.priority_reason = priority, reason.strip()
            ticket.updated_at = utcnow()
            self.chat.changed(session, ticket, line)

    def set_status(self, ref: str, status: str, actor: Actor, reason: str = "") -> None:
        if status == lifecycle.RESOLVED:
            return self.resolve(ref, reason or "Resolved.", actor)
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if ticket.status == lifecycle.RESOLVED and status != lifecycle.CLOSED:
                return self.reopen_in(session, ticket, reason or f"status set to {status}", actor)
            self.move_in(session, ticket, status, actor, reason or None)

    def note(self, ref: str, text: str, actor: Actor, kind: str = "note",
             written_in: str | None = None) -> None:  # fmt: skip
        """`written_in`: the Slack channel whose card thread the note was written in, which
        therefore needs no echo of it."""
        _require_text(text, "a note")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self.records.message(session, ticket, kind, actor, text)
            self.records.audit(session, ticket, actor, kind, None, None, clip(text))
            ticket.updated_at = utcnow()
            self.chat.changed(session, ticket, f"Note by {actor.name}: {clip(text)}",
                              skip={written_in} if written_in else None)  # fmt: skip

    def reply(self, ref: str, text: str, actor: Actor) -> None:
        """Write to the participant: kept on the ticket and sent on its e-mail thread."""
        _require_text(text, "a reply")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if not ticket.requester_email:
                raise InvalidInput(f"{ref}: the ticket has no requester address to reply to")
            if ticket.status == lifecycle.CLOSED:
                raise InvalidInput(f"{ref} is closed; open a new ticket to write again")
            self.records.mail(session, ticket, "reply", {"body": text}, actor=actor)
            self.records.audit(session, ticket, actor, "reply", None, ticket.requester_email,
                               clip(text))  # fmt: skip
            ticket.updated_at = utcnow()
            self.chat.changed(session, ticket, f"Reply to participant by {actor.name}: "
                                               f"{clip(text)}")  # fmt: skip

    def resolve(self, ref: str, text: str, actor: Actor) -> None:
        _require_text(text, "a resolution")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            self.records.move(session, ticket, lifecycle.RESOLVED, actor, clip(text))
            if ticket.requester_email:
                self.records.mail(session, ticket, "resolved", {"body": text}, actor=actor)
            else:
                self.records.message(session, ticket, "note", actor, f"Resolution: {text}")
            self.chat.changed(session, ticket, f"Resolved by {actor.name}: {clip(text)}")

    def close(self, ref: str, actor: Actor, reason: str = "") -> None:
        with unit_of_work(self.factory) as session:
            self.close_in(session, self._get(session, ref), actor, reason)

    def close_in(self, session: Session, ticket: Ticket, actor: Actor, reason: str = "") -> None:
        self.records.move(session, ticket, lifecycle.CLOSED, actor, reason or None)
        ticket.closed_at = utcnow()
        self.chat.changed(session, ticket, f"Closed by {actor.name}" +
                          (f": {reason}" if reason else ""))  # fmt: skip

    def reopen(self, ref: str, reason: str, actor: Actor) -> None:
        _require_text(reason, "a reopen reason")
        with unit_of_work(self.factory) as session:
            ticket = self._get(session, ref)
            if ticket.status != lifecycle.RESOLVED:
                raise lifecycle.IllegalTransition(
                    ticket.status, "reopened", "only a resolved ticket can be reopened"
                )
            self.reopen_in(session, ticket, reason, actor)

    def link(self, ref: str, other_ref: str, actor: Actor, kind: str = "related") -> None:
        with unit_of_work(self.factory) as session:
            self.link_in(session, self._get(session, ref), self._get(session, other_ref), actor,
                         kind)  # fmt: skip

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, session: Session, ref: str) -> Ticket:
        ticket = tickets.get(session, parse_ref(ref), for_update=True)
        if ticket is None:
            raise NotFound(f"no ticket {format_ref(parse_ref(ref))}")
        return ticket

    def _assign(self, session: Session, ticket: Ticket, group: str, actor: Actor,
                previous: str | None, announce: bool = True) -> None:  # fmt: skip
        target = directory.resolver_group(session, group)
        if target is None:
            known = ", ".join(sorted(directory.resolver_keys(session))) or "none loaded"
            raise InvalidInput(f"unknown resolver group {group!r} (known: {known})")
        if not lifecycle.is_open(ticket.status):
            raise lifecycle.IllegalTransition(
                ticket.status, lifecycle.ASSIGNED, "reopen the ticket before assigning it"
            )
        if previous == group and ticket.status != lifecycle.NEW:
            return  # already there: a repeated command changes nothing
        self.records.audit(session, ticket, actor, "assign", previous, group)
        ticket.resolver_key = group
        if ticket.status != lifecycle.ASSIGNED:
            self.records.move(session, ticket, lifecycle.ASSIGNED, actor, f"assigned to {group}")
        ticket.updated_at = utcnow()
        line = (f"Reassigned from {previous} to {group} by {actor.name}" if previous
                else f"Assigned to {group} by {actor.name}")  # fmt: skip
        self.chat.assigned(session, ticket, group, line if announce else None, previous)


_EMAIL_LINES = {"provider_update": "Provider update", "auto_reply": "Auto-reply"}


def _require_text(text: str, what: str) -> None:
    if not text or not text.strip():
        raise InvalidInput(f"{what} cannot be empty")
