"""The use cases Slack calls (`desk.chat.ChatDesk`), each authorized by the caller's directory
role and audited as "Name (Slack id)" on channel "slack" with the Slack channel in the detail.

Repeats are answered, not failed: acknowledging a ticket already in progress or resolving one
already resolved changes nothing and says so, so a retried click never posts twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from desk import lifecycle
from desk.actor import Actor
from desk.broadcast.times import parse_when
from desk.bulletins import BulletinService, NewBulletin
from desk.changes import ChangeService
from desk.chat import BulletinDraft, ChatCaller, HomeView, PhoneCall, Ticket
from desk.chat_auth import ChatUser, require_act, require_desk, require_read, unknown_user
from desk.errors import InvalidInput, NotFound, Unauthorised
from desk.escalation import Escalations
from desk.reference import format_ref, parse_ref
from desk.ticket_views import TicketQueries, summary
from desk.tickets import NewTicket, TicketService
from store import directory, slack_inbound, slack_threads, tickets
from store.db import unit_of_work
from store.tickets import TicketFilter
from store.types import utcnow

KbSearch = Callable[[str, int], list[dict[str, Any]]]
LIST_LIMIT = 20
PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class _State:
    ref: str
    group: str | None
    status: str


class ChatOps:
    def __init__(self, factory: sessionmaker[Session], tickets: TicketService,
                 queries: TicketQueries, escalations: Escalations, kb_search: KbSearch,
                 bulletins: BulletinService, changes: ChangeService) -> None:  # fmt: skip
        self.factory, self.tickets, self.queries = factory, tickets, queries
        self.escalations, self.kb_search = escalations, kb_search
        self.bulletins, self.changes_service = bulletins, changes

    # --- deliveries ------------------------------------------------------------------------

    def first_delivery(self, key: str) -> bool:
        with unit_of_work(self.factory) as session:
            return slack_inbound.mark_seen(session, key)

    def forget_delivery(self, key: str) -> None:
        with unit_of_work(self.factory) as session:
            slack_inbound.forget(session, key)

    # --- reading ---------------------------------------------------------------------------

    def check_known(self, who: ChatCaller) -> None:
        self._user(who)

    def show(self, who: ChatCaller, ref: str) -> Ticket:
        user = self._user(who)
        view = self.queries.show(ref)
        require_read(user, view["ref"], view["resolver"])
        return view

    def mine(self, who: ChatCaller) -> tuple[str, list[Ticket]]:
        user = self._user(who)
        if user.role == "resolver":
            return self.queue(who, None)
        with unit_of_work(self.factory) as session:
            found = slack_inbound.open_tickets_acted_on(session, f"({user.slack_user_id})",
                                                        LIST_LIMIT)  # fmt: skip
            return "Open tickets you have acted on", [summary(t) for t in found]

    def queue(self, who: ChatCaller, group: str | None) -> tuple[str, list[Ticket]]:
        user = self._user(who)
        if user.role == "resolver":
            if group not in (None, user.group):
                raise Unauthorised(f"you can only see your own group's queue ({user.group})")
            group = user.group
        if group is not None:
            self._check_group(group)
        found = self.queries.list(TicketFilter(status="open", resolver=group, limit=LIST_LIMIT))
        return (f"Open tickets of {group}" if group else "All open tickets"), found

    def groups(self) -> list[tuple[str, str]]:
        with unit_of_work(self.factory) as session:
            keys = sorted(directory.resolver_keys(session))
            return [(k, g.name) for k in keys if (g := directory.resolver_group(session, k))]

    def kb(self, who: ChatCaller, query: str) -> list[dict[str, Any]]:
        self._user(who)
        if not query.strip():
            raise InvalidInput("give some text to search for, e.g. `/desk kb RMP not found`")
        return self.kb_search(query, 5)

    def changes(self, who: ChatCaller) -> list[dict[str, Any]]:
        require_desk(self._user(who), "see the schedule of change here")
        return self.changes_service.list()

    def home(self, who: ChatCaller) -> HomeView:
        user = self._user(who)
        title, queue = self.mine(who)
        group = user.group if user.role == "resolver" else None
        window = self.queries.sla.at_risk_window
        at_risk = self.queries.at_risk(resolver=group, limit=10)
        hours = f"{window.total_seconds() / 3600:g} h"
        return HomeView(who=f"{user.name} ({user.role}{', ' + user.group if group else ''})",
                        queue_title=title, queue=queue,
                        at_risk_title=f"At risk of SLA breach (resolution due within {hours}, "
                                      "or overdue)",
                        at_risk=at_risk)  # fmt: skip

    # --- changing tickets ------------------------------------------------------------------

    def assign(self, who: ChatCaller, ref: str, group: str) -> str:
        user, state = self._acting(who, ref)
        self._check_group(group)
        if state.group == group and state.status != lifecycle.NEW:
            return f"{state.ref} is already with {group}: nothing changed"
        self.tickets.assign(state.ref, group, self._actor(user, who))
        return f"{state.ref} assigned to {group}"

    def set_priority(self, who: ChatCaller, ref: str, priority: str, reason: str) -> str:
        user, state = self._acting(who, ref)
        self.tickets.set_priority(state.ref, priority, reason, self._actor(user, who))
        return f"{state.ref} priority set to {priority.upper()}: {reason.strip()}"

    def set_status(self, who: ChatCaller, ref: str, status: str) -> str:
        lifecycle.check_status(status)
        if status == lifecycle.RESOLVED:
            raise InvalidInput("use `/desk resolve REF text` so that the participant is told how")
        user, state = self._acting(who, ref)
        if state.status == status:
            return f"{state.ref} is already {status}: nothing changed"
        self.tickets.set_status(state.ref, status, self._actor(user, who))
        return f"{state.ref} is now {status}"

    def acknowledge(self, who: ChatCaller, ref: str) -> str:
        user, state = self._acting(who, ref)
        if state.status == lifecycle.IN_PROGRESS:
            return f"{state.ref} is already acknowledged (in progress): nothing changed"
        if not lifecycle.is_open(state.status):
            raise InvalidInput(f"{state.ref} is {state.status}: there is nothing to acknowledge")
        self.tickets.set_status(state.ref, lifecycle.IN_PROGRESS, self._actor(user, who),
                                "acknowledged")  # fmt: skip
        return f"{state.ref} acknowledged: in progress with {user.name}"

    def note(self, who: ChatCaller, ref: str, text: str, in_thread: bool = False) -> str:
        user, state = self._acting(who, ref)
        self.tickets.note(state.ref, text, self._actor(user, who),
                          written_in=who.channel_id if in_thread else None)  # fmt: skip
        return f"Internal note added to {state.ref}"

    def reply(self, who: ChatCaller, ref: str, text: str) -> str:
        user, state = self._acting(who, ref)
        self.tickets.reply(state.ref, text, self._actor(user, who))
        return f"Reply to the participant queued on {state.ref}'s e-mail thread"

    def resolve(self, who: ChatCaller, ref: str, text: str) -> str:
        user, state = self._acting(who, ref)
        if state.status == lifecycle.RESOLVED:
            return f"{state.ref} is already resolved: nothing changed"
        self.tickets.resolve(state.ref, text, self._actor(user, who))
        return f"{state.ref} resolved; the participant is told"

    def escalate(self, who: ChatCaller, ref: str, reason: str) -> str:
        user, state = self._acting(who, ref)
        done = self.escalations.escalate(state.ref, reason, self._actor(user, who))
        told = " The Switching Operator is told." if done.operator_told else ""
        contacts = f" Escalation contacts: {'; '.join(done.contacts)}." if done.contacts else ""
        return f"{done.ref} escalated: priority {done.before} → {done.after}.{told}{contacts}"

    def thread_note(self, who: ChatCaller, thread_ts: str, text: str) -> str | None:
        """A reply in a card's thread becomes an internal note; other threads are not ours."""
        if not who.channel_id:
            return None
        with unit_of_work(self.factory) as session:
            thread = slack_threads.find_by_ts(session, who.channel_id, thread_ts)
            ticket_id = thread.ticket_id if thread is not None else None
        if ticket_id is None:  # not a card's thread (a bulletin's, or someone's own)
            return None
        return self.note(who, format_ref(ticket_id), text, in_thread=True)

    # --- the desk's own work ---------------------------------------------------------------

    def check_act(self, who: ChatCaller, ref: str) -> None:
        self._acting(who, ref)

    def check_desk(self, who: ChatCaller, what: str) -> None:
        require_desk(self._user(who), what)

    def log_call(self, who: ChatCaller, call: PhoneCall) -> str:
        user = self._user(who)
        require_desk(user, "open tickets from Slack")
        email = call.from_email.strip().lower()
        if not _EMAIL.match(email):
            raise InvalidInput(f"not an e-mail address: {call.from_email!r}")
        new = NewTicket(requester_email=email, subject=call.subject, body=call.body,
                        type=call.type or None,
                        message_kind="phone" if call.via == "phone" else "chat")  # fmt: skip
        actor = Actor(user.label, call.via, self._where(who))
        return f"{self.tickets.open(new, actor)} opened for {email} ({call.via})"

    def create_bulletin(self, who: ChatCaller, draft: BulletinDraft) -> str:
        user = self._user(who)
        require_desk(user, "create bulletins")
        when = draft.publish_at.strip() if draft.publish_at else ""
        publish_at = parse_when(when, utcnow()) if when else None
        new = NewBulletin(title=draft.title, body=draft.body, severity=draft.severity,
                          services=draft.services, audience=draft.audience or ("all",),
                          publish_at=publish_at)  # fmt: skip
        ref = self.bulletins.create(new, self._actor(user, who))
        return f"Bulletin {ref} scheduled" + (f" for {when}" if when else " to publish now")

    # --- helpers ---------------------------------------------------------------------------

    def _user(self, who: ChatCaller) -> ChatUser:
        with unit_of_work(self.factory) as session:
            person = slack_inbound.person_by_slack_id(session, who.slack_user_id)
        if person is None:
            raise unknown_user(who.slack_user_id)
        return ChatUser(person.name, person.email, person.role, person.resolver_key,
                        who.slack_user_id)  # fmt: skip

    def _acting(self, who: ChatCaller, ref: str) -> tuple[ChatUser, _State]:
        user = self._user(who)
        state = self._state(ref)
        require_act(user, state.ref, state.group)
        return user, state

    def _state(self, ref: str) -> _State:
        ticket_id = parse_ref(ref)
        with unit_of_work(self.factory) as session:
            ticket = tickets.get(session, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket {format_ref(ticket_id)}")
            return _State(format_ref(ticket.id), ticket.resolver_key, ticket.status)

    def _check_group(self, group: str) -> None:
        with unit_of_work(self.factory) as session:
            if directory.resolver_group(session, group) is None:
                known = ", ".join(sorted(directory.resolver_keys(session)))
                raise InvalidInput(f"unknown resolver group {group!r} (known: {known})")

    def _actor(self, user: ChatUser, who: ChatCaller) -> Actor:
        return Actor(user.label, "slack", self._where(who))

    @staticmethod
    def _where(who: ChatCaller) -> str | None:
        return f"slack channel {who.channel_id}" if who.channel_id else None
