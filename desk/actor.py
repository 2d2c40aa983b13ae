"""Who is acting, and through which channel: recorded on every audit event."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

CHANNELS = ("cli", "email", "slack", "phone", "system", "scheduler")


@dataclass(frozen=True)
class Actor:
    name: str
    channel: str
    where: str | None = None  # e.g. "slack channel C0REGSVC01": added to each audit detail

    @classmethod
    def cli(cls, name: str | None = None) -> Actor:
        try:
            user = name or getpass.getuser()
        except OSError:  # no user name in a bare container
            user = "unknown"
        return cls(name if name else f"cli:{user}", "cli")


SYSTEM = Actor("switchdesk", "system")
TRIAGE = Actor("triage", "system")  # what scripted triage decides is not the requester's doing
