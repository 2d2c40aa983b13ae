"""IMAP intake against a real Dovecot on loopback and the real spool on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from imapclient import IMAPClient
from sqlalchemy import select

from desk.spooling import Incoming, Spooler
from intake.imap_poller import ImapConfig, ImapPoller, SpoolFailed
from intake.imap_session import SEEN
from scripts.dovecot import start, stop
from store.db import make_engine, make_session_factory
from store.models import InboundRecord
from tests.support.dovecot import (
    DovecotServer,
    append,
    dovecot_server,
    flags,
    imap_client,
    mailbox_for,
)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    with dovecot_server() as server:
        yield server


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> DovecotServer:
    """A fresh account (and so a fresh, empty Maildir) on the shared server."""
    return mailbox_for(dovecot, f"desk{uuid.uuid4().hex[:10]}")


@pytest.fixture
def spooler(database_url: str) -> Iterator[Spooler]:
    engine = make_engine(database_url)
    yield Spooler(make_session_factory(engine))
    engine.dispose()


def config(box: DovecotServer, **overrides: Any) -> ImapConfig:
    return ImapConfig(box.host, box.port, False, box.user, box.password, **overrides)


def mail(n: int, tag: str = "case") -> bytes:
    return (
        "From: Priya Raman <priya.raman@brightwater-energy.example>\r\n"
        "To: servicedesk@switchdesk.example\r\n"
        f"Subject: Switch rejected ({tag} {n})\r\n"
        f"Message-ID: <{tag}.{n}@brightwater-energy.example>\r\n"
        "Date: Thu, 03 Dec 2026 09:15:00 +0000\r\n"
        "\r\n"
        f"MPAN 1906293768104 was rejected this morning: RMP not found ({tag} {n}).\r\n"
    ).encode()


def rows(spooler: Spooler) -> list[InboundRecord]:
    with spooler.factory() as session:
        records = list(session.scalars(select(InboundRecord).order_by(InboundRecord.id)))
        session.expunge_all()
        return records


def originals(spooler: Spooler) -> list[InboundRecord]:
    return [r for r in rows(spooler) if r.outcome is None and r.state == "pending"]


def duplicates(spooler: Spooler) -> list[InboundRecord]:
    return [r for r in rows(spooler) if r.outcome == "duplicate"]


def seen(box: DovecotServer, folder: str = "INBOX") -> dict[int, bool]:
    return {uid: SEEN in found for uid, found in flags(box, folder).items()}


class Wrapped:
    """The real spool port with a hook before and/or after each spool_imap call."""

    def __init__(self, real: Spooler, before: Callable[[int], None] | None = None,
                 after: Callable[[int], None] | None = None) -> None:
        self.real, self.before, self.after, self.calls = real, before, after, 0

    def imap_checkpoint(self, mailbox: str) -> tuple[int, int] | None:
        return self.real.imap_checkpoint(mailbox)

    def spool_imap(self, mailbox: str, uidvalidity: int, messages: Sequence[tuple[int, bytes]]
                   ) -> list[int]:
        self.calls += 1
        if self.before:
            self.before(self.calls)
        ids = self.real.spool_imap(mailbox, uidvalidity, messages)
        if self.after:
            self.after(self.calls)
        return ids


def wait_for(condition: Callable[[], bool], timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_spools_each_message_once_then_flags_it(mailbox: DovecotServer, spooler: Spooler) -> None:
    uids = append(mailbox, [mail(n) for n in range(3)])
    cfg = config(mailbox)
    poller = ImapPoller(cfg, spooler)
    try:
        assert poller.poll_once() == 3
        assert poller.poll_once() == 0  # `UID 4:*` still matches UID 3: filtered out
    finally:
        poller.close()

    spooled = rows(spooler)
    assert [r.received_via for r in spooled] == ["imap"] * 3
    assert [r.source for r in spooled] == [f"{cfg.mailbox};UID={uid}" for uid in uids]
    assert [r.raw for r in spooled] == [mail(n) for n in range(3)]
    assert all(r.state == "pending" and r.outcome is None for r in spooled)
    assert seen(mailbox) == dict.fromkeys(uids, True)
    checkpoint = spooler.imap_checkpoint(cfg.mailbox)
    assert checkpoint is not None and checkpoint[1] == uids[-1]


def test_messages_are_flagged_only_after_the_spool_commits(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    append(mailbox, [mail(n) for n in range(5)])
    observed: list[tuple[int, int]] = []

    def before(_call: int) -> None:  # fetched, not yet committed: nothing may be flagged
        observed.append((sum(seen(mailbox).values()), len(rows(spooler))))

    poller = ImapPoller(config(mailbox, batch=2), Wrapped(spooler, before=before))
    try:
        assert poller.poll_once() == 5
    finally:
        poller.close()
    assert observed == [(0, 0), (2, 2), (4, 4)]
    assert all(seen(mailbox).values())


def test_a_spool_failure_flags_nothing_and_the_next_poll_gets_everything(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    uids = append(mailbox, [mail(n) for n in range(4)])
    cfg = config(mailbox, batch=2)
    down = True

    def before(_call: int) -> None:
        if down:
            raise ConnectionError("database unavailable")

    poller = ImapPoller(cfg, Wrapped(spooler, before=before))
    try:
        with pytest.raises(SpoolFailed, match="database unavailable"):
            poller.poll_once()
        assert seen(mailbox) == dict.fromkeys(uids, False)
        assert spooler.imap_checkpoint(cfg.mailbox) is None
        assert rows(spooler) == []
        down = False
        assert poller.poll_once() == 4  # the same connection, kept across the spool failure
    finally:
        poller.close()
    assert len(originals(spooler)) == 4 and duplicates(spooler) == []
    assert seen(mailbox) == dict.fromkeys(uids, True)


@pytest.mark.parametrize("crash", ["before_commit", "after_commit"])
def test_a_poller_killed_mid_sweep_loses_and_duplicates_nothing(
        mailbox: DovecotServer, spooler: Spooler, crash: str) -> None:
    uids = append(mailbox, [mail(n) for n in range(7)])
    cfg = config(mailbox, batch=3)

    def die(call: int) -> None:
        if call == 2:
            raise KeyboardInterrupt("killed")  # not an Exception: nothing may catch it

    hooks = {"before": die} if crash == "before_commit" else {"after": die}
    first = ImapPoller(cfg, Wrapped(spooler, **hooks))  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        first.poll_once()
    first.close()
    committed = 3 if crash == "before_commit" else 6
    assert len(rows(spooler)) == committed
    assert sum(seen(mailbox).values()) == 3  # the second batch, if committed, is not flagged

    second = ImapPoller(cfg, spooler)
    try:
        assert second.poll_once() == 7 - committed
    finally:
        second.close()
    spooled = originals(spooler)
    assert duplicates(spooler) == []
    assert sorted(r.raw for r in spooled) == sorted(mail(n) for n in range(7))
    assert seen(mailbox) == dict.fromkeys(uids, True)  # leftovers flagged by the new session


def test_an_error_after_the_commit_is_settled_by_the_next_poll(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    uids = append(mailbox, [mail(n) for n in range(2)])

    def lost_reply(call: int) -> None:  # committed, but the caller never heard so
        if call == 1:
            raise ConnectionError("connection to the database lost")

    poller = ImapPoller(config(mailbox), Wrapped(spooler, after=lost_reply))
    try:
        with pytest.raises(SpoolFailed):
            poller.poll_once()
        assert seen(mailbox) == dict.fromkeys(uids, False)
        assert poller.poll_once() == 0
    finally:
        poller.close()
    assert len(originals(spooler)) == 2 and duplicates(spooler) == []
    assert seen(mailbox) == dict.fromkeys(uids, True)


def test_a_new_uidvalidity_respools_into_duplicates(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    append(mailbox, [mail(n) for n in range(2)], folder="Intake")
    cfg = config(mailbox, folder="Intake")
    poller = ImapPoller(cfg, spooler)
    try:
        assert poller.poll_once() == 2
        before = spooler.imap_checkpoint(cfg.mailbox)
        poller.close()
        with imap_client(mailbox) as client:
            client.delete_folder("Intake")
        append(mailbox, [mail(n) for n in range(3)], folder="Intake")  # two old, one new
        assert poller.poll_once() == 3
    finally:
        poller.close()
    after = spooler.imap_checkpoint(cfg.mailbox)
    assert before is not None and after is not None and after[0] != before[0]
    assert after[1] == 3
    first = originals(spooler)
    assert [r.raw for r in first] == [mail(0), mail(1), mail(2)]
    assert [r.duplicate_of for r in duplicates(spooler)] == [first[0].id, first[1].id]


@pytest.mark.parametrize("without", [(), ("MOVE",), ("MOVE", "UIDPLUS")],
                         ids=["move", "copy-uid-expunge", "copy-expunge"])
def test_processed_messages_are_moved_to_a_folder_created_on_demand(
        mailbox: DovecotServer, spooler: Spooler, monkeypatch: pytest.MonkeyPatch,
        without: tuple[str, ...]) -> None:
    has_capability = IMAPClient.has_capability
    monkeypatch.setattr(IMAPClient, "has_capability",
                        lambda self, cap: cap not in without and has_capability(self, cap))
    append(mailbox, [mail(n) for n in range(3)])
    poller = ImapPoller(config(mailbox, processed_folder="Processed", batch=2), spooler)
    try:
        assert poller.poll_once() == 3
        assert poller.poll_once() == 0
    finally:
        poller.close()
    assert flags(mailbox) == {}
    assert len(flags(mailbox, "Processed")) == 3
    assert len(originals(spooler)) == 3


def test_the_same_mail_by_smtp_and_by_imap_is_recorded_once_plus_a_duplicate(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    raw = mail(1, "both-ways")
    first = spooler.spool(Incoming(raw, "smtp", mail_from="priya.raman@brightwater-energy.example",
                                   rcpt_to=("servicedesk@switchdesk.example",)))
    append(mailbox, [raw])
    poller = ImapPoller(config(mailbox), spooler)
    try:
        assert poller.poll_once() == 1
    finally:
        poller.close()
    assert [(r.received_via, r.duplicate_of) for r in rows(spooler)] == [
        ("smtp", None), ("imap", first)]
    assert len(originals(spooler)) == 1


def test_run_idles_picks_up_new_mail_at_once_and_stops_promptly(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    append(mailbox, [mail(0)])
    poller = ImapPoller(config(mailbox, poll_seconds=300.0, idle=True), spooler)
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(rows(spooler)) == 1)
        time.sleep(0.5)  # let it settle into IDLE: only IDLE can notice within 300 s
        append(mailbox, [mail(1)])
        began = time.monotonic()
        assert wait_for(lambda: len(rows(spooler)) == 2, timeout=5.0)
        assert time.monotonic() - began < 5.0
    finally:
        began = time.monotonic()
        stop.set()
        thread.join(timeout=5.0)
    assert not thread.is_alive()
    assert time.monotonic() - began < 2.5
    assert all(seen(mailbox).values())


def test_run_notices_mail_that_arrives_between_select_and_search(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    """Dovecot announces it with the SEARCH result but leaves it out; IDLE stays silent."""

    class ArrivesMidSweep(Wrapped):
        delivered = False

        def imap_checkpoint(self, mailbox_key: str) -> tuple[int, int] | None:
            if not self.delivered:  # the poller has selected the folder and not yet searched
                self.delivered = True
                append(mailbox, [mail(0)])
            return super().imap_checkpoint(mailbox_key)

    poller = ImapPoller(config(mailbox, poll_seconds=300.0), ArrivesMidSweep(spooler))
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(rows(spooler)) == 1, timeout=5.0)
    finally:
        stop.set()
        thread.join(timeout=5.0)
    assert not thread.is_alive()


def test_run_without_idle_polls_and_retries_after_a_spool_failure(
        mailbox: DovecotServer, spooler: Spooler) -> None:
    append(mailbox, [mail(n) for n in range(2)])

    def before(call: int) -> None:
        if call <= 2:
            raise ConnectionError("database unavailable")

    poller = ImapPoller(config(mailbox, poll_seconds=0.2, idle=False),
                        Wrapped(spooler, before=before), retry_base=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(rows(spooler)) == 2)
        append(mailbox, [mail(2)])
        assert wait_for(lambda: len(rows(spooler)) == 3)
    finally:
        stop.set()
        thread.join(timeout=5.0)
    assert not thread.is_alive()
    assert len(originals(spooler)) == 3 and duplicates(spooler) == []
    assert all(seen(mailbox).values())


def test_run_reconnects_when_the_server_comes_back(spooler: Spooler) -> None:
    with dovecot_server() as server:
        root = server.maildir.parents[1]
        # A short poll: mail that lands in the instant between a check and the IDLE command
        # reaches an idling Dovecot session only at its 30 s check; this test is about reconnecting.
        poller = ImapPoller(config(server, poll_seconds=1.0), spooler, retry_base=0.05)
        stop_event = threading.Event()
        thread = threading.Thread(target=poller.run, args=(stop_event,), daemon=True)
        thread.start()
        try:
            append(server, [mail(0)])
            assert wait_for(lambda: len(rows(spooler)) == 1)
            stop(root)  # drops the idling connection too
            time.sleep(0.3)
            start(root, server.port)
            append(server, [mail(1)])
            assert wait_for(lambda: len(rows(spooler)) == 2)
        finally:
            stop_event.set()
            thread.join(timeout=5.0)
        assert not thread.is_alive()
        assert len(originals(spooler)) == 2 and all(seen(server).values())
