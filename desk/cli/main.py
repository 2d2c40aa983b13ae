"""The `switchdesk` command."""

from __future__ import annotations

import click

from desk.cli.admin import db, directory, outbox_group
from desk.cli.broadcasts import bulletins, changes
from desk.cli.context import Context
from desk.cli.intake import inbound_group, ingest
from desk.cli.knowledge import kb, triage
from desk.cli.serve import serve
from desk.cli.tickets import tickets


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    envvar="SWITCHDESK_CONFIG",
    metavar="FILE",
    help="TOML settings file (SWITCHDESK_* variables override it)",
)
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """switchdesk: the Switching Service Desk's ticket store, e-mail and chat-ops."""
    ctx.obj = Context(config)
    ctx.call_on_close(ctx.obj.close)


COMMANDS = (db, directory, tickets, ingest, inbound_group, kb, triage, bulletins, changes,
            outbox_group, serve)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="switchdesk")


if __name__ == "__main__":
    main()
