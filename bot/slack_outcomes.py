"""What a Slack Web API failure means for the outbox: try again later, or give up and alert."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from desk.delivery import PermanentFailure, TransientFailure

# Errors that say "not now" rather than "never"; every other Slack error code is permanent
# (channel_not_found, not_in_channel, invalid_auth, account_inactive, token_revoked,
# is_archived, msg_too_long, invalid_blocks, ...): repeating the call cannot help.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout", "team_added_to_org", "timeout",
})  # fmt: skip
DEFAULT_RETRY_AFTER = 1.0


def error_code(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    return str(data.get("error") or f"http_{exc.response.status_code}")


def failure_for(method: str, exc: SlackApiError) -> TransientFailure | PermanentFailure:
    status, code = exc.response.status_code, error_code(exc)
    if status == 429 or code in ("ratelimited", "rate_limited"):
        return TransientFailure(f"{method}: rate limited by Slack", _retry_after(exc))
    if status >= 500 or code in TRANSIENT_ERRORS:
        return TransientFailure(f"{method}: Slack answered {status} {code}")
    return PermanentFailure(f"{method}: {code}")


def _retry_after(exc: SlackApiError) -> float:
    headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
