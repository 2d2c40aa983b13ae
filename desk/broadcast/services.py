"""The services a bulletin or change can affect, and the words for severity and status."""

from __future__ import annotations

from desk.errors import InvalidInput

SERVICES: dict[str, str] = {
    "registration_service": "CSS Registration Service",
    "address_service": "Address Service",
    "uk_link": "UK Link",
    "des": "DES",
    "mpas": "MPAS",
    "ecoes": "ECOES",
    "dcc_dsp": "DCC DSP",
    "switching_network": "Switching Network",
    "service_desk": "Switching Service Desk",
}

SEVERITIES = ("information", "planned_maintenance", "degraded", "outage", "resolved")
CHANGE_STATUSES = ("planned", "approved", "in_progress", "completed", "cancelled", "rolled_back")


def _key(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


# Accept the key, the display name, or the display name without its "CSS" prefix.
_NAMES = {_key(k): k for k in SERVICES} | {_key(v): k for k, v in SERVICES.items()} | {
    "registration": "registration_service", "css": "registration_service",
    "desk": "service_desk", "the_desk": "service_desk", "network": "switching_network",
}  # fmt: skip


def parse_service(text: str) -> str:
    key = _NAMES.get(_key(text))
    if key is None:
        raise InvalidInput(f"unknown service {text!r}; known: {', '.join(SERVICES)}")
    return key


def parse_severity(text: str) -> str:
    key = _key(text)
    if key not in SEVERITIES:
        raise InvalidInput(f"unknown severity {text!r}; known: {', '.join(SEVERITIES)}")
    return key
