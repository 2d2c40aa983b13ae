"""Two `switchdesk serve` processes on one PostgreSQL, each with its scheduler and outbox
worker: a scheduled bulletin and its update reach every contact once, counted at a real
SMTP sink."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk.actor import Actor
from desk.bootstrap import App, build
from desk.bulletins import NewBulletin
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.settings import Settings
from store.db import unit_of_work
from tests.conftest import DEMO_DIRECTORY, _empty_postgres, cli_env
from tests.support.smtp import Inbox, smtp_server

SWITCHDESK = [sys.executable, "-m", "desk.cli.main"]
CONTACTS = 10  # in the demo directory


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Path):
    """Several serve processes share a PostgreSQL; SQLite is one process's store."""
    _empty_postgres(pg_url)
    app = build(Settings(home=tmp_path / "var", database_url=pg_url))
    with unit_of_work(app.factory) as session:
        apply_directory(session, parse_directory(DEMO_DIRECTORY))
    yield app
    app.close()


def test_two_serve_processes_send_each_broadcast_once(pg_app: App, tmp_path: Path) -> None:
    demo_app = pg_app
    operator = Actor("claire.moss@switchdesk.example", "cli")
    soon = datetime.now(UTC) + timedelta(seconds=4)
    ref = demo_app.bulletins.create(NewBulletin(title="CSS maintenance tonight",
                                                body="Read-only 22:00-23:00.",
                                                severity="planned_maintenance",
                                                publish_at=soon), operator)  # fmt: skip
    with smtp_server(Inbox(delay=0.005)) as (inbox, port):
        env = {**os.environ, **cli_env(demo_app), "SWITCHDESK_MAIL_RELAY": f"smtp://127.0.0.1:{port}",
               "SWITCHDESK_SMTP_LISTEN": "off", "SWITCHDESK_HTTP_LISTEN": "off",
               "SWITCHDESK_BROADCAST_POLL_SECONDS": "0.3", "SWITCHDESK_OUTBOX_POLL_SECONDS": "0.2",
               "SWITCHDESK_OUTBOX_BATCH": "2"}  # fmt: skip
        logs = [(tmp_path / f"serve{n}.log").open("w+") for n in range(2)]
        servers = [subprocess.Popen([*SWITCHDESK, "serve"], env=env, stdout=log,
                                    stderr=subprocess.STDOUT, text=True)
                   for log in logs]  # fmt: skip
        try:
            assert _wait_for(lambda: all("is running" in Path(log.name).read_text()
                                         for log in logs), 30)  # fmt: skip
            assert _wait_for(lambda: len(inbox.messages) >= CONTACTS, 30)
            demo_app.bulletins.update(ref, "Finished early.", operator, resolve=True)
            assert _wait_for(lambda: len(inbox.messages) >= 2 * CONTACTS, 30)
            time.sleep(2)  # long enough for a second copy to show up, if there were one
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            codes = [server.wait(timeout=30) for server in servers]
    assert codes == [0, 0], [Path(log.name).read_text()[-2000:] for log in logs]
    received = Counter((m["To"], m["Subject"]) for m in inbox.messages)
    assert len(received) == 2 * CONTACTS and set(received.values()) == {1}
    subjects = {subject for _, subject in received}
    assert subjects == {f"[{ref}] CSS maintenance tonight",
                        f"[{ref}] Resolved: CSS maintenance tonight"}  # fmt: skip
    resolved = [m for m in inbox.messages if "Resolved" in m["Subject"]]
    assert all(m["In-Reply-To"] and m["References"] for m in resolved)
