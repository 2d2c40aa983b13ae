"""Ticket cards through the real outbox worker and slack_sdk, against the fake Web API."""

from __future__ import annotations

import threading

from bot.blocks import ACTIONS
from desk.actor import Actor
from desk.reference import parse_ref
from store import slack_threads, tickets
from store.db import unit_of_work
from tests.bot.conftest import ADDRESS, DESK_AGENT, REGISTRATION, TRIAGE, Desk


def _texts(message) -> str:
    """Everything a person reads on a card."""
    parts = [message.text]
    for block in message.blocks or []:
        parts.append((block.get("text") or {}).get("text", ""))
        parts += [f["text"] for f in block.get("fields") or []]
    return "\n".join(parts)


def test_new_ticket_gets_a_card_in_triage_and_in_the_group_channel(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()

    for channel in (TRIAGE, REGISTRATION):
        [card] = desk.cards(channel)
        shown = _texts(card)
        assert ref in card.blocks[0]["text"]["text"] and "RMP not found" in shown
        assert "Brightwater Energy" in shown and "1906293768104" in shown
        assert "CSS Registration Service" in shown and "*Triage:*" in shown
        due = desk.app.queries.show(ref)["sla"]["resolution_due"]
        assert due and "*SLA due*" in shown  # the resolution due time, in London time
        [actions] = [b for b in card.blocks if b["type"] == "actions"]
        assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
            (action_id, ref) for action_id in ACTIONS]
        with unit_of_work(desk.app.factory) as session:  # the inbound side finds it by ts
            thread = slack_threads.find_by_ts(session, channel, card.ts)
            assert thread is not None and (thread.thread_key, thread.ticket_id) == (
                ref, parse_ref(ref))
    assert {r.state for r in desk.rows()} == {"sent"}


def test_changes_edit_every_card_in_place_and_add_a_thread_line(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()
    desk.app.tickets.set_status(ref, "in_progress", DESK_AGENT)
    desk.app.tickets.set_priority(ref, "P2", "several suppliers affected", DESK_AGENT)
    desk.deliver()

    for channel in (TRIAGE, REGISTRATION):
        [card] = desk.cards(channel)  # still one card, edited
        assert card.edits >= 1
        shown = _texts(card)
        assert "P2" in card.blocks[0]["text"]["text"] and "in progress" in shown
        lines = [m.text for m in desk.fake.thread(channel, card.ts)]
        assert lines[0].startswith("Status: in_progress")
        assert lines[1].startswith("Priority P3 → P2")
        assert "several suppliers affected" in lines[1] and len(lines) == 2


def test_an_email_reply_becomes_a_line_in_every_thread(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()
    with unit_of_work(desk.app.factory) as session:
        ticket = tickets.get(session, parse_ref(ref), for_update=True)
        desk.app.tickets.add_email_in(session, ticket, Actor("priya.raman@x.example", "email"),
                                      "We resubmitted and it failed again <!channel>",
                                      f"Re: [{ref}]", "<r1@x.example>", "participant")  # fmt: skip
    desk.deliver()
    for channel in (TRIAGE, REGISTRATION):
        [card] = desk.cards(channel)
        [line] = desk.fake.thread(channel, card.ts)
        assert line.text.startswith("E-mail from priya.raman@x.example: We resubmitted")
        assert "<!channel>" not in line.text and "&lt;!channel&gt;" in line.text


def test_reassignment_posts_a_card_to_the_new_group_and_tells_the_old_one(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()
    desk.app.tickets.assign(ref, "address_service", DESK_AGENT)
    desk.deliver()
    [new] = desk.cards(ADDRESS)
    assert "CSS Address Service" in _texts(new)
    [old] = desk.cards(REGISTRATION)
    assert "CSS Address Service" in _texts(old)  # edited in place
    [line] = desk.fake.thread(REGISTRATION, old.ts)
    assert line.text.startswith("Reassigned from registration_service to address_service")
    desk.app.tickets.note(ref, "UPRN mismatch confirmed", DESK_AGENT)
    desk.deliver()
    assert len(desk.fake.thread(REGISTRATION, old.ts)) == 1  # nothing more for the old group
    assert [m.text for m in desk.fake.thread(ADDRESS, new.ts)][-1].endswith(
        "UPRN mismatch confirmed")


def test_five_changes_then_one_delivery_make_one_accurate_edit(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()
    for n in range(5):
        desk.app.tickets.note(ref, f"note {n}", DESK_AGENT)
    desk.app.tickets.set_priority(ref, "P1", "outage", DESK_AGENT)
    desk.deliver()
    for channel in (TRIAGE, REGISTRATION):
        [card] = desk.cards(channel)
        assert card.edits == 1 and "P1" in card.blocks[0]["text"]["text"]
        assert len(desk.fake.thread(channel, card.ts)) == 6
    assert len(desk.fake.calls_to("chat.update")) == 2


def test_long_content_is_cut_to_block_kit_limits_and_accepted(desk: Desk) -> None:
    mpxns = [("1906293768104", "mpan")] * 400
    ref = desk.open(subject="Rejected " + "very long subject " * 60, body="x" * 50_000,
                    mpxns=mpxns)  # fmt: skip
    desk.app.tickets.note(ref, "y" * 60_000, DESK_AGENT)
    desk.deliver()
    assert {r.state for r in desk.rows()} == {"sent"}
    [card] = desk.cards(REGISTRATION)
    assert len(card.blocks[0]["text"]["text"]) <= 150
    [mpxn_field] = [f["text"] for b in card.blocks for f in b.get("fields") or []
                    if f["text"].startswith("*MPxNs*")]  # fmt: skip
    assert len(mpxn_field) <= 2000 and mpxn_field.endswith(f"see `switchdesk tickets show {ref}`")


def test_a_card_being_posted_is_edited_not_posted_again(desk: Desk) -> None:
    """Two workers take the card and an update of one ticket at the same moment."""
    ref = desk.open(resolver="address_service")
    desk.app.tickets.note(ref, "first note", DESK_AGENT)
    desk.fake.slow("chat.postMessage", 0.3)
    workers = [desk.app.outbox_worker() for _ in range(3)]
    for worker in workers:
        worker.policy = type(worker.policy)(**{**worker.policy.__dict__, "batch": 1})
    threads = [threading.Thread(target=w.drain) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    desk.deliver()
    for channel in (TRIAGE, ADDRESS):
        assert len(desk.cards(channel)) == 1
        [line] = desk.fake.thread(channel, desk.cards(channel)[0].ts)
        assert line.text.startswith("Note by")


def test_two_processes_posting_one_card_keep_one(desk: Desk) -> None:
    """Separate deliverers (as in two serve processes) race; the database keeps one root."""
    ref = desk.open(resolver="address_service")
    desk.fake.slow("chat.postMessage", 0.3)
    others = [desk.app.slack_deliverer() for _ in range(2)]
    payload = {"kind": "ticket_card", "channel": ADDRESS, "ref": ref}
    threads = [threading.Thread(target=d.deliver, args=(10_000 + n, payload))
               for n, d in enumerate(others)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(desk.cards(ADDRESS)) == 1 and len(desk.fake.calls_to("chat.delete")) == 1
    with unit_of_work(desk.app.factory) as session:
        assert slack_threads.find(session, ADDRESS, ref).ts == desk.cards(ADDRESS)[0].ts


def test_a_retried_post_whose_answer_was_lost_is_not_posted_twice(desk: Desk) -> None:
    desk.fake.fail("chat.postMessage", status=500, applied=True)
    ref = desk.open(resolver="address_service")
    desk.deliver()
    assert len(desk.cards(ADDRESS)) == 1 and len(desk.cards(TRIAGE)) == 1
    assert desk.fake.calls_to("conversations.history")  # it looked before posting again
    assert {r.state for r in desk.rows()} == {"sent"}
    with unit_of_work(desk.app.factory) as session:
        assert len(slack_threads.for_ticket(session, parse_ref(ref))) == 2


def test_bulletin_updates_land_in_one_thread(desk: Desk) -> None:
    from store import outbox

    with unit_of_work(desk.app.factory) as session:
        for n in range(3):
            outbox.enqueue(session, "slack", {"kind": "post", "channel": "C0ANNOUNC1",
                                              "text": f"*[BUL-0001]* update {n}",
                                              "thread_key": "BUL-0001"})  # fmt: skip
    desk.deliver()
    [root] = [m for m in desk.fake.channel("C0ANNOUNC1") if m.thread_ts is None]
    assert root.text.endswith("update 0")
    assert [m.text[-8:] for m in desk.fake.thread("C0ANNOUNC1", root.ts)] == [
        "update 1", "update 2"]


def test_an_escalation_brings_the_card_to_the_operators_channel(desk: Desk) -> None:
    ref = desk.open()
    desk.deliver()
    desk.app.chat_ops.escalations.escalate(ref, "supply at risk tonight", DESK_AGENT)
    desk.deliver()
    [card] = desk.cards("C0SWOPER01")
    assert ref in card.blocks[0]["text"]["text"] and "P2" in card.blocks[0]["text"]["text"]
    [line] = desk.fake.thread("C0SWOPER01", card.ts)
    assert "supply at risk tonight" in line.text and "duty manager" in line.text
    [registration] = desk.cards(REGISTRATION)  # the group's own card shows the new priority
    assert "P2" in registration.blocks[0]["text"]["text"]
