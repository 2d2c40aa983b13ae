"""The outbox worker: delivery, backoff with retry-after, dead-letter, skip, leases, retry."""

import random
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import update

from desk.bootstrap import App
from desk.delivery import PermanentFailure, SkippingDeliverer, TransientFailure
from desk.outbox_worker import OutboxPolicy, OutboxWorker
from store import outbox
from store.db import unit_of_work
from store.models import OutboxRow
from store.types import utcnow


class Recorder:
    """A deliverer that fails as scripted, then records what it delivered."""

    def __init__(self, *failures: Exception) -> None:
        self.failures, self.delivered = list(failures), []

    def deliver(self, row_id: int, payload: dict) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(payload["n"])


def _worker(app: App, deliverer, **policy) -> OutboxWorker:
    return OutboxWorker(
        app.factory,
        {"test": deliverer, "off": SkippingDeliverer("off here")},
        OutboxPolicy(**{"backoff_base": 1.0, **policy}),
        random.Random(1),
    )


def _enqueue(app: App, count: int, channel: str = "test") -> None:
    with unit_of_work(app.factory) as session:
        for n in range(count):
            outbox.enqueue(session, channel, {"n": n})


def _rows(app: App) -> list[OutboxRow]:
    with unit_of_work(app.factory) as session:
        return list(reversed(outbox.listing(session)))


def _make_due(app: App) -> None:
    with unit_of_work(app.factory) as session:
        session.execute(update(OutboxRow).values(next_attempt_at=utcnow()))


def test_delivers_every_row_once_in_order(app: App) -> None:
    recorder = Recorder()
    _enqueue(app, 45)
    assert _worker(app, recorder, batch=10).drain() == 45
    assert recorder.delivered == list(range(45))
    assert {r.state for r in _rows(app)} == {"sent"} and _worker(app, recorder).drain() == 0


def test_transient_failure_backs_off_and_honours_retry_after(app: App) -> None:
    recorder = Recorder(
        TransientFailure("429 rate limited", retry_after=30), ConnectionError("reset")
    )
    _enqueue(app, 1)
    worker = _worker(app, recorder)
    before = utcnow()
    assert worker.run_once() == 1
    [row] = _rows(app)
    assert row.state == "pending" and row.attempts == 1 and "429" in row.last_error
    assert row.next_attempt_at >= before + timedelta(seconds=30)  # retry-after wins
    assert worker.run_once() == 0  # not due yet
    _make_due(app)
    worker.run_once()
    [row] = _rows(app)
    assert row.attempts == 2 and row.last_error.startswith("ConnectionError")
    delay = (row.next_attempt_at - utcnow()).total_seconds()
    assert 0.5 < delay <= 2.0  # exponential: base 1 s doubled, with jitter
    _make_due(app)
    worker.run_once()
    assert _rows(app)[0].state == "sent" and recorder.delivered == [0]


def test_permanent_failure_and_exhausted_retries_go_to_dead_letter(app: App) -> None:
    _enqueue(app, 2)
    recorder = Recorder(
        PermanentFailure("channel_not_found"),
        TransientFailure("503"),
        TransientFailure("503 again"),
    )
    worker = _worker(app, recorder, max_attempts=2, batch=1)
    worker.run_once()
    worker.run_once()
    _make_due(app)
    worker.run_once()
    dead, exhausted = _rows(app)
    assert (dead.state, dead.attempts, dead.last_error) == ("dead", 1, "channel_not_found")
    assert exhausted.state == "dead" and exhausted.attempts == 2
    assert "503 again" in exhausted.last_error  # the last error is kept
    with unit_of_work(app.factory) as session:
        outbox.retry(session, exhausted.id)
    worker.run_once()
    assert _rows(app)[1].state == "sent" and recorder.delivered == [1]


def test_unconfigured_and_unknown_channels(app: App) -> None:
    _enqueue(app, 1, channel="off")
    _enqueue(app, 1, channel="pigeon")
    _worker(app, Recorder()).drain()
    skipped, unknown = _rows(app)
    assert (skipped.state, skipped.last_error) == ("skipped", "off here")
    assert unknown.state == "dead" and "no deliverer for channel 'pigeon'" in unknown.last_error


def test_an_expired_lease_is_claimed_again(app: App) -> None:
    """A worker that died mid-batch does not strand its rows."""
    _enqueue(app, 3)
    with unit_of_work(app.factory) as session:
        token, claimed = outbox.claim(session, 10, timedelta(seconds=60))
    assert len(claimed) == 3
    recorder = Recorder()
    assert _worker(app, recorder).run_once() == 0  # leased to the dead worker
    with unit_of_work(app.factory) as session:
        session.execute(update(OutboxRow).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert _worker(app, recorder).drain() == 3
    with unit_of_work(app.factory) as session:  # the dead worker's late result is refused
        assert outbox.finish(session, claimed[0].id, token, state="dead") is False
    assert {r.state for r in _rows(app)} == {"sent"}


def test_ticket_mail_is_written_as_eml_files(demo_app: App) -> None:
    from desk.actor import Actor
    from desk.tickets import NewTicket

    ref = demo_app.tickets.open(
        NewTicket(
            requester_email="priya.raman@brightwater-energy.example",
            subject="Line\r\nBcc: victim@example.com",
            body="x",
        ),
        Actor("agent", "cli"),
    )
    demo_app.tickets.reply(ref, "We are looking at it <b>now</b>.", Actor("agent", "cli"))
    demo_app.outbox_worker().drain()
    files = sorted((demo_app.settings.home / "mail" / "sent").glob("*.eml"))
    assert len(files) == 2
    ack, reply = (message_from_bytes(f.read_bytes(), policy=policy.default) for f in files)
    assert ack["Auto-Submitted"] == "auto-replied" and ref in ack["Subject"]
    assert ack["Bcc"] is None and "\n" not in ack["Subject"]  # no header injection
    assert reply["In-Reply-To"] == ack["Message-ID"]
    html = reply.get_body(("html",)).get_content()
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # the HTML part is autoescaped
    assert "<b>now</b>" in reply.get_body(("plain",)).get_content()
