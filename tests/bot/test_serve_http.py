"""`switchdesk serve` answers /healthz on its HTTP listener without Slack, and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.smtp import free_port


def test_serve_answers_healthz_without_slack_and_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SWITCHDESK_HTTP_LISTEN": f"127.0.0.1:{port}",
           "SWITCHDESK_SMTP_LISTEN": "off", "SWITCHDESK_HOME": str(tmp_path / "var")}
    env.pop("SWITCHDESK_DATABASE_URL", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "desk.cli.main", "serve"], cwd=tmp_path,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "is running" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text()
        assert "Slack inbound: not configured" in text and f"127.0.0.1:{port}" in text, text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "database": True,
                                                   "slack": "off"}  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert "switchdesk stopped" in log.read_text()
