"""At most one message per second per channel, across the worker's threads."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.pacing import ChannelPacer
from desk.bootstrap import build
from desk.outbox_worker import OutboxPolicy, OutboxWorker
from store import outbox
from store.db import unit_of_work
from tests.bot.conftest import slack_settings
from tests.support.fake_slack import FakeSlack, fake_slack


def test_posts_to_one_channel_are_a_second_apart_across_threads(database_url: str,
                                                               tmp_path: Path) -> None:  # fmt: skip
    with fake_slack(FakeSlack()) as fake:
        app = build(slack_settings(database_url, tmp_path, fake, slack_pace_seconds=1.0))
        with unit_of_work(app.factory) as session:
            for n in range(3):
                outbox.enqueue(session, "slack", {"kind": "post", "channel": "C0BUSY0001",
                                                  "text": f"busy {n}"})  # fmt: skip
            outbox.enqueue(session, "slack", {"kind": "post", "channel": "C0QUIET001",
                                              "text": "quiet"})  # fmt: skip
        deliverers = app.deliverers  # one deliverer shared by every worker thread
        workers = [OutboxWorker(app.factory, deliverers, OutboxPolicy(batch=1))
                   for _ in range(4)]  # fmt: skip
        threads = [threading.Thread(target=w.drain) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        app.close()
        posts = fake.calls_to("chat.postMessage")
    busy = sorted(c.at for c in posts if c.args["channel"] == "C0BUSY0001")
    quiet = [c.at for c in posts if c.args["channel"] == "C0QUIET001"]
    assert len(busy) == 3 and len(quiet) == 1
    assert all(later - earlier >= 1.0 for earlier, later in zip(busy, busy[1:], strict=False))
    assert quiet[0] - busy[0] < 0.5  # another channel does not wait behind the busy one


def test_the_next_turn_counts_from_the_end_of_the_last_call() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=sleep)
    with pacer.turn("C1") as waited:
        assert waited == 0.0
        now[0] += 0.3  # a slow call
    with pacer.turn("C2") as waited:
        assert waited == 0.0
    with pacer.turn("C1") as waited:
        assert waited == 1.0  # from 100.3, when the slow call ended
    assert slept == [1.0]
