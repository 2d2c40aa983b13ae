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


def test_serve_takes_mail_by_smtp_and_imap_into_tickets(tmp_path: Path) -> None:
    """The whole desk: SMTP and IMAP in, the same message once, tickets and acknowledgements out."""
    import json
    import smtplib
    from email import policy
    from email.message import EmailMessage

    from tests.support.dovecot import append, dovecot_server, flags
    from tests.support.smtp import free_port

    def message(subject: str, message_id: str) -> bytes:
        m = EmailMessage()
        m["From"] = "Priya Raman <priya.raman@brightwater-energy.example>"
        m["To"] = "servicedesk@switchdesk.example"
        m["Subject"], m["Message-ID"] = subject, f"<{message_id}@brightwater-energy.example>"
        m.set_content("Switch for MPAN 1906293768104 rejected: RMP not found.")
        return m.as_bytes(policy=policy.SMTP)

    command = [sys.executable, "-m", "desk.cli.main"]
    with dovecot_server() as imap:
        smtp_port = free_port()
        env = {
            **os.environ,
            "SWITCHDESK_OUTBOX_POLL_SECONDS": "0.2",
            "SWITCHDESK_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
            "SWITCHDESK_IMAP_HOST": imap.host,
            "SWITCHDESK_IMAP_PORT": str(imap.port),
            "SWITCHDESK_IMAP_TLS": "false",
            "SWITCHDESK_IMAP_USER": imap.user,
            "SWITCHDESK_IMAP_PASSWORD": imap.password,
            "SWITCHDESK_IMAP_POLL_SECONDS": "1",
        }
        for name in ("SWITCHDESK_DATABASE_URL", "SWITCHDESK_HOME"):
            env.pop(name, None)
        subprocess.run(
            [*command, "db", "upgrade"],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            [*command, "directory", "load", str(DEMO_DIRECTORY)],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        log = (tmp_path / "serve.log").open("w+")
        server = subprocess.Popen(
            [*command, "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert _wait_for(lambda: "is running" in Path(log.name).read_text())
            both = message("Switch rejected", "both-ways")
            with smtplib.SMTP("127.0.0.1", smtp_port) as client:
                client.sendmail(
                    "priya.raman@brightwater-energy.example",
                    ["servicedesk@switchdesk.example"],
                    both,
                )
            append(imap, [both, message("Gas data wrong", "imap-only")])

            def outcomes() -> list[str]:
                out = subprocess.run(
                    [*command, "inbound", "list", "--json"],
                    cwd=tmp_path,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                return sorted(r["outcome"] or "pending" for r in json.loads(out.stdout or "[]"))

            assert _wait_for(
                lambda: outcomes() == ["duplicate", "ticket_created", "ticket_created"]
            ), outcomes()
            assert _wait_for(lambda: all(b"\\Seen" in f for f in flags(imap).values()))
            sent = tmp_path / "var" / "mail" / "sent"
            assert _wait_for(lambda: len(list(sent.glob("*.eml"))) == 2)
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) == 0
        finally:
            if server.poll() is None:
                server.kill()


def test_serve_refuses_to_start_when_the_smtp_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "SWITCHDESK_HOME": str(tmp_path / "var"),
               "SWITCHDESK_SMTP_LISTEN": f"127.0.0.1:{port}", "SWITCHDESK_HTTP_LISTEN": "off"}
        env.pop("SWITCHDESK_DATABASE_URL", None)
        result = subprocess.run([sys.executable, "-m", "desk.cli.main", "serve"], env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1
    assert f"SMTP cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    """Ctrl-C: no KeyboardInterrupt traceback, exit 0, the SMTP port released."""
    import smtplib
    import socket

    from tests.support.smtp import free_port

    port = free_port()
    env = {
        **os.environ,
        "SWITCHDESK_HOME": str(tmp_path / "var"),
        "SWITCHDESK_OUTBOX_POLL_SECONDS": "0.2",
        "SWITCHDESK_SMTP_LISTEN": f"127.0.0.1:{port}",
        "SWITCHDESK_HTTP_LISTEN": "off",
    }
    env.pop("SWITCHDESK_DATABASE_URL", None)
    for args in (["db", "upgrade"], ["directory", "load", str(DEMO_DIRECTORY)]):
        subprocess.run([sys.executable, "-m", "desk.cli.main", *args], cwd=tmp_path, env=env,
                       check=True, capture_output=True, timeout=60)  # fmt: skip
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "desk.cli.main", "serve"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        assert _wait_for(lambda: "is running" in log_path.read_text()), log_path.read_text()
        assert f"SMTP listening on 127.0.0.1:{port}" in log_path.read_text()
        assert "HTTP: off" in log_path.read_text()
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(
                "priya.raman@brightwater-energy.example",
                ["servicedesk@switchdesk.example"],
                b"From: priya.raman@brightwater-energy.example\r\n"
                b"To: servicedesk@switchdesk.example\r\nSubject: Before Ctrl-C\r\n"
                b"Message-ID: <before-ctrl-c@brightwater-energy.example>\r\n\r\nHello\r\n",
            )
        sent = tmp_path / "var" / "mail" / "sent"
        assert _wait_for(lambda: len(list(sent.glob("*.eml"))) == 1), log_path.read_text()
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0, log_path.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
    text = log_path.read_text()
    assert f"signal {int(signal.SIGINT)}: stopping" in text and "switchdesk stopped" in text
    assert text.rstrip().endswith("switchdesk stopped"), text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    with socket.socket() as probe:  # the listener is closed, and the port can be bound again
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
