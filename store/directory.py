"""Directory look-ups: who is this sender, which group, which desk person.

The directory is small and read on every message, so it is read whole into a snapshot of
plain values; the inbound processor keeps one per batch instead of querying per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Contact, Mpid, Organisation, OrgDomain, Person, ResolverGroup


@dataclass(frozen=True)
class OrgRef:
    id: int
    name: str
    role_codes: tuple[str, ...]


@dataclass(frozen=True)
class ContactRef:
    id: int
    name: str
    organisation_id: int


@dataclass(frozen=True)
class PersonRef:
    name: str
    email: str
    role: str
    resolver_key: str | None
    slack_user_id: str | None


@dataclass(frozen=True)
class Sender:
    """What the directory knows of an address: a contact, an organisation, a group or a person."""

    email: str
    contact: ContactRef | None = None
    organisation: OrgRef | None = None
    resolver: str | None = None  # the key of the resolver group whose address this is
    person: PersonRef | None = None

    @property
    def known(self) -> bool:
        return any((self.contact, self.organisation, self.resolver, self.person))

    @property
    def kind(self) -> str | None:
        if self.person is not None:
            return "resolver" if self.person.role == "resolver" else "desk"
        if self.resolver is not None:
            return "resolver"
        return "participant" if self.organisation is not None else None


@dataclass(frozen=True)
class DirectorySnapshot:
    organisations: dict[int, OrgRef] = field(default_factory=dict)
    contacts: dict[str, ContactRef] = field(default_factory=dict)
    domains: dict[str, int] = field(default_factory=dict)
    resolvers: dict[str, str] = field(default_factory=dict)  # e-mail -> group key
    people: dict[str, PersonRef] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> DirectorySnapshot:
        roles: dict[int, set[str]] = {}
        for org_id, role in session.execute(select(Mpid.organisation_id, Mpid.role_code)):
            roles.setdefault(org_id, set()).add(role)
        orgs = {
            org_id: OrgRef(org_id, name, tuple(sorted(roles.get(org_id, ()))))
            for org_id, name in session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.active)
            )
        }
        contacts = {
            email: ContactRef(cid, name, org_id)
            for cid, name, email, org_id in session.execute(
                select(Contact.id, Contact.name, Contact.email, Contact.organisation_id).where(
                    Contact.active
                )
            )
            if org_id in orgs
        }
        domains = {
            d: org_id
            for d, org_id in session.execute(select(OrgDomain.domain, OrgDomain.organisation_id))
            if org_id in orgs
        }
        resolvers = {
            email.lower(): key
            for key, email in session.execute(
                select(ResolverGroup.key, ResolverGroup.email).where(ResolverGroup.active)
            )
            if email
        }
        people = {
            p.email: PersonRef(p.name, p.email, p.role, p.resolver_key, p.slack_user_id)
            for p in session.scalars(select(Person).where(Person.active))
        }
        return cls(orgs, contacts, domains, resolvers, people)

    def sender(self, email: str) -> Sender:
        email = email.strip().lower()
        contact = self.contacts.get(email)
        org_id = contact.organisation_id if contact else None
        if org_id is None and "@" in email:
            org_id = self.domains.get(email.rsplit("@", 1)[1])
        return Sender(
            email,
            contact,
            self.organisations.get(org_id) if org_id is not None else None,
            self.resolvers.get(email),
            self.people.get(email),
        )


def find_sender(session: Session, email: str) -> Sender:
    return DirectorySnapshot.load(session).sender(email)


@dataclass(frozen=True)
class GroupRef:
    key: str
    name: str
    slack_channel: str | None
    email: str | None


def resolver_group(session: Session, key: str) -> GroupRef | None:
    """An active resolver group, looked up once per transaction."""
    cache: dict[str, GroupRef | None] = session.info.setdefault("switchdesk_groups", {})
    if key not in cache:
        with session.no_autoflush:  # a look-up: no reason to flush the caller's pending rows
            group = session.get(ResolverGroup, key)
        cache[key] = (GroupRef(group.key, group.name, group.slack_channel, group.email)
                      if group is not None and group.active else None)  # fmt: skip
    return cache[key]


def resolver_keys(session: Session) -> list[str]:
    return list(session.scalars(select(ResolverGroup.key).where(ResolverGroup.active)))


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
