"""`switchdesk serve` on the embedded default: migrates, delivers, stops cleanly on a signal."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import DEMO_DIRECTORY


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serve_delivers_outbox_mail_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "SWITCHDESK_OUTBOX_POLL_SECONDS": "0.2"}
    env.pop("SWITCHDESK_DATABASE_URL", None)
    env.pop("SWITCHDESK_HOME", None)
    command = [sys.executable, "-m", "desk.cli.main"]
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [*command, "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert _wait_for(lambda: "is running" in Path(log.name).read_text()), Path(
            log.name
        ).read_text()
        text = Path(log.name).read_text()
        assert "Slack: not configured" in text and "var/mail/sent" in text
        for args in (
            ["directory", "load", str(DEMO_DIRECTORY)],
            [
                "tickets",
                "open",
                "--from",
                "sian.evans@oakleaf-energy.example",
                "--subject",
                "Objection window question",
                "--body",
                "How long?",
            ],
        ):
            subprocess.run(
                [*command, *args],
                cwd=tmp_path,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
        sent = tmp_path / "var" / "mail" / "sent"
        assert _wait_for(lambda: len(list(sent.glob("*.eml"))) == 1)
        assert (tmp_path / "var" / "switchdesk.db").exists()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert "switchdesk stopped" in Path(log.name).read_text()
    finally:
        if server.poll() is None:
            server.kill()
