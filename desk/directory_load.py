"""Apply a checked directory file to the store in one transaction, updating in place.

Entries missing from the file are deactivated, not deleted: tickets still point at them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.directory import Directory
from store.models import Contact, Mpid, Organisation, OrgDomain, Person, ResolverGroup


@dataclass(frozen=True)
class LoadReport:
    resolver_groups: int
    participants: int
    contacts: int
    people: int
    deactivated: int

    def __str__(self) -> str:
        text = (
            f"loaded {self.resolver_groups} resolver groups, {self.participants} participants "
            f"({self.contacts} contacts), {self.people} people"
        )
        return text + (
            f"; deactivated {self.deactivated} no longer listed" if self.deactivated else ""
        )


def apply_directory(session: Session, directory: Directory) -> LoadReport:
    groups = {g.key: g for g in session.scalars(select(ResolverGroup))}
    for entry in directory.resolver_groups:
        group = groups.get(entry.key) or ResolverGroup(key=entry.key)
        group.name, group.kind, group.active = entry.name, entry.kind, True
        group.slack_channel, group.email = entry.slack_channel, entry.email
        group.escalation_contacts = [
            c.model_dump(exclude_none=True) for c in entry.escalation_contacts
        ]
        session.add(group)
    session.flush()

    orgs = {o.name: o for o in session.scalars(select(Organisation))}
    contacts = {c.email: c for c in session.scalars(select(Contact))}
    # Child rows are replaced; flush deletions first so unique MPIDs/domains can move.
    for org in orgs.values():
        org.mpids.clear()
        org.domains.clear()
    session.flush()
    listed_contacts: set[str] = set()
    for entry in directory.participants:
        org = orgs.get(entry.name) or Organisation(name=entry.name)
        org.active = True
        org.mpids = [Mpid(mpid=m.id, role_code=r) for m in entry.mpids for r in m.roles]
        org.domains = [OrgDomain(domain=d) for d in entry.domains]
        session.add(org)
        session.flush()
        for c in entry.contacts:
            contact = contacts.get(c.email) or Contact(email=c.email)
            contact.organisation_id, contact.name, contact.phone = org.id, c.name, c.phone
            contact.active = True
            session.add(contact)
            listed_contacts.add(c.email)
    listed_orgs = {p.name for p in directory.participants}

    people = {p.email: p for p in session.scalars(select(Person))}
    for entry in directory.people:
        person = people.get(entry.email) or Person(email=entry.email)
        person.name, person.role, person.resolver_key = entry.name, entry.role, entry.group
        person.slack_user_id, person.active = entry.slack_user, True
        session.add(person)
    listed_people = {p.email for p in directory.people}
    listed_groups = {g.key for g in directory.resolver_groups}

    deactivated = 0
    for rows, listed, key in (
        (groups.values(), listed_groups, "key"),
        (orgs.values(), listed_orgs, "name"),
        (contacts.values(), listed_contacts, "email"),
        (people.values(), listed_people, "email"),
    ):
        for row in rows:
            if getattr(row, key) not in listed and row.active:
                row.active = False
                deactivated += 1
    session.flush()
    return LoadReport(
        len(directory.resolver_groups),
        len(directory.participants),
        len(listed_contacts),
        len(directory.people),
        deactivated,
    )
