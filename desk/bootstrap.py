"""The composition root: the only place that turns settings into wired objects."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from bot.http_listener import HttpListener
from desk.bulletins import BulletinService
from desk.changes import ChangeService
from desk.chat_notices import ChatNotices
from desk.chat_ops import ChatOps
from desk.chat_store import DbChatStore
from desk.delivery import Deliverer, SkippingDeliverer
from desk.escalation import Escalations
from desk.inbound_processor import InboundProcessor, IntakePolicy
from desk.outbox_worker import OutboxPolicy, OutboxWorker
from desk.publishing import BroadcastPublisher, PublishingPolicy
from desk.schedules import BroadcastSchedule
from desk.settings import Settings
from desk.sla import SlaPolicy, parse_targets
from desk.sla_views import resolution_due
from desk.spooling import Incoming, Spooler
from desk.ticket_records import DeskIdentity, TicketRecords
from desk.ticket_views import TicketQueries
from desk.tickets import TicketService
from desk.triage_service import TriageService
from desk.working_time import BusinessHours, WorkingCalendar
from intake.imap_poller import ImapConfig, ImapPoller
from intake.mailfile import MailFileDeliverer
from intake.parse import parse_message
from intake.smtp_relay import RelayUrl, SmtpRelayDeliverer
from intake.smtp_server import Arrival, DeskHandler, SmtpConfig, SmtpServer
from store import migrate
from store.blobs import BlobStore
from store.db import DatabaseUnavailable, make_engine, make_session_factory, unit_of_work

if TYPE_CHECKING:
    from slack_bolt import App as SlackApp
    from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger("switchdesk")


@dataclass
class App:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    notes: list[str] = field(default_factory=list)

    @cached_property
    def desk(self) -> DeskIdentity:
        return DeskIdentity(self.settings.desk_name, self.settings.desk_email)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.settings.home / "blobs")

    @cached_property
    def triage(self) -> TriageService:
        """The articles of the last `kb load`; before the first, the configured ones, loaded now."""
        s = self.settings
        try:
            for _ in range(2):  # a second process may publish the first load at the same moment
                try:
                    with unit_of_work(self.factory) as session:
                        stored = TriageService.from_store(session, s.first_line_threshold)
                        if stored is not None:
                            return stored
                        service = TriageService.load(s.kb_dir, None, s.first_line_threshold)
                        service.record_versions(session, make_current=True)
                        return service
                except IntegrityError:
                    continue
        except (DatabaseUnavailable, OperationalError, ProgrammingError):
            pass  # no database yet (`triage eval` on a fresh home): the articles as files
        return TriageService.load(s.kb_dir, None, s.first_line_threshold)

    @cached_property
    def tickets(self) -> TicketService:
        return TicketService(self.factory, self.blobs, self.desk, self.triage,
                             ChatNotices(self.settings.slack_triage_channel))

    @cached_property
    def sla(self) -> SlaPolicy:
        s = self.settings
        hours = BusinessHours.parse(s.sla_business_hours)
        scottish = frozenset(s.sla_scotland_organisations)
        return SlaPolicy(
            targets=parse_targets(s.sla_targets),
            calendar=WorkingCalendar(s.sla_calendar, hours),
            scotland=WorkingCalendar("scotland", hours) if scottish else None,
            scottish_organisations=scottish,
            at_risk_window=timedelta(hours=s.sla_at_risk_hours),
        )

    @cached_property
    def queries(self) -> TicketQueries:
        return TicketQueries(self.factory, self.sla)

    @cached_property
    def deliverers(self) -> dict[str, Deliverer]:
        s = self.settings
        mail: Deliverer
        if s.mail_relay:
            relay = RelayUrl.parse(s.mail_relay)
            mail = SmtpRelayDeliverer(relay, s.desk_name, s.desk_email)
            self.notes.append(f"outbound mail: SMTP relay {relay.host}:{relay.port}")
        else:
            directory = s.home / "mail" / "sent"
            mail = MailFileDeliverer(directory, s.desk_name, s.desk_email)
            self.notes.append(f"outbound mail: written as .eml files in {directory}")
        return {"email": mail, "slack": self.slack_deliverer()}

    def slack_deliverer(self) -> Deliverer:
        s = self.settings
        if not s.slack_bot_token:
            self.notes.append("Slack: not configured; chat outbox rows are marked skipped")
            return SkippingDeliverer("Slack is not configured")
        from slack_sdk import WebClient

        from bot.pacing import ChannelPacer
        from bot.slack_deliverer import SlackDeliverer

        client = WebClient(s.slack_bot_token, base_url=s.slack_api_url, timeout=20,
                           retry_handlers=[])  # the outbox worker owns retries and backoff
        store = DbChatStore(self.factory, s.slack_alert_channel, resolution_due(self.sla))
        self.notes.append(f"Slack: Web API at {s.slack_api_url}")
        return SlackDeliverer(client, store, ChannelPacer(s.slack_pace_seconds))

    @cached_property
    def spooler(self) -> Spooler:
        return Spooler(self.factory)

    @cached_property
    def inbound_processor(self) -> InboundProcessor:
        s = self.settings
        policy = IntakePolicy(
            desk_addresses=s.accepted_addresses,
            reopen_window=timedelta(days=s.reopen_window_days),
            acks_per_sender_per_hour=s.acks_per_sender_per_hour,
            max_message_bytes=s.max_message_bytes,
        )
        return InboundProcessor(self.factory, parse_message, self.tickets, policy)

    def smtp_server(self) -> SmtpServer | None:
        s = self.settings
        if s.smtp_listen == "off":
            return None
        host, _, port = s.smtp_listen.rpartition(":")

        def spool(arrivals: list[Arrival]) -> list[int]:
            return self.spooler.spool_many([
                Incoming(raw, "smtp", f"smtp:{peer}", mail_from, tuple(rcpt_to))
                for raw, mail_from, rcpt_to, peer in arrivals])  # fmt: skip

        handler = DeskHandler(spool, s.accepted_addresses, max_recipients=100)
        return SmtpServer(SmtpConfig(host, int(port), s.max_message_bytes), handler)

    @cached_property
    def bulletins(self) -> BulletinService:
        return BulletinService(self.factory)

    @cached_property
    def changes(self) -> ChangeService:
        s = self.settings
        reminders = tuple(timedelta(hours=h) for h in s.change_reminder_hours)
        return ChangeService(self.factory, s.desk_email.rsplit("@", 1)[-1], s.home, reminders)

    def publisher(self) -> BroadcastPublisher:
        s = self.settings
        policy = PublishingPolicy(announcement_channels=tuple(s.announcement_channels),
                                  grace=timedelta(hours=s.broadcast_grace_hours),
                                  poll_seconds=s.broadcast_poll_seconds)
        return BroadcastPublisher(self.factory, self.desk, policy)

    def broadcast_schedule(self) -> BroadcastSchedule:
        s = self.settings
        return BroadcastSchedule(self.publisher(), self.engine, s.digest_cron, s.digest_weeks)

    def imap_poller(self) -> ImapPoller | None:
        s = self.settings
        if not s.imap_host:
            return None
        config = ImapConfig(
            host=s.imap_host,
            port=s.imap_port or (993 if s.imap_tls else 143),
            ssl=s.imap_tls,
            username=s.imap_user or "",
            password=s.imap_password or "",
            folder=s.imap_folder,
            poll_seconds=s.imap_poll_seconds,
            processed_folder=s.imap_processed_folder,
        )
        return ImapPoller(config, self.spooler)

    def outbox_worker(self) -> OutboxWorker:
        s = self.settings
        policy = OutboxPolicy(
            s.outbox_batch,
            s.outbox_max_attempts,
            s.outbox_backoff_base,
            s.outbox_backoff_cap,
            s.outbox_lease_seconds,
            s.outbox_poll_seconds,
        )
        return OutboxWorker(self.factory, self.deliverers, policy)

    # --- Slack inbound ---------------------------------------------------------------------

    @cached_property
    def chat_ops(self) -> ChatOps:
        def kb_search(query: str, limit: int) -> list[dict[str, Any]]:
            return [{"id": m.id, "title": m.title, "score": round(m.score, 1),
                     "first_line": m.first_line} for m in self.triage.kb.search(query, limit)]

        escalations = Escalations(self.factory, TicketRecords(self.desk), self.tickets.chat)
        return ChatOps(self.factory, self.tickets, self.queries, escalations, kb_search,
                       self.bulletins, self.changes)  # fmt: skip

    @cached_property
    def slack_app(self) -> SlackApp | None:
        """The Bolt app, when a bot token is set (it checks the token with auth.test)."""
        s = self.settings
        if not s.slack_bot_token:
            return None
        from bot.app import create_app

        try:
            return create_app(self.chat_ops, token=s.slack_bot_token,
                              signing_secret=s.slack_signing_secret, api_url=s.slack_api_url)
        except Exception as exc:  # noqa: BLE001 - a bad token or no Slack: run without it
            log.error("Slack: cannot start the app (%s); running without Slack inbound", exc)
            return None

    def http_listener(self) -> HttpListener | None:
        """/healthz always; /slack/events when the bot token and the signing secret are set."""
        s = self.settings
        if s.http_listen == "off":
            return None
        host, _, port = s.http_listen.rpartition(":")
        bolt = self.slack_app if s.slack_signing_secret else None
        return HttpListener(host, int(port), bolt, self.health)

    def socket_mode(self) -> SocketModeHandler | None:
        s = self.settings
        if not (s.slack_app_token and self.slack_app is not None):
            return None
        from bot.app import socket_mode

        return socket_mode(self.slack_app, s.slack_app_token)

    def health(self) -> dict[str, Any]:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = True
        except Exception:  # noqa: BLE001 - unreachable, for whatever reason
            database = False
        s = self.settings
        slack = ("socket" if s.slack_app_token else "http" if s.slack_signing_secret else "off"
                 ) if s.slack_bot_token else "off"  # fmt: skip
        return {"status": "ok" if database else "degraded", "database": database, "slack": slack}

    def upgrade_database(self) -> None:
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings) -> App:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    return App(settings, engine, make_session_factory(engine))
