"""Errors a user can cause: the CLI and chat print these as one line, never a traceback."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error that is the user's to fix."""


class NotFound(DeskError):
    pass


class IllegalTransition(DeskError):
    def __init__(self, current: str, target: str, hint: str = "") -> None:
        self.current, self.target = current, target
        message = f"cannot move a ticket from {current} to {target}"
        super().__init__(f"{message}: {hint}" if hint else message)


class InvalidInput(DeskError):
    pass


class Unauthorised(DeskError):
    pass
