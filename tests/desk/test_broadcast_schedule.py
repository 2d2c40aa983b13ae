"""The broadcast clock: weekly digests and change reminders in London time across the clock
changes, catch-up after downtime, and the APScheduler jobs kept in the database."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from desk.actor import Actor
from desk.bootstrap import App
from desk.broadcast.times import local
from desk.changes import NewChange
from desk.schedules import DIGEST_JOB, digest_trigger, latest_slot
from store.db import unit_of_work
from store.models import Broadcast, OutboxRow, ScheduledJob

OPERATOR = Actor("claire.moss@switchdesk.example", "cli")
MONDAY_9 = digest_trigger("0 9 * * mon")
WEEK = timedelta(days=7)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_weekly_digest_is_at_nine_london_time_in_winter_and_in_summer() -> None:
    # GMT: 09:00 is 09:00Z. BST (from the last Sunday of March): 09:00 is 08:00Z.
    assert latest_slot(MONDAY_9, _utc(2026, 12, 7, 9, 30), WEEK) == _utc(2026, 12, 7, 9, 0)
    assert latest_slot(MONDAY_9, _utc(2027, 3, 29, 8, 30), WEEK) == _utc(2027, 3, 29, 8, 0)
    assert latest_slot(MONDAY_9, _utc(2027, 3, 22, 9, 30), WEEK) == _utc(2027, 3, 22, 9, 0)
    # The Monday after the autumn change (25 October 2026) is back on GMT.
    assert latest_slot(MONDAY_9, _utc(2026, 10, 26, 9, 30), WEEK) == _utc(2026, 10, 26, 9, 0)
    assert latest_slot(MONDAY_9, _utc(2026, 10, 19, 8, 30), WEEK) == _utc(2026, 10, 19, 8, 0)
    # Before the first slot within the horizon there is nothing to catch up.
    assert latest_slot(MONDAY_9, _utc(2026, 12, 7, 8, 59), timedelta(hours=6)) is None


def _change(app: App, start: datetime, hours: int = 4, now: datetime | None = None,
            **kwargs) -> str:  # fmt: skip
    fields = {"title": "UK Link release", "provider": "xoserve_uk_link",
              "services": ("uk_link",), "start": start, "end": start + timedelta(hours=hours),
              "impact": "DES read-only during the window."}  # fmt: skip
    return app.changes.create(NewChange(**{**fields, **kwargs}), OPERATOR,
                              now=now or start - timedelta(days=10))  # fmt: skip


def _emails(app: App) -> list[dict]:
    with unit_of_work(app.factory) as session:
        return [r.payload for r in session.scalars(
            select(OutboxRow).where(OutboxRow.channel == "email").order_by(OutboxRow.id))]


def test_digest_covers_the_coming_weeks_once_and_catches_up_after_downtime(
    demo_app: App,
) -> None:
    slot = _utc(2027, 3, 29, 8, 0)  # Monday 09:00 BST
    _change(demo_app, slot + timedelta(days=2), title="Inside: CSS release")
    _change(demo_app, slot + timedelta(weeks=5), title="Beyond: too far ahead")
    cancelled = _change(demo_app, slot + timedelta(days=3), title="Gone: cancelled")
    demo_app.changes.cancel(cancelled, "withdrawn", OPERATOR, now=slot - timedelta(days=9))
    schedule = demo_app.broadcast_schedule()
    # The desk was down at 09:00 and comes back at 11:30; a restart at 12:00 sends nothing new.
    schedule.tick(slot + timedelta(hours=2, minutes=30))
    digests = [p for p in _emails(demo_app) if p["subject"].startswith("Forward schedule")]
    schedule.tick(slot + timedelta(hours=3))
    demo_app.broadcast_schedule().tick(slot + timedelta(hours=3, minutes=1))
    again = [p for p in _emails(demo_app) if p["subject"].startswith("Forward schedule")]
    assert len(digests) == len(again) == 10  # one per demo contact
    body = digests[0]["context"]["body_text"]
    assert "Inside: CSS release" in body and "2027-03-31 09:00 BST" in body
    assert "Beyond" not in body and "Gone" not in body
    assert digests[0]["attachments"][0]["params"] == {"method": "PUBLISH"}
    assert digests[0]["auto_submitted"] == "auto-generated"


def test_a_digest_missed_beyond_the_grace_is_skipped(demo_app: App) -> None:
    slot = _utc(2026, 12, 7, 9, 0)
    demo_app.broadcast_schedule().tick(slot + timedelta(hours=7))  # grace is 6 h
    assert _emails(demo_app) == []


def test_reminders_keep_london_wall_clock_across_the_spring_change(demo_app: App) -> None:
    # 09:00 BST on Sunday 28 March 2027, the day the clocks go forward: the day-before
    # reminder is 09:00 GMT on Saturday (09:00Z), not 24 elapsed hours earlier (08:00Z).
    start = _utc(2027, 3, 28, 8, 0)
    ref = _change(demo_app, start)
    with unit_of_work(demo_app.factory) as session:
        due = sorted(b.due_at for b in session.scalars(
            select(Broadcast).where(Broadcast.kind == "change_reminder")))
    assert due == [_utc(2027, 3, 27, 9, 0), _utc(2027, 3, 28, 7, 0)]
    publisher = demo_app.publisher()
    publisher.run_due(start - timedelta(days=10))  # the notice, when the change is made
    publisher.run_due(_utc(2027, 3, 27, 8, 59))
    assert len(_emails(demo_app)) == 10  # only the original notice so far
    publisher.run_due(_utc(2027, 3, 27, 9, 0))
    reminder = _emails(demo_app)[-1]
    assert reminder["subject"] == f"[{ref}] Reminder: UK Link release starts in 1 day"
    assert reminder["context"]["window"] == "2027-03-28 09:00 BST to 2027-03-28 13:00 BST"
    assert "attachments" not in reminder  # a reminder changes no calendar entry
    assert local(start) == "2027-03-28 09:00 BST"
    assert "2027-03-28 09:00 BST" in _emails(demo_app)[0]["context"]["window"]


def test_moving_or_cancelling_a_change_replaces_its_reminders(demo_app: App) -> None:
    now = _utc(2026, 11, 1, 12, 0)
    ref = _change(demo_app, _utc(2026, 12, 1, 10, 0), now=now)
    demo_app.changes.amend(ref, OPERATOR, start=_utc(2026, 12, 2, 10, 0),
                           end=_utc(2026, 12, 2, 14, 0), now=now)  # fmt: skip

    def pending() -> list[datetime]:
        with unit_of_work(demo_app.factory) as session:
            return sorted(b.due_at for b in session.scalars(select(Broadcast).where(
                Broadcast.kind == "change_reminder", Broadcast.state == "scheduled")))

    assert pending() == [_utc(2026, 12, 1, 10, 0), _utc(2026, 12, 2, 9, 0)]
    demo_app.changes.cancel(ref, "postponed", OPERATOR, now=now)
    assert pending() == []


def test_the_scheduler_keeps_its_jobs_in_the_database_and_publishes(demo_app: App) -> None:
    demo_app.settings.broadcast_poll_seconds = 0.2
    _change(demo_app, datetime.now(UTC) + timedelta(days=3), now=datetime.now(UTC))
    schedule = demo_app.broadcast_schedule()
    schedule.start()
    try:
        deadline = time.monotonic() + 20
        while len(_emails(demo_app)) < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        schedule.stop()
    assert len(_emails(demo_app)) == 10
    with unit_of_work(demo_app.factory) as session:
        stored = session.get(ScheduledJob, DIGEST_JOB)
        assert stored is not None and stored.next_run_time is not None
    # A restarted scheduler finds the job and the next Monday 09:00 London time.
    schedule = demo_app.broadcast_schedule()
    schedule.start()
    try:
        job = schedule.scheduler.get_job(DIGEST_JOB)
        assert job.next_run_time.weekday() == 0 and job.next_run_time.hour == 9
    finally:
        schedule.stop()


def test_reminders_keep_london_wall_clock_across_the_autumn_change(demo_app: App) -> None:
    # 09:00 GMT on Sunday 25 October 2026, hours after the clocks go back: the day-before
    # reminder is 09:00 BST on Saturday (08:00Z), 25 elapsed hours earlier.
    _change(demo_app, _utc(2026, 10, 25, 9, 0))
    with unit_of_work(demo_app.factory) as session:
        due = sorted(b.due_at for b in session.scalars(
            select(Broadcast).where(Broadcast.kind == "change_reminder")))
    assert due == [_utc(2026, 10, 24, 8, 0), _utc(2026, 10, 25, 8, 0)]
