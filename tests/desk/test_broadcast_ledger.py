"""The delivery ledger an operator reads with `switchdesk bulletins status`: each recipient's
queued, sent, failed (dead-lettered) or bounced, on SQLite and PostgreSQL.

Bulletins are made and published with controlled time (`now=`); the outbox worker, the mail
relay and the bounces that come back are the real ones, run through the CLI.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from desk.actor import Actor
from desk.bootstrap import App
from desk.bulletins import NewBulletin
from desk.cli.main import cli
from tests.conftest import cli_env
from tests.support.smtp import free_port

OPERATOR = Actor("claire.moss@switchdesk.example", "cli")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday, in the past
PRIYA = "priya.raman@brightwater-energy.example"
TOM = "tom.hale@brightwater-energy.example"
BRIGHTWATER = {PRIYA, TOM}


def switchdesk(app: App, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), env={**cli_env(app), **(env or {})},
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def ledger(app: App, ref: str) -> dict[tuple[int, str], dict]:
    rows = json.loads(switchdesk(app, "bulletins", "status", ref, "--json"))
    return {(r["version"], r["recipient"]): r for r in rows}


def statuses(app: App, ref: str) -> dict[tuple[int, str], str]:
    return {key: row["status"] for key, row in ledger(app, ref).items()}


def publish(app: App, audience: tuple[str, ...] = ("org:Brightwater Energy",)) -> str:
    ref = app.bulletins.create(NewBulletin(
        title="Address Service maintenance", body="Read-only from 22:00 to 23:00.",
        severity="planned_maintenance", services=("address_service",), audience=audience,
    ), OPERATOR, now=NOW)  # fmt: skip
    assert app.publisher().run_due(NOW) == 1
    return ref


def bounce(app: App, tmp_path: Path, address: str) -> None:
    """A delivery-status notification for `address` comes back to the desk."""
    count = len(list(tmp_path.glob("dsn-*.eml")))
    dsn = tmp_path / f"dsn-{count}.eml"
    dsn.write_bytes((
        "From: Mail Delivery System <MAILER-DAEMON@mx.brightwater-energy.example>\n"
        "To: servicedesk@switchdesk.example\nSubject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: <dsn-{count}@mx.brightwater-energy.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nDelivery failed.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        f"Final-Recipient: rfc822; {address}\nAction: failed\nStatus: 5.1.1\n\n--B--\n"
    ).encode())  # fmt: skip
    assert "1 bounce" in switchdesk(app, "ingest", str(dsn))


def test_deliveries_are_queued_until_the_outbox_worker_sends_them(demo_app: App) -> None:
    demo_app.settings.announcement_channels = ["C0ANNOUNCE"]
    ref = publish(demo_app)
    rows = ledger(demo_app, ref)
    assert {key: row["status"] for key, row in rows.items()} == {
        (0, PRIYA): "queued",
        (0, TOM): "queued",
        (0, "slack:C0ANNOUNCE"): "queued",
    }
    assert rows[0, PRIYA]["organisation"] == "Brightwater Energy"
    assert rows[0, PRIYA]["at"] is None and rows[0, PRIYA]["error"] is None
    table = [line.split() for line in switchdesk(demo_app, "bulletins", "status", ref)
             .splitlines()]  # fmt: skip
    assert table[0] == ["V", "RECIPIENT", "ORGANISATION", "STATUS", "ERROR"]
    assert ["0", PRIYA, "Brightwater", "Energy", "queued", "-"] in table

    assert "attempted 3" in switchdesk(demo_app, "outbox", "work")
    rows = ledger(demo_app, ref)
    assert {key: row["status"] for key, row in rows.items()} == {
        (0, PRIYA): "sent",
        (0, TOM): "sent",
        (0, "slack:C0ANNOUNCE"): "skipped",
    }
    assert rows[0, PRIYA]["at"] is not None and rows[0, PRIYA]["error"] is None
    assert rows[0, "slack:C0ANNOUNCE"]["error"] == "Slack is not configured"
    sent = list((demo_app.settings.home / "mail" / "sent").glob("*.eml"))
    assert len(sent) == len(BRIGHTWATER)


def test_a_dead_lettered_delivery_is_failed_with_its_error(demo_app: App) -> None:
    ref = publish(demo_app)
    unreachable = {"SWITCHDESK_MAIL_RELAY": f"smtp://127.0.0.1:{free_port()}",  # nobody there
                   "SWITCHDESK_OUTBOX_MAX_ATTEMPTS": "1"}  # fmt: skip
    assert "attempted 2" in switchdesk(demo_app, "outbox", "work", env=unreachable)
    rows = ledger(demo_app, ref)
    assert {key: row["status"] for key, row in rows.items()} == {
        (0, PRIYA): "failed",
        (0, TOM): "failed",
    }
    assert all("relay unreachable" in row["error"] for row in rows.values())
    assert "failed" in switchdesk(demo_app, "bulletins", "status", ref)

    # the operator puts one back once the relay is fixed: it is sent, the other stays failed
    dead = json.loads(switchdesk(demo_app, "outbox", "list", "--state", "dead", "--json"))
    [tom_row] = [row["id"] for row in dead if row["target"] == TOM]
    switchdesk(demo_app, "outbox", "retry", str(tom_row))
    assert "attempted 1" in switchdesk(demo_app, "outbox", "work")
    assert statuses(demo_app, ref) == {(0, PRIYA): "failed", (0, TOM): "sent"}


def test_a_bounce_marks_the_recipient_it_came_back_for(demo_app: App, tmp_path: Path) -> None:
    ref = publish(demo_app)
    switchdesk(demo_app, "outbox", "work")
    assert statuses(demo_app, ref) == {(0, PRIYA): "sent", (0, TOM): "sent"}
    bounce(demo_app, tmp_path, PRIYA)
    assert statuses(demo_app, ref) == {(0, PRIYA): "bounced", (0, TOM): "sent"}
    assert "bounced" in switchdesk(demo_app, "bulletins", "status", ref)


def test_a_bounce_counts_only_against_deliveries_it_followed(demo_app: App,
                                                             tmp_path: Path) -> None:  # fmt: skip
    """A bounce is news about the mail sent before it: an address that bounced last month
    and was fixed since does not make this bulletin (or the earlier ones) 'bounced'."""
    bounce(demo_app, tmp_path, TOM)  # long before this bulletin
    ref = publish(demo_app)
    switchdesk(demo_app, "outbox", "work")
    assert statuses(demo_app, ref) == {(0, PRIYA): "sent", (0, TOM): "sent"}

    bounce(demo_app, tmp_path, PRIYA)  # after the first notice
    demo_app.bulletins.update(ref, "Extended to 23:30.", OPERATOR, now=NOW + timedelta(hours=1))
    assert demo_app.publisher().run_due(NOW + timedelta(hours=1)) == 1
    switchdesk(demo_app, "outbox", "work")
    assert statuses(demo_app, ref) == {
        (0, PRIYA): "bounced",
        (0, TOM): "sent",
        (1, PRIYA): "sent",
        (1, TOM): "sent",
    }
