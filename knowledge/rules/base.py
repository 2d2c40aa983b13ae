"""The shapes every rule shares: the ticket's text split by weight, and a rule's finding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from knowledge.rules.negation import without_denials
from knowledge.rules.wordpattern import WordPattern

_QUOTE_START = re.compile(
    r"^(?:-{2,}\s*(?:original|forwarded) message\s*-{2,}|on .{4,120} wrote:\s*$|"
    r"from:\s.+\n(?:.*\n){0,2}?(?:sent|date):\s)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired: its name and the evidence a human can check."""

    rule: str
    evidence: tuple[str, ...]
    value: str | int | None = None

    def to_dict(self) -> dict:
        return {"rule": self.rule, "evidence": list(self.evidence), "value": self.value}

    @classmethod
    def from_dict(cls, data: dict) -> RuleHit:
        return cls(data["rule"], tuple(data["evidence"]), data.get("value"))


def split_quoted(body: str) -> tuple[str, str]:
    """(new text, quoted history): '>' lines and anything after a reply/forward header."""
    match = _QUOTE_START.search(body)
    head, tail = (body[: match.start()], body[match.start() :]) if match else (body, "")
    new_lines, quoted_lines = [], [tail] if tail else []
    for line in head.splitlines():
        (quoted_lines if line.lstrip().startswith(">") else new_lines).append(line)
    return "\n".join(new_lines), "\n".join(quoted_lines)


@dataclass(frozen=True)
class TicketText:
    subject: str
    new: str
    quoted: str = ""
    sender_roles: tuple[str, ...] = ()
    sender_kind: str | None = None

    @cached_property
    def own(self) -> str:
        """What the sender wrote now: subject and new body, lower-cased for matching."""
        return f"{self.subject}\n{self.new}".lower()

    @cached_property
    def affirmed(self) -> str:
        """`own` with mentions that deny a symptom ("certificates are in date") blanked."""
        return without_denials(self.own)

    @cached_property
    def everything(self) -> str:
        return f"{self.subject}\n{self.new}\n{self.quoted}"


def first_match(pattern: re.Pattern[str] | WordPattern, text: str, width: int = 40
                ) -> str | None:
    """The matched text with a little context, for evidence."""
    match = pattern.search(text)
    if not match:
        return None
    start, end = max(0, match.start() - width // 2), min(len(text), match.end() + width // 2)
    return " ".join(text[start:end].split())
