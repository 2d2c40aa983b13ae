"""Who may do what from Slack, by directory role (pure, stdlib only).

- agent and operator: read and act on any ticket; log calls; bulletins and changes.
- resolver of group X: read and act only on tickets assigned to X (a provider sees nothing of
  another provider's work); its queue is X's.
- viewer: reads any ticket, changes nothing.
- a Slack user the directory does not know: nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk.errors import Unauthorised

DESK_ROLES = ("agent", "operator")


@dataclass(frozen=True)
class ChatUser:
    name: str
    email: str
    role: str  # agent | operator | resolver | viewer
    group: str | None  # the resolver group of a resolver
    slack_user_id: str

    @property
    def label(self) -> str:
        """How the audit trail names them: the person and the Slack id that acted."""
        return f"{self.name} ({self.slack_user_id})"


def unknown_user(slack_user_id: str) -> Unauthorised:
    return Unauthorised(
        f"Sorry, I don't know Slack user {slack_user_id}: nothing was changed. Ask the desk "
        "to add your Slack user id to the directory (people[].slack_user)."
    )


def can_read(user: ChatUser, ticket_group: str | None) -> bool:
    if user.role == "resolver":
        return ticket_group is not None and ticket_group == user.group
    return user.role in (*DESK_ROLES, "viewer")


def can_act(user: ChatUser, ticket_group: str | None) -> bool:
    if user.role == "resolver":
        return ticket_group is not None and ticket_group == user.group
    return user.role in DESK_ROLES


def can_run_desk(user: ChatUser) -> bool:
    """Logging calls, bulletins and the schedule of change: the desk's own work."""
    return user.role in DESK_ROLES


def require_read(user: ChatUser, ref: str, ticket_group: str | None) -> None:
    if not can_read(user, ticket_group):
        raise Unauthorised(f"{ref} is not assigned to your group ({user.group}); "
                           "you can only see your group's tickets")  # fmt: skip


def require_act(user: ChatUser, ref: str, ticket_group: str | None) -> None:
    if can_act(user, ticket_group):
        return
    if user.role == "viewer":
        raise Unauthorised(f"you have read-only access (viewer): {ref} was not changed")
    raise Unauthorised(f"{ref} is assigned to {ticket_group or 'no group'}, not to your group "
                       f"({user.group}): it was not changed")  # fmt: skip


def require_desk(user: ChatUser, what: str) -> None:
    if not can_run_desk(user):
        raise Unauthorised(f"only desk agents and operators can {what}")
