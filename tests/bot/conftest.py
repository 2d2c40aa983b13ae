"""An app wired to the local fake Slack Web API, with the demo directory loaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desk.actor import Actor
from desk.bootstrap import App, build
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.settings import Settings
from desk.tickets import NewTicket
from store import outbox
from store.db import unit_of_work
from store.models import OutboxRow
from tests.conftest import DEMO_DIRECTORY
from tests.support.fake_slack import FakeSlack, fake_slack

TRIAGE, ALERTS = "C0TRIAGE01", "C0ALERTS01"
REGISTRATION, ADDRESS = "C0REGSVC01", "C0ADDRSV01"
AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"


@dataclass
class Desk:
    app: App
    fake: FakeSlack

    def open(self, **fields: object) -> str:
        base = {"requester_email": PRIYA, "subject": "Switch request rejected - RMP not found",
                "body": "Our switch request for MPAN 1906293768104 was rejected: RMP not found.",
                "resolver": "registration_service"}  # fmt: skip
        return self.app.tickets.open(NewTicket(**{**base, **fields}), AGENT)  # type: ignore[arg-type]

    def deliver(self) -> int:
        return self.app.outbox_worker().drain()

    def rows(self, state: str | None = None) -> list[OutboxRow]:
        with unit_of_work(self.app.factory) as session:
            rows = [r for r in reversed(outbox.listing(session, limit=1000))
                    if r.channel == "slack"]  # fmt: skip
            session.expunge_all()
        return [r for r in rows if state is None or r.state == state]

    def cards(self, channel: str) -> list:
        """The channel's top-level messages (cards), as a person sees them."""
        return [m for m in self.fake.channel(channel) if m.thread_ts is None]


def slack_settings(database_url: str, tmp_path: Path, fake: FakeSlack, **extra: object
                   ) -> Settings:  # fmt: skip
    values = {"home": tmp_path / "var", "database_url": database_url,
              "outbox_backoff_base": 0.01, "slack_bot_token": "xoxb-test",
              "slack_api_url": fake.base_url, "slack_triage_channel": TRIAGE,
              "slack_alert_channel": ALERTS, "slack_pace_seconds": 0.02, **extra}  # fmt: skip
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def desk(database_url: str, tmp_path: Path) -> Iterator[Desk]:
    with fake_slack(FakeSlack(valid_token="xoxb-test")) as fake:
        app = build(slack_settings(database_url, tmp_path, fake))
        with unit_of_work(app.factory) as session:
            apply_directory(session, parse_directory(DEMO_DIRECTORY))
        try:
            yield Desk(app, fake)
        finally:
            app.close()
