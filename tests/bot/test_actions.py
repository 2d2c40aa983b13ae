"""Card buttons, modals and the message shortcut, through the real Bolt app."""

from __future__ import annotations

from desk.bootstrap import App
from store import outbox
from store.db import unit_of_work
from tests.bot.conftest import (
    AGENT,
    GAS_RESOLVER,
    REG_RESOLVER,
    VIEWER,
    open_ticket,
    opened_view,
    said,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackSide, wait_for


def status_events(app: App, ref: str) -> list[dict]:
    return [e for e in app.queries.history(ref) if e["action"] == "status"]


def templates(app: App) -> list[str]:
    with unit_of_work(app.factory) as session:
        return [r.payload.get("template") for r in outbox.listing(session)]


def test_acknowledge_once_however_often_clicked(demo_app: App, slack: SlackSide,
                                                fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    response, method = slack.click(REG_RESOLVER, "ticket_ack", ref, action_ts="1700000500.1")
    assert response.status == 200
    assert "acknowledged" in said(fake, method)
    assert demo_app.queries.show(ref)["status"] == "in_progress"
    moves = len(status_events(demo_app, ref))
    # Slack delivering the same click again: recognised, nothing answered or changed
    again, method = slack.click(REG_RESOLVER, "ticket_ack", ref, action_ts="1700000500.1")
    assert again.status == 200
    # a second click of the button: answered, still nothing changed
    _, second = slack.click(REG_RESOLVER, "ticket_ack", ref, action_ts="1700000501.1")
    assert "already acknowledged" in said(fake, second)
    assert not fake.calls_to(method)
    assert len(status_events(demo_app, ref)) == moves


def test_viewer_and_other_group_cannot_click(demo_app: App, slack: SlackSide,
                                             fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    _, method = slack.click(VIEWER, "ticket_ack", ref)
    assert "read-only access" in said(fake, method)
    _, method = slack.click(GAS_RESOLVER, "ticket_resolve", ref)
    assert "not to your group" in said(fake, method)
    assert not fake.calls_to("views.open")
    assert demo_app.queries.show(ref)["status"] == "assigned"


def test_resolve_modal_resolves_once(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    slack.click(REG_RESOLVER, "ticket_resolve", ref)
    view = opened_view(fake)
    assert view["callback_id"] == "resolve_submit"
    empty = slack.submit(REG_RESOLVER, view, {"text": ""})
    assert empty.status == 200 and '"response_action": "errors"' in empty.body
    slack.submit(REG_RESOLVER, view, {"text": "RMP recreated; please resubmit"})
    told = wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert "resolved" in told[-1].args["text"] and told[-1].args["channel"] == "C0REGSVC01"
    assert demo_app.queries.show(ref)["status"] == "resolved"
    slack.submit(REG_RESOLVER, view, {"text": "RMP recreated; please resubmit"})
    told = wait_for(lambda: len(fake.calls_to("chat.postEphemeral")) > 1 and
                    fake.calls_to("chat.postEphemeral"))  # fmt: skip
    assert "already resolved" in told[-1].args["text"]
    assert templates(demo_app).count("resolved") == 1


def test_reply_modal_emails_the_requester_on_the_thread(demo_app: App, slack: SlackSide,
                                                        fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    slack.click(AGENT, "ticket_reply", ref, channel="C0DESKTRI1")
    view = opened_view(fake)
    slack.submit(AGENT, view, {"text": "Please resubmit the switch after 14:00."})
    rows = wait_for(lambda: [r for r in _payloads(demo_app) if r.get("template") == "reply"])
    assert rows and rows[0]["to"] == ["priya.raman@brightwater-energy.example"]
    assert rows[0]["context"]["body"] == "Please resubmit the switch after 14:00."
    acknowledgement = next(r for r in _payloads(demo_app) if r.get("template") == "acknowledgement")
    assert rows[0]["in_reply_to"] == acknowledgement["message_id"]


def test_reassign_and_escalate_modals(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    slack.click(REG_RESOLVER, "ticket_reassign", ref)
    view = opened_view(fake)
    options = [o["value"] for o in view["blocks"][0]["element"]["options"]]
    assert "xoserve_uk_link" in options and "service_desk" in options
    slack.submit(REG_RESOLVER, view, {"group": "xoserve_uk_link"})
    assert wait_for(lambda: demo_app.queries.show(ref)["resolver"] == "xoserve_uk_link")
    slack.click(GAS_RESOLVER, "ticket_escalate", ref, channel="C0UKLINK01")
    view = opened_view(fake, 2)
    start = demo_app.queries.show(ref)["priority"]
    slack.submit(GAS_RESOLVER, view, {"text": "cut-off tonight"})
    escalated = wait_for(lambda: [e for e in demo_app.queries.history(ref)
                                  if e["action"] == "escalate"])  # fmt: skip
    assert escalated and escalated[0]["from"] == start
    assert escalated[0]["actor"] == "Mia Patel (U0RESGAS01)"
    assert "slack channel C0UKLINK01" in escalated[0]["detail"]


def test_failed_submission_gives_the_text_back(demo_app: App, slack: SlackSide,
                                               fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    demo_app.tickets.resolve(ref, "done", _cli())
    demo_app.tickets.close(ref, _cli())
    slack.click(AGENT, "ticket_reply", ref, channel="C0DESKTRI1")
    slack.submit(AGENT, opened_view(fake), {"text": "A long careful answer"})
    told = wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert "is closed" in told[0].args["text"] and "A long careful answer" in told[0].args["text"]


def test_message_shortcut_opens_a_prefilled_modal(demo_app: App, slack: SlackSide,
                                                  fake: FakeSlack) -> None:  # fmt: skip
    assert slack.shortcut(AGENT, "Switch rejected for MPAN 1906293768104\nsince 9am").status == 200
    view = opened_view(fake)
    assert view["callback_id"] == "new_ticket_submit"
    fields = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert fields["subject"] == "Switch rejected for MPAN 1906293768104"
    assert "since 9am" in fields["body"]
    missing = slack.submit(AGENT, view, {"from_email": ""})
    assert "from_email" in missing.body
    slack.submit(AGENT, view, {"from_email": "priya.raman@brightwater-energy.example"})
    told = wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    ref = told[0].args["text"].split()[0]
    shown = demo_app.queries.show(ref)
    assert shown["channel"] == "slack" and "since 9am" in shown["messages"][0]["body"]


def _payloads(app: App) -> list[dict]:
    with unit_of_work(app.factory) as session:
        return [r.payload for r in outbox.listing(session)]


def _cli():  # type: ignore[no-untyped-def]
    from desk.actor import Actor

    return Actor.cli("test")
