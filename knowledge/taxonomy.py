"""Ticket categories with their usual resolver and type (switching.md §5.8)."""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, str]] = {
    "switch_request_rejected": ("registration_service", "incident"),
    "switch_stuck_pending": ("registration_service", "incident"),
    "objection_query": ("service_desk", "query"),
    "annulment": ("registration_service", "query"),
    "erroneous_switch": ("registration_service", "incident"),
    "withdrawal": ("service_desk", "query"),
    "missing_notification": ("switching_network", "incident"),
    "certificate_issue": ("switching_network", "incident"),
    "connectivity": ("switching_network", "incident"),
    "css_outage": ("switching_operator", "incident"),
    "planned_maintenance": ("switching_operator", "query"),
    "address_mismatch": ("address_service", "incident"),
    "address_update": ("address_service", "service_request"),
    "electricity_data_incorrect": ("dno_mpas", "incident"),
    "new_connection_missing": ("dno_mpas", "incident"),
    "gas_data_incorrect": ("xoserve_uk_link", "incident"),
    "shipper_relationship": ("xoserve_uk_link", "incident"),
    "ecoes_access": ("gemserv_ecoes", "service_request"),
    "ecoes_data": ("gemserv_ecoes", "incident"),
    "smart_cos_update": ("dcc_dsp", "incident"),
    "invalid_mpxn": ("service_desk", "query"),
    "portal_access": ("service_desk", "service_request"),
    "bulk_switch_solr": ("switching_operator", "service_request"),
    "sla_working_days": ("service_desk", "query"),
    "process_query": ("service_desk", "query"),
    "misdirected": ("service_desk", "query"),
    "report_request": ("switching_operator", "service_request"),
    "participant_change": ("service_desk", "service_request"),
}
FALLBACK_CATEGORY = "process_query"
TYPES = ("incident", "service_request", "query")
