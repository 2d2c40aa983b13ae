"""RSS growth of in-process ingest over 20,000 messages. Target: growth < 30 MB.

In a fresh temporary SWITCHDESK_HOME (SQLite default, migrated, demo directory loaded), all
--count messages are generated up front (scripts/gen_mail.generate; they stay in memory for
the whole run, so they are part of the baseline, not of the growth). Then they are ingested
as `switchdesk ingest` does, in chunks of --every messages: `app.spooler.spool_many` in
batches of 200, then `app.inbound_processor.process_pending(ids=...)` for the chunk. The
first --warmup messages warm the process up; VmRSS (/proc/self/status) read after them is
the baseline, then it is read after each further chunk (after gc.collect(), so the series
shows what is retained rather than when the collector last ran). Reports baseline, final,
max growth in MB, the series, VmHWM, and Python-level allocations (tracemalloc is not used:
it would slow the run and inflate RSS; gc object counts are given instead).

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/memory.py [--count 20000] [--warmup 1000] [--every 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from typing import Any

from intake_common import (
    App,
    db_counts,
    fresh_home,
    generate,
    load_average,
    log,
    machine,
    make_app,
    peak_rss_mb,
    rss_mb,
)

from desk.spooling import Incoming

SPOOL_BATCH = 200  # as desk/cli/intake.py
TARGET_GROWTH_MB = 30.0


def ingest(app: App, messages: list[bytes], first: int) -> dict[str, int]:
    ids: list[int] = []
    for start in range(0, len(messages), SPOOL_BATCH):
        batch = messages[start : start + SPOOL_BATCH]
        ids.extend(
            app.spooler.spool_many(
                [
                    Incoming(raw, "file", f"bench/{first + start + i:06d}.eml")
                    for i, raw in enumerate(batch)
                ]
            )
        )
    outcomes: dict[str, int] = {}
    for processed in app.inbound_processor.process_pending(ids=ids):
        outcomes[processed.outcome] = outcomes.get(processed.outcome, 0) + 1
    return outcomes


def sample(done: int, started: float) -> dict[str, Any]:
    gc.collect()
    return {
        "messages": done,
        "rss_mb": round(rss_mb(), 1),
        "gc_objects": len(gc.get_objects()),
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=1_000)
    parser.add_argument("--every", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 0 < args.warmup < args.count or args.every < 1:
        parser.error("need 0 < --warmup < --count and --every >= 1")

    started = time.perf_counter()
    load_start = load_average()
    rss_start = rss_mb()
    log(f"generating {args.count} messages (seed {args.seed})")
    messages = list(generate(args.count, args.seed))
    rss_generated = rss_mb()
    outcomes: dict[str, int] = {}
    with fresh_home("switchdesk-bench-memory-") as home:
        app = make_app(home)
        try:
            t0 = time.perf_counter()
            log(f"warm-up: {args.warmup} messages")
            for k, v in ingest(app, messages[: args.warmup], 0).items():
                outcomes[k] = outcomes.get(k, 0) + v
            series = [sample(args.warmup, t0)]
            log(f"baseline {series[0]['rss_mb']} MB")
            done = args.warmup
            while done < args.count:
                chunk = messages[done : done + args.every]
                for k, v in ingest(app, chunk, done).items():
                    outcomes[k] = outcomes.get(k, 0) + v
                done += len(chunk)
                series.append(sample(done, t0))
                log(f"{done} messages: {series[-1]['rss_mb']} MB")
            ingest_s = time.perf_counter() - t0
            counts = db_counts(app)
            db_files = {p.name: round(p.stat().st_size / 2**20, 1) for p in home.glob("*.db*")}
        finally:
            app.close()
    baseline, final = series[0]["rss_mb"], series[-1]["rss_mb"]
    growth = max(s["rss_mb"] for s in series) - baseline
    measured = args.count - args.warmup
    print(
        json.dumps(
            {
                "benchmark": "memory",
                "count": args.count,
                "warmup": args.warmup,
                "every": args.every,
                "seed": args.seed,
                "machine": machine(),
                "target_growth_mb": TARGET_GROWTH_MB,
                "rss_at_start_mb": round(rss_start, 1),
                "rss_after_generating_mb": round(rss_generated, 1),
                "baseline_rss_mb": baseline,
                "final_rss_mb": final,
                "final_growth_mb": round(final - baseline, 1),
                "max_growth_mb": round(growth, 1),
                "growth_kb_per_1000_msgs": round((final - baseline) * 1024 / measured * 1000, 1),
                "meets_target": growth < TARGET_GROWTH_MB,
                "peak_rss_vmhwm_mb": round(peak_rss_mb(), 1),
                "series": series,
                "ingest_msg_per_s": round(args.count / ingest_s, 1),
                "outcomes": dict(sorted(outcomes.items())),
                "database": counts,
                "database_files_mb": db_files,
                "load_average": {"start": load_start, "end": load_average()},
                "wall_s": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
