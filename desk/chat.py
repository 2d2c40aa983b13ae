"""What the Slack adapter may ask of the desk: plain values in, plain values out (pure).

`bot/` depends on this module only; `desk.chat_ops.ChatOps` implements `ChatDesk`. Every
call names who asks (`ChatCaller`: Slack user and channel) so that the desk can authorize and
audit it; a refusal or a bad argument raises a `desk.errors.DeskError` whose text is shown to
the user as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

Ticket = dict[str, Any]  # the shape of desk.ticket_views.summary(), plus show()'s extras


@dataclass(frozen=True)
class ChatCaller:
    slack_user_id: str
    channel_id: str | None = None


@dataclass(frozen=True)
class PhoneCall:
    """A call an agent logs from the `/desk new` modal (via "phone"), or a Slack message turned
    into a ticket by the message shortcut (via "slack")."""

    from_email: str
    subject: str
    body: str
    type: str = "incident"
    via: str = "phone"  # phone | slack: the ticket's channel


@dataclass(frozen=True)
class BulletinDraft:
    title: str
    body: str
    severity: str = "information"
    services: tuple[str, ...] = ()
    audience: tuple[str, ...] = ("all",)
    publish_at: str | None = None  # as typed: "now", "2025-03-01 18:00", "+2h" (Europe/London)


@dataclass(frozen=True)
class HomeView:
    """What the App Home tab shows one person."""

    who: str
    queue_title: str
    queue: list[Ticket] = field(default_factory=list)
    at_risk_title: str = ""
    at_risk: list[Ticket] = field(default_factory=list)


class ChatDesk(Protocol):
    def first_delivery(self, key: str) -> bool: ...
    def forget_delivery(self, key: str) -> None: ...
    def show(self, who: ChatCaller, ref: str) -> Ticket: ...
    def mine(self, who: ChatCaller) -> tuple[str, list[Ticket]]: ...
    def queue(self, who: ChatCaller, group: str | None) -> tuple[str, list[Ticket]]: ...
    def groups(self) -> list[tuple[str, str]]: ...
    def assign(self, who: ChatCaller, ref: str, group: str) -> str: ...
    def set_priority(self, who: ChatCaller, ref: str, priority: str, reason: str) -> str: ...
    def set_status(self, who: ChatCaller, ref: str, status: str) -> str: ...
    def acknowledge(self, who: ChatCaller, ref: str) -> str: ...
    def note(self, who: ChatCaller, ref: str, text: str) -> str: ...
    def reply(self, who: ChatCaller, ref: str, text: str) -> str: ...
    def resolve(self, who: ChatCaller, ref: str, text: str) -> str: ...
    def escalate(self, who: ChatCaller, ref: str, reason: str) -> str: ...
    def kb(self, who: ChatCaller, query: str) -> list[dict[str, Any]]: ...
    def log_call(self, who: ChatCaller, call: PhoneCall) -> str: ...
    def create_bulletin(self, who: ChatCaller, draft: BulletinDraft) -> str: ...
    def changes(self, who: ChatCaller) -> list[dict[str, Any]]: ...
    def thread_note(self, who: ChatCaller, thread_ts: str, text: str) -> str | None: ...
    def home(self, who: ChatCaller) -> HomeView: ...
    def check_known(self, who: ChatCaller) -> None: ...
    def check_act(self, who: ChatCaller, ref: str) -> None: ...
    def check_desk(self, who: ChatCaller, what: str) -> None: ...
