"""Events: thread replies become notes once, however often Slack delivers them; App Home."""

from __future__ import annotations

from desk.actor import Actor
from desk.bootstrap import App
from desk.tickets import NewTicket
from tests.bot.conftest import AGENT, REG_RESOLVER, STRANGER, card_thread, open_ticket
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackSide, wait_for


def notes(app: App, ref: str) -> list[dict]:
    return [m for m in app.queries.show(ref)["messages"] if m["kind"] == "note"]


def reply(user: str, text: str, thread_ts: str, channel: str = "C0REGSVC01",
          **extra: str) -> dict:  # fmt: skip
    return {"type": "message", "channel": channel, "user": user, "text": text,
            "ts": "1700000200.000200", "thread_ts": thread_ts, **extra}  # fmt: skip


def test_reply_in_card_thread_is_a_note_once(demo_app: App, slack: SlackSide,
                                             fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    ts = card_thread(demo_app, ref)
    event = reply(REG_RESOLVER, "Looking at the RMP now", ts)
    assert slack.event(event, event_id="Ev0THREAD1").status == 200
    assert slack.event(event, event_id="Ev0THREAD1", retry=1).status == 200  # Slack's retry
    assert slack.event(event, event_id="Ev0THREAD1").status == 200
    assert wait_for(lambda: fake.calls_to("reactions.add"))
    found = wait_for(lambda: notes(demo_app, ref))
    assert [n["body"] for n in found] == ["Looking at the RMP now"]
    assert found[0]["author"] == "Joe Lin (U0RESREG01)"
    assert len(fake.calls_to("reactions.add")) == 1
    assert "C0REGSVC01" not in queued_lines(demo_app)  # no echo in the thread it came from


def queued_lines(app: App) -> dict[str, str]:
    """The thread lines queued for each channel, by channel."""
    from sqlalchemy import select

    from store.db import unit_of_work
    from store.models import OutboxRow

    with unit_of_work(app.factory) as session:
        payloads = session.scalars(select(OutboxRow.payload).where(OutboxRow.channel == "slack"))
        return {p["channel"]: p["line"] for p in payloads if p.get("line")}


def test_thread_replies_sent_to_the_channel_or_with_files_are_notes(
        demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    ts = card_thread(demo_app, ref)
    slack.event(reply(REG_RESOLVER, "Also for the channel", ts, subtype="thread_broadcast"))
    shared = reply(REG_RESOLVER, "Screenshot of the rejection", ts, subtype="file_share")
    shared["ts"] = "1700000201.000201"
    slack.event({**shared, "files": [{"name": "rejection.png"}]})
    found = wait_for(lambda: len(notes(demo_app, ref)) == 2 and notes(demo_app, ref))
    assert sorted(n["body"] for n in found) == [
        "Also for the channel",
        "Screenshot of the rejection\n[files in Slack: rejection.png]",
    ]


def test_other_messages_are_left_alone(demo_app: App, slack: SlackSide, fake: FakeSlack) -> None:
    ref = open_ticket(demo_app)
    ts = card_thread(demo_app, ref)
    slack.event(reply(REG_RESOLVER, "a bot line", ts, bot_id="B0BOT"))
    slack.event(reply(REG_RESOLVER, "edited", ts, subtype="message_changed"))
    slack.event(reply(REG_RESOLVER, "another thread", "1600000000.000001"))
    slack.event({"type": "message", "channel": "C0REGSVC01", "user": REG_RESOLVER,
                 "text": "top level", "ts": "1700000300.000300"})  # fmt: skip
    slack.event(reply(STRANGER, "who am I", ts))
    told = wait_for(lambda: fake.calls_to("chat.postEphemeral"))
    assert "don't know Slack user U0NOBODY99" in told[0].args["text"]
    assert told[0].args["thread_ts"] == ts
    assert notes(demo_app, ref) == []


def test_app_home_shows_queue_and_urgent_tickets(demo_app: App, slack: SlackSide,
                                                 fake: FakeSlack) -> None:  # fmt: skip
    ref = open_ticket(demo_app)
    outage = demo_app.tickets.open(NewTicket(
        requester_email="priya.raman@brightwater-energy.example", subject="CSS down for everyone",
        body="No switch requests accepted since 09:00", impact=1, urgency=1,
        resolver="switching_operator"), Actor.cli("test"))  # P1: 4 h to resolve
    slack.command(AGENT, f"note {ref} on it")
    wait_for(lambda: notes(demo_app, ref))
    slack.event({"type": "app_home_opened", "user": AGENT, "tab": "home", "channel": "D0DM"})
    published = wait_for(lambda: fake.calls_to("views.publish"))
    assert published and published[0].args["user_id"] == AGENT
    text = str(published[0].args["view"])
    assert "Open tickets you have acted on" in text and ref in text
    at_risk = text[text.index("At risk of SLA breach"):]
    assert outage in at_risk and ref not in at_risk and "due 20" in at_risk
    slack.event({"type": "app_home_opened", "user": STRANGER, "tab": "home", "channel": "D0DM"})
    published = wait_for(lambda: len(fake.calls_to("views.publish")) > 1 and
                         fake.calls_to("views.publish"))  # fmt: skip
    assert "don't know Slack user" in str(published[-1].args["view"])
