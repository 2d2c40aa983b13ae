"""How Slack's failures end: retried (honouring Retry-After), or dead-lettered with an alert."""

from __future__ import annotations

from pathlib import Path

from desk.bootstrap import build
from store import outbox
from store.db import unit_of_work
from tests.bot.conftest import ADDRESS, ALERTS, REGISTRATION, TRIAGE, Desk, slack_settings
from tests.support.fake_slack import FakeSlack
from tests.support.smtp import free_port


def test_rate_limited_then_sent_once_not_before_retry_after(desk: Desk) -> None:
    desk.fake.fail("chat.postMessage", status=429, retry_after=1)
    desk.open(resolver="address_service")
    desk.deliver()  # the first post is refused; the other row goes through
    [waiting] = desk.rows("pending")
    assert "rate limited" in (waiting.last_error or "")
    first = desk.fake.calls_to("chat.postMessage")[0]
    while desk.rows("pending"):
        desk.deliver()
    posts = desk.fake.calls_to("chat.postMessage")
    retried = [c for c in posts[1:] if c.args["channel"] == first.args["channel"]]
    assert len(retried) == 1 and retried[0].at - first.at >= 1.0
    assert len(desk.cards(TRIAGE)) == 1 and len(desk.cards(ADDRESS)) == 1
    assert {r.state for r in desk.rows()} == {"sent"}


def test_server_errors_are_retried(desk: Desk) -> None:
    desk.fake.fail("chat.postMessage", times=2, status=500)
    desk.open(resolver="address_service")
    for _ in range(20):
        if not desk.rows("pending"):
            break
        desk.deliver()
    assert {r.state for r in desk.rows()} == {"sent"}
    assert len(desk.cards(TRIAGE)) == 1 and len(desk.cards(ADDRESS)) == 1


def test_channel_not_found_is_dead_lettered_and_alerted(desk: Desk) -> None:
    desk.fake.fail("chat.postMessage", error="channel_not_found")
    desk.open(resolver="address_service")
    desk.deliver()
    [dead] = desk.rows("dead")
    assert dead.last_error == "chat.postMessage: channel_not_found" and dead.attempts == 1
    [alert] = [r for r in desk.rows() if r.payload["kind"] == "alert"]
    assert alert.state == "sent" and alert.payload["channel"] == ALERTS
    [posted] = desk.fake.channel(ALERTS)
    assert "channel_not_found" in posted.text and f"outbox retry {dead.id}" in posted.text


def test_a_failing_alert_is_not_alerted_about(desk: Desk) -> None:
    desk.fake.fail("chat.postMessage", times=2, error="not_in_channel")
    with unit_of_work(desk.app.factory) as session:
        outbox.enqueue(session, "slack", {"kind": "post", "channel": REGISTRATION, "text": "hi"})
    desk.deliver()
    rows = desk.rows()
    assert [(r.payload["kind"], r.state) for r in rows] == [("post", "dead"), ("alert", "dead")]
    assert desk.fake.channel(ALERTS) == []


def test_invalid_token_is_permanent(database_url: str, tmp_path: Path) -> None:
    from tests.support.fake_slack import fake_slack

    with fake_slack(FakeSlack(valid_token="xoxb-other")) as fake:
        app = build(slack_settings(database_url, tmp_path, fake))
        with unit_of_work(app.factory) as session:
            outbox.enqueue(session, "slack", {"kind": "post", "channel": REGISTRATION,
                                              "text": "hello"})  # fmt: skip
        app.outbox_worker().drain()
        with unit_of_work(app.factory) as session:
            states = [(r.payload["kind"], r.state, r.last_error) for r in outbox.listing(session)]
        app.close()
    assert ("post", "dead", "chat.postMessage: invalid_auth") in states


def test_unreachable_slack_is_transient(database_url: str, tmp_path: Path) -> None:
    fake = FakeSlack(port=free_port())  # nothing listens there
    app = build(slack_settings(database_url, tmp_path, fake))
    with unit_of_work(app.factory) as session:
        outbox.enqueue(session, "slack", {"kind": "post", "channel": REGISTRATION, "text": "x"})
    app.outbox_worker().run_once()
    with unit_of_work(app.factory) as session:
        [row] = outbox.listing(session)
        state, error = row.state, row.last_error
    app.close()
    assert state == "pending" and "URLError" in (error or "")


def test_without_a_token_slack_rows_are_skipped(demo_app) -> None:  # noqa: ANN001 - fixture
    from desk.actor import Actor
    from desk.tickets import NewTicket

    demo_app.tickets.open(NewTicket("priya.raman@brightwater-energy.example", "Rejected",
                                    "RMP not found", resolver="address_service"),
                          Actor("dana", "cli"))  # fmt: skip
    worker = demo_app.outbox_worker()
    worker.drain()
    assert "Slack: not configured; chat outbox rows are marked skipped" in demo_app.notes
    with unit_of_work(demo_app.factory) as session:
        slack = [r for r in outbox.listing(session) if r.channel == "slack"]
        assert slack and {r.state for r in slack} == {"skipped"}


def test_with_a_token_the_app_says_where_slack_is(desk: Desk) -> None:
    desk.app.deliverers  # noqa: B018 - built on first use
    assert f"Slack: Web API at {desk.fake.base_url}" in desk.app.notes
