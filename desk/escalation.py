"""Escalating a ticket: one step up in priority, the Switching Operator told, the resolver
group's escalation contacts named, all in one transaction with its audit event.

The ticket stays with the group working it (escalation asks for more attention, it does not
take the work away); the Operator's channel gets the ticket's card, and every card of the
ticket a line naming the group's escalation contacts so that the duty manager can be phoned.
P1 stays P1.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from desk import lifecycle
from desk.actor import Actor
from desk.chat_notices import OPERATOR_GROUP, ChatNotices
from desk.errors import InvalidInput, NotFound
from desk.priority import raise_priority
from desk.reference import format_ref, parse_ref
from desk.ticket_records import TicketRecords, clip
from store import tickets
from store.db import unit_of_work
from store.models import ResolverGroup
from store.types import utcnow


@dataclass(frozen=True)
class Escalated:
    ref: str
    before: str
    after: str
    contacts: tuple[str, ...]  # "Name (phone, e-mail)" of the group's escalation contacts
    operator_told: bool


class Escalations:
    def __init__(self, factory: sessionmaker[Session], records: TicketRecords,
                 chat: ChatNotices) -> None:  # fmt: skip
        self.factory, self.records, self.chat = factory, records, chat

    def escalate(self, ref: str, reason: str, actor: Actor) -> Escalated:
        if not reason or not reason.strip():
            raise InvalidInput("an escalation needs a reason")
        reason = reason.strip()
        with unit_of_work(self.factory) as session:
            ticket = tickets.get(session, parse_ref(ref), for_update=True)
            if ticket is None:
                raise NotFound(f"no ticket {format_ref(parse_ref(ref))}")
            ref = format_ref(ticket.id)
            if not lifecycle.is_open(ticket.status):
                raise InvalidInput(f"{ref} is {ticket.status}; reopen it before escalating")
            before, after = ticket.priority, raise_priority(ticket.priority)
            self.records.audit(session, ticket, actor, "escalate", before, after, clip(reason))
            ticket.priority, ticket.priority_reason = after, f"escalated: {reason}"
            ticket.updated_at = utcnow()
            contacts = _contacts(session, ticket.resolver_key)
            text = (f":rotating_light: {ref} escalated by {actor.name}: {reason} "
                    f"(priority {before} → {after}, group {ticket.resolver_key or 'none'})")
            if contacts:
                text += "\nEscalation contacts: " + "; ".join(contacts)
            self.records.message(session, ticket, "note", actor, text)
            operator = session.get(ResolverGroup, OPERATOR_GROUP)
            channel = operator.slack_channel if operator is not None and operator.active else None
            self.chat.escalated(session, ticket, channel, text)
            told = bool(channel)
            return Escalated(ref, before, after, tuple(contacts), told)


def _contacts(session: Session, group_key: str | None) -> list[str]:
    group = session.get(ResolverGroup, group_key) if group_key else None
    found = []
    for contact in (group.escalation_contacts if group is not None else None) or []:
        ways = ", ".join(v for v in (contact.get("phone"), contact.get("email")) if v)
        found.append(f"{contact.get('name')} ({ways})" if ways else str(contact.get("name")))
    return found
