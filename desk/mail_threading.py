"""Which ticket an inbound e-mail belongs to, and whether its sender may join it.

A reply joins its ticket by In-Reply-To/References against Message-IDs the desk has received
or sent, or by the [SD-000123] tag in the subject — but only when the sender belongs to the
ticket's organisation or assigned resolver group, is its requester, or is a desk person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desk.reference import TAG
from store import tickets
from store.directory import Sender
from store.models import Message, Ticket

_TICKET_OF_MESSAGE = (select(Message.ticket_id)
                      .where(Message.email_message_id.in_(bindparam("ids", expanding=True)))
                      .limit(1))  # fmt: skip


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    how: str  # "in-reply-to", "references" or "subject tag"
    allowed: bool
    as_provider: bool  # the sender is the ticket's resolver group (or one of its people)


def find_thread(
    session: Session, sender: Sender, in_reply_to: str | None, references: Sequence[str],
    subject: str,
) -> ThreadMatch | None:  # fmt: skip
    with session.no_autoflush:  # look-ups: the ORM's pending changes do not bear on them
        return _find(session, sender, in_reply_to, references, subject)


def _find(session: Session, sender: Sender, in_reply_to: str | None, references: Sequence[str],
          subject: str) -> ThreadMatch | None:  # fmt: skip
    for how, ids in (("in-reply-to", [in_reply_to] if in_reply_to else []),
                     ("references", list(reversed(references)))):  # fmt: skip
        ids = [i for i in ids if i][:50]
        if not ids:
            continue
        ticket_id = session.scalar(_TICKET_OF_MESSAGE, {"ids": ids})
        if ticket_id is not None:
            return _judge(session, sender, ticket_id, how)
    for match in TAG.finditer(subject[:2000]):
        match_ = _judge(session, sender, int(match.group(1)), "subject tag")
        if match_ is not None:
            return match_
    return None


def _judge(session: Session, sender: Sender, ticket_id: int, how: str) -> ThreadMatch | None:
    ticket = tickets.get(session, ticket_id, for_update=True, mpxns=False)  # not read here
    if ticket is None:
        return None
    provider = ticket.resolver_key is not None and (
        sender.resolver == ticket.resolver_key
        or (sender.person is not None and sender.person.resolver_key == ticket.resolver_key)
    )
    desk_person = sender.person is not None and sender.person.role in ("agent", "operator")
    same_org = sender.organisation is not None and sender.organisation.id == ticket.organisation_id
    requester = ticket.requester_email is not None and ticket.requester_email == sender.email
    allowed = provider or desk_person or same_org or requester
    return ThreadMatch(ticket, how, allowed, provider)


def is_desk_message(session: Session, message_id: str | None, desk_domain: str) -> bool:
    """True when this Message-ID is one the desk itself sent: the desk never answers itself."""
    if not message_id or not message_id.lower().endswith("@" + desk_domain):
        return False
    found = session.scalar(
        select(Message.id)
        .where(Message.email_message_id == message_id, Message.kind == "outbound_email")
        .limit(1)
    )
    return found is not None
