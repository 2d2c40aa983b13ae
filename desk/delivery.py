"""The deliverer port: how the outbox worker hands a row to a channel (mail, Slack...)."""

from __future__ import annotations

from typing import Any, Protocol


class TransientFailure(Exception):
    """Try again later; `retry_after` (seconds) is the channel's own request, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Retrying cannot help: the row goes to dead-letter with this error."""


class NotConfigured(Exception):
    """The channel is switched off here; the row is marked skipped, with this reason."""


class Deliverer(Protocol):
    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        """Deliver once; raise one of the exceptions above, anything else counts as transient."""


class SkippingDeliverer:
    """Stands in for a channel that is not configured, so its rows stay visible as skipped."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def deliver(self, row_id: int, payload: dict[str, Any]) -> None:
        raise NotConfigured(self.reason)
