"""The inbound spool: write first, recognise duplicates, then hand out work to processors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import Any

from sqlalchemy import JSON, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import claims
from store.models import InboundRecord
from store.types import utcnow

PENDING, DONE, QUARANTINED = "pending", "done", "quarantined"
OUTCOMES = ("ticket_created", "reply_added", "auto_reply", "bounce", "duplicate",
            "quarantined", "rejected")  # fmt: skip
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADERS = BytesHeaderParser(policy=compat32)


@dataclass(frozen=True)
class Envelope:
    received_via: str  # smtp | imap | file
    source: str | None = None
    mail_from: str | None = None
    rcpt_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spooled:
    id: int
    duplicate_of: int | None


def sniff(raw: bytes) -> tuple[str | None, str | None]:
    """Message-ID and From address from the header block alone: cheap, and never raises."""
    try:
        match = _HEADER_END.search(raw, 0, 256_000)
        headers = _HEADERS.parsebytes(raw[: match.start()] if match else raw[:256_000])
        message_id = str(headers.get("Message-ID") or "").strip().strip("<>").strip() or None
        address = parseaddr(str(headers.get("From") or ""))[1].strip().lower() or None
        return (message_id[:998] if message_id else None), (address[:998] if address else None)
    except Exception:  # noqa: BLE001 - any header garbage: no keys, the bytes still dedupe
        return None, None


@dataclass
class _Prepared:
    fields: dict[str, Any]
    digest: str
    message_key: str | None


def _prepare(raw: bytes, envelope: Envelope) -> _Prepared:
    digest = hashlib.sha256(raw).hexdigest()
    message_id, from_addr = sniff(raw)
    key = (hashlib.sha256(f"{message_id}\0{from_addr}".encode("utf-8", "replace")).hexdigest()
           if message_id and from_addr else None)  # fmt: skip
    fields: dict[str, Any] = {
        "received_via": envelope.received_via, "source": envelope.source,
        "mail_from": envelope.mail_from, "rcpt_to": list(envelope.rcpt_to), "raw": raw,
        "size": len(raw), "sha256": digest, "message_id": message_id, "from_addr": from_addr,
        "received_at": utcnow(), "attempts": 0,
    }  # fmt: skip
    return _Prepared(fields, digest, key)


def spool(session: Session, raw: bytes, envelope: Envelope) -> Spooled:
    return spool_many(session, [(raw, envelope)])[0]


def spool_many(session: Session, messages: Sequence[tuple[bytes, Envelope]]) -> list[Spooled]:
    """Store the messages; a copy already spooled (same bytes, or same Message-ID and sender)
    is kept too, marked as a duplicate of the first, so the decision stays visible."""
    prepared = [_prepare(raw, envelope) for raw, envelope in messages]
    try:
        with session.begin_nested():
            return _spool_batch(session, prepared)
    except IntegrityError:  # another process spooled one of them a moment ago: one by one
        return [_spool_batch(session, [p])[0] for p in prepared]


def _spool_batch(session: Session, prepared: list[_Prepared]) -> list[Spooled]:
    keys = [k for p in prepared for k in (p.digest, p.message_key) if k]
    known: dict[str, int] = {}
    for row_id, digest, key in session.execute(
        select(InboundRecord.id, InboundRecord.first_sha256, InboundRecord.first_message_key)
        .where(or_(InboundRecord.first_sha256.in_(keys),
                   InboundRecord.first_message_key.in_(keys)))
    ):  # fmt: skip
        known.update({k: row_id for k in (digest, key) if k})
    firsts: dict[str, InboundRecord] = {}  # copies within this batch
    records: list[tuple[InboundRecord, int | None, InboundRecord | None]] = []
    for p in prepared:
        original = known.get(p.digest) or (known.get(p.message_key) if p.message_key else None)
        first = firsts.get(p.digest) or (firsts.get(p.message_key) if p.message_key else None)
        if original is None and first is None:
            record = InboundRecord(
                **p.fields, first_sha256=p.digest, first_message_key=p.message_key, state=PENDING
            )
            firsts.update({k: record for k in (p.digest, p.message_key) if k})
        else:
            record = InboundRecord(
                **p.fields,
                state=DONE,
                outcome="duplicate",
                duplicate_of=original,
                processed_at=utcnow(),
            )
        session.add(record)
        records.append((record, original, first))
    session.flush()
    spooled = []
    for record, original, first in records:
        if first is not None and original is None:
            original = record.duplicate_of = first.id
        if original is not None:
            record.detail = f"duplicate of inbound {original}"
        spooled.append(Spooled(record.id, original))
    return spooled


def claim(
    session: Session,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
    ids: Sequence[int] | None = None,
) -> tuple[str, list[InboundRecord]]:
    due = InboundRecord.state == PENDING
    if ids is not None:
        due = due & InboundRecord.id.in_(list(ids))
    return claims.claim(session, InboundRecord, due, [InboundRecord.id], limit, lease, now)


class ClaimLost(Exception):
    """Another processor took these rows over (our lease ran out): our results are void."""


def outcome_values(
    row_id: int,
    state: str,
    outcome: str,
    *,
    parsed: dict[str, Any] | None,
    ticket_id: int | None = None,
    detail: str | None = None,
    error: str | None = None,
    traceback: str | None = None,
) -> dict[str, Any]:
    return {"b_id": row_id, "b_state": state, "b_outcome": outcome, "b_parsed": parsed,
            "b_ticket_id": ticket_id, "b_detail": detail, "b_error": error,
            "b_traceback": traceback}  # fmt: skip


def finish_many(session: Session, token: str, rows: Sequence[dict[str, Any]]) -> None:
    """Record a batch's outcomes in one statement; all of them, or ClaimLost."""
    if not rows:
        return
    table = InboundRecord.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("b_id"), table.c.claim_token == token)
        .values(
            state=bindparam("b_state"), outcome=bindparam("b_outcome"),
            parsed=bindparam("b_parsed", type_=JSON), ticket_id=bindparam("b_ticket_id"),
            detail=bindparam("b_detail"), error=bindparam("b_error"),
            traceback=bindparam("b_traceback"), processed_at=utcnow(), claim_token=None,
            lease_until=None, attempts=table.c.attempts + 1,
        )
    )  # fmt: skip
    result = session.execute(statement, list(rows))
    if result.rowcount != len(rows):
        raise ClaimLost(f"{len(rows) - result.rowcount} of {len(rows)} rows were taken over")


def outcomes(session: Session, ids: Sequence[int], chunk: int = 1000
             ) -> dict[int, tuple[str | None, int | None]]:  # fmt: skip
    """(outcome, ticket id) of each spool row, asked in chunks: a bulk import can name more
    ids than a database takes parameters in one statement."""
    found: dict[int, tuple[str | None, int | None]] = {}
    for start in range(0, len(ids), chunk):
        query = select(InboundRecord.id, InboundRecord.outcome, InboundRecord.ticket_id).where(
            InboundRecord.id.in_(ids[start : start + chunk]))  # fmt: skip
        found.update((row_id, (outcome, ticket_id)) for row_id, outcome, ticket_id
                     in session.execute(query))  # fmt: skip
    return found


def listing(
    session: Session, outcome: str | None = None, limit: int = 100
) -> Sequence[InboundRecord]:
    query = select(InboundRecord).order_by(InboundRecord.id.desc()).limit(limit)
    if outcome == "pending":
        query = query.where(InboundRecord.state.in_([PENDING, claims.CLAIMED]))
    elif outcome:
        query = query.where(InboundRecord.outcome == outcome)
    return session.scalars(query).all()


def retry(session: Session, row_id: int) -> InboundRecord | None:
    record = session.get(InboundRecord, row_id)
    if record is not None:
        record.state, record.outcome, record.claim_token, record.lease_until = (
            PENDING,
            None,
            None,
            None,
        )
    return record
