"""`switchdesk ingest` and `switchdesk inbound ...`: mail in, and what became of each message."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any

import click

from desk.bootstrap import App
from desk.cli.context import echo_json, pass_app
from desk.cli.display import local, table
from desk.errors import InvalidInput, NotFound
from desk.inbound_processor import summary
from desk.reference import format_ref
from desk.spooling import Incoming
from desk.ticket_views import iso
from intake.parse import parse_message
from intake.sources import SourceError, read_messages
from store import inbound
from store.db import unit_of_work
from store.models import InboundRecord

SPOOL_BATCH = 200


def _view(record: InboundRecord, full: bool = False) -> dict[str, Any]:
    view = {
        "id": record.id, "received_via": record.received_via,
        "received_at": iso(record.received_at), "source": record.source,
        "mail_from": record.mail_from, "rcpt_to": record.rcpt_to, "size": record.size,
        "state": record.state, "outcome": record.outcome,
        "ticket_ref": format_ref(record.ticket_id) if record.ticket_id else None,
        "duplicate_of": record.duplicate_of, "detail": record.detail, "error": record.error,
        "processed_at": iso(record.processed_at),
        # duplicates are decided at the spool, unparsed: parse them for display
        "parsed": record.parsed or summary(parse_message(record.raw)),
    }  # fmt: skip
    if full:
        view["traceback"] = record.traceback
        view["sha256"] = record.sha256
    return view


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="one JSON line per message")
@pass_app
def ingest(app: App, paths: tuple[Path, ...], as_json: bool) -> None:
    """Import .eml files, directories of them, mbox files or Maildirs, then process them."""
    spooled: dict[int, str] = {}
    try:
        for path in paths:
            messages = read_messages(path)
            while batch := list(islice(messages, SPOOL_BATCH)):
                items = [Incoming(raw, "file", source) for source, raw in batch]
                ids = app.spooler.spool_many(items)
                spooled.update(zip(ids, (source for source, _ in batch), strict=True))
    except SourceError as exc:
        raise InvalidInput(str(exc)) from None
    results = {p.inbound_id: p for p in app.inbound_processor.process_pending(ids=list(spooled))}
    with unit_of_work(app.factory) as session:
        decided = inbound.outcomes(session, list(spooled))
    lines = []
    for inbound_id, source in spooled.items():
        outcome, ticket_id = decided[inbound_id]
        lines.append({"source": source, "inbound_id": inbound_id, "outcome": outcome,
                      "ticket_ref": format_ref(ticket_id) if ticket_id else None})  # fmt: skip
    if as_json:
        for line in lines:
            click.echo(json.dumps(line, ensure_ascii=False))
        return
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    click.echo(f"ingested {len(lines)} messages ({len(results)} processed now): {summary}")


@click.group("inbound")
def inbound_group() -> None:
    """Received e-mail: outcomes, quarantine and retries."""


@inbound_group.command("list")
@click.option("--outcome", type=click.Choice([*inbound.OUTCOMES, "pending"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_(app: App, outcome: str | None, limit: int, as_json: bool) -> None:
    """List received messages, newest first."""
    with unit_of_work(app.factory) as session:
        views = [_view(r) for r in inbound.listing(session, outcome, limit)]
    if as_json:
        echo_json(views)
        return
    if not views:
        click.echo("no messages")
        return
    click.echo(table(
        ["ID", "VIA", "RECEIVED", "OUTCOME", "TICKET", "FROM", "SUBJECT", "DETAIL"],
        [[v["id"], v["received_via"], local(v["received_at"]), v["outcome"] or v["state"],
          v["ticket_ref"], (v["parsed"] or {}).get("from_addr") or v["mail_from"],
          (v["parsed"] or {}).get("subject"), v["error"] or v["detail"]] for v in views],
        max_width=40))  # fmt: skip


@inbound_group.command()
@click.argument("inbound_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: App, inbound_id: int, as_json: bool) -> None:
    """Show one received message: envelope, outcome, parsed fields, error."""
    with unit_of_work(app.factory) as session:
        record = session.get(InboundRecord, inbound_id)
        if record is None:
            raise NotFound(f"no inbound message {inbound_id}")
        view = _view(record, full=True)
    if as_json:
        echo_json(view)
        return
    parsed = view.pop("parsed") or {}
    trace = view.pop("traceback")
    for key, value in view.items():
        click.echo(f"{key + ':':14} {value if value is not None else '-'}")
    for key in ("from_addr", "subject", "message_id", "in_reply_to", "is_auto_reply",
                "auto_reply_reason", "is_bounce", "attachment_names"):  # fmt: skip
        click.echo(f"{key + ':':14} {parsed.get(key)}")
    if parsed.get("body_text"):
        click.echo("\n" + parsed["body_text"][:4000])
    if trace:
        click.echo("\n" + trace)


@inbound_group.command()
@click.argument("inbound_id", metavar="ID", type=int)
@pass_app
def retry(app: App, inbound_id: int) -> None:
    """Process a quarantined message ID again."""
    with unit_of_work(app.factory) as session:
        record = session.get(InboundRecord, inbound_id)
        if record is None:
            raise NotFound(f"no inbound message {inbound_id}")
        if record.state != inbound.QUARANTINED:
            raise InvalidInput(
                f"inbound {inbound_id} is {record.outcome or record.state}; "
                "only quarantined messages are retried"
            )
        inbound.retry(session, inbound_id)
    [result] = app.inbound_processor.process_pending(ids=[inbound_id]) or [None]
    click.echo(
        f"inbound {inbound_id}: {result.outcome if result else 'queued'}"
        + (f" {result.ticket_ref}" if result and result.ticket_ref else "")
    )
