"""Shared helpers for the e-mail intake benchmarks (ingest.py, smtp.py, memory.py).

Not a benchmark itself. Each benchmark builds the desk only through stable entry points:
`desk.settings.load_settings`, `desk.bootstrap.build(settings)` and the App it returns,
`desk.directory.parse_directory` + `desk.directory_load.apply_directory`, and
`scripts/gen_mail.generate(count, seed)` for the messages. Counts are read with plain SQL on
the documented tables (`inbound`, `tickets`, `outbox`) so the product code can change freely.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = ROOT / "scripts" / "demo" / "directory.yaml"
PROJECT_DIRS = ("desk", "store", "intake", "knowledge", "bot")
sys.path.insert(0, str(ROOT / "scripts"))

from gen_mail import generate  # noqa: E402

from desk.bootstrap import App, build  # noqa: E402
from desk.directory import parse_directory  # noqa: E402
from desk.directory_load import apply_directory  # noqa: E402
from desk.settings import load_settings  # noqa: E402

__all__ = ["generate", "App"]
# Where the product code under test was imported from: the working tree, or a snapshot put
# first on PYTHONPATH (e.g. `git archive HEAD` unpacked in /tmp) for a stable baseline.
CODE_ROOT = Path(sys.modules["desk"].__file__ or "").resolve().parents[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_mb() -> float:
    """This process's resident set size (VmRSS) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "code": CODE_INFO}


def code_under_test() -> dict[str, Any]:
    """Which product code ran: its root, and for a git checkout the commit and the product
    files that differ from it (other people may be changing them while this runs)."""
    info: dict[str, Any] = {"root": str(CODE_ROOT)}
    git = ["git", "-C", str(CODE_ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        info["git_head"] = head.stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", *PROJECT_DIRS], capture_output=True, text=True
        )
        info["uncommitted_product_files"] = [
            line[3:] for line in status.stdout.splitlines() if line.strip()
        ]
    return info


@contextmanager
def fresh_home(prefix: str) -> Iterator[Path]:
    """A new, empty SWITCHDESK_HOME, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


def desk_environ(home: Path, **overrides: str) -> dict[str, str]:
    """Only SWITCHDESK_HOME (and overrides): the embedded SQLite default, whatever the shell
    exports."""
    environ = {"SWITCHDESK_HOME": str(home)}
    environ.update({f"SWITCHDESK_{k.upper()}": v for k, v in overrides.items()})
    return environ


def make_app(home: Path, **overrides: str) -> App:
    """Build the desk in `home`, migrate it and load the demo directory."""
    app = build(load_settings(None, desk_environ(home, **overrides)))
    app.upgrade_database()
    directory = parse_directory(DIRECTORY)
    with app.factory.begin() as session:
        apply_directory(session, directory)
    return app


def db_counts(app: App) -> dict[str, Any]:
    with app.engine.connect() as conn:
        outcomes = dict(
            conn.execute(
                text("SELECT coalesce(outcome, state), count(*) FROM inbound GROUP BY 1 ORDER BY 1")
            ).all()
        )
        outbox = dict(
            conn.execute(text("SELECT channel, count(*) FROM outbox GROUP BY 1 ORDER BY 1")).all()
        )
        return {
            "inbound": conn.scalar(text("SELECT count(*) FROM inbound")),
            "inbound_outcomes": outcomes,
            "tickets": conn.scalar(text("SELECT count(*) FROM tickets")),
            "messages": conn.scalar(text("SELECT count(*) FROM messages")),
            "outbox_rows": outbox,
        }


def processed_count(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM inbound WHERE state <> 'pending'")) or 0)


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    if len(samples_ms) < 2:
        only = samples_ms[0] if samples_ms else float("nan")
        return {"p50_ms": only, "p90_ms": only, "p99_ms": only, "max_ms": only}
    q = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49], 3),
        "p90_ms": round(q[89], 3),
        "p99_ms": round(q[98], 3),
        "max_ms": round(max(samples_ms), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
    }


def median_run(runs: Sequence[Mapping[str, Any]], key: str) -> Mapping[str, Any]:
    """The run whose `key` is the median (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[(len(ordered) - 1) // 2]


def project_profile(profile: cProfile.Profile, limit: int = 25) -> list[dict[str, Any]]:
    """Top project functions (desk/, store/, intake/, ...) by cumulative time."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows: list[dict[str, Any]] = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        path = Path(filename)
        try:
            relative = path.resolve().relative_to(CODE_ROOT)
        except ValueError:
            continue
        if relative.parts[0] not in PROJECT_DIRS:
            continue
        rows.append(
            {
                "function": f"{relative}:{line}({name})",
                "calls": calls,
                "cumulative_s": round(cumtime, 3),
                "own_s": round(tottime, 3),
            }
        )
    rows.sort(key=lambda r: r["cumulative_s"], reverse=True)
    return rows[:limit]


def top_own_time(profile: cProfile.Profile, limit: int = 15) -> list[dict[str, Any]]:
    """Top functions anywhere (library code included) by their own time."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = [
        {
            "function": f"{Path(f).name}:{line}({name})",
            "calls": calls,
            "own_s": round(tottime, 3),
            "cumulative_s": round(cumtime, 3),
        }
        for (f, line, name), (_cc, calls, tottime, cumtime, _c) in stats.stats.items()  # type: ignore[attr-defined]
    ]
    rows.sort(key=lambda r: r["own_s"], reverse=True)
    return rows[:limit]


CODE_INFO = code_under_test()  # at import time: the product code may change during a run
