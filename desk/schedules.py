"""The desk's clock for broadcasts: APScheduler, with its jobs kept in the desk's database.

Two jobs: publishing what is due (scheduled bulletins, change notices and reminders, all rows
with a due time) every few seconds, and the weekly forward-schedule-of-change digest on a
cron in Europe/London, so it fires at 09:00 local time in GMT and in BST alike. Exactly-once
does not rest on the scheduler: a digest is named by its slot and every recipient has one
ledger row per broadcast, so a restart, a missed run caught up after downtime, or a second
`serve` on the same PostgreSQL sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from desk.broadcast.times import LONDON
from desk.errors import InvalidInput
from desk.publishing import BroadcastPublisher
from store.models import ScheduledJob
from store.types import utcnow

log = logging.getLogger("switchdesk.schedules")

DIGEST_JOB = "fsc-digest"
# Persisted jobs name their function by import path; this maps a schedule to this process's
# publisher, so a job loaded from the database runs against the live application.
_RUNNING: dict[str, BroadcastSchedule] = {}


def digest_trigger(cron: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(cron, timezone=LONDON)
    except ValueError as exc:
        raise InvalidInput(f"digest cron {cron!r}: {exc}") from None


def latest_slot(trigger: CronTrigger, now: datetime, horizon: timedelta) -> datetime | None:
    """The last time the trigger fired at or before `now`, looking back at most `horizon`."""
    slot, moment = None, (now - horizon).astimezone(LONDON)
    while True:
        following = trigger.get_next_fire_time(None, moment)
        if following is None or following > now:
            return slot.astimezone(UTC) if slot else None
        slot, moment = following, following + timedelta(seconds=1)


class BroadcastSchedule:
    def __init__(self, publisher: BroadcastPublisher, engine: Engine, digest_cron: str,
                 digest_weeks: int, name: str = "desk") -> None:  # fmt: skip
        self.publisher, self.engine, self.name = publisher, engine, name
        self.trigger = digest_trigger(digest_cron)
        self.weeks = digest_weeks
        self.scheduler: BackgroundScheduler | None = None

    def digest_due(self, now: datetime | None = None) -> bool:
        """Queue the digest of the latest slot if it is not out yet (and within the grace)."""
        now = now or utcnow()
        slot = latest_slot(self.trigger, now, self.publisher.policy.grace)
        return slot is not None and self.publisher.enqueue_digest(slot, self.weeks, now)

    def tick(self, now: datetime | None = None) -> int:
        self.digest_due(now)
        return self.publisher.run_due(now)

    def start(self) -> None:
        grace = int(self.publisher.policy.grace.total_seconds()) or 1
        scheduler = BackgroundScheduler(
            timezone=LONDON,
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine,
                                                     tablename=ScheduledJob.__tablename__),
                       "local": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        )  # fmt: skip
        _RUNNING[self.name] = self
        scheduler.add_job(run, self.trigger, args=[self.name], id=DIGEST_JOB,
                          name="weekly forward schedule of change", replace_existing=True)
        scheduler.add_job(run, IntervalTrigger(seconds=self.publisher.policy.poll_seconds),
                          args=[self.name], id="broadcasts-due", jobstore="local",
                          name="publish due broadcasts",
                          next_run_time=datetime.now(UTC))  # also catches up after downtime
        scheduler.start()
        self.scheduler = scheduler
        job = scheduler.get_job(DIGEST_JOB)
        after = job.next_run_time.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z") if job else None
        log.info("broadcast schedule started; next digest %s", after or "never")

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        _RUNNING.pop(self.name, None)


def run(name: str) -> None:
    """The jobs' entry point (importable by path, as persisted jobs need)."""
    try:
        _RUNNING[name].tick()
    except Exception as exc:  # noqa: BLE001 - e.g. the database is down: the next tick retries
        log.warning("broadcasts: cannot publish now (%s); will retry", exc)
