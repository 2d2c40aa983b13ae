"""A Bolt app on the demo directory, its WebClient talking to the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.app import create_app
from desk.actor import Actor
from desk.bootstrap import App
from desk.tickets import NewTicket
from store.db import unit_of_work
from store.models import SlackThread
from tests.support.fake_slack import FakeSlack, fake_slack
from tests.support.slack_requests import SECRET, SlackSide, wait_for

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
        session.add(SlackThread(channel=channel, thread_key=ref, ticket_id=int(ref[3:]), ts=ts))
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
