"""SLA clocks on stored tickets, on both databases: show, list, at risk, and the CLI."""

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from desk.actor import Actor
from desk.bootstrap import App
from desk.cli.main import cli
from desk.reference import parse_ref
from desk.tickets import NewTicket
from store.db import unit_of_work
from store.models import AuditEvent, Ticket
from store.tickets import TicketFilter
from tests.conftest import cli_env

AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday 10:00 GMT


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _backdate(session: Session, statement: Executable) -> None:
    """Tests set the clock back by rewriting history, which the database otherwise refuses."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
    else:
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable"))
    session.execute(statement)


def _open(app: App, opened: str, impact: int, urgency: int, resolver: str) -> str:
    """A ticket opened at `opened` (UTC): its stored facts are what the clocks read."""
    ref = app.tickets.open(
        NewTicket(requester_email=PRIYA, subject=f"Switch stuck since {opened}", body="Pending",
                  impact=str(impact), urgency=str(urgency), resolver=resolver),
        AGENT,
    )  # fmt: skip
    with unit_of_work(app.factory) as session:
        ticket_id = parse_ref(ref)
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(created_at=utc(opened)))
        _backdate(session, update(AuditEvent).where(AuditEvent.ticket_id == ticket_id)
                  .values(at=utc(opened)))  # fmt: skip
    return ref


def _move(app: App, ref: str, status: str, when: str) -> None:
    app.tickets.set_status(ref, status, AGENT)
    with unit_of_work(app.factory) as session:
        latest = session.scalars(
            AuditEvent.__table__.select()
            .with_only_columns(AuditEvent.id)
            .where(AuditEvent.ticket_id == parse_ref(ref), AuditEvent.action == "status")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).one()
        _backdate(session, update(AuditEvent).where(AuditEvent.id == latest).values(at=utc(when)))


def test_show_and_list_carry_the_clocks(demo_app: App) -> None:
    app = demo_app
    ref = _open(app, "2026-12-02T13:30", 3, 3, "registration_service")  # P3, a Wednesday
    _move(app, ref, "in_progress", "2026-12-02T14:00")

    sla = app.queries.show(ref, now=NOW)["sla"]
    assert sla["priority"] == "P3" and sla["resolution_target"] == "3 working days"
    assert (sla["response_due"], sla["responded_at"]) == ("2026-12-02T17:30:00Z",
                                                          "2026-12-02T14:00:00Z")  # fmt: skip
    assert sla["resolution_due"] == "2026-12-07T13:30:00Z"
    assert (sla["clock"], sla["breached"], sla["at_risk"]) == ("running", False, True)
    assert app.queries.show(ref, now=utc("2026-12-07T13:31"))["sla"]["breached"] is True

    [row] = app.queries.list(TicketFilter(status="open"), now=NOW)
    assert row["ref"] == ref and row["resolution_due"] == "2026-12-07T13:30:00Z"

    # Waiting for the participant: no due time while paused, and the time left is kept.
    _move(app, ref, "pending_participant", "2026-12-03T09:00")
    paused = app.queries.show(ref, now=NOW)["sla"]
    assert paused["clock"] == "paused" and paused["resolution_due"] is None
    assert paused["remaining_seconds"] == (25.5 - 4) * 3600
    assert app.queries.list(TicketFilter(status="open"), now=NOW)[0]["resolution_due"] is None
    # The participant answers on Monday at 09:00: the 21.5 h left run from then.
    _move(app, ref, "in_progress", "2026-12-07T09:00")
    resumed = app.queries.show(ref, now=NOW)["sla"]
    assert resumed["resolution_due"] == "2026-12-09T13:30:00Z" and not resumed["at_risk"]


def test_at_risk_is_most_urgent_first_and_skips_paused_and_resolved(demo_app: App) -> None:
    app = demo_app
    overdue = _open(app, "2026-12-01T09:00", 3, 3, "registration_service")  # due Thu 17:30
    soon = _open(app, "2026-12-07T08:00", 1, 1, "switching_operator")  # P1: 12:00
    later = _open(app, "2026-12-02T12:00", 3, 3, "registration_service")  # due Mon 12:00...
    _open(app, "2026-12-04T09:00", 3, 3, "registration_service")  # due Tue 17:30: not yet
    paused = _open(app, "2026-12-01T09:00", 3, 3, "registration_service")
    _move(app, paused, "pending_participant", "2026-12-01T10:00")
    resolved = _open(app, "2026-12-01T09:00", 2, 2, "registration_service")
    app.tickets.resolve(resolved, "done", AGENT)
    stopped_once = _open(app, "2026-12-01T09:00", 3, 3, "registration_service")
    _move(app, stopped_once, "pending_participant", "2026-12-01T10:00")
    _move(app, stopped_once, "in_progress", "2026-12-07T09:00")  # due moved past the horizon
    _move(app, later, "pending_participant", "2026-12-02T13:00")
    _move(app, later, "in_progress", "2026-12-02T13:30")  # ... half an hour later: 12:30

    rows = app.queries.at_risk(within=timedelta(hours=4), now=NOW)
    assert [(r["ref"], r["resolution_due"], r["breached"]) for r in rows] == [
        (overdue, "2026-12-03T17:30:00Z", True),
        (soon, "2026-12-07T12:00:00Z", False),
        (later, "2026-12-07T12:30:00Z", False),
    ]
    mine = app.queries.at_risk("registration_service", timedelta(hours=4), NOW)
    assert [r["ref"] for r in mine] == [overdue, later]
    assert [r["ref"] for r in app.queries.at_risk(within=timedelta(hours=4), now=NOW,
                                                  limit=2)] == [overdue, soon]  # fmt: skip
    assert [r["ref"] for r in app.queries.at_risk(within=timedelta(0), now=NOW)] == [overdue]


def test_cli_shows_sla_and_lists_at_risk(demo_app: App) -> None:
    app = demo_app
    ref = _open(app, "2026-12-02T13:30", 3, 3, "registration_service")
    env = cli_env(app)
    runner = CliRunner()

    shown = runner.invoke(cli, ["tickets", "show", ref], env=env, catch_exceptions=False)
    assert "SLA:       resolution due 2026-12-07 13:30 GMT (P3, 3 working days)" in shown.stdout
    assert "response due 2026-12-02 17:30 GMT (4 business hours) - BREACHED" in shown.stdout
    as_json = runner.invoke(cli, ["tickets", "show", ref, "--json"], env=env)
    assert json.loads(as_json.stdout)["sla"]["resolution_due"] == "2026-12-07T13:30:00Z"
    listed = runner.invoke(cli, ["tickets", "list", "--json"], env=env)
    assert json.loads(listed.stdout)[0]["resolution_due"] == "2026-12-07T13:30:00Z"

    # Opened in November, so past due whatever today is, and the most urgent.
    old = _open(app, "2026-11-02T10:00", 3, 3, "registration_service")
    at_risk = runner.invoke(cli, ["tickets", "list", "--at-risk", "--within", "2h", "--json"],
                            env=env)  # fmt: skip
    first = json.loads(at_risk.stdout)[0]
    assert (first["ref"], first["breached"], first["resolution_due"]) == (
        old, True, "2026-11-05T10:00:00Z")  # fmt: skip
    table = runner.invoke(cli, ["tickets", "list", "--at-risk"], env=env).stdout
    assert table.splitlines()[1].startswith(old) and "BREACHED" in table.splitlines()[1]
    text = runner.invoke(cli, ["tickets", "list", "--at-risk", "--resolver", "dno_mpas"], env=env)
    assert text.exit_code == 0 and text.stdout.strip() == "no tickets at risk"

    bad = runner.invoke(cli, ["tickets", "list", "--at-risk", "--within", "3wd"], env=env)
    assert bad.exit_code != 0 and "--within is real time" in bad.stderr
    mixed = runner.invoke(cli, ["tickets", "list", "--at-risk", "--status", "new"], env=env)
    assert mixed.exit_code != 0 and "combines only with" in mixed.stderr
