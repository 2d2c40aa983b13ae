"""The pure parts: who may do what, and how `/desk` text is read."""

from __future__ import annotations

import pytest

from bot.command_parse import UsageError, parse_command
from desk.chat_auth import ChatUser, can_act, can_read, can_run_desk, require_act
from desk.errors import Unauthorised


def person(role: str, group: str | None = None) -> ChatUser:
    return ChatUser("Sam", "sam@x.example", role, group, "U0SAM0001")


@pytest.mark.parametrize(("role", "group", "ticket_group", "read", "act"), [
    ("agent", None, "dno_mpas", True, True),
    ("operator", None, None, True, True),
    ("viewer", None, "dno_mpas", True, False),
    ("resolver", "dno_mpas", "dno_mpas", True, True),
    ("resolver", "dno_mpas", "dcc_dsp", False, False),
    ("resolver", "dno_mpas", None, False, False),
])  # fmt: skip
def test_roles(role: str, group: str | None, ticket_group: str | None, read: bool,
               act: bool) -> None:  # fmt: skip
    user = person(role, group)
    assert (can_read(user, ticket_group), can_act(user, ticket_group)) == (read, act)
    assert can_run_desk(user) == (role in ("agent", "operator"))


def test_refusals_say_why() -> None:
    with pytest.raises(Unauthorised, match="read-only access"):
        require_act(person("viewer"), "SD-000001", "dno_mpas")
    with pytest.raises(Unauthorised, match="assigned to dcc_dsp, not to your group"):
        require_act(person("resolver", "dno_mpas"), "SD-000001", "dcc_dsp")
    assert person("agent").label == "Sam (U0SAM0001)"


@pytest.mark.parametrize(("text", "name", "args"), [
    ("", "help", ()),
    ("priority SD-1 p2 market-wide  impact", "priority", ("SD-1", "p2", "market-wide  impact")),
    ("QUEUE dno_mpas", "queue", ("dno_mpas",)),
    ("kb RMP not found", "kb", ("RMP not found",)),
])  # fmt: skip
def test_parse(text: str, name: str, args: tuple[str, ...]) -> None:
    assert parse_command(text).args == args
    assert parse_command(text).name == name


@pytest.mark.parametrize("text", ["show", "show a b", "assign SD-1", "note SD-1", "queue a b",
                                  "new now", "delete SD-1"])  # fmt: skip
def test_malformed(text: str) -> None:
    with pytest.raises(UsageError):
        parse_command(text)
