"""Two real worker processes share one outbox: every row is delivered exactly once."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from desk.mail_payloads import email_payload
from store import outbox
from store.db import make_engine, make_session_factory, unit_of_work
from tests.support.smtp import Inbox, smtp_server

ROWS = 240
SWITCHDESK = [sys.executable, "-m", "desk.cli.main"]


def test_two_worker_processes_deliver_each_row_once(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        for n in range(ROWS):
            outbox.enqueue(
                session,
                "email",
                email_payload(
                    template="reply",
                    to=f"p{n}@brightwater-energy.example",
                    subject=f"update {n}",
                    context={
                        "ref": f"SD-{n:06d}",
                        "desk_name": "Desk",
                        "requester_name": None,
                        "subject": "",
                        "body": f"update {n}",
                    },
                    message_id=f"row-{n}@switchdesk.example",
                    thread=[],
                ),
            )
    engine.dispose()

    with smtp_server(Inbox(delay=0.01)) as (inbox, port):
        env = {
            **os.environ,
            "SWITCHDESK_DATABASE_URL": database_url,
            "SWITCHDESK_HOME": str(tmp_path / "var"),
            "SWITCHDESK_OUTBOX_BATCH": "4",
            "SWITCHDESK_MAIL_RELAY": f"smtp://127.0.0.1:{port}",
        }
        workers = [
            subprocess.Popen(
                [*SWITCHDESK, "outbox", "work"],
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        results = [w.communicate(timeout=120) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], results
    attempted = [int(out.split()[1]) for out, _ in results]
    ids = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(ids) == ROWS and max(ids.values()) == 1, "a row was delivered twice"
    assert sum(attempted) == ROWS and min(attempted) > 0, attempted  # both workers took rows
