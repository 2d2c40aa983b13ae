"""Turns each spooled e-mail into exactly one visible outcome, one message at a time.

Outcomes: ticket_created, reply_added, auto_reply, bounce, duplicate (decided at the spool),
quarantined (processing failed: error and traceback kept, nothing else stops) and rejected
(not something the desk can act on, e.g. no sender at all). The ticket change and the spool
row's outcome are committed together, so a crash re-processes a message rather than losing or
doubling it.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desk import lifecycle
from desk.actor import Actor
from desk.mail_threading import ThreadMatch, find_thread, is_desk_message
from desk.reference import format_ref
from desk.tickets import NewAttachment, NewTicket, TicketService
from intake.message import InboundMessage
from store import inbound
from store.db import DatabaseUnavailable, unit_of_work
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
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Work:
    id: int
    source: str | None
    raw: bytes
    size: int
    from_addr: str | None


@dataclass
class Batch:
    """What messages of one batch share: the directory, and tickets per sender this hour."""

    directory: DirectorySnapshot
    recent: Counter[str]


@dataclass(frozen=True)
class Processed:
    inbound_id: int
    source: str | None
    outcome: str
    ticket_ref: str | None


def summary(message: InboundMessage) -> dict[str, Any]:
    """The parsed fields kept on the spool row (and printed by `inbound list --json`)."""
    return {
        "from_addr": message.from_addr, "from_name": message.from_name,
        "subject": message.subject, "message_id": message.message_id,
        "in_reply_to": message.in_reply_to, "is_auto_reply": message.is_auto_reply,
        "auto_reply_reason": message.auto_reply_reason, "is_bounce": message.is_bounce,
        "bounce_recipients": list(message.bounce_recipients),
        "attachment_names": message.attachment_names, "auth_results": message.auth_results,
        "body_text": message.body_text[:20_000], "defects": list(message.defects[:20]),
    }  # fmt: skip


class InboundProcessor:
    def __init__(
        self,
        factory: sessionmaker[Session],
        parse: Callable[[bytes], InboundMessage],
        tickets: TicketService,
        policy: IntakePolicy,
    ) -> None:
        self.factory, self.parse, self.tickets, self.policy = factory, parse, tickets, policy
        self.desk_domain = tickets.desk.email.rsplit("@", 1)[-1].lower()

    # --- running ---------------------------------------------------------------------------

    def process_pending(self, ids: Sequence[int] | None = None, batch: int = 50) -> list[Processed]:
        """Process due spool rows (only `ids`, when given) until none is left."""
        done: list[Processed] = []
        while True:
            with unit_of_work(self.factory) as session:
                token, rows = inbound.claim(session, batch, self.policy.lease, ids=ids)
                work = [Work(r.id, r.source, r.raw, r.size, r.from_addr) for r in rows]
            if not work:
                return done
            done.extend(self._process_batch(token, work))

    def run(self, stop: threading.Event, wake: threading.Event, poll_seconds: float = 5.0) -> None:
        log.info("inbound processor started")
        while not stop.is_set():
            wake.clear()
            try:
                self.process_pending()
            except Exception:  # noqa: BLE001 - e.g. the database is down: wait and go on
                log.exception("inbound processor: cannot process now; will retry")
            wake.wait(poll_seconds)
        log.info("inbound processor stopped")

    def _process_batch(self, token: str, work: list[Work]) -> list[Processed]:
        """One transaction for the batch and a savepoint for each message in it.

        A message that fails rolls back to its savepoint and is quarantined; the rest go on.
        A database failure abandons the whole batch, whose claim lapses and is taken again.
        """
        parsed = [self._parse(item.raw) for item in work]  # CPU only: outside the transaction
        finished: list[dict[str, Any]] = []
        results: list[Processed] = []
        with unit_of_work(self.factory) as session:
            batch = Batch(
                DirectorySnapshot.load(session),
                self._recent_tickets(session, [i.from_addr for i in work]),
            )
            for item, (message, summary_, parse_error) in zip(work, parsed, strict=True):
                try:
                    if parse_error is not None:
                        raise parse_error
                    with session.begin_nested():
                        result = self._decide(session, batch, message, item.size)
                except (OperationalError, DatabaseUnavailable):
                    raise
                except Exception as exc:  # noqa: BLE001 - quarantine this one message, go on
                    log.error("inbound %s quarantined: %s", item.id, exc, exc_info=exc)
                    finished.append(
                        inbound.outcome_values(
                            item.id,
                            inbound.QUARANTINED,
                            "quarantined",
                            parsed=summary_,
                            error=f"{type(exc).__name__}: {exc}"[:2000],
                            traceback="".join(traceback.format_exception(exc))[-20_000:],
                        )
                    )
                    results.append(Processed(item.id, item.source, "quarantined", None))
                    continue
                ticket_id = result.ticket.id if result.ticket else None
                finished.append(
                    inbound.outcome_values(
                        item.id,
                        inbound.DONE,
                        result.outcome,
                        parsed=summary_,
                        ticket_id=ticket_id,
                        detail=result.detail,
                    )
                )
                ref = format_ref(ticket_id) if ticket_id else None
                log.info("inbound %s: %s %s", item.id, result.outcome, ref or result.detail or "")
                results.append(Processed(item.id, item.source, result.outcome, ref))
            inbound.finish_many(session, token, finished)
        return results

    def _parse(self, raw: bytes) -> tuple[InboundMessage | None, dict[str, Any] | None,
                                          Exception | None]:  # fmt: skip
        try:
            message = self.parse(raw)
            return message, summary(message), None
        except Exception as exc:  # noqa: BLE001 - the parser should never raise; if it does
            return None, None, exc

    def _recent_tickets(self, session: Session, senders: Sequence[str | None]) -> Counter[str]:
        """Tickets each sender opened in the last hour, for the acknowledgement limit."""
        addresses = sorted({s for s in senders if s})
        if not addresses:
            return Counter()
        since = utcnow() - timedelta(hours=1)
        rows = session.execute(
            select(Ticket.requester_email, func.count())
            .where(Ticket.requester_email.in_(addresses), Ticket.created_at >= since)
            .group_by(Ticket.requester_email)
        )  # fmt: skip
        return Counter({address: count for address, count in rows})

    # --- deciding --------------------------------------------------------------------------

    def _decide(self, session: Session, batch: Batch, m: InboundMessage, size: int) -> Outcome:
        if size > self.policy.max_message_bytes:
            return Outcome("rejected", detail=f"over the size limit ({size} bytes)")
        if m.is_bounce:
            return self._bounce(session, m)
        if not m.from_addr:
            return Outcome("rejected", detail="no sender address")
        if m.from_addr in self.policy.desk_addresses or is_desk_message(
            session, m.message_id, self.tickets.desk.email.rsplit("@", 1)[-1].lower()
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
        if ticket.status == lifecycle.RESOLVED:
            if ticket.resolved_at and utcnow() - ticket.resolved_at > self.policy.reopen_window:
                return None
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
