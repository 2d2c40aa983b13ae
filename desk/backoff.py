"""Retry delays: exponential with full jitter, never shorter than a deliverer's retry-after."""

from __future__ import annotations

import random


def retry_delay(
    attempt: int,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
