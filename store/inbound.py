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

from sqlalchemy import or_, select
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


def spool(session: Session, raw: bytes, envelope: Envelope) -> Spooled:
    """Store the message; a copy already spooled (same bytes, or same Message-ID and sender)
    is kept too, marked as a duplicate of the first, so the decision stays visible."""
    digest = hashlib.sha256(raw).hexdigest()
    message_id, from_addr = sniff(raw)
    message_key = (
        hashlib.sha256(f"{message_id}\0{from_addr}".encode("utf-8", "replace")).hexdigest()
        if message_id and from_addr
        else None
    )
    fields: dict[str, Any] = {
        "received_via": envelope.received_via, "source": envelope.source,
        "mail_from": envelope.mail_from, "rcpt_to": list(envelope.rcpt_to), "raw": raw,
        "size": len(raw), "sha256": digest, "message_id": message_id, "from_addr": from_addr,
        "received_at": utcnow(), "attempts": 0,
    }  # fmt: skip
    original = _original(session, digest, message_key)
    if original is None:
        record = InboundRecord(
            **fields, first_sha256=digest, first_message_key=message_key, state=PENDING
        )
        try:
            with session.begin_nested():
                session.add(record)
            return Spooled(record.id, None)
        except IntegrityError:  # another process spooled the same message a moment ago
            original = _original(session, digest, message_key)
    record = InboundRecord(
        **fields,
        state=DONE,
        outcome="duplicate",
        duplicate_of=original,
        detail=f"duplicate of inbound {original}",
        processed_at=utcnow(),
    )
    session.add(record)
    session.flush()
    return Spooled(record.id, original)


def _original(session: Session, digest: str, message_key: str | None) -> int | None:
    condition = InboundRecord.first_sha256 == digest
    if message_key:
        condition = or_(condition, InboundRecord.first_message_key == message_key)
    return session.scalar(select(InboundRecord.id).where(condition).limit(1))


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


def finish(session: Session, row_id: int, token: str, **values: Any) -> bool:
    return claims.finish(session, InboundRecord, row_id, token, **values)


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
