"""`TicketQueries.at_risk` at scale, on the databases scripts/bench/tickets.py filled.

Run tickets.py first (its 1,000,000 tickets: ~33,000 open, most of them recent and ~1,000
stale ones years overdue), then this with the same --sqlite-path / --pg-schema. It times
`at_risk(resolver, within=4h, now=2026-12-01T00:00Z, limit=50)` with the resolver cycling
through the nine groups and None (the whole desk), after a warm-up. Nothing is written.
Target: p95 < 20 ms, as for the other ticket read paths.

Prints one JSON object on stdout: p50/p95/p99/max in ms per database and per scope (one
resolver, the whole desk), rows per call, and the machine's load average.

    .venv/bin/python scripts/bench/at_risk.py [--databases sqlite,postgresql]
        [--sqlite-path /tmp/switchdesk-bench/bench.db] [--pg-schema switchdesk_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from desk.ticket_views import TicketQueries
from store.db import make_engine, make_session_factory

NOW = datetime(2026, 12, 1, tzinfo=UTC)  # where tickets.py's data ends
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 20.0


def stats(samples: list[float]) -> dict[str, Any]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"samples": len(samples), "p50_ms": round(q[49], 3), "p95_ms": round(q[94], 3),
            "p99_ms": round(q[98], 3), "max_ms": round(max(samples), 3),
            "p95_under_target": q[94] < TARGET_P95_MS}  # fmt: skip


def measure(url: str, iterations: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            keys = list(conn.scalars(text("SELECT key FROM resolver_groups ORDER BY key")))
            total = conn.scalar(text("SELECT count(*) FROM tickets"))
        queries = TicketQueries(make_session_factory(engine))
        within = timedelta(hours=4)
        for key in [*keys, None] * 3:  # warm-up
            queries.at_risk(key, within, NOW, limit=50)
        result: dict[str, Any] = {"tickets": total}
        for scope, choices in (("one_resolver", keys), ("whole_desk", [None])):
            samples: list[float] = []
            rows: list[int] = []
            for i in range(iterations):
                started = time.perf_counter()
                found = queries.at_risk(choices[i % len(choices)], within, NOW, limit=50)
                samples.append((time.perf_counter() - started) * 1000)
                rows.append(len(found))
            result[scope] = {**stats(samples), "rows_min": min(rows), "rows_max": max(rows)}
        return result
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite-path", default="/tmp/switchdesk-bench/bench.db")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--pg-schema", default="switchdesk_bench")
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"load_average_before": os.getloadavg()}
    for database in (d.strip() for d in args.databases.split(",") if d.strip()):
        if database == "sqlite":
            if not Path(args.sqlite_path).exists():
                sys.exit(f"no {args.sqlite_path}: run scripts/bench/tickets.py first")
            url = f"sqlite:///{args.sqlite_path}"
        else:
            url = f"{args.pg_url}?options=-csearch_path%3D{args.pg_schema}"
        print(f"{database}: measuring", file=sys.stderr)
        out[database] = measure(url, args.iterations)
    out["load_average_after"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
