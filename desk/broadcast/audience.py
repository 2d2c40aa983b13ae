"""Who a broadcast goes to: all participants, or those with a role code, a fuel, or a name.

Rules are a union ("role:GT org:Cobalt Shipping" reaches both); each contact gets one copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desk.errors import InvalidInput

# Gas roles as the directory writes them; every other MDD role code is electricity.
GAS_ROLES = frozenset({"S", "GT", "GS", "MA"})
FUELS = ("gas", "electricity")


@dataclass(frozen=True)
class AudienceRule:
    kind: str  # all | role | fuel | org
    value: str = ""


@dataclass(frozen=True)
class OrgAudience:
    name: str
    role_codes: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]  # (name, e-mail)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    organisation: str


def parse_audience(terms: Iterable[str]) -> list[AudienceRule]:
    rules = []
    for term in terms:
        text = term.strip()
        kind, _, value = text.partition(":")
        kind, value = kind.strip().lower(), value.strip()
        if kind == "all" and not value:
            rules.append(AudienceRule("all"))
        elif kind == "role" and 1 <= len(value) <= 2:
            rules.append(AudienceRule("role", value.upper()))
        elif kind == "fuel" and value.lower() in FUELS:
            rules.append(AudienceRule("fuel", value.lower()))
        elif kind == "org" and value:
            rules.append(AudienceRule("org", value))
        else:
            raise InvalidInput(f"not an audience: {term!r} (use all, role:X, fuel:gas, "
                               "fuel:electricity or org:NAME)")  # fmt: skip
    if not rules:
        raise InvalidInput("name an audience (all, role:X, fuel:gas|electricity, org:NAME)")
    return rules


def describe(rules: Sequence[AudienceRule]) -> str:
    return ", ".join("all participants" if r.kind == "all" else f"{r.kind}:{r.value}"
                     for r in rules)  # fmt: skip


def _fuels(org: OrgAudience) -> set[str]:
    return {"gas" if code in GAS_ROLES else "electricity" for code in org.role_codes}


def _matches(rule: AudienceRule, org: OrgAudience) -> bool:
    if rule.kind == "all":
        return True
    if rule.kind == "role":
        return rule.value in org.role_codes
    if rule.kind == "fuel":
        return rule.value in _fuels(org)
    return org.name.casefold() == rule.value.casefold()


def select_recipients(rules: Sequence[AudienceRule], pool: Sequence[OrgAudience]
                      ) -> list[Recipient]:  # fmt: skip
    """The contacts the rules reach, once each; an organisation that does not exist is an
    error, because a typo must not quietly shrink the audience."""
    known = {org.name.casefold() for org in pool}
    missing = [r.value for r in rules if r.kind == "org" and r.value.casefold() not in known]
    if missing:
        raise InvalidInput(f"unknown organisation: {', '.join(missing)}")
    seen: set[str] = set()
    recipients = []
    for org in sorted(pool, key=lambda o: o.name):
        if any(_matches(rule, org) for rule in rules):
            for name, email in org.contacts:
                if email.lower() not in seen:
                    seen.add(email.lower())
                    recipients.append(Recipient(email, name, org.name))
    return recipients
