"""Directory look-ups: who is this sender, which group, which desk person."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Contact, Organisation, OrgDomain, Person, ResolverGroup


@dataclass(frozen=True)
class Sender:
    """What the directory knows of an address: a contact, an organisation, a group or a person."""

    email: str
    contact: Contact | None = None
    organisation: Organisation | None = None
    resolver: ResolverGroup | None = None
    person: Person | None = None

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


def find_sender(session: Session, email: str) -> Sender:
    email = email.strip().lower()
    contact = session.scalar(select(Contact).where(Contact.email == email, Contact.active))
    organisation = contact.organisation if contact else None
    if organisation is None and "@" in email:
        organisation = session.scalar(
            select(Organisation)
            .join(OrgDomain)
            .where(OrgDomain.domain == email.rsplit("@", 1)[1], Organisation.active)
        )
    resolver = session.scalar(select(ResolverGroup).where(func.lower(ResolverGroup.email) == email))
    person = session.scalar(select(Person).where(Person.email == email, Person.active))
    return Sender(email, contact, organisation, resolver, person)


def resolver_group(session: Session, key: str) -> ResolverGroup | None:
    group = session.get(ResolverGroup, key)
    return group if group is not None and group.active else None


def resolver_keys(session: Session) -> list[str]:
    return list(session.scalars(select(ResolverGroup.key).where(ResolverGroup.active)))


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
