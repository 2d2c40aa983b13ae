"""The thread roots the inbound side looks up: one per (channel, key), found by ts."""

from __future__ import annotations

from desk.actor import Actor
from desk.bootstrap import App
from desk.chat_store import DbChatStore
from desk.reference import parse_ref
from desk.tickets import NewTicket
from store import slack_threads
from store.db import unit_of_work


def test_record_find_and_the_first_root_stands(demo_app: App) -> None:
    ref = demo_app.tickets.open(NewTicket("a@b.example", "Rejected", "RMP"), Actor("x", "cli"))
    store = DbChatStore(demo_app.factory, None)
    assert store.record_root("C1", ref, "1.000001", ref) == "1.000001"
    assert store.record_root("C1", ref, "2.000002", ref) == "1.000001"  # a racing copy loses
    assert store.record_root("C1", "BUL-0001", "3.000003", None) == "3.000003"
    assert store.thread_root("C1", ref) == "1.000001" and store.thread_root("C2", ref) is None
    with unit_of_work(demo_app.factory) as session:
        found = slack_threads.find_by_ts(session, "C1", "1.000001")
        assert found is not None and (found.thread_key, found.ticket_id) == (ref, parse_ref(ref))
        assert slack_threads.find(session, "C1", "BUL-0001").ticket_id is None
        assert slack_threads.find_by_ts(session, "C1", "9.9") is None
        assert len(slack_threads.for_ticket(session, parse_ref(ref))) == 1
    store.replace_root("C1", ref, "4.000004")
    assert store.thread_root("C1", ref) == "4.000004"
