"""`/desk` subcommands through the real Bolt app: effects in the store, answers the user sees."""

from __future__ import annotations

from desk.bootstrap import App
from desk.errors import NotFound
from store import outbox
from store.db import unit_of_work
from tests.bot.conftest import (
    AGENT,
    GAS_RESOLVER,
    OPERATOR,
    REG_RESOLVER,
    STRANGER,
    VIEWER,
    open_ticket,
    opened_view,
    said,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackSide


def events(app: App, ref: str, action: str) -> list[dict]:
    return [e for e in app.queries.history(ref) if e["action"] == action]


def test_help_unknown_and_malformed_answer_with_usage(slack: SlackSide, fake: FakeSlack) -> None:
    response, method = slack.command(AGENT, "")
    assert response.status == 200
    assert "/desk show REF" in said(fake, method)
    _, method = slack.command(AGENT, "frobnicate SD-1")
    text = said(fake, method)
    assert "I don't know `frobnicate`" in text and "/desk queue [GROUP]" in text
    _, method = slack.command(AGENT, "assign SD-000001")
    assert said(fake, method).startswith("Usage: `/desk assign REF GROUP`")
    _, method = slack.command(AGENT, "show not-a-ref")
    assert "not a ticket reference" in said(fake, method)


def test_show_and_who_may_see(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    _, method = slack.command(AGENT, f"show {ref}")
    text = said(fake, method)
    assert ref in text and "registration_service" in text and "RMP not found" in text
    _, method = slack.command(REG_RESOLVER, f"show {ref.lower()}")
    assert ref in said(fake, method)
    _, method = slack.command(GAS_RESOLVER, f"show {ref}")
    assert "not assigned to your group (xoserve_uk_link)" in said(fake, method)
    _, method = slack.command(STRANGER, f"show {ref}")
    assert "don't know Slack user U0NOBODY99" in said(fake, method)
    _, method = slack.command(AGENT, "show SD-999999")
    assert "no ticket SD-999999" in said(fake, method)


def test_assign_is_audited_with_slack_user_and_channel(demo_app: App, slack: SlackSide,
                                                       fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    _, method = slack.command(AGENT, f"assign {ref} dno_mpas", channel="C0DESKTRI1")
    assert said(fake, method) == f"{ref} assigned to dno_mpas"
    assert demo_app.queries.show(ref)["resolver"] == "dno_mpas"
    event = events(demo_app, ref, "assign")[-1]
    assert event["actor"] == "Dana Whitlock (U0AGENT001)" and event["channel"] == "slack"
    assert "slack channel C0DESKTRI1" in event["detail"]
    _, method = slack.command(AGENT, f"assign {ref} dno_mpas")
    assert "already with dno_mpas" in said(fake, method)
    assert len(events(demo_app, ref, "assign")) == 2  # triage's, and ours once
    _, method = slack.command(AGENT, f"assign {ref} nowhere")
    assert "unknown resolver group 'nowhere'" in said(fake, method)


def test_priority_status_note_resolve(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    _, method = slack.command(REG_RESOLVER, f"priority {ref} P2 100+ MPANs affected")
    assert "priority set to P2" in said(fake, method)
    _, method = slack.command(REG_RESOLVER, f"status {ref} pending_provider")
    assert said(fake, method) == f"{ref} is now pending_provider"
    _, method = slack.command(REG_RESOLVER, f"status {ref} sleeping")
    assert "status must be one of" in said(fake, method)
    _, method = slack.command(REG_RESOLVER, f"note {ref} ECOES shows the point as traded")
    assert "Internal note added" in said(fake, method)
    _, method = slack.command(REG_RESOLVER, f"resolve {ref} RMP recreated; please resubmit")
    assert "resolved" in said(fake, method)
    shown = demo_app.queries.show(ref)
    assert (shown["priority"], shown["status"]) == ("P2", "resolved")
    notes = [m for m in shown["messages"] if m["kind"] == "note"]
    assert notes[-1]["body"] == "ECOES shows the point as traded"
    assert notes[-1]["author"] == "Joe Lin (U0RESREG01)" and notes[-1]["channel"] == "slack"
    with unit_of_work(demo_app.factory) as session:
        templates = [r.payload.get("template") for r in outbox.listing(session)]
    assert "resolved" in templates


def test_refusals_change_nothing(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    before = demo_app.queries.show(ref)
    for user, text, expected in [
        (VIEWER, f"note {ref} hello", "read-only access (viewer)"),
        (GAS_RESOLVER, f"resolve {ref} done", "assigned to registration_service, not to your"),
        (STRANGER, f"assign {ref} dno_mpas", "don't know Slack user"),
        (VIEWER, "changes", "only desk agents and operators"),
        (GAS_RESOLVER, "queue registration_service", "only see your own group's queue"),
    ]:
        _, method = slack.command(user, text)
        assert expected in said(fake, method)
    after = demo_app.queries.show(ref)
    assert after["events"] == before["events"] and after["messages"] == before["messages"]


def test_escalate_bumps_priority_and_tells_the_operator(demo_app: App, slack: SlackSide,
                                                        fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    start = demo_app.queries.show(ref)["priority"]
    _, method = slack.command(OPERATOR, f"escalate {ref} supply at risk tonight")
    text = said(fake, method)
    assert "escalated" in text and "Registration Service duty manager (0300 000 0101)" in text
    shown = demo_app.queries.show(ref)
    assert shown["priority"] != start or start == "P1"
    assert shown["priority_reason"] == "escalated: supply at risk tonight"
    event = events(demo_app, ref, "escalate")[-1]
    assert (event["from"], event["to"]) == (start, shown["priority"])
    with unit_of_work(demo_app.factory) as session:
        rows = [r.payload for r in outbox.listing(session) if r.channel == "slack"]
    # The Operator's channel gets the ticket's card, and its thread the escalation line.
    assert {"kind": "ticket_card", "channel": "C0SWOPER01", "ref": ref} in rows
    lines = [r["line"] for r in rows if r["kind"] == "ticket_update"
             and r["channel"] == "C0SWOPER01"]  # fmt: skip
    assert lines and "supply at risk tonight" in lines[0]


def test_reply_command_queues_an_email_on_the_thread(demo_app: App, slack: SlackSide,
                                                     fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    _, method = slack.command(AGENT, f"reply {ref} Could you send the D0055 flow?")
    assert "Reply to the participant queued" in said(fake, method)
    with unit_of_work(demo_app.factory) as session:
        rows = [r.payload for r in outbox.listing(session) if r.payload.get("template") == "reply"]
    assert rows[0]["to"] == ["priya.raman@brightwater-energy.example"]
    assert rows[0]["in_reply_to"]  # the acknowledgement's Message-ID: the same thread


def test_mine_queue_kb_changes(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    other = open_ticket(demo_app, resolver="xoserve_uk_link", subject="Gas MPRN mismatch")
    _, method = slack.command(AGENT, "mine")
    assert "none" in said(fake, method)
    _, method = slack.command(AGENT, f"note {other} looking")
    assert "Internal note added" in said(fake, method)  # done before asking again
    _, method = slack.command(AGENT, "mine")
    text = said(fake, method)
    assert other in text and ref not in text
    _, method = slack.command(REG_RESOLVER, "mine")
    text = said(fake, method)
    assert ref in text and other not in text
    _, method = slack.command(VIEWER, "queue xoserve_uk_link")
    text = said(fake, method)
    assert other in text and ref not in text
    _, method = slack.command(AGENT, "queue")
    assert ref in (text := said(fake, method)) and other in text
    _, method = slack.command(VIEWER, "kb RMP not found registration rejected")
    assert "Articles for" in (text := said(fake, method)) and "%" in text
    _, method = slack.command(AGENT, "changes")
    assert "Forward schedule of change" in said(fake, method)


def test_new_and_bulletin_open_modals_for_the_desk_only(demo_app: App, slack: SlackSide,
                                                        fake: FakeSlack) -> None:  # fmt: skip
    _, method = slack.command(VIEWER, "new")
    assert "only desk agents and operators" in said(fake, method)
    assert not fake.calls_to("views.open")
    slack.command(AGENT, "new")
    view = opened_view(fake)
    assert view["callback_id"] == "new_ticket_submit"
    assert slack.submit(AGENT, view, {"from_email": "g.pryce@kestrel-pg.example",
                                      "subject": "Switch stuck in pending",
                                      "body": "Phoned: 40 switches stuck since Monday",
                                      "type": "incident"}).status == 200  # fmt: skip
    found = _wait_ticket(demo_app, "Switch stuck in pending")
    assert found["channel"] == "phone" and found["requester_email"] == "g.pryce@kestrel-pg.example"
    slack.command(OPERATOR, "bulletin")
    view = opened_view(fake, 2)
    assert view["callback_id"] == "bulletin_submit"
    slack.submit(OPERATOR, view, {"title": "CSS degraded", "body": "Slow responses",
                                  "severity": "degraded", "services": "registration_service"})
    bulletins = _wait(lambda: demo_app.bulletins.list())
    assert bulletins[0]["title"] == "CSS degraded" and bulletins[0]["severity"] == "degraded"
    assert bulletins[0]["created_by"] == "Claire Moss (U0OPERAT01)"


def _wait(probe):  # type: ignore[no-untyped-def]
    from tests.support.slack_requests import wait_for

    return wait_for(probe)


def _wait_ticket(app: App, subject: str) -> dict:
    from store.tickets import TicketFilter

    def probe() -> dict | None:
        found = [t for t in app.queries.list(TicketFilter()) if t["subject"] == subject]
        try:
            return app.queries.show(found[0]["ref"]) if found else None
        except NotFound:
            return None

    ticket = _wait(probe)
    assert ticket, f"no ticket {subject!r}"
    return ticket
