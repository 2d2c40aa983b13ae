"""Desk answers as Slack mrkdwn text and the App Home view (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desk.broadcast.times import local
from desk.chat import HomeView, Ticket

MESSAGES_SHOWN = 3


def ticket_line(t: Ticket) -> str:
    group = t.get("resolver") or "unassigned"
    due = ""
    if t.get("resolution_due"):
        due = " · *overdue*" if t.get("breached") else f" · due {_local(t['resolution_due'])}"
    return (f"*{t['ref']}* {t['priority']} · {t['status']} · {group}{due} · "
            f"{_clip(t.get('subject') or '', 80)}")  # fmt: skip


def ticket_list(title: str, found: list[Ticket]) -> str:
    if not found:
        return f"*{title}*: none"
    return f"*{title}* ({len(found)})\n" + "\n".join(f"• {ticket_line(t)}" for t in found)


def ticket_detail(t: Ticket) -> str:
    lines = [ticket_line(t),
             f"{t['type']} from {t.get('requester_email') or 'unknown'}"
             f"{' (' + t['organisation'] + ')' if t.get('organisation') else ''}"
             f" · opened {_local(t['created_at'])}"]  # fmt: skip
    sla = t.get("sla") or {}
    if sla.get("resolution_due"):
        state = " (breached)" if sla.get("breached") else " (at risk)" if sla.get("at_risk") else ""
        lines.append(f"SLA: resolution due {_local(sla['resolution_due'])}{state}")
    if t.get("priority_reason"):
        lines.append(f"Priority reason: {t['priority_reason']}")
    triage = (t.get("triage") or {}).get("summary")
    if triage:
        lines.append(f"Triage: {triage}")
    for m in (t.get("messages") or [])[-MESSAGES_SHOWN:]:
        lines.append(f"> _{m['kind']}_ by {m['author']}: {_clip(m['body'] or '', 200)}")
    return "\n".join(lines)


def kb_results(query: str, found: list[dict[str, Any]]) -> str:
    if not found:
        return f"No article matches “{query}”."
    return f"*Articles for “{query}”*\n" + "\n".join(
        f"{i}. *{a['title']}* ({a['score']:.0f}%) `{a['id']}`"
        + (f"\n    {_clip(a['first_line'], 160)}" if a.get("first_line") else "")
        for i, a in enumerate(found, 1))  # fmt: skip


def change_list(found: list[dict[str, Any]]) -> str:
    if not found:
        return "*Forward schedule of change*: nothing planned"
    return "*Forward schedule of change*\n" + "\n".join(
        f"• *{c['ref']}* {_local(c.get('start'))} → {_local(c.get('end'))} · {c.get('provider')} · "
        f"{c.get('status')} · {c.get('title')}" for c in found)  # fmt: skip


def home_view(home: HomeView) -> dict[str, Any]:
    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}

    return {"type": "home", "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Switching Service Desk"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": home.who}]},
        section(ticket_list(home.queue_title, home.queue)),
        {"type": "divider"},
        section(ticket_list(home.at_risk_title, home.at_risk)),
    ]}  # fmt: skip


def _local(stamp: str | None) -> str:
    """An ISO time from the desk's views as a person in GB reads it."""
    return local(datetime.fromisoformat(stamp.replace("Z", "+00:00"))) if stamp else "-"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
