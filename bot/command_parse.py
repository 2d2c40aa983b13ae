"""`/desk` text → a subcommand and its arguments (pure). Anything else gets the usage."""

from __future__ import annotations

from dataclasses import dataclass

# name: (fixed words before the free text, needs free text, usage)
_SPECS: dict[str, tuple[int, bool, str]] = {
    "help": (0, False, "help — this list"),
    "show": (1, False, "show REF — a ticket with its latest messages"),
    "mine": (0, False, "mine — your group's open tickets, or the ones you acted on"),
    "queue": (0, False, "queue [GROUP] — open tickets, all or one resolver group's"),
    "assign": (2, False, "assign REF GROUP — hand a ticket to a resolver group"),
    "priority": (2, True, "priority REF P2 REASON — override the priority"),
    "status": (2, False, "status REF STATUS — e.g. pending_participant, in_progress"),
    "note": (1, True, "note REF TEXT — an internal note"),
    "reply": (1, True, "reply REF TEXT — e-mail the participant on the ticket's thread"),
    "resolve": (1, True, "resolve REF TEXT — resolve and tell the participant"),
    "escalate": (1, True, "escalate REF REASON — one priority step up, the Operator told"),
    "kb": (0, True, "kb QUERY — knowledge articles, best first"),
    "new": (0, False, "new — log a phone call as a ticket (desk)"),
    "bulletin": (0, False, "bulletin — create a service bulletin (desk)"),
    "changes": (0, False, "changes — the forward schedule of change (desk)"),
}
USAGE = "*`/desk` commands*\n" + "\n".join(f"• `/desk {spec[2].split(' — ')[0]}` — "
                                            f"{spec[2].split(' — ', 1)[1]}"
                                            for spec in _SPECS.values())  # fmt: skip


class UsageError(ValueError):
    """The text was not a `/desk` command: the message says why, then the usage follows."""


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]  # the fixed words, then the free text if the command takes one


def parse_command(text: str) -> Command:
    words = (text or "").strip().split(None, 1)
    if not words:
        return Command("help", ())
    name = words[0].lower()
    if name not in _SPECS:
        raise UsageError(f"I don't know `{words[0]}`.")
    fixed, free, usage = _SPECS[name]
    rest = words[1].strip() if len(words) > 1 else ""
    bad = UsageError(f"Usage: `/desk {usage.split(' — ')[0]}`.")
    if name == "queue":  # one optional word
        if len(rest.split()) > 1:
            raise bad
        return Command(name, tuple(rest.split()))
    args = rest.split(None, fixed) if fixed else ([rest] if rest else [])
    if len(args) != fixed + (1 if free else 0):
        raise bad
    return Command(name, tuple(a.strip() for a in args))
