"""`switchdesk db ...`, `directory ...` and `outbox ...`: keeping the desk's machinery."""

from __future__ import annotations

from pathlib import Path

import click

from desk.bootstrap import App
from desk.cli.context import echo_json, pass_app
from desk.cli.display import local, table
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.errors import NotFound
from desk.reference import format_ref
from desk.ticket_views import iso
from store import migrate, outbox
from store.db import unit_of_work


@click.group()
def db() -> None:
    """The database schema."""


@db.command()
@pass_app
def upgrade(app: App) -> None:
    """Apply every pending migration (also run by `serve` at start)."""
    app.upgrade_database()
    click.echo(f"database at revision {migrate.current(app.engine)}")


@click.group()
def directory() -> None:
    """Participants, resolver groups and desk people."""


@directory.command()
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def load(app: App, file: Path) -> None:
    """Load or update the directory from a YAML FILE; all or nothing."""
    parsed = parse_directory(file)
    with unit_of_work(app.factory) as session:
        report = apply_directory(session, parsed)
    click.echo(str(report))


@click.group("outbox")
def outbox_group() -> None:
    """Outbound e-mail and chat waiting for, or past, delivery."""


def _row(row: outbox.OutboxRow) -> dict:
    payload = row.payload
    target = ", ".join(payload.get("to", [])) or payload.get("channel") or ""
    return {
        "id": row.id,
        "channel": row.channel,
        "state": row.state,
        "attempts": row.attempts,
        "ticket": format_ref(row.ticket_id) if row.ticket_id else None,
        "target": target,
        "subject": payload.get("subject") or payload.get("kind"),
        "next_attempt_at": iso(row.next_attempt_at),
        "last_error": row.last_error,
        "created_at": iso(row.created_at),
        "done_at": iso(row.done_at),
    }


@outbox_group.command("list")
@click.option("--state", type=click.Choice(outbox.STATES))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_(app: App, state: str | None, limit: int, as_json: bool) -> None:
    """List outbox rows, newest first."""
    with unit_of_work(app.factory) as session:
        rows = [_row(r) for r in outbox.listing(session, state, limit)]
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("the outbox is empty" if not state else f"no {state} rows")
    else:
        click.echo(
            table(
                [
                    "ID",
                    "CHANNEL",
                    "STATE",
                    "TRIES",
                    "TICKET",
                    "TO",
                    "SUBJECT",
                    "WHEN",
                    "LAST ERROR",
                ],
                [
                    [
                        r["id"],
                        r["channel"],
                        r["state"],
                        r["attempts"],
                        r["ticket"],
                        r["target"],
                        r["subject"],
                        local(r["done_at"] or r["next_attempt_at"]),
                        r["last_error"],
                    ]
                    for r in rows
                ],
                max_width=40,
            )
        )


@outbox_group.command()
@click.argument("row_id", metavar="ID", type=int)
@pass_app
def retry(app: App, row_id: int) -> None:
    """Queue a dead, skipped or pending row ID for delivery now."""
    with unit_of_work(app.factory) as session:
        if outbox.retry(session, row_id) is None:
            raise NotFound(f"no outbox row {row_id}")
    click.echo(f"outbox row {row_id} queued for delivery")


@outbox_group.command()
@pass_app
def work(app: App) -> None:
    """Deliver every due row once, then exit (serve does this continuously)."""
    count = app.outbox_worker().drain()
    click.echo(f"attempted {count} deliveries")
