"""Ticket types, statuses and the legal moves between statuses (pure)."""

from __future__ import annotations

from desk.errors import IllegalTransition, InvalidInput

TYPES = ("incident", "service_request", "query")

NEW, ASSIGNED, IN_PROGRESS = "new", "assigned", "in_progress"
PENDING_PARTICIPANT, PENDING_PROVIDER = "pending_participant", "pending_provider"
RESOLVED, CLOSED = "resolved", "closed"
STATUSES = (NEW, ASSIGNED, IN_PROGRESS, PENDING_PARTICIPANT, PENDING_PROVIDER, RESOLVED, CLOSED)
OPEN_STATUSES = (NEW, ASSIGNED, IN_PROGRESS, PENDING_PARTICIPANT, PENDING_PROVIDER)

_WORKING = {ASSIGNED, IN_PROGRESS, PENDING_PARTICIPANT, PENDING_PROVIDER, RESOLVED}
_MOVES: dict[str, frozenset[str]] = {
    NEW: frozenset({ASSIGNED, IN_PROGRESS, PENDING_PARTICIPANT, RESOLVED}),
    ASSIGNED: frozenset(_WORKING - {ASSIGNED}),
    IN_PROGRESS: frozenset(_WORKING - {IN_PROGRESS}),
    PENDING_PARTICIPANT: frozenset(_WORKING - {PENDING_PARTICIPANT}),
    PENDING_PROVIDER: frozenset(_WORKING - {PENDING_PROVIDER}),
    # Leaving "resolved" other than to "closed" is a reopen; see reopen_target().
    RESOLVED: frozenset({CLOSED, NEW, ASSIGNED}),
    CLOSED: frozenset(),
}
_HINTS = {
    CLOSED: "a closed ticket is final; open a new ticket and link it",
}


def check_type(value: str) -> str:
    if value not in TYPES:
        raise InvalidInput(f"type must be one of {', '.join(TYPES)}, not {value!r}")
    return value


def check_status(value: str) -> str:
    if value not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {value!r}")
    return value


def check_transition(current: str, target: str) -> None:
    """Refuse a move the lifecycle does not allow, naming both states."""
    check_status(target)
    if target not in _MOVES[current]:
        raise IllegalTransition(current, target, _HINTS.get(current, ""))


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def reopen_target(has_resolver: bool) -> str:
    """A reopened ticket goes back to its resolver if it has one, else to the desk queue."""
    return ASSIGNED if has_resolver else NEW
