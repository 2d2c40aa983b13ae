"""The `switchdesk` command as an agent uses it, on both databases."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from desk.cli.main import cli
from tests.conftest import DEMO_DIRECTORY


@pytest.fixture
def run(database_url: str, tmp_path: Path):
    env = {"SWITCHDESK_DATABASE_URL": database_url, "SWITCHDESK_HOME": str(tmp_path / "var")}
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> str:
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        output = result.stdout + result.stderr
        assert (result.exit_code == 0) is ok, output
        return result.stdout if ok else result.stderr

    invoke("db", "upgrade")
    invoke("directory", "load", str(DEMO_DIRECTORY))
    return invoke


def test_phone_call_to_resolution(run) -> None:
    ref = run(
        "tickets",
        "open",
        "--from",
        "g.pryce@kestrel-pg.example",
        "--subject",
        "143 switches stuck in Pending",
        "--body",
        "Validated Tuesday, nothing Secured",
        "--impact",
        "2",
        "--urgency",
        "high",
    ).strip()
    assert ref == "SD-000001"
    assert "SD-000001 assigned to registration_service" in run(
        "tickets", "assign", ref, "registration_service"
    )
    run("tickets", "status", ref, "in_progress")
    run("tickets", "priority", ref, "P1", "market-wide per SO")
    run("tickets", "note", ref, "SO confirms a queue backlog")
    run("tickets", "reply", ref, "We are working on it.")
    run("tickets", "resolve", ref, "Backlog cleared at 14:10")
    history = run("tickets", "history", ref)
    for expected in ("open", "assign", "in_progress", "P1", "note", "reply", "resolved"):
        assert expected in history
    shown = run("tickets", "show", ref)
    assert "Kestrel Power & Gas" in shown and "Backlog cleared" in shown
    listed = json.loads(run("tickets", "list", "--json"))
    assert [(t["ref"], t["status"], t["priority"]) for t in listed] == [(ref, "resolved", "P1")]
    detail = json.loads(run("tickets", "show", ref, "--json"))
    assert {"messages", "attachments", "events", "triage"} <= detail.keys()
    assert detail["organisation"] == "Kestrel Power & Gas"
    outbox = json.loads(run("outbox", "list", "--json"))
    assert {(r["channel"], r["state"]) for r in outbox} == {
        ("email", "pending"),
        ("slack", "pending"),
    }
    # 3 e-mails; the card, then its edit and thread line for status, priority, note, reply, resolve
    assert "attempted 9" in run("outbox", "work")
    states = {(r["channel"], r["state"]) for r in json.loads(run("outbox", "list", "--json"))}
    assert states == {("email", "sent"), ("slack", "skipped")}
    assert "Slack is not configured" in run("outbox", "list", "--state", "skipped")
    slack_id = str(json.loads(run("outbox", "list", "--state", "skipped", "--json"))[0]["id"])
    assert "queued" in run("outbox", "retry", slack_id)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tickets", "show", "SD-000042"], "no ticket SD-000042"),
        (["tickets", "show", "banana"], "not a ticket reference"),
        (["tickets", "assign", "SD-000001", "plumbers"], "unknown resolver group 'plumbers'"),
        (["tickets", "close", "SD-000001"], "cannot move a ticket from assigned to closed"),
        (["tickets", "priority", "SD-000001", "P9", "why"], "priority must be one of"),
        (["tickets", "list", "--status", "done"], "status must be one of"),
        (["directory", "load", "/nonexistent.yaml"], "file not found"),
        (["outbox", "retry", "999"], "no outbox row 999"),
    ],
)
def test_user_errors_are_one_line(run, args: list[str], message: str) -> None:
    run("tickets", "open", "--from", "a@b.example", "--subject", "s", "--body", "b")
    error = run(*args, ok=False)
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def _switchdesk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desk.cli.main", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_errors_before_the_database_exists(tmp_path: Path) -> None:
    home = {"SWITCHDESK_HOME": str(tmp_path / "var")}
    result = _switchdesk(["tickets", "list"], home)
    assert result.returncode != 0 and "run `switchdesk db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr
    bad = _switchdesk(["tickets", "list"], {**home, "SWITCHDESK_OUTBOX_BATCH": "many"})
    assert bad.returncode != 0 and "SWITCHDESK_OUTBOX_BATCH" in bad.stderr
    down = _switchdesk(
        ["tickets", "list"],
        {**home, "SWITCHDESK_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"},
    )
    assert down.returncode == 3 and "database unavailable" in down.stderr
    assert "Traceback" not in down.stderr


def test_triage_eval_needs_no_database(tmp_path: Path) -> None:
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(json.dumps({
        "from": "A <a@x.example>", "subject": "Certificate expired",
        "body": "Our CSS signing certificate expired; all our messages are rejected.",
        "expected": {"type": "incident", "category": "certificate_issue",
                     "resolver": "switching_network", "priority": "P2", "mpxn": [],
                     "kb_hint": "CSS certificate renewal and signing errors"}}) + "\n")  # fmt: skip
    result = _switchdesk(["triage", "eval", str(corpus), "--json"],
                         {"SWITCHDESK_HOME": str(tmp_path / "var")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "every sender is unknown" in result.stderr
    assert json.loads(result.stdout)["accuracy"]["resolver"] == 1.0


def test_every_command_has_help() -> None:
    """Walk click's tree from the root: every group and command answers --help and -h, says
    what it does, and is listed in its parent's help, so a new command cannot be missed."""
    import click

    def walk(command: click.Command, path: tuple[str, ...]):
        yield path, command
        if isinstance(command, click.Group):
            for name, child in sorted(command.commands.items()):
                yield from walk(child, (*path, name))

    runner = CliRunner()
    found = dict(walk(cli, ()))
    for path, command in found.items():
        for flag in ("--help", "-h"):
            result = runner.invoke(cli, [*path, flag], prog_name="switchdesk")
            assert result.exit_code == 0, (path, flag, result.output)
            assert result.stdout.startswith(f"Usage: {' '.join(('switchdesk', *path))} "), (
                path,
                result.stdout,
            )
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        help_text = runner.invoke(cli, [*path, "--help"], prog_name="switchdesk").stdout
        if isinstance(command, click.Group):
            section = help_text.split("Commands:", 1)[1]
            listed = {line.split()[0] for line in section.splitlines() if line.strip()}
            assert set(command.commands) <= listed, (path, help_text)
    # the walk reaches every part of the desk (a guard against walking nothing)
    assert {
        ("serve",), ("ingest",), ("inbound", "show"), ("inbound", "list"), ("kb", "load"),
        ("triage", "eval"), ("bulletins", "create"), ("changes", "ics"), ("db", "upgrade"),
        ("directory", "load"), ("outbox", "retry"), ("tickets", "link"),
    } <= found.keys()  # fmt: skip
    assert len(found) > 40


def test_a_ticket_is_kept_before_any_directory_is_loaded(tmp_path: Path) -> None:
    home = {"SWITCHDESK_HOME": str(tmp_path / "var")}
    assert _switchdesk(["db", "upgrade"], home).returncode == 0
    opened = _switchdesk(["tickets", "open", "--from", "a@x.example", "--subject", "CSS down",
                          "--body", "No switch requests accepted since 09:00"], home)  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    shown = json.loads(_switchdesk(["tickets", "show", opened.stdout.strip(), "--json"],
                                   home).stdout)  # fmt: skip
    assert shown["status"] == "new" and shown["resolver"] is None  # the desk's queue
    assert shown["triage"]["resolver"]  # what triage would have chosen is still shown
