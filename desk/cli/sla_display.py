"""How SLA clocks read on the terminal: the `SLA:` lines of `tickets show`, `list --at-risk`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from desk.cli.context import echo_json
from desk.cli.display import local, table
from desk.errors import InvalidInput
from desk.sla import Span


def wall_span(text: str | None) -> timedelta | None:
    """'90m', '4h', '2d' as a timedelta; a clear refusal for anything else."""
    if text is None:
        return None
    try:
        span = Span.parse(text)
    except ValueError as exc:
        raise InvalidInput(f"--within: {exc}") from None
    if span.basis != "wall":
        raise InvalidInput(f"--within is real time (m, h or d), not {text!r}")
    return span.duration(timedelta(0))


def duration(seconds: float) -> str:
    minutes = int(abs(seconds)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{minutes}m"]
    return " ".join(parts[:2])


def sla_lines(sla: dict[str, Any]) -> list[str]:
    """e.g. 'resolution due 2026-12-07 13:30 GMT (P3, 3 working days)'."""
    target = f"({sla['priority']}, {sla['resolution_target']})"
    if sla["clock"] == "paused":
        left = duration(sla["remaining_seconds"] or 0)
        resolution = f"resolution clock paused for the participant, {left} left {target}"
    else:
        verb = "was due" if sla["clock"] == "stopped" else "due"
        resolution = f"resolution {verb} {local(sla['resolution_due'])} {target}"
    flag = " - BREACHED" if sla["resolution_breached"] else " - at risk" if sla["at_risk"] else ""
    response = f"response due {local(sla['response_due'])} ({sla['response_target']})"
    if sla["responded_at"]:
        response += f", responded {local(sla['responded_at'])}"
    return [resolution + flag, response + (" - BREACHED" if sla["response_breached"] else "")]


def show_at_risk(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no tickets at risk")
        return
    click.echo(
        table(
            ["REF", "PRI", "STATUS", "RESOLVER", "SUBJECT", "RESOLUTION DUE", ""],
            [
                [r["ref"], r["priority"], r["status"], r["resolver"], r["subject"],
                 local(r["resolution_due"]), "BREACHED" if r["breached"] else ""]
                for r in rows
            ],  # fmt: skip
            max_width=48,
        )
    )
