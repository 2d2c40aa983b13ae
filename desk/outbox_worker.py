"""Delivers outbox rows: claim a batch, deliver each outside any transaction, record outcome."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from desk.backoff import retry_delay
from desk.delivery import Deliverer, NotConfigured, PermanentFailure, TransientFailure
from store import outbox
from store.db import unit_of_work
from store.types import utcnow

log = logging.getLogger("switchdesk.outbox")


@dataclass(frozen=True)
class OutboxPolicy:
    batch: int = 20
    max_attempts: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    lease_seconds: float = 120.0
    poll_seconds: float = 1.0


class OutboxWorker:
    def __init__(
        self,
        factory: sessionmaker[Session],
        deliverers: Mapping[str, Deliverer],
        policy: OutboxPolicy,
        rng: random.Random | None = None,
    ) -> None:
        self.factory, self.deliverers, self.policy = factory, deliverers, policy
        self.rng = rng or random.Random()

    def run_once(self) -> int:
        """Deliver one batch of due rows; return how many were attempted."""
        with unit_of_work(self.factory) as session:
            token, rows = outbox.claim(
                session, self.policy.batch, timedelta(seconds=self.policy.lease_seconds)
            )
            work = [(row.id, row.channel, dict(row.payload), row.attempts) for row in rows]
        for row_id, channel, payload, attempts in work:
            outcome = self._attempt(row_id, channel, payload, attempts + 1)
            with unit_of_work(self.factory) as session:
                if not outbox.finish(session, row_id, token, **outcome):
                    log.warning("outbox row %s: claim lost before its outcome was saved", row_id)
        return len(work)

    def _attempt(self, row_id: int, channel: str, payload: dict, attempt: int) -> dict:
        now = utcnow()
        deliverer = self.deliverers.get(channel)
        try:
            if deliverer is None:
                raise PermanentFailure(f"no deliverer for channel {channel!r}")
            deliverer.deliver(row_id, payload)
        except NotConfigured as exc:
            log.info("outbox row %s (%s) skipped: %s", row_id, channel, exc)
            return {"state": outbox.SKIPPED, "last_error": str(exc), "done_at": now}
        except PermanentFailure as exc:
            log.error("outbox row %s (%s) dead-lettered: %s", row_id, channel, exc)
            return {
                "state": outbox.DEAD,
                "attempts": attempt,
                "last_error": str(exc),
                "done_at": now,
            }
        except Exception as exc:  # noqa: BLE001 - any other failure is worth retrying
            retry_after = exc.retry_after if isinstance(exc, TransientFailure) else None
            error = f"{type(exc).__name__}: {exc}"
            if attempt >= self.policy.max_attempts:
                log.error(
                    "outbox row %s (%s) dead after %d attempts: %s", row_id, channel, attempt, error
                )
                return {
                    "state": outbox.DEAD,
                    "attempts": attempt,
                    "last_error": error,
                    "done_at": now,
                }
            delay = retry_delay(
                attempt, self.policy.backoff_base, self.policy.backoff_cap, retry_after, self.rng
            )
            log.warning(
                "outbox row %s (%s) attempt %d failed, retry in %.1fs: %s",
                row_id,
                channel,
                attempt,
                delay,
                error,
            )
            return {
                "state": outbox.PENDING,
                "attempts": attempt,
                "last_error": error,
                # from the failure's answer, not the attempt's start: Retry-After counts from it
                "next_attempt_at": utcnow() + timedelta(seconds=delay),
            }
        return {"state": outbox.SENT, "attempts": attempt, "last_error": None, "done_at": now}

    def drain(self) -> int:
        """Deliver until nothing is due; for `outbox work --once` and tests."""
        total = 0
        while (count := self.run_once()) > 0:
            total += count
        return total

    def run(self, stop: threading.Event) -> None:
        log.info("outbox worker started")
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. database down: log, wait, go on
                log.exception("outbox worker: batch failed; will retry")
                busy = 0
            if not busy:
                stop.wait(self.policy.poll_seconds)
        log.info("outbox worker stopped")
