"""The Slack deliverer's port over the database: cards as they stand, thread roots, alerts.

Each call is its own short transaction, so nothing here is held while the deliverer waits
for its pacing slot or for Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from desk.chat_port import TicketCard
from desk.reference import format_ref, parse_ref
from store import directory, outbox, slack_threads, tickets
from store.db import unit_of_work
from store.models import OutboxRow, Ticket

log = logging.getLogger("switchdesk.slack")

SlaDue = Callable[[Session, Ticket], datetime | None]
_TICKET_KEY = re.compile(r"^SD-\d+$")


def card_of(session: Session, ticket: Ticket, sla_due: SlaDue | None = None) -> TicketCard:
    triage = ticket.triage or {}
    group = directory.resolver_group(session, ticket.resolver_key) if ticket.resolver_key else None
    reasons = [ticket.priority_reason] if ticket.priority_reason else []
    reasons += [f"{hit['rule']}: {', '.join(hit.get('evidence') or [])}".rstrip(": ")
                for hit in triage.get("rules") or []]  # fmt: skip
    return TicketCard(
        ref=format_ref(ticket.id), status=ticket.status, priority=ticket.priority,
        type=ticket.type, summary=ticket.subject, category=ticket.category,
        organisation=ticket.organisation.name if ticket.organisation else None,
        requester=ticket.requester_name or ticket.requester_email,
        resolver=group.name if group else ticket.resolver_key,
        mpxns=tuple(m.value for m in ticket.mpxns), triage_summary=triage.get("summary"),
        reasons=tuple(reasons), sla_due=sla_due(session, ticket) if sla_due else None,
        updated_at=ticket.updated_at,
    )  # fmt: skip


class DbChatStore:
    def __init__(self, factory: sessionmaker[Session], alert_channel: str | None,
                 sla_due: SlaDue | None = None) -> None:  # fmt: skip
        self.factory, self.alert_channel, self.sla_due = factory, alert_channel, sla_due

    def card(self, ref: str) -> TicketCard | None:
        with unit_of_work(self.factory) as session:
            ticket = tickets.get(session, parse_ref(ref))
            return card_of(session, ticket, self.sla_due) if ticket is not None else None

    def thread_root(self, channel: str, thread_key: str) -> str | None:
        with unit_of_work(self.factory) as session:
            row = slack_threads.find(session, channel, thread_key)
            return row.ts if row is not None else None

    def record_root(self, channel: str, thread_key: str, ts: str, ticket_ref: str | None) -> str:
        ticket_id = parse_ref(ticket_ref) if ticket_ref and _TICKET_KEY.match(ticket_ref) else None
        with unit_of_work(self.factory) as session:
            return slack_threads.record(session, channel, thread_key, ts, ticket_id).ts

    def replace_root(self, channel: str, thread_key: str, ts: str) -> None:
        with unit_of_work(self.factory) as session:
            slack_threads.replace(session, channel, thread_key, ts)

    def attempted_before(self, row_id: int) -> bool:
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxRow, row_id)
            return row is not None and row.attempts > 0

    def alert(self, text: str) -> None:
        if not self.alert_channel:
            log.error("Slack delivery failed and no alert channel is set: %s", text)
            return
        with unit_of_work(self.factory) as session:
            payload = {"kind": "alert", "channel": self.alert_channel, "text": text}
            outbox.enqueue(session, "slack", payload)
