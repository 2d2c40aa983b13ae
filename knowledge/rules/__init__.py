"""Scripted diagnostics: one small module per concern, each returning evidence.

Every rule takes a `TicketText` (and sometimes earlier findings) and returns a `RuleHit` or
None, so the decision can list exactly which rules fired and why.
"""

from knowledge.rules.base import RuleHit, TicketText

__all__ = ["RuleHit", "TicketText"]
