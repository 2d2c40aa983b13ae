"""One bulletin to 2,000 participant contacts and 30 Slack announcement channels.

Targets: enqueue (audience selection, one rendered e-mail per contact, one post per channel,
the delivery ledger, all in one transaction) under 1 s; e-mail delivery through the outbox
to a local aiosmtpd sink, over the relay deliverer's reused connection, at >= 100 e-mails/s.

For each of --repeat runs: a fresh home (SQLite, or --database-url for PostgreSQL, emptied
first), a generated directory of --contacts contacts in 200 organisations of mixed roles, the
bulletin created for "all", then `publisher.run_due()` timed (enqueue), then the outbox
worker's `drain()` timed until the sink has every message (delivery). Slack rows are skipped
(no Slack configured) and counted, so the ledger is whole. Medians are reported.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/broadcast.py [--contacts 2000] [--channels 30] [--repeat 3]
    .venv/bin/python scripts/bench/broadcast.py --database-url postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from intake_common import ROOT, log, machine

sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from desk.actor import Actor  # noqa: E402
from desk.bootstrap import build  # noqa: E402
from desk.bulletins import NewBulletin  # noqa: E402
from desk.directory import parse_directory  # noqa: E402
from desk.directory_load import apply_directory  # noqa: E402
from desk.settings import load_settings  # noqa: E402
from store.models import Base  # noqa: E402
from tests.support.smtp import smtp_server  # noqa: E402

ROLES = (["X"], ["R"], ["S"], ["GT"], ["M", "8"], ["C", "D"], ["X", "GS"])


def directory_yaml(contacts: int, orgs: int = 200) -> str:
    lines = ["resolver_groups:"]
    lines += [f"  - {{key: {key}, name: {key}, kind: css_provider}}" for key in (
        "registration_service", "address_service", "xoserve_uk_link", "dno_mpas",
        "gemserv_ecoes", "dcc_dsp", "switching_network", "switching_operator")]  # fmt: skip
    lines += ["  - {key: service_desk, name: Desk, kind: desk}", "participants:"]
    for org in range(orgs):
        roles = ROLES[org % len(ROLES)]
        codes = ", ".join(f'"{code}"' for code in roles)
        lines += [f"  - name: Participant {org:03d}",
                  f"    mpids: [{{id: P{org:03d}, roles: [{codes}]}}]",
                  f"    domains: [p{org:03d}.example]", "    contacts:"]  # fmt: skip
        lines += [f"      - {{name: Contact {n}, email: c{n}@p{org:03d}.example}}"
                  for n in range(org, contacts, orgs)]  # fmt: skip
    return "\n".join(lines) + "\n"


def one_run(contacts: int, channels: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as home, smtp_server() as (
        inbox,
        port,
    ):
        path = Path(home) / "directory.yaml"
        path.write_text(directory_yaml(contacts))
        environ = {"SWITCHDESK_HOME": home, "SWITCHDESK_MAIL_RELAY": f"smtp://127.0.0.1:{port}",
                   "SWITCHDESK_ANNOUNCEMENT_CHANNELS": ",".join(
                       f"C0ANN{n:05d}" for n in range(channels)),
                   "SWITCHDESK_OUTBOX_BATCH": "200"}  # fmt: skip
        if database_url:
            environ["SWITCHDESK_DATABASE_URL"] = database_url
        app = build(load_settings(None, environ))
        app.upgrade_database()
        if database_url:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with app.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        with app.factory.begin() as session:
            apply_directory(session, parse_directory(path))
        app.bulletins.create(NewBulletin(title="CSS Registration Service maintenance",
                                         body="**Read-only** from 22:00 to 23:00 tonight.",
                                         severity="planned_maintenance",
                                         services=("registration_service",)),
                             Actor("bench", "cli"))  # fmt: skip
        publisher = app.publisher()
        started = time.perf_counter()
        published = publisher.run_due()
        enqueue = time.perf_counter() - started
        worker = app.outbox_worker()
        started = time.perf_counter()
        worker.drain()
        deliver = time.perf_counter() - started
        with app.engine.connect() as conn:
            states = dict(conn.execute(text(
                "SELECT channel || ':' || state, count(*) FROM outbox GROUP BY 1")).all())
        received = Counter(m["To"] for m in inbox.messages)
        app.deliverers["email"].close()
        app.close()
    return {"published": published, "enqueue_s": round(enqueue, 3),
            "deliver_s": round(deliver, 3), "emails_per_s": round(len(inbox.messages) / deliver, 1),
            "emails_received": len(inbox.messages), "distinct_recipients": len(received),
            "duplicates": sum(n - 1 for n in received.values()), "outbox": states}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    runs = []
    for n in range(args.repeat):
        runs.append(one_run(args.contacts, args.channels, args.database_url))
        log(f"run {n + 1}: {runs[-1]}")
    enqueue = statistics.median(r["enqueue_s"] for r in runs)
    rate = statistics.median(r["emails_per_s"] for r in runs)
    print(json.dumps({
        "benchmark": "broadcast", "database": "postgresql" if args.database_url else "sqlite",
        "contacts": args.contacts, "channels": args.channels, "runs": runs,
        "enqueue_s_median": enqueue, "enqueue_target_s": 1.0,
        "emails_per_s_median": rate, "emails_per_s_target": 100,
        "lost": sum(args.contacts - r["distinct_recipients"] for r in runs),
        "duplicates": sum(r["duplicates"] for r in runs), "machine": machine(),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
