"""Bulletins and the forward schedule of change as an operator drives them: `switchdesk
bulletins ...` and `switchdesk changes ...`, end to end, on SQLite and PostgreSQL.

The CLI reads the real clock, so every scheduled time here is in June of next year (or in
2020, for the refusals); nothing asserted depends on today's date.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime

import icalendar
from click.testing import CliRunner, Result

from desk.bootstrap import App
from desk.cli.main import cli
from tests.conftest import cli_env

YEAR = date.today().year + 1
AT = f"{YEAR}-06-01 22:00"  # London, BST: 21:00 UTC
AT_UTC = f"{YEAR}-06-01T21:00:00Z"
START, END, LATER_END = f"{YEAR}-06-08 21:00", f"{YEAR}-06-09 01:00", f"{YEAR}-06-09 03:00"
# The last Sunday of March: the clocks go from 01:00 straight to 02:00 in London.
SPRING = max(week[calendar.SUNDAY] for week in calendar.monthcalendar(YEAR, 3))
GAP = f"{YEAR}-03-{SPRING:02d} 01:30"

CONTACTS = 10  # in the demo directory
GAS = {  # organisations with a gas role (S, GT, GS)
    "priya.raman@brightwater-energy.example", "tom.hale@brightwater-energy.example",
    "g.pryce@kestrel-pg.example", "fiona.laing@meridian-gt.example",
    "marek.nowak@cobalt-shipping.example",
}  # fmt: skip
ELECTRICITY = {  # organisations with an electricity role (X, R, M, 8, C, D, A)
    "priya.raman@brightwater-energy.example", "tom.hale@brightwater-energy.example",
    "g.pryce@kestrel-pg.example", "aisha.bello@northfield-dn.example",
    "owen.clarke@heronsgate-networks.example", "hannah.price@lumen-metering.example",
    "ravi.desai@quayside-data.example", "sian.evans@oakleaf-energy.example",
}  # fmt: skip


def _run(app: App, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env={**cli_env(app), **(env or {})},
                                prog_name="switchdesk")  # fmt: skip
    # Whatever the outcome, the command ends by its own exit, never by an exception.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"switchdesk {' '.join(args)} raised") from result.exception
    return result


def ok(app: App, *args: str, **kwargs) -> str:
    result = _run(app, *args, **kwargs)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def refused(app: App, *args: str) -> str:
    """The one line on stderr of a refused command."""
    result = _run(app, *args)
    assert result.exit_code != 0, (args, result.stdout)
    assert "Traceback" not in result.stderr + result.stdout, args
    assert result.stderr.startswith("switchdesk: error: "), (args, result.stderr)
    assert result.stderr.count("\n") == 1, (args, result.stderr)
    return result.stderr


def ok_json(app: App, *args: str):
    return json.loads(ok(app, *args, "--json"))


def _bulletin(*extra: str) -> list[str]:
    return ["bulletins", "create", "--title", "CSS Registration Service degraded",
            "--body", "Switch requests are **slow**.", *extra]  # fmt: skip


def _change(*extra: str, title: str = "UK Link release") -> list[str]:
    return ["changes", "create", "--title", title, "--provider", "xoserve_uk_link",
            "--service", "UK Link", "--start", START, "--end", END,
            "--impact", "DES read-only during the window.", *extra]  # fmt: skip


def _recipients(app: App, ref: str) -> set[str]:
    return {r["recipient"] for r in ok_json(app, "bulletins", "status", ref)}


# --- bulletins ---------------------------------------------------------------------------


def test_a_scheduled_bulletin_waits_and_can_be_withdrawn(demo_app: App) -> None:
    ref = ok(demo_app, *_bulletin("--severity", "planned maintenance",
                                  "--service", "CSS Registration Service", "--service", "des",
                                  "--audience", "fuel:gas", "--at", AT,
                                  "--expires", f"{YEAR}-06-02 02:00"))  # fmt: skip
    assert ref == "BUL-000001\n"  # the id and nothing else: scripts capture it
    shown = ok_json(demo_app, "bulletins", "show", "BUL-000001")
    assert (shown["state"], shown["severity"]) == ("scheduled", "planned_maintenance")
    assert shown["services"] == ["registration_service", "des"]
    assert shown["audience"] == ["fuel:gas"]
    assert shown["publish_at"] == AT_UTC  # typed in London time, kept in UTC
    assert shown["expires_at"] == f"{YEAR}-06-02T01:00:00Z"
    assert [(p["kind"], p["state"]) for p in shown["publications"]] == [("bulletin", "scheduled")]
    text = ok(demo_app, "bulletins", "show", "bul-1")  # references are forgiving
    assert "BUL-000001  scheduled  planned_maintenance" in text
    assert "Audience: fuel:gas" in text and "Switch requests are **slow**." in text
    # shown as the operator typed it, in London time, as `changes list` does
    assert f"v0 bulletin: scheduled, due {YEAR}-06-01 22:00 BST, 0 recipients" in text
    assert f"{YEAR}-06-01 22:00 BST" in ok(demo_app, "bulletins", "list")
    assert ok(demo_app, "bulletins", "publish-due") == "published 0 broadcasts\n"
    assert ok(demo_app, "bulletins", "status", ref.strip()) == "nothing sent yet\n"
    assert ok(demo_app, "bulletins", "cancel", "BUL-000001") == "BUL-000001 cancelled\n"
    assert ok(demo_app, "bulletins", "publish-due") == "published 0 broadcasts\n"
    assert ok_json(demo_app, "bulletins", "show", "BUL-000001")["state"] == "cancelled"
    assert "cancelled" in refused(demo_app, "bulletins", "update", "BUL-000001", "--body", "x")


def test_a_bulletin_is_published_updated_resolved_and_delivered(demo_app: App) -> None:
    created = ok_json(demo_app, *_bulletin("--severity", "degraded",
                                           "--service", "registration"))  # fmt: skip
    ref = created["ref"]
    assert (created["state"], created["severity"], created["audience"]) == (
        "scheduled", "degraded", ["all"])  # fmt: skip
    assert created["publications"][0]["recipients"] == 0
    assert ok(demo_app, "bulletins", "publish-due") == "published 1 broadcasts\n"
    assert ok(demo_app, "bulletins", "publish-due") == "published 0 broadcasts\n"
    assert "has been published; resolve it" in refused(demo_app, "bulletins", "cancel", ref)
    assert ok(demo_app, "bulletins", "update", ref, "--body", "Recovering.",
              "--severity", "outage") == f"{ref}: update 1 queued\n"  # fmt: skip
    assert ok(demo_app, "bulletins", "resolve", ref, "--body", "Resolved at 10:05."
              ) == f"{ref}: resolution 2 queued\n"  # fmt: skip
    assert "is resolved" in refused(demo_app, "bulletins", "update", ref, "--body", "More.")
    assert ok(demo_app, "bulletins", "publish-due") == "published 2 broadcasts\n"
    ledger = ok_json(demo_app, "bulletins", "status", ref)
    assert len(ledger) == 3 * CONTACTS and {r["status"] for r in ledger} == {"queued"}
    assert "attempted 30" in ok(demo_app, "outbox", "work")
    ledger = ok_json(demo_app, "bulletins", "status", ref)
    assert {r["status"] for r in ledger} == {"sent"}
    assert sorted({r["version"] for r in ledger}) == [0, 1, 2]
    table = ok(demo_app, "bulletins", "status", ref).splitlines()
    assert table[0].split() == ["V", "RECIPIENT", "ORGANISATION", "STATUS", "ERROR"]
    assert len(table) == 1 + 3 * CONTACTS
    assert [
        "0",
        "fiona.laing@meridian-gt.example",
        "Meridian",
        "Gas",
        "Transport",
        "sent",
        "-",
    ] in [line.split() for line in table]
    shown = ok_json(demo_app, "bulletins", "show", ref)
    assert (shown["state"], shown["severity"]) == ("resolved", "resolved")
    assert [(p["kind"], p["state"], p["recipients"]) for p in shown["publications"]] == [
        ("bulletin", "sent", CONTACTS), ("bulletin_update", "sent", CONTACTS),
        ("bulletin_resolved", "sent", CONTACTS)]  # fmt: skip
    listed = ok_json(demo_app, "bulletins", "list")
    assert [(b["ref"], b["state"]) for b in listed] == [(ref, "resolved")]
    assert ref in ok(demo_app, "bulletins", "list")


def test_fuel_audiences_reach_the_participants_of_that_fuel(demo_app: App) -> None:
    gas = ok(demo_app, *_bulletin("--audience", "fuel:gas")).strip()
    power = ok(demo_app, *_bulletin("--audience", "Fuel:Electricity")).strip()
    both = ok(demo_app, *_bulletin("--audience", "fuel:gas",
                                   "--audience", "fuel:electricity")).strip()  # fmt: skip
    assert ok(demo_app, "bulletins", "publish-due") == "published 3 broadcasts\n"
    assert _recipients(demo_app, gas) == GAS
    assert _recipients(demo_app, power) == ELECTRICITY
    # dual-fuel suppliers are in both, and get one copy of a bulletin aimed at both
    assert len(ok_json(demo_app, "bulletins", "status", both)) == CONTACTS
    assert "audience is empty" in refused(demo_app, *_bulletin("--audience", "role:ZZ"))


def test_bad_bulletins_are_refused_in_one_line(demo_app: App) -> None:
    cases = [
        (("--at", "2020-01-01 09:00"), "the publish time is in the past"),
        (("--audience", "role:ZZ"), "the audience is empty"),
        (("--audience", "fuel:coal"), "not an audience: 'fuel:coal'"),
        (("--audience", "org:Nobody Ltd"), "unknown organisation: Nobody Ltd"),
        (("--service", "teleportation"), "unknown service 'teleportation'"),
        (("--severity", "apocalyptic"), "unknown severity 'apocalyptic'"),
        (("--at", "next tuesday"), "not a time: 'next tuesday'"),
        (("--at", GAP), "does not exist in London"),
        (("--at", AT, "--expires", f"{YEAR}-06-01 21:00"), "expiry must come after"),
    ]
    for extra, message in cases:
        assert message in refused(demo_app, *_bulletin(*extra)), extra
    assert "a bulletin needs a title" in refused(demo_app, "bulletins", "create", "--title", " ",
                                                  "--body", "b")  # fmt: skip
    assert "no bulletin BUL-000042" in refused(demo_app, "bulletins", "show", "BUL-42")
    assert "not a bulletin reference" in refused(demo_app, "bulletins", "status", "CHG-1")
    assert ok(demo_app, "bulletins", "list") == "no bulletins\n"  # nothing half-made


# --- the forward schedule of change ------------------------------------------------------


def _events(ics: bytes) -> dict[str, icalendar.Event]:
    calendar_ = icalendar.Calendar.from_ical(ics)
    return {str(e["SUMMARY"]).split("]")[0][1:]: e for e in calendar_.walk("VEVENT")}


def test_the_schedule_of_change_and_its_calendar_update_in_place(demo_app: App) -> None:
    created = ok_json(demo_app, *_change())
    first = created["ref"]
    assert (first, created["status"], created["sequence"]) == ("CHG-000001", "planned", 0)
    assert created["start"] == f"{YEAR}-06-08T20:00:00Z" and created["services"] == ["uk_link"]
    second = ok(demo_app, *_change(title="MPAS certificate rotation")).strip()
    assert second == "CHG-000002"
    feed = ok(demo_app, "changes", "ics")
    events = _events(feed.encode())
    assert set(events) == {first, second}
    uid = str(events[first]["UID"])
    assert uid == "chg-000001@switchdesk.example" and int(events[first]["SEQUENCE"]) == 0
    assert events[first]["DTSTART"].dt == datetime(YEAR, 6, 8, 20, tzinfo=UTC)

    assert ok(demo_app, "changes", "amend", first, "--end", LATER_END, "--note",
              "Two more hours.") == f"{first} amended (sequence 1)\n"  # fmt: skip
    assert ok(demo_app, "changes", "amend", first, "--status", "approved"
              ) == f"{first} amended (sequence 2)\n"  # fmt: skip
    assert "ends before it starts" in refused(demo_app, "changes", "amend", first,
                                              "--end", f"{YEAR}-06-08 20:00")  # fmt: skip
    assert ok(demo_app, "changes", "cancel", second, "Postponed to July"
              ) == f"{second} cancelled\n"  # fmt: skip
    assert "already cancelled" in refused(demo_app, "changes", "cancel", second, "again")
    assert "is cancelled" in refused(demo_app, "changes", "amend", second, "--title", "T")

    events = _events(ok(demo_app, "changes", "ics").encode())
    assert set(events) == {first, second}  # one entry per change, however often it changed
    assert str(events[first]["UID"]) == uid and int(events[first]["SEQUENCE"]) == 2
    assert events[first]["DTEND"].dt == datetime(YEAR, 6, 9, 2, tzinfo=UTC)
    assert str(events[first]["STATUS"]) == "CONFIRMED"
    assert str(events[second]["STATUS"]) == "CANCELLED" and int(events[second]["SEQUENCE"]) == 1
    kept = demo_app.settings.home / "calendar" / "fsc.ics"
    assert set(_events(kept.read_bytes())) == {first, second}

    upcoming = ok_json(demo_app, "changes", "list")
    assert [(c["ref"], c["status"], c["sequence"]) for c in upcoming] == [(first, "approved", 2)]
    assert [c["ref"] for c in ok_json(demo_app, "changes", "list", "--all")] == [first, second]
    table = ok(demo_app, "changes", "list")
    assert f"{YEAR}-06-08 21:00 BST" in table and f"{YEAR}-06-09 03:00 BST" in table

    # three notices of the first change, two of the second; the reminders are not yet due
    assert ok(demo_app, "changes", "status", first, "--json") == "[]\n"
    assert ok(demo_app, "changes", "status", first) == "nothing sent yet\n"  # not an error
    assert ok(demo_app, "bulletins", "publish-due") == "published 5 broadcasts\n"
    ledger = json.loads(ok(demo_app, "changes", "status", first, "--json"))
    assert sorted({r["version"] for r in ledger}) == [0, 1, 2] and len(ledger) == 3 * CONTACTS
    assert "queued" in ok(demo_app, "changes", "status", second)


def test_bad_changes_are_refused_in_one_line(demo_app: App) -> None:
    cases = [
        (("--start", "2020-01-01 09:00", "--end", "2020-01-01 10:00"), "cannot start in the past"),
        (("--end", f"{YEAR}-06-08 20:00"), "the window ends before it starts"),
        (("--provider", "plumbers"), "unknown provider (resolver group) 'plumbers'"),
        (("--service", "teleportation"), "unknown service 'teleportation'"),
        (("--audience", "role:ZZ"), "the audience is empty"),
        (("--start", "soonish"), "not a time: 'soonish'"),
        (("--end", GAP), "does not exist in London"),
    ]
    for extra, message in cases:
        assert message in refused(demo_app, *_change(*extra)), extra
    assert "no change CHG-000007" in refused(demo_app, "changes", "status", "CHG-7")
    assert "no change CHG-000007" in refused(demo_app, "changes", "cancel", "CHG-7", "why")
    assert ok_json(demo_app, "changes", "list", "--all") == []  # nothing half-made
