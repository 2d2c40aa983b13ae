"""`switchdesk bulletins ...` and `switchdesk changes ...`: what the operator publishes."""

from __future__ import annotations

import sys

import click

from desk.actor import Actor
from desk.bootstrap import App
from desk.broadcast.times import local, parse_when
from desk.bulletins import NewBulletin
from desk.changes import NewChange
from desk.cli.context import echo_json, pass_app
from desk.cli.display import local as london
from desk.cli.display import table
from store.types import utcnow

actor_option = click.option("--as", "actor", metavar="NAME", help="who is publishing (audit)")


def _when(text: str | None) -> object:
    return None if text is None else parse_when(text, utcnow())


@click.group()
def bulletins() -> None:
    """Service bulletins to participants: outages, degradations, maintenance."""


@bulletins.command("create")
@click.option("--title", required=True)
@click.option("--body", required=True, help="Markdown")
@click.option("--severity", default="information", show_default=True,
              help="information, planned_maintenance, degraded, outage, resolved")
@click.option("--service", "services", multiple=True, metavar="NAME", help="affected service")
@click.option("--audience", "audience", multiple=True, metavar="SPEC",
              help="all | role:X | fuel:gas | fuel:electricity | org:NAME (repeatable)")
@click.option("--at", "at", metavar="WHEN", help="publish time, Europe/London (default now)")
@click.option("--expires", metavar="WHEN")
@click.option("--json", "as_json", is_flag=True)
@actor_option
@pass_app
def create_bulletin(app: App, title: str, body: str, severity: str, services: tuple[str, ...],
                    audience: tuple[str, ...], at: str | None, expires: str | None,
                    as_json: bool, actor: str | None) -> None:  # fmt: skip
    """Create a bulletin, published now or at --at."""
    ref = app.bulletins.create(NewBulletin(
        title=title, body=body, severity=severity, services=services,
        audience=audience or ("all",), publish_at=_when(at), expires_at=_when(expires),
    ), Actor.cli(actor))  # type: ignore[arg-type]  # fmt: skip
    echo_json(app.bulletins.show(ref)) if as_json else click.echo(ref)


def _update(resolve: bool):  # noqa: ANN202 - a click command factory
    @click.argument("ref")
    @click.option("--body", required=True, help="Markdown")
    @click.option("--title")
    @click.option("--at", "at", metavar="WHEN")
    @actor_option
    @pass_app
    def command(app: App, ref: str, body: str, title: str | None, at: str | None,
                actor: str | None, severity: str | None = None) -> None:  # fmt: skip
        version = app.bulletins.update(ref, body, Actor.cli(actor), title=title,
                                       severity=severity, at=_when(at),  # type: ignore[arg-type]
                                       resolve=resolve)  # fmt: skip
        click.echo(f"{ref.upper()}: {'resolution' if resolve else 'update'} {version} queued")

    return command


bulletins.command("update", help="Publish an update on the bulletin's thread.")(
    click.option("--severity")(_update(False)))
bulletins.command("resolve", help="Publish the resolution and close the bulletin.")(_update(True))


@bulletins.command("cancel")
@click.argument("ref")
@actor_option
@pass_app
def cancel_bulletin(app: App, ref: str, actor: str | None) -> None:
    """Withdraw a bulletin that has not been published yet."""
    app.bulletins.cancel(ref, Actor.cli(actor))
    click.echo(f"{ref.upper()} cancelled")


@bulletins.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_bulletins(app: App, as_json: bool) -> None:
    """Bulletins, newest first."""
    rows = app.bulletins.list()
    if as_json:
        echo_json(rows)
        return
    click.echo(table(["REF", "STATE", "SEVERITY", "PUBLISH", "TITLE"],
                     [[r["ref"], r["state"], r["severity"], london(r["publish_at"]), r["title"]]
                      for r in rows]) if rows else "no bulletins")  # fmt: skip


@bulletins.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show_bulletin(app: App, ref: str, as_json: bool) -> None:
    """One bulletin with its publications."""
    view = app.bulletins.show(ref)
    if as_json:
        echo_json(view)
        return
    click.echo(f"{view['ref']}  {view['state']}  {view['severity']}  {view['title']}")
    click.echo(f"Services: {', '.join(view['services']) or '-'}   "
               f"Audience: {', '.join(view['audience'])}")
    click.echo(view["body"])
    for p in view["publications"]:
        click.echo(f"  v{p['version']} {p['kind']}: {p['state']}, due {london(p['due_at'])}, "
                   f"{p['recipients']} recipients{' - ' + p['detail'] if p['detail'] else ''}")


@bulletins.command("status")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def bulletin_status(app: App, ref: str, as_json: bool) -> None:
    """The delivery ledger: each recipient's queued, sent, failed or bounced."""
    _echo_ledger(app.bulletins.status(ref), as_json)


def _echo_ledger(rows: list[dict], as_json: bool) -> None:
    if as_json:
        echo_json(rows)
        return
    click.echo(table(["V", "RECIPIENT", "ORGANISATION", "STATUS", "ERROR"],
                     [[r["version"], r["recipient"], r["organisation"], r["status"], r["error"]]
                      for r in rows]) if rows else "nothing sent yet")  # fmt: skip


@click.group()
def changes() -> None:
    """The forward schedule of change, with its calendar."""


@changes.command("create")
@click.option("--title", required=True)
@click.option("--provider", required=True, metavar="GROUP", help="owning resolver group")
@click.option("--service", "services", multiple=True, required=True, metavar="NAME")
@click.option("--start", required=True, metavar="WHEN", help="Europe/London")
@click.option("--end", required=True, metavar="WHEN")
@click.option("--impact", required=True)
@click.option("--audience", "audience", multiple=True, metavar="SPEC")
@click.option("--json", "as_json", is_flag=True)
@actor_option
@pass_app
def create_change(app: App, title: str, provider: str, services: tuple[str, ...], start: str,
                  end: str, impact: str, audience: tuple[str, ...], as_json: bool,
                  actor: str | None) -> None:  # fmt: skip
    """Add a change to the schedule and announce it with a calendar entry."""
    ref = app.changes.create(NewChange(
        title=title, provider=provider, services=services, start=_when(start),
        end=_when(end), impact=impact, audience=audience or ("all",),
    ), Actor.cli(actor))  # type: ignore[arg-type]  # fmt: skip
    if as_json:
        echo_json(next(c for c in app.changes.list(upcoming_only=False) if c["ref"] == ref))
    else:
        click.echo(ref)


@changes.command("amend")
@click.argument("ref")
@click.option("--title")
@click.option("--start", metavar="WHEN")
@click.option("--end", metavar="WHEN")
@click.option("--impact")
@click.option("--status", help="planned, approved, in_progress, completed, rolled_back")
@click.option("--service", "services", multiple=True, metavar="NAME")
@click.option("--note", default="", help="what changed, for the participants")
@actor_option
@pass_app
def amend_change(app: App, ref: str, title: str | None, start: str | None, end: str | None,
                 impact: str | None, status: str | None, services: tuple[str, ...], note: str,
                 actor: str | None) -> None:  # fmt: skip
    """Amend a change; calendars update in place (same UID, higher SEQUENCE)."""
    sequence = app.changes.amend(ref, Actor.cli(actor), title=title, start=_when(start),
                                 end=_when(end), impact=impact, status=status,
                                 services=services, note=note)  # type: ignore[arg-type]
    click.echo(f"{ref.upper()} amended (sequence {sequence})")


@changes.command("cancel")
@click.argument("ref")
@click.argument("reason")
@actor_option
@pass_app
def cancel_change(app: App, ref: str, reason: str, actor: str | None) -> None:
    """Cancel a change; calendars receive METHOD:CANCEL."""
    app.changes.cancel(ref, reason, Actor.cli(actor))
    click.echo(f"{ref.upper()} cancelled")


@changes.command("list")
@click.option("--all", "show_all", is_flag=True, help="include past and cancelled changes")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_changes(app: App, show_all: bool, as_json: bool) -> None:
    """The upcoming schedule."""
    rows = app.changes.list(upcoming_only=not show_all)
    if as_json:
        echo_json(rows)
        return
    from datetime import datetime

    def when(value: str) -> str:
        return local(datetime.fromisoformat(value.replace("Z", "+00:00")))

    click.echo(table(["REF", "STATUS", "START", "END", "PROVIDER", "TITLE"],
                     [[r["ref"], r["status"], when(r["start"]), when(r["end"]), r["provider"],
                       r["title"]] for r in rows]) if rows else "no changes scheduled")  # fmt: skip


@changes.command("ics")
@pass_app
def changes_ics(app: App) -> None:
    """Print the schedule as one iCalendar file (also kept in $HOME/calendar/fsc.ics)."""
    sys.stdout.buffer.write(app.changes.ics())


@changes.command("status")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def change_status(app: App, ref: str, as_json: bool) -> None:
    """The delivery ledger of a change's notices."""
    _echo_ledger(app.changes.status(ref), as_json)


@bulletins.command("publish-due")
@pass_app
def publish_due(app: App) -> None:
    """Publish every bulletin and change notice that is due, then exit (serve does this too)."""
    click.echo(f"published {app.publisher().run_due()} broadcasts")
