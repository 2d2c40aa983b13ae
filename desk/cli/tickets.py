"""`switchdesk tickets ...`: what an agent types to log, find and work tickets."""

from __future__ import annotations

import click

from desk import lifecycle
from desk.actor import Actor
from desk.bootstrap import App
from desk.cli.context import echo_json, pass_app
from desk.cli.display import local, table
from desk.cli.sla_display import show_at_risk, sla_lines, wall_span
from desk.priority import PRIORITIES
from desk.tickets import NewTicket
from store.tickets import TicketFilter

actor_option = click.option(
    "--as", "actor", metavar="NAME", help="who is acting, for the audit trail (default cli:<user>)"
)


@click.group()
def tickets() -> None:
    """Open, find and work tickets."""


@tickets.command("open")
@click.option("--from", "sender", required=True, metavar="EMAIL", help="the participant's address")
@click.option("--name", help="the participant's name, if not in the directory")
@click.option("--subject", required=True)
@click.option("--body", required=True, help="what the participant said (the phone log)")
@click.option("--type", "ticket_type", type=click.Choice(lifecycle.TYPES))
@click.option("--impact", metavar="1-4|WORD",
              help="1 (critical) market-wide .. 4 (low) no customer impact")
@click.option("--urgency", metavar="1-4|WORD",
              help="1 (critical) within hours .. 4 (low) no deadline")
@click.option("--resolver", metavar="GROUP", help="assign straight away to this resolver group")
@click.option("--category")
@click.option(
    "--channel",
    type=click.Choice(["phone", "email"]),
    default="phone",
    help="how the participant reached the desk",
)
@click.option("--no-ack", is_flag=True, help="do not e-mail an acknowledgement")
@click.option("--json", "as_json", is_flag=True)
@actor_option
@pass_app
def open_(
    app: App,
    sender: str,
    name: str | None,
    subject: str,
    body: str,
    ticket_type: str | None,
    impact: str | None,
    urgency: str | None,
    resolver: str | None,
    category: str | None,
    channel: str,
    no_ack: bool,
    as_json: bool,
    actor: str | None,
) -> None:
    """Log a ticket by hand, e.g. for a phone call."""
    kind = "phone" if channel == "phone" else "inbound_email"
    ref = app.tickets.open(
        NewTicket(
            requester_email=sender,
            requester_name=name,
            subject=subject,
            body=body,
            type=ticket_type,
            impact=impact,
            urgency=urgency,
            resolver=resolver,
            category=category,
            message_kind=kind,
            acknowledge=not no_ack,
        ),
        Actor.cli(actor),
    )
    if as_json:
        echo_json(app.queries.show(ref))
    else:
        click.echo(ref)


@tickets.command("list")
@click.option("--status", help="a status, or 'open' for all open ones")
@click.option("--resolver", metavar="GROUP")
@click.option("--org", metavar="NAME", help="participant organisation")
@click.option("--priority", type=click.Choice(PRIORITIES))
@click.option("--mpxn", metavar="MPAN|MPRN")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--at-risk", is_flag=True, help="open tickets near or past resolution due, soonest")
@click.option("--within", metavar="SPAN", help="with --at-risk: e.g. 90m, 4h, 2d (default setting)")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_(
    app: App,
    status: str | None,
    resolver: str | None,
    org: str | None,
    priority: str | None,
    mpxn: str | None,
    limit: int,
    at_risk: bool,
    within: str | None,
    as_json: bool,
) -> None:
    """List tickets, newest first (or, with --at-risk, the most urgent first)."""
    if at_risk:
        if status or org or priority or mpxn:
            raise click.UsageError("--at-risk combines only with --resolver, --within and --limit")
        rows = app.queries.at_risk(resolver, wall_span(within), limit=limit)
        show_at_risk(rows, as_json)
        return
    if within:
        raise click.UsageError("--within goes with --at-risk")
    if status and status != "open":
        lifecycle.check_status(status)
    rows = app.queries.list(TicketFilter(status, resolver, org, priority, mpxn, limit))
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no tickets match")
        return
    click.echo(
        table(
            ["REF", "PRI", "STATUS", "TYPE", "RESOLVER", "ORGANISATION", "SUBJECT", "OPENED",
             "DUE"],  # fmt: skip
            [
                [
                    r["ref"],
                    r["priority"],
                    r["status"],
                    r["type"],
                    r["resolver"],
                    r["organisation"] or f"{r['requester_email']} (unverified)",
                    r["subject"],
                    local(r["created_at"]),
                    local(r["resolution_due"]),
                ]
                for r in rows
            ],
            max_width=48,
        )
    )


@tickets.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: App, ref: str, as_json: bool) -> None:
    """Show one ticket with its conversation."""
    view = app.queries.show(ref)
    if as_json:
        echo_json(view)
        return
    org = view["organisation"] or "unverified sender"
    click.echo(
        f"{view['ref']}  {view['priority']}  {view['status']}  {view['type']}"
        f"{'  ' + view['category'] if view['category'] else ''}"
    )
    click.echo(f"Subject:   {view['subject']}")
    click.echo(
        f"Requester: {view['requester_name'] or ''} <{view['requester_email'] or '-'}> ({org})"
    )
    click.echo(f"Resolver:  {view['resolver'] or '-'}")
    click.echo(
        f"Priority:  {view['priority']} (impact {view['impact']} x urgency {view['urgency']})"
        + (f" - {view['priority_reason']}" if view["priority_reason"] else "")
    )
    if view["mpxn"]:
        click.echo(f"MPxN:      {', '.join(view['mpxn'])}")
    if view["triage"] and view["triage"].get("summary"):
        click.echo(f"Triage:    {view['triage']['summary']}")
    click.echo(f"Opened:    {local(view['created_at'])}   Updated: {local(view['updated_at'])}")
    for line in sla_lines(view["sla"]):
        click.echo(f"SLA:       {line}")
    for link in view["links"]:
        click.echo(f"Linked:    {link['ref']} ({link['kind']})")
    for message in view["messages"]:
        click.echo(
            f"\n--- {local(message['created_at'])}  {message['kind']} by {message['author']}"
            f" via {message['channel']} [{message['visibility']}]"
        )
        click.echo(message["body"].rstrip())
    for attachment in view["attachments"]:
        click.echo(
            f"\nattachment: {attachment['filename']} ({attachment['content_type']}, "
            f"{attachment['size']} bytes)"
        )


@tickets.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def history(app: App, ref: str, as_json: bool) -> None:
    """The audit trail: every change, who made it, when and through which channel."""
    events = app.queries.history(ref)
    if as_json:
        echo_json(events)
        return
    click.echo(
        table(
            ["WHEN", "WHO", "VIA", "WHAT", "FROM", "TO", "DETAIL"],
            [
                [
                    local(e["at"]),
                    e["actor"],
                    e["channel"],
                    e["action"],
                    e["from"],
                    e["to"],
                    e["detail"],
                ]
                for e in events
            ],
        )
    )


@tickets.command()
@click.argument("ref")
@click.argument("group")
@actor_option
@pass_app
def assign(app: App, ref: str, group: str, actor: str | None) -> None:
    """Assign REF to a resolver GROUP."""
    app.tickets.assign(ref, group, Actor.cli(actor))
    click.echo(f"{ref.upper()} assigned to {group}")


@tickets.command()
@click.argument("ref")
@click.argument("priority")
@click.argument("reason")
@actor_option
@pass_app
def priority(app: App, ref: str, priority: str, reason: str, actor: str | None) -> None:
    """Override the priority of REF (P1-P4) with a REASON."""
    app.tickets.set_priority(ref, priority, reason, Actor.cli(actor))
    click.echo(f"{ref.upper()} priority set to {priority.upper()}")


@tickets.command()
@click.argument("ref")
@click.argument("status", type=click.Choice(lifecycle.STATUSES))
@click.argument("reason", required=False, default="")
@actor_option
@pass_app
def status(app: App, ref: str, status: str, reason: str, actor: str | None) -> None:
    """Move REF to STATUS."""
    app.tickets.set_status(ref, status, Actor.cli(actor), reason)
    click.echo(f"{ref.upper()} is now {status}")


def _text_command(name: str, help_text: str, done: str) -> None:
    @tickets.command(name, help=help_text)
    @click.argument("ref")
    @click.argument("text")
    @actor_option
    @pass_app
    def command(app: App, ref: str, text: str, actor: str | None) -> None:
        getattr(app.tickets, name)(ref, text, Actor.cli(actor))
        click.echo(f"{ref.upper()}: {done}")


_text_command("note", "Add an internal note to REF.", "note added")
_text_command("reply", "E-mail TEXT to the participant on REF's thread.", "reply queued")
_text_command("resolve", "Resolve REF, telling the participant TEXT.", "resolved")
_text_command("reopen", "Reopen a resolved REF, giving a reason.", "reopened")


@tickets.command()
@click.argument("ref")
@click.argument("reason", required=False, default="")
@actor_option
@pass_app
def close(app: App, ref: str, reason: str, actor: str | None) -> None:
    """Close a resolved REF."""
    app.tickets.close(ref, Actor.cli(actor), reason)
    click.echo(f"{ref.upper()} closed")


@tickets.command()
@click.argument("ref")
@click.argument("other")
@click.option("--kind", default="related", type=click.Choice(["related", "duplicate", "follow_up"]))
@actor_option
@pass_app
def link(app: App, ref: str, other: str, kind: str, actor: str | None) -> None:
    """Link REF and OTHER."""
    app.tickets.link(ref, other, Actor.cli(actor), kind)
    click.echo(f"{ref.upper()} linked to {other.upper()} ({kind})")
