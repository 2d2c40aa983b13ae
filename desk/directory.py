"""The directory file: participants, resolver groups and desk people, validated as a whole.

A mistake names the file, the entry and the field, and nothing is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from desk.errors import InvalidInput

GROUP_KINDS = ("css_provider", "data_service", "desk", "operator")
PERSON_ROLES = ("agent", "operator", "resolver", "viewer")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError(f"not an e-mail address: {value!r}")
    return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EscalationContact(_Entry):
    name: str
    email: str | None = None
    phone: str | None = None
    _check_email = field_validator("email")(lambda cls, v: v and _email(v))


class ResolverGroupEntry(_Entry):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1)
    kind: Literal["css_provider", "data_service", "desk", "operator"]
    slack_channel: str | None = Field(None, pattern=r"^[CG][A-Z0-9]{2,39}$")
    email: str | None = None
    escalation_contacts: list[EscalationContact] = []
    _check_email = field_validator("email")(lambda cls, v: v and _email(v))


class MpidEntry(_Entry):
    id: str = Field(pattern=r"^[A-Z0-9]{4}$")
    roles: list[str] = Field(min_length=1)

    @field_validator("roles")
    @classmethod
    def _roles(cls, roles: list[str]) -> list[str]:
        for role in roles:
            if not 1 <= len(role) <= 2 or not role.isalnum():
                raise ValueError(f"role code must be 1-2 letters or digits, not {role!r}")
        return [r.upper() for r in roles]


class ContactEntry(_Entry):
    name: str = Field(min_length=1)
    email: str
    phone: str | None = None
    _check_email = field_validator("email")(lambda cls, v: _email(v))


class ParticipantEntry(_Entry):
    name: str = Field(min_length=1)
    mpids: list[MpidEntry] = Field(min_length=1)
    domains: list[str] = []
    contacts: list[ContactEntry] = []

    @field_validator("domains")
    @classmethod
    def _domains(cls, domains: list[str]) -> list[str]:
        cleaned = [d.strip().lower() for d in domains]
        for domain in cleaned:
            if not _DOMAIN.match(domain):
                raise ValueError(f"not a domain name: {domain!r}")
        return cleaned


class PersonEntry(_Entry):
    name: str = Field(min_length=1)
    email: str
    slack_user: str | None = Field(None, pattern=r"^[UW][A-Z0-9]{2,39}$")
    role: Literal["agent", "operator", "resolver", "viewer"]
    group: str | None = None
    _check_email = field_validator("email")(lambda cls, v: _email(v))


class Directory(_Entry):
    resolver_groups: list[ResolverGroupEntry] = Field(min_length=1)
    participants: list[ParticipantEntry] = []
    people: list[PersonEntry] = []


def parse_directory(path: Path) -> Directory:
    """Read and check the whole file; raise InvalidInput naming file, entry and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid YAML: {exc}".splitlines()[0]) from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: expected a mapping with resolver_groups, participants, people")
    try:
        directory = Directory.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(f"{path}: {_describe(raw, exc.errors()[0])}") from None
    _check_references(path, directory)
    return directory


def _describe(raw: dict, error: dict) -> str:
    loc = list(error["loc"])
    where, node = [], raw
    for part in loc:
        label = str(part)
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            name = (
                node.get("key") or node.get("name") or node.get("id")
                if isinstance(node, dict)
                else None
            )
            label = f"{where.pop()}[{part}]" + (f" ({name})" if name else "")
        elif isinstance(node, dict):
            node = node.get(part)
        where.append(label)
    entry, field = " > ".join(where[:-1]) or "top level", where[-1] if where else ""
    return f"{entry}: field {field!r}: {error['msg']}"


def _check_references(path: Path, directory: Directory) -> None:
    def dupes(values: list[str]) -> set[str]:
        seen: set[str] = set()
        return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]

    keys = [g.key for g in directory.resolver_groups]
    checks = {
        "resolver_groups: field 'key'": dupes(keys),
        "participants: field 'name'": dupes([p.name for p in directory.participants]),
        "participants: field 'domains'": dupes(
            [d for p in directory.participants for d in p.domains]
        ),
        "participants: contacts field 'email'": dupes(
            [c.email for p in directory.participants for c in p.contacts]
        ),
        "participants: mpids field 'id'/'roles'": dupes(
            [f"{m.id}/{r}" for p in directory.participants for m in p.mpids for r in m.roles]
        ),
        "people: field 'email'": dupes([p.email for p in directory.people]),
    }
    for where, found in checks.items():
        if found:
            raise InvalidInput(f"{path}: {where}: duplicate {', '.join(sorted(found))}")
    for index, person in enumerate(directory.people):
        entry = f"people[{index}] ({person.name})"
        if person.role == "resolver" and person.group not in keys:
            raise InvalidInput(
                f"{path}: {entry}: field 'group': a resolver needs a known resolver group, "
                f"not {person.group!r}"
            )
        if person.role != "resolver" and person.group is not None:
            raise InvalidInput(f"{path}: {entry}: field 'group': only resolvers have a group")
