"""Turns each spooled e-mail into exactly one visible outcome, in batches.

Outcomes: ticket_created, reply_added, auto_reply, bounce, duplicate (decided at the spool),
quarantined (processing failed: error and traceback kept, nothing else stops) and rejected
(not something the desk can act on, e.g. no sender at all). The ticket change and the spool
row's outcome are committed together, so a crash re-processes a message rather than losing or
doubling it. What each message becomes is decided by desk.mail_router.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desk.mail_router import Batch, IntakePolicy, MailRouter
from desk.reference import format_ref
from desk.tickets import TicketService
from intake.message import InboundMessage
from store import inbound, writes
from store.db import DatabaseUnavailable, unit_of_work
from store.directory import DirectorySnapshot
from store.models import Ticket
from store.types import utcnow

log = logging.getLogger("switchdesk.intake")

__all__ = ["InboundProcessor", "IntakePolicy", "Processed", "summary"]


@dataclass(frozen=True)
class Work:
    id: int
    source: str | None
    raw: bytes
    size: int
    from_addr: str | None


@dataclass(frozen=True)
class Processed:
    inbound_id: int
    source: str | None
    outcome: str
    ticket_ref: str | None
    detail: str | None = None  # for the log


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


# the parsed message, its summary for the spool row, or what the parser raised
Parsed = tuple[InboundMessage | None, dict[str, Any] | None, Exception | None]
SERVE_BATCH = 10
ARRIVAL_PAUSE_SECONDS = 0.05


class InboundProcessor:
    def __init__(
        self,
        factory: sessionmaker[Session],
        parse: Callable[[bytes], InboundMessage],
        tickets: TicketService,
        policy: IntakePolicy,
    ) -> None:
        self.factory, self.parse, self.policy = factory, parse, policy
        self.router = MailRouter(tickets, policy)

    # --- running ---------------------------------------------------------------------------

    def process_pending(self, ids: Sequence[int] | None = None, batch: int = 50) -> list[Processed]:
        """Process due spool rows (only `ids`, when given) until none is left.

        Named ids are claimed a batch's worth at a time (a claim costs more the more ids it
        lists), then again among those this call has not processed, until none is due.
        """
        if ids is None:
            return self._drain(None, batch)
        done: list[Processed] = []
        for start in range(0, len(ids), batch):
            done.extend(self._claim_and_process(ids[start : start + batch], batch))
        processed = {p.inbound_id for p in done}
        rest = [i for i in ids if i not in processed]
        if rest:
            done.extend(self._drain(rest, batch))
        return done

    def _drain(self, ids: Sequence[int] | None, batch: int) -> list[Processed]:
        done: list[Processed] = []
        while found := self._claim_and_process(ids, batch):
            done.extend(found)
        return done

    def _claim_and_process(self, ids: Sequence[int] | None, batch: int) -> list[Processed]:
        with unit_of_work(self.factory) as session:
            token, rows = inbound.claim(session, batch, self.policy.lease, ids=ids)
            work = [Work(r.id, r.source, r.raw, r.size, r.from_addr) for r in rows]
        return self._process_batch(token, work) if work else []

    def run(self, stop: threading.Event, wake: threading.Event, poll_seconds: float = 5.0) -> None:
        """Process what is spooled until stopped. Small batches keep the database's write lock
        short, and while mail is arriving each batch is followed by a pause: the SMTP edge,
        whose senders are waiting for their answer, goes first; the backlog waits."""
        log.info("inbound processor started")
        while not stop.is_set():
            wake.clear()
            try:
                while not stop.is_set() and self._claim_and_process(None, SERVE_BATCH):
                    if wake.is_set():
                        wake.clear()
                        stop.wait(ARRIVAL_PAUSE_SECONDS)
            except Exception:  # noqa: BLE001 - e.g. the database is down: wait and go on
                log.exception("inbound processor: cannot process now; will retry")
            wake.wait(poll_seconds)
        log.info("inbound processor stopped")

    def _process_batch(self, token: str, work: list[Work]) -> list[Processed]:
        """One transaction for the batch, its new rows written together (store.writes).

        Should a message fail, the batch is rolled back and done again with a savepoint for
        each message: the one that failed is quarantined and the rest go on. A database
        failure abandons the whole batch, whose claim lapses and is taken again.
        """
        parsed = [self._parse(item.raw) for item in work]  # CPU only: outside the transaction
        try:
            results = self._write_batch(token, work, parsed, isolated=False)
        except (OperationalError, DatabaseUnavailable, inbound.ClaimLost):
            raise
        except Exception:  # noqa: BLE001 - one message failed: find it, one at a time
            log.info("inbound batch of %d: a message failed; redoing them one by one", len(work))
            results = self._write_batch(token, work, parsed, isolated=True)
        for result in results:
            log.info("inbound %s: %s %s", result.inbound_id, result.outcome, result.detail or "")
        return results

    def _write_batch(self, token: str, work: list[Work], parsed: list[Parsed], isolated: bool
                     ) -> list[Processed]:  # fmt: skip
        finished: list[dict[str, Any]] = []
        results: list[Processed] = []
        with (
            unit_of_work(self.factory) as session,
            nullcontext() if isolated else writes.batched(session),  # rows go out together
        ):
            batch = Batch(
                DirectorySnapshot.load(session),
                self._recent_tickets(session, [i.from_addr for i in work]),
            )
            for item, (message, summary_, parse_error) in zip(work, parsed, strict=True):
                try:
                    if parse_error is not None:
                        raise parse_error
                    with _rows_of_message(session, isolated):
                        result = self.router.decide(session, batch, message, item.size)
                except (OperationalError, DatabaseUnavailable):
                    raise
                except Exception as exc:
                    if not isolated:
                        raise
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
                    results.append(Processed(item.id, item.source, "quarantined", None, f"{exc}"))
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
                results.append(
                    Processed(item.id, item.source, result.outcome, ref, ref or result.detail)
                )
            inbound.finish_many(session, token, finished)
        return results

    def _parse(self, raw: bytes) -> Parsed:
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


@contextmanager
def _rows_of_message(session: Session, isolated: bool) -> Iterator[None]:
    """Alone, a message's rows are written in its savepoint, which a failure rolls back."""
    if not isolated:
        yield
        return
    with session.begin_nested(), writes.batched(session):
        yield
