"""The sender's market role: from MDD role codes when intake knows them, else from wording.

Role matters for routing: an objection or withdrawal question from a gas shipper goes to
UK Link, the same question from a supplier is a CSS matter.
"""

from __future__ import annotations

from knowledge.rules.base import RuleHit, TicketText
from knowledge.rules.wordpattern import WordPattern

ELECTRICITY_ROLE_CODES = {
    "X": "supplier", "R": "distributor", "M": "meter_operator", "C": "data_collector",
    "D": "data_collector", "A": "data_aggregator", "B": "data_aggregator",
    "8": "meter_asset_provider", "L": "ecoes", "6": "data_retriever",
}
GAS_ROLE_WORDS = {
    "shipper": "shipper", "supplier": "supplier", "transporter": "gas_transporter",
    "gt": "gas_transporter", "igt": "gas_transporter", "gdn": "gas_transporter",
    "mam": "meter_operator", "mem": "meter_operator", "map": "meter_asset_provider",
    "distributor": "distributor", "dno": "distributor", "idno": "distributor",
}
_WORDING = (
    ("shipper", WordPattern(r"\b(?:we (?:are|as) (?:a |the )?shipper|as shipper|shipper "
                           r"operations|gas shipping)\b")),
    ("distributor", WordPattern(r"\b(?:registration data provider|mpas operations|we are the "
                               r"(?:dno|idno|distributor)|electricity networks?)\b")),
    ("meter_operator", WordPattern(r"\bwe(?:'re| are) an? (?:mem|mop|meter operator)\b")),
    ("meter_asset_provider", WordPattern(r"\bwe(?:'re| are) an? (?:map|meter asset provider)\b")),
    ("data_collector", WordPattern(r"\bwe(?:'re| are) an? (?:n?hh )?data collector\b")),
    ("consumer", WordPattern(r"\b(?:i did not agree|i didn'?t agree|my switch|my (?:electricity|"
                             r"gas) is moving|my bill says|who gave them my details)\b")),
    ("supplier", WordPattern(r"\b(?:we(?:'re| are) (?:a |the )?(?:new entrant )?supplier|our "
                            r"customer|gaining supplier|losing supplier)\b")),
)


def _from_codes(codes: tuple[str, ...]) -> list[str]:
    roles = []
    for code in codes:
        text = code.strip()
        word = text.lower().split(":")[-1]
        role = ELECTRICITY_ROLE_CODES.get(text) or GAS_ROLE_WORDS.get(word)
        if role:
            roles.append(role)
    return roles


def sender_role(ticket: TicketText) -> RuleHit | None:
    roles = _from_codes(ticket.sender_roles)
    if roles:
        return RuleHit("sender_role", tuple(f"role code {c}" for c in ticket.sender_roles),
                       roles[0])
    if ticket.sender_kind == "resolver":
        return RuleHit("sender_role", ("sender is a resolver group",), "resolver")
    for role, pattern in _WORDING:
        match = pattern.search(ticket.own)
        if match:
            return RuleHit("sender_role", (f"wording: {match.group()!r}",), role)
    return None
