"""Slack delivery through the outbox: 1,000 posts across 20 channels, paced one a second.

The real outbox worker (several threads sharing one deliverer, so the pacing must hold
across them) delivers `--count` `post` rows, interleaved over `--channels` channels, through
the real slack_sdk WebClient to the fake Web API (tests/support/fake_slack.py) started
in-process. The pacing bound is messages-per-channel × pace (50 s for 50 each); the target is
a total within 10% of it, with no duplicate and no lost message, and no two posts to one
channel closer than the pace (as the fake saw them arrive).

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/slack.py [--count 1000] [--channels 20] [--threads 4]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desk.bootstrap import build  # noqa: E402
from desk.outbox_worker import OutboxPolicy, OutboxWorker  # noqa: E402
from desk.settings import Settings  # noqa: E402
from store import outbox  # noqa: E402
from store.db import unit_of_work  # noqa: E402
from tests.support.fake_slack import FakeSlack, fake_slack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pace", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as home, fake_slack(
            FakeSlack(valid_token="xoxb-bench")) as fake:  # fmt: skip
        settings = Settings(home=Path(home),
                            slack_bot_token="xoxb-bench", slack_api_url=fake.base_url,
                            slack_pace_seconds=args.pace)  # fmt: skip
        app = build(settings)
        app.upgrade_database()
        channels = [f"C0BENCH{n:03d}" for n in range(args.channels)]
        with unit_of_work(app.factory) as session:
            for n in range(args.count):
                channel = channels[n % len(channels)]
                outbox.enqueue(session, "slack",
                               {"kind": "post", "channel": channel, "text": f"bench message {n}"})
        deliverers = app.deliverers
        workers = [OutboxWorker(app.factory, deliverers, OutboxPolicy(poll_seconds=0.05))
                   for _ in range(args.threads)]  # fmt: skip
        print(f"delivering {args.count} posts over {len(channels)} channels with "
              f"{args.threads} threads", file=sys.stderr, flush=True)
        started = time.monotonic()
        stop = threading.Event()
        threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
        for thread in threads:
            thread.start()
        while True:
            with unit_of_work(app.factory) as session:
                states = Counter(r.state for r in outbox.listing(session, limit=args.count + 10))
            if states.get("pending", 0) + states.get("claimed", 0) == 0:
                break
            time.sleep(0.2)
        total = time.monotonic() - started
        stop.set()
        for thread in threads:
            thread.join()
        app.close()
        posts = fake.calls_to("chat.postMessage")
        shown = [m.text for c in channels for m in fake.channel(c)]
    texts = Counter(shown)
    expected = {f"bench message {n}" for n in range(args.count)}
    gaps: list[float] = []
    for channel in channels:
        times = sorted(c.at for c in posts if c.args["channel"] == channel)
        gaps += [b - a for a, b in zip(times, times[1:], strict=False)]
    per_channel = -(-args.count // len(channels))
    bound = per_channel * args.pace
    result = {
        "benchmark": "slack outbox delivery",
        "database": "sqlite",
        "messages": args.count, "channels": len(channels), "threads": args.threads,
        "pace_seconds": args.pace, "pacing_bound_s": round(bound, 2),
        "total_s": round(total, 2), "over_bound_pct": round(100 * (total - bound) / bound, 1),
        "within_10pct": total <= bound * 1.10,
        "posts_made": len(posts), "duplicates": sum(n - 1 for n in texts.values() if n > 1),
        "lost": len(expected - set(texts)), "rows": dict(states),
        "min_gap_same_channel_s": round(min(gaps), 3) if gaps else None,
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }  # fmt: skip
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
