"""Slack test fixtures: an app whose WebClients talk to the local fake Slack Web API (the
outbox's deliverer and the Bolt app), on the demo directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from desk.actor import Actor
from desk.bootstrap import App, build
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.reference import parse_ref
from desk.settings import Settings
from desk.tickets import NewTicket
from store import outbox, slack_threads
from store.db import unit_of_work
from store.models import OutboxRow
from tests.conftest import DEMO_DIRECTORY
from tests.support.fake_slack import FakeSlack, fake_slack
from tests.support.slack_requests import SECRET, SlackSide, wait_for

TRIAGE, ALERTS = "C0TRIAGE01", "C0ALERTS01"
REGISTRATION, ADDRESS = "C0REGSVC01", "C0ADDRSV01"
DESK_AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"


@dataclass
class Desk:
    app: App
    fake: FakeSlack

    def open(self, **fields: object) -> str:
        base = {"requester_email": PRIYA, "subject": "Switch request rejected - RMP not found",
                "body": "Our switch request for MPAN 1906293768104 was rejected: RMP not found.",
                "resolver": "registration_service"}  # fmt: skip
        return self.app.tickets.open(NewTicket(**{**base, **fields}), DESK_AGENT)  # type: ignore[arg-type]

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


AGENT, OPERATOR, VIEWER = "U0AGENT001", "U0OPERAT01", "U0VIEWER01"
REG_RESOLVER, GAS_RESOLVER, STRANGER = "U0RESREG01", "U0RESGAS01", "U0NOBODY99"
REQUESTER = "priya.raman@brightwater-energy.example"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as server:
        yield server


@pytest.fixture
def slack(demo_app: App, fake: FakeSlack) -> SlackSide:
    bolt = create_app(demo_app.chat_ops, token="xoxb-test", signing_secret=SECRET,
                      api_url=fake.base_url)  # fmt: skip
    return SlackSide(bolt, fake.base_url)


def open_ticket(app: App, resolver: str = "registration_service", subject: str = "RMP not found",
                body: str = "MPAN 1906293768104 rejected this morning") -> str:  # fmt: skip
    return app.tickets.open(NewTicket(requester_email=REQUESTER, subject=subject, body=body,
                                      resolver=resolver), Actor.cli("test"))  # fmt: skip


def card_thread(app: App, ref: str, channel: str = "C0REGSVC01",
                ts: str = "1700000100.000100") -> str:  # fmt: skip
    """Record a card's thread as the Slack deliverer does after posting it."""
    with unit_of_work(app.factory) as session:
        slack_threads.record(session, channel, ref, ts, parse_ref(ref))
    return ts


def said(fake: FakeSlack, method: str) -> str:
    """What the user was told through a response_url (waiting for Bolt's thread)."""
    calls = wait_for(lambda: fake.calls_to(method))
    assert calls, f"nothing was sent to {method}"
    assert calls[-1].args.get("response_type") == "ephemeral"
    return calls[-1].args["text"]


def opened_view(fake: FakeSlack, count: int = 1) -> dict[str, Any]:
    calls = wait_for(lambda: len(fake.calls_to("views.open")) >= count and fake.calls_to(
        "views.open"))
    assert calls, "no modal was opened"
    view = calls[-1].args["view"]
    return view if isinstance(view, dict) else __import__("json").loads(view)


def ephemerals(fake: FakeSlack, count: int = 1) -> list[str]:
    calls = wait_for(lambda: len(fake.calls_to("chat.postEphemeral")) >= count and
                     fake.calls_to("chat.postEphemeral"))  # fmt: skip
    return [c.args["text"] for c in calls or []]
