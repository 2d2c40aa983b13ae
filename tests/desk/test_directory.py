"""The directory file: checked whole, applied in one transaction, reloadable in place."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from desk.bootstrap import App
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.errors import InvalidInput
from store.db import unit_of_work
from store.directory import find_sender
from store.models import Contact, Organisation, Person, ResolverGroup
from tests.conftest import DEMO_DIRECTORY


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _demo() -> dict:
    return yaml.safe_load(DEMO_DIRECTORY.read_text())


def test_demo_directory_has_the_nine_groups_and_eight_participants() -> None:
    directory = parse_directory(DEMO_DIRECTORY)
    assert {g.key for g in directory.resolver_groups} == {
        "registration_service",
        "address_service",
        "xoserve_uk_link",
        "dno_mpas",
        "gemserv_ecoes",
        "dcc_dsp",
        "switching_network",
        "switching_operator",
        "service_desk",
    }
    assert len(directory.participants) >= 8
    roles = {r for p in directory.participants for m in p.mpids for r in m.roles}
    assert {"X", "R", "M", "S", "GT"} <= roles


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["participants"][1]["contacts"][0].update(email="not-an-address"),
            "participants[1] (Kestrel Power & Gas) > contacts[0] (Gareth Pryce): field 'email'",
        ),
        (
            lambda d: d["participants"][2]["mpids"][0].update(roles=["XYZ"]),
            "participants[2] (Northfield Distribution) > mpids[0] (NFDN): field 'roles'",
        ),
        (
            lambda d: d["resolver_groups"][0].update(kind="vendor"),
            "resolver_groups[0] (registration_service): field 'kind'",
        ),
        (
            lambda d: d["resolver_groups"][3].pop("name"),
            "resolver_groups[3] (dno_mpas): field 'name'",
        ),
        (lambda d: d["people"][3].update(group="nobody"), "people[3] (Joe Lin): field 'group'"),
        (lambda d: d["participants"].append(d["participants"][0]), "duplicate Brightwater Energy"),
        (
            lambda d: d["participants"][0].update(colour="blue"),
            "participants[0] (Brightwater Energy)",
        ),
    ],
)
def test_a_mistake_names_file_entry_and_field(tmp_path: Path, mutate, expected: str) -> None:
    data = _demo()
    mutate(data)
    with pytest.raises(InvalidInput) as error:
        parse_directory(_write(tmp_path, data))
    assert str(error.value).startswith(str(tmp_path / "directory.yaml"))
    assert expected in str(error.value)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="file not found"):
        parse_directory(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("participants: [\n")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        parse_directory(broken)


def test_loading_again_updates_in_place(app: App, tmp_path: Path) -> None:
    with unit_of_work(app.factory) as session:
        apply_directory(session, parse_directory(DEMO_DIRECTORY))
    data = _demo()
    data["participants"][0]["contacts"][0]["name"] = "Priya Raman-Shah"
    data["participants"][0]["mpids"] = [{"id": "BWEN", "roles": ["X", "M"]}]
    removed = data["participants"].pop()  # Oakleaf leaves the market
    with unit_of_work(app.factory) as session:
        report = apply_directory(session, parse_directory(_write(tmp_path, data)))
    assert report.deactivated >= 1
    with unit_of_work(app.factory) as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 9
        contact = session.scalar(select(Contact).where(Contact.email.like("priya%")))
        assert contact.name == "Priya Raman-Shah"
        assert contact.organisation.role_codes == ("M", "X")
        gone = session.scalar(select(Organisation).where(Organisation.name == removed["name"]))
        assert gone.active is False
        # an address of a deactivated organisation no longer identifies it
        assert find_sender(session, "sian.evans@oakleaf-energy.example").organisation is None
        assert session.scalar(select(func.count()).select_from(ResolverGroup)) == 9


def test_sender_identity_from_directory(demo_app: App) -> None:
    with unit_of_work(demo_app.factory) as session:
        contact = find_sender(session, "Priya.Raman@brightwater-energy.example")
        assert contact.contact is not None and contact.kind == "participant"
        by_domain = find_sender(session, "someone.new@kestrel-pg.example")
        assert by_domain.contact is None and by_domain.organisation.name == "Kestrel Power & Gas"
        provider = find_sender(session, "uklink-desk@gasdata.example")
        assert provider.resolver == "xoserve_uk_link" and provider.kind == "resolver"
        stranger = find_sender(session, "x@unknown.example")
        assert not stranger.known and stranger.kind is None
        person = session.scalar(select(Person).where(Person.role == "resolver"))
        assert person.resolver_key is not None
