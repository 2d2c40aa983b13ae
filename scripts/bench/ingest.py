"""`switchdesk ingest` end to end on the embedded SQLite default: spooled, parsed, ticketed,
outbox rows written. Target: >= 400 msg/s on one core.

For each of --repeat runs (fresh temporary SWITCHDESK_HOME, migrated, demo directory loaded):
--count messages from scripts/gen_mail.generate(count, seed) go through the path the CLI
takes, in-process: `app.spooler.spool_many` in batches of 200, then
`app.inbound_processor.process_pending(ids=...)`. Wall and CPU (time.process_time) are timed
for the spool and the process phases; the median run (by msg/s) is reported with the others'
rates. Then once more through the real CLI: the messages are written as .eml files and
`switchdesk ingest DIR` runs as a subprocess in a fresh home (after `db upgrade` and
`directory load`); its wall and child CPU (getrusage) include interpreter start-up, reported
separately from `switchdesk --help`.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/ingest.py [--count 5000] [--seed 7] [--repeat 3]
    .venv/bin/python scripts/bench/ingest.py --profile     # adds a cProfile run's summary
    .venv/bin/python scripts/bench/ingest.py --no-cli      # in-process runs only
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from intake_common import (
    ROOT,
    db_counts,
    desk_environ,
    fresh_home,
    generate,
    load_average,
    log,
    machine,
    make_app,
    median_run,
    project_profile,
    top_own_time,
)

from desk.spooling import Incoming

SPOOL_BATCH = 200  # as desk/cli/intake.py
TARGET_MSG_S = 400.0
SWITCHDESK = Path(sys.executable).parent / "switchdesk"


def in_process(messages: list[bytes], profile: cProfile.Profile | None = None) -> dict[str, Any]:
    with fresh_home("switchdesk-bench-ingest-") as home:
        app = make_app(home)
        try:
            gc.collect()
            load_before = load_average()
            if profile is not None:
                profile.enable()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            ids: list[int] = []
            for start in range(0, len(messages), SPOOL_BATCH):
                batch = messages[start : start + SPOOL_BATCH]
                ids.extend(
                    app.spooler.spool_many(
                        [
                            Incoming(raw, "file", f"bench/{start + i:06d}.eml")
                            for i, raw in enumerate(batch)
                        ]
                    )
                )
            wall1, cpu1 = time.perf_counter(), time.process_time()
            results = app.inbound_processor.process_pending(ids=ids)
            wall2, cpu2 = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.disable()
            load_after = load_average()
            counts = db_counts(app)
        finally:
            app.close()
    n = len(messages)
    wall, cpu = wall2 - wall0, cpu2 - cpu0
    return {
        "messages": n,
        "msg_per_s": round(n / wall, 1),
        "msg_per_cpu_s": round(n / cpu, 1),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "spool": {
            "wall_s": round(wall1 - wall0, 3),
            "cpu_s": round(cpu1 - cpu0, 3),
            "ms_per_msg": round((wall1 - wall0) * 1000 / n, 3),
        },
        "process": {
            "wall_s": round(wall2 - wall1, 3),
            "cpu_s": round(cpu2 - cpu1, 3),
            "ms_per_msg": round((wall2 - wall1) * 1000 / n, 3),
            "processed_now": len(results),
        },
        "outcomes": dict(sorted(Counter(r.outcome for r in results).items())),
        "database": counts,
        "load_average": {"before": load_before, "after": load_after},
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(args: list[str], environ: dict[str, str]) -> tuple[str, float, float]:
    """(stdout, wall s, CPU s) of one `switchdesk` subprocess."""
    cpu0, wall0 = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [str(SWITCHDESK), *args], env=environ, capture_output=True, text=True, check=False
    )
    wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
    if done.returncode != 0:
        raise RuntimeError(
            f"switchdesk {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-2000:]}"
        )
    return done.stdout, wall, cpu


def via_cli(messages: list[bytes]) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHDESK_")}
    with (
        fresh_home("switchdesk-bench-cli-") as home,
        tempfile.TemporaryDirectory(prefix="switchdesk-bench-eml-") as mail_dir,
    ):
        for n, raw in enumerate(messages):
            (Path(mail_dir) / f"{n:06d}.eml").write_bytes(raw)
        environ = {**base, **desk_environ(home)}
        _, help_wall, help_cpu = run_cli(["--help"], environ)
        run_cli(["db", "upgrade"], environ)
        run_cli(["directory", "load", str(ROOT / "scripts" / "demo" / "directory.yaml")], environ)
        load_before = load_average()
        out, wall, cpu = run_cli(["ingest", mail_dir], environ)
        load_after = load_average()
    n = len(messages)
    match = re.search(r"ingested (\d+) messages \((\d+) processed now\): (.*)", out)
    outcomes: dict[str, int] = {}
    if match:
        for part in match.group(3).split(", "):
            number, _, outcome = part.strip().partition(" ")
            outcomes[outcome] = int(number)
    return {
        "messages": n,
        "msg_per_s": round(n / wall, 1),
        "msg_per_cpu_s": round(n / cpu, 1),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "startup": {"help_wall_s": round(help_wall, 3), "help_cpu_s": round(help_cpu, 3)},
        "msg_per_s_excluding_startup": round(n / max(wall - help_wall, 1e-9), 1),
        "output": out.strip(),
        "outcomes": outcomes,
        "load_average": {"before": load_before, "after": load_after},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess run")
    parser.add_argument(
        "--profile", action="store_true", help="one extra in-process run under cProfile (not timed)"
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeat < 1:
        parser.error("--count and --repeat must be >= 1")

    started = time.perf_counter()
    load_start = load_average()
    log(f"generating {args.count} messages (seed {args.seed})")
    messages = list(generate(args.count, args.seed))
    sizes = sorted(len(m) for m in messages)
    runs = []
    for i in range(args.repeat):
        log(f"in-process run {i + 1}/{args.repeat}")
        runs.append(in_process(messages))
        log(f"  {runs[-1]['msg_per_s']} msg/s, {runs[-1]['outcomes']}")
    best = dict(median_run(runs, "msg_per_s"))
    result: dict[str, Any] = {
        "benchmark": "ingest",
        "count": args.count,
        "seed": args.seed,
        "repeat": args.repeat,
        "machine": machine(),
        "message_bytes": {
            "median": statistics.median(sizes),
            "max": sizes[-1],
            "total_mb": round(sum(sizes) / 2**20, 2),
        },
        "target_msg_per_s": TARGET_MSG_S,
        "in_process": {
            **best,
            "meets_target": best["msg_per_s"] >= TARGET_MSG_S,
            "all_runs_msg_per_s": [r["msg_per_s"] for r in runs],
            "all_runs_msg_per_cpu_s": [r["msg_per_cpu_s"] for r in runs],
        },
    }
    if not args.no_cli:
        log("CLI run: writing .eml files, switchdesk ingest DIR")
        cli = via_cli(messages)
        cli["meets_target"] = cli["msg_per_s"] >= TARGET_MSG_S
        result["cli"] = cli
        log(f"  {cli['msg_per_s']} msg/s")
    if args.profile:
        log("profiled run (cProfile; slower than the timed runs)")
        profile = cProfile.Profile()
        profiled = in_process(messages, profile)
        result["profile"] = {
            "wall_s_under_profiler": profiled["wall_s"],
            "spool_wall_s": profiled["spool"]["wall_s"],
            "process_wall_s": profiled["process"]["wall_s"],
            "top_project_cumulative": project_profile(profile, 30),
            "top_own_time_anywhere": top_own_time(profile, 20),
        }
    result["load_average"] = {"start": load_start, "end": load_average()}
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
