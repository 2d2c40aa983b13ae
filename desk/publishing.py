"""Sends due broadcasts: one e-mail per recipient and a post per announcement channel, each
recorded in the delivery ledger in the same transaction as its outbox row, so a broadcast
reaches each recipient once — across restarts and several `serve` processes."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desk.broadcast.audience import OrgAudience, parse_audience, select_recipients
from desk.broadcast.calendar import ChangeInfo, calendar_bytes
from desk.broadcast.digest import digest_content
from desk.broadcast.render import render_markdown
from desk.broadcast.services import SERVICES
from desk.broadcast.times import LONDON, local
from desk.broadcast_refs import format_bulletin_ref, format_change_ref
from desk.ticket_records import DeskIdentity
from store import broadcasts, outbox
from store.db import unit_of_work
from store.models import Broadcast, BroadcastDelivery, Bulletin, Change, OutboxRow
from store.types import utcnow

log = logging.getLogger("switchdesk.broadcasts")

HEADINGS = {"bulletin": "", "bulletin_update": "Update: ", "bulletin_resolved": "Resolved: ",
            "change": "Planned change: ", "change_amended": "Amended: ",
            "change_cancelled": "Cancelled: ", "change_reminder": "Reminder: "}  # fmt: skip


def audience_pool(session: Session) -> list[OrgAudience]:
    return [OrgAudience(name, roles, contacts)
            for name, roles, contacts in broadcasts.audience_rows(session)]  # fmt: skip


def change_info(change: Change) -> ChangeInfo:
    return ChangeInfo(ref=format_change_ref(change.id), title=change.title,
                      provider=change.provider, services=tuple(change.services),
                      start=change.start_at, end=change.end_at, impact=change.impact,
                      status=change.status, sequence=change.sequence,
                      updated_at=change.updated_at)  # fmt: skip


@dataclass(frozen=True)
class PublishingPolicy:
    announcement_channels: tuple[str, ...] = ()
    grace: timedelta = timedelta(hours=6)  # a broadcast missed by longer is not sent late
    lease: timedelta = timedelta(minutes=5)
    poll_seconds: float = 15.0


class BroadcastPublisher:
    def __init__(self, factory: sessionmaker[Session], desk: DeskIdentity,
                 policy: PublishingPolicy) -> None:  # fmt: skip
        self.factory, self.desk, self.policy = factory, desk, policy
        self.domain = desk.email.rsplit("@", 1)[-1].lower()

    def run_due(self, now: datetime | None = None) -> int:
        """Publish every broadcast that is due; return how many."""
        published = 0
        while True:
            moment = now or utcnow()
            with unit_of_work(self.factory) as session:
                _, due = broadcasts.claim_due(session, 5, self.policy.lease, moment)
                for broadcast in due:
                    self._publish(session, broadcast, moment)
                published += len(due)
            if not due:
                return published

    def _publish(self, session: Session, broadcast: Broadcast, now: datetime) -> None:
        late = now - broadcast.due_at
        if late > self.policy.grace:
            broadcast.state, broadcast.detail = "missed", f"missed by {late}; beyond the grace"
            broadcast.claim_token = broadcast.lease_until = None
            log.warning("broadcast %s missed by %s: not sent", broadcast.id, late)
            return
        owner = _owner(session, broadcast)
        audience = owner.audience if owner is not None else ["all"]
        recipients = select_recipients(parse_audience(audience), audience_pool(session))
        done = broadcasts.delivered_to(session, broadcast.id)
        thread = broadcasts.thread_before(session, broadcast)
        ledger: list[tuple[str, str | None, OutboxRow]] = []
        for recipient in recipients:
            if recipient.email not in done:
                payload = self._email(broadcast, owner, recipient.email, thread)
                row = OutboxRow(channel="email", payload=payload, state=outbox.PENDING,
                                attempts=0, next_attempt_at=now, created_at=now)
                ledger.append((recipient.email, recipient.organisation, row))
        for channel in self.policy.announcement_channels:
            if f"slack:{channel}" not in done:
                row = OutboxRow(channel="slack", payload=self._post(broadcast, channel),
                                state=outbox.PENDING, attempts=0, next_attempt_at=now,
                                created_at=now)  # fmt: skip
                ledger.append((f"slack:{channel}", None, row))
        session.add_all(row for _, _, row in ledger)
        session.flush()
        session.add_all(BroadcastDelivery(broadcast_id=broadcast.id, recipient=recipient,
                                          organisation=organisation, outbox_id=row.id,
                                          created_at=now)
                        for recipient, organisation, row in ledger)  # fmt: skip
        broadcast.state, broadcast.sent_at = "sent", now
        broadcast.claim_token = broadcast.lease_until = None
        if isinstance(owner, Bulletin) and owner.state == "scheduled":
            owner.state = "published"
        log.info("broadcast %s (%s v%d) queued for %d recipients", broadcast.id, broadcast.kind,
                 broadcast.version, len(ledger))

    def enqueue_digest(self, slot: datetime, weeks: int, now: datetime | None = None) -> bool:
        """Queue the digest for the schedule slot `slot` unless it exists; True if queued.

        The slot names the digest, so two processes firing the same schedule make one.
        """
        now = now or utcnow()
        if now - slot > self.policy.grace:
            log.warning("digest for %s is beyond the grace; not sent late", local(slot))
            return False
        key = f"digest:{slot.astimezone(UTC):%Y-%m-%dT%H:%MZ}"
        with unit_of_work(self.factory) as session:
            if broadcasts.exists_key(session, key):
                return False
            end = slot + timedelta(weeks=weeks)
            changes = [change_info(c) for c in broadcasts.changes_meeting(session, slot, end)]
            title, body = digest_content(changes, slot, end)
            snapshot = {"changes": [c.to_json() for c in changes]}
            try:
                with session.begin_nested():
                    session.add(Broadcast(kind="digest", version=0, title=title, body=body,
                                          due_at=slot, state="scheduled", key=key,
                                          snapshot=snapshot, created_at=now))  # fmt: skip
            except IntegrityError:  # the other process made it a moment ago
                return False
        log.info("digest for %s queued (%d changes)", local(slot), len(changes))
        return True

    # --- content ---------------------------------------------------------------------------

    def _message_id(self, stream: str, broadcast_id: int, recipient: str) -> str:
        """Deterministic, so later notices can name earlier ones for each recipient."""
        tag = hashlib.sha1(recipient.lower().encode()).hexdigest()[:16]
        return f"{stream.lower()}.b{broadcast_id}.{tag}@{self.domain}"

    def _email(self, broadcast: Broadcast, owner: Bulletin | Change | None, recipient: str,
               thread: list[int]) -> dict[str, Any]:  # fmt: skip
        stream = _stream(broadcast)
        text, html = render_markdown(broadcast.body)
        heading = f"[{stream}] {HEADINGS.get(broadcast.kind, '')}{broadcast.title}"
        if broadcast.kind == "digest":
            heading = broadcast.title
        # The first notice and the one before this: clients thread on either.
        earlier = [self._message_id(stream, b, recipient)
                   for b in dict.fromkeys([*thread[:1], *thread[-1:]])]  # fmt: skip
        services = owner.services if owner is not None else []
        context: dict[str, Any] = {
            "heading": heading, "ref": stream, "desk_name": self.desk.name, "body_text": text,
            "body_html": html, "services": ", ".join(SERVICES.get(s, s) for s in services),
            "severity": owner.severity.replace("_", " ") if isinstance(owner, Bulletin) else "",
            "window": "",
        }  # fmt: skip
        payload: dict[str, Any] = {
            "template": "broadcast", "to": [recipient], "subject": heading, "context": context,
            "message_id": self._message_id(stream, broadcast.id, recipient),
            "in_reply_to": earlier[-1] if earlier else None, "references": earlier,
            "auto_submitted": "auto-generated",
            "headers": {"List-Id": f"{_list_name(broadcast)} <{stream.lower()}.broadcasts."
                                   f"{self.domain}>", "Precedence": "bulk"},
        }  # fmt: skip
        change = _change_as_notified(broadcast)
        if change is not None:
            context["window"] = _window(change)
            context["severity"] = change.status.replace("_", " ")
        calendar = self._calendar(broadcast)
        if calendar is not None:
            infos, method = calendar
            organizer = (self.desk.name, self.desk.email)
            payload["attachments"] = [{
                "filename": f"{stream.lower()}.ics", "content_type": "text/calendar",
                "params": {"method": method},
                "text": calendar_bytes(infos, self.domain, method, organizer).decode("utf-8"),
            }]  # fmt: skip
        return payload

    @staticmethod
    def _calendar(broadcast: Broadcast) -> tuple[list[ChangeInfo], str] | None:
        """The calendar entries a notice carries, as they stood when it was made."""
        snapshot = broadcast.snapshot or {}
        if broadcast.kind == "digest":
            infos = [ChangeInfo.from_json(c) for c in snapshot.get("changes", [])]
            return (infos, "PUBLISH") if infos else None
        info = _change_as_notified(broadcast)
        if info is None or broadcast.kind == "change_reminder":
            return None
        return [info], "CANCEL" if info.status == "cancelled" else "REQUEST"

    def _post(self, broadcast: Broadcast, channel: str) -> dict[str, Any]:
        stream = _stream(broadcast)
        text, _ = render_markdown(broadcast.body)
        heading = f"[{stream}] {HEADINGS.get(broadcast.kind, '')}{broadcast.title}"
        change = _change_as_notified(broadcast)
        if change is not None:  # when it happens comes first: that is what people plan by
            heading += f"\n{_window(change)} · {change.status.replace('_', ' ')}"
        return {"kind": "post", "channel": channel, "text": _cut(f"*{heading}*\n{text}", stream),
                "thread_key": stream}


SLACK_TEXT_LIMIT = 3900


def _cut(text: str, stream: str) -> str:
    """Slack refuses longer text; a cut notice says where the whole of it is."""
    if len(text) <= SLACK_TEXT_LIMIT:
        return text
    pointer = f"\n… (cut here: the whole of {stream} is in its e-mail)"
    return text[: SLACK_TEXT_LIMIT - len(pointer)] + pointer


def _change_as_notified(broadcast: Broadcast) -> ChangeInfo | None:
    """The change as it stood when this notice was made (digests list several: None)."""
    if broadcast.kind == "digest" or not broadcast.snapshot:
        return None
    return ChangeInfo.from_json(broadcast.snapshot)


def _window(change: ChangeInfo) -> str:
    return f"{local(change.start)} to {local(change.end)}"


def _owner(session: Session, broadcast: Broadcast) -> Bulletin | Change | None:
    if broadcast.bulletin_id:
        return session.get(Bulletin, broadcast.bulletin_id)
    if broadcast.change_id:
        return session.get(Change, broadcast.change_id)
    return None


def _stream(broadcast: Broadcast) -> str:
    """The thread a broadcast belongs to: its bulletin or change, or the week's digest."""
    if broadcast.bulletin_id:
        return format_bulletin_ref(broadcast.bulletin_id)
    if broadcast.change_id:
        return format_change_ref(broadcast.change_id)
    return f"FSC-{broadcast.due_at.astimezone(LONDON):%Y%m%d}"


def _list_name(broadcast: Broadcast) -> str:
    if broadcast.bulletin_id:
        return "Service bulletins"
    return "Forward schedule of change"
