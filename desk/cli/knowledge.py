"""`switchdesk kb ...` and `switchdesk triage eval`: the knowledge base and how well triage does."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from desk.bootstrap import App
from desk.cli.context import echo_json, pass_app
from desk.cli.display import table
from desk.errors import InvalidInput
from desk.triage_service import TriageInput, TriageService
from intake.parse import parse_message
from knowledge import score_decisions
from store import directory as store_directory
from store.db import DatabaseUnavailable, unit_of_work
from store.directory import DirectorySnapshot


@click.group()
def kb() -> None:
    """Knowledge articles: load, version and search them."""


@kb.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@pass_app
def load(app: App, directory: Path | None) -> None:
    """Check the articles in DIRECTORY (default: the configured or packaged ones) and make
    them the knowledge base the desk triages and searches with.

    A changed article gets a new version; tickets keep the version they were answered with.
    Owners must be resolver groups of the loaded directory. Nothing is loaded if one article
    is wrong. A running `serve` uses the new articles from its next start.
    """
    with unit_of_work(app.factory) as session:
        owners = frozenset(store_directory.resolver_keys(session)) or None
        service = TriageService.load(directory or app.settings.kb_dir, owners,
                                     app.settings.first_line_threshold)  # fmt: skip
        versions, added = service.record_versions(session, make_current=True)
    click.echo(f"{len(versions)} articles loaded, {added} new versions")


@kb.command()
@click.argument("text")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def search(app: App, text: str, limit: int, as_json: bool) -> None:
    """Ranked articles for TEXT, with scores (0-100)."""
    if not text.strip():
        raise InvalidInput("give some text to search for")
    matches = app.triage.kb.search(text, limit)
    if as_json:
        echo_json([{"id": m.id, "title": m.title, "score": round(m.score, 1),
                    "first_line": m.first_line} for m in matches])  # fmt: skip
    elif not matches:
        click.echo("no article matches")
    else:
        click.echo(table(["ID", "SCORE", "FIRST LINE", "TITLE"],
                         [[m.id, f"{m.score:.0f}", "yes" if m.first_line else "no", m.title]
                          for m in matches]))  # fmt: skip


@click.group()
def triage() -> None:
    """Scripted triage."""


def _as_email(record: dict[str, Any]) -> bytes:
    message = EmailMessage()
    message["From"] = record["from"]
    message["To"] = "servicedesk@switchdesk.example"
    message["Subject"] = record["subject"]
    message.set_content(record["body"])
    return message.as_bytes()


def _directory_or_empty(app: App) -> DirectorySnapshot:
    """Senders' roles come from the directory when there is one; scoring needs no database."""
    try:
        with unit_of_work(app.factory) as session:
            return DirectorySnapshot.load(session)
    except (DatabaseUnavailable, OperationalError, ProgrammingError):
        click.echo("switchdesk: note: no directory in the database; every sender is unknown",
                   err=True)  # fmt: skip
        return DirectorySnapshot()


@triage.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def evaluate(app: App, file: Path, as_json: bool) -> None:
    """Score triage on a labelled corpus (JSON lines with from, subject, body, expected).

    Each e-mail goes through the same parse and triage path as live mail.
    """
    pairs = []
    directory = _directory_or_empty(app)
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            expected = record["expected"]
            raw = _as_email(record)
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{file}:{number}: not a labelled record ({exc})") from None
        message = parse_message(raw)
        sender = directory.sender(message.from_addr or parseaddr(record["from"])[1])
        text = TriageInput(message.subject, message.new_text or message.body_text,
                           message.quoted_text)  # fmt: skip
        pairs.append((expected, app.triage.decide(text, sender)))
    report = score_decisions(pairs)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.format_text())
