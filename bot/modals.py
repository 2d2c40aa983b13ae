"""Block Kit modals and the reading of their submitted values (pure)."""

from __future__ import annotations

import json
from typing import Any

TICKET_TYPES = ("incident", "service_request", "query")
SEVERITIES = ("information", "planned_maintenance", "degraded", "outage")


def _text(label: str, block_id: str, *, multiline: bool = False, initial: str = "",
          optional: bool = False, hint: str = "") -> dict[str, Any]:  # fmt: skip
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                               "multiline": multiline}  # fmt: skip
    if initial:
        element["initial_value"] = initial[:3000]
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "optional": optional,
                             "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _select(label: str, block_id: str, options: list[tuple[str, str]],
            initial: str | None = None) -> dict[str, Any]:  # fmt: skip
    choices = [{"text": {"type": "plain_text", "text": text[:75]}, "value": value}
               for value, text in options]  # fmt: skip
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": choices}
    chosen = next((c for c in choices if c["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id,
            "label": {"type": "plain_text", "text": label}, "element": element}


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]],
           metadata: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    return {"type": "modal", "callback_id": callback_id,
            "title": {"type": "plain_text", "text": title[:24]},
            "submit": {"type": "plain_text", "text": submit},
            "close": {"type": "plain_text", "text": "Cancel"},
            "private_metadata": json.dumps(metadata), "blocks": blocks}  # fmt: skip


def ticket_text_modal(kind: str, ref: str, channel: str | None) -> dict[str, Any]:
    """resolve / escalate / reply: one text field about one ticket."""
    title, label, submit = {
        "resolve": ("Resolve", "Resolution (the participant is told)", "Resolve"),
        "escalate": ("Escalate", "Why it needs escalating", "Escalate"),
        "reply": ("Reply to participant", "Your e-mail to the participant", "Send"),
    }[kind]
    return _modal(f"{kind}_submit", f"{title} {ref}" if len(title) < 12 else title, submit,
                  [_text(label, "text", multiline=True)], {"ref": ref, "channel": channel})


def reassign_modal(ref: str, channel: str | None, groups: list[tuple[str, str]],
                   current: str | None) -> dict[str, Any]:  # fmt: skip
    return _modal("reassign_submit", f"Reassign {ref}", "Reassign",
                  [_select("Resolver group", "group", groups, current)],
                  {"ref": ref, "channel": channel})


def new_ticket_modal(channel: str | None, via: str = "phone", subject: str = "",
                     body: str = "") -> dict[str, Any]:  # fmt: skip
    title = "Log a phone call" if via == "phone" else "Ticket from message"
    return _modal("new_ticket_submit", title, "Open ticket", [
        _text("Participant's e-mail", "from_email", hint="who called: the ticket's requester"),
        _text("Subject", "subject", initial=subject),
        _text("What they said", "body", multiline=True, initial=body),
        _select("Type", "type", [(t, t.replace("_", " ")) for t in TICKET_TYPES], "incident"),
    ], {"channel": channel, "via": via})  # fmt: skip


def bulletin_modal(channel: str | None) -> dict[str, Any]:
    return _modal("bulletin_submit", "New service bulletin", "Create", [
        _text("Title", "title"),
        _text("Body", "body", multiline=True),
        _select("Severity", "severity", [(s, s.replace("_", " ")) for s in SEVERITIES],
                "information"),
        _text("Services", "services", optional=True,
              hint="comma-separated, e.g. registration_service, uk_link"),
        _text("Audience", "audience", initial="all",
              hint="comma-separated: all, role:X, fuel:gas, org:NAME"),
        _text("Publish at", "publish_at", optional=True,
              hint="empty or 'now', '+2h', or '2026-03-01 18:00' (London time)"),
    ], {"channel": channel})  # fmt: skip


def values(view: dict[str, Any]) -> dict[str, str]:
    """block_id → the text typed or the option chosen ('' when left empty)."""
    found: dict[str, str] = {}
    for block_id, actions in (view.get("state", {}).get("values") or {}).items():
        field = actions.get("value") or next(iter(actions.values()), {})
        option = field.get("selected_option") or {}
        found[block_id] = (field.get("value") or option.get("value") or "").strip()
    return found


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def split_list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())
