"""Ticket use cases on both databases: lifecycle, audit trail and outbox in one transaction."""

import pytest
from sqlalchemy import func, select

from desk.actor import Actor
from desk.bootstrap import App
from desk.errors import IllegalTransition, InvalidInput, NotFound
from desk.tickets import NewAttachment, NewTicket
from store.db import unit_of_work
from store.models import Attachment, AuditEvent, OutboxRow
from store.tickets import TicketFilter

AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"


def _open(app: App, **kwargs) -> str:
    fields = {"requester_email": PRIYA, "subject": "Switch rejected", "body": "RMP not found"}
    return app.tickets.open(NewTicket(**{**fields, **kwargs}), AGENT)


def _count(app: App, model) -> int:
    with unit_of_work(app.factory) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_open_triage_route_note_resolve_history(demo_app: App) -> None:
    app = demo_app
    ref = _open(app, subject="Switch request rejected - RMP not found",
                body="Our switch request for MPAN 1906293768104 was rejected: RMP not found. "
                     "ECOES shows the point as traded.")  # fmt: skip
    app.tickets.note(ref, "ECOES shows the point traded", AGENT)
    app.tickets.resolve(ref, "The RMP was recreated; please resubmit.", AGENT)

    view = app.queries.show(ref)
    assert view["ref"] == ref and view["status"] == "resolved"
    assert view["organisation"] == "Brightwater Energy" and view["verified"] is True
    assert view["mpxn"] == ["1906293768104"]  # found by triage
    assert (view["resolver"], view["type"], view["category"]) == (
        "registration_service",
        "incident",
        "switch_request_rejected",
    )
    assert view["triage"]["summary"].startswith("routed to registration_service: MPAN")
    assert view["triage"]["articles"][0]["version"] == 1
    assert [m["kind"] for m in view["messages"]] == [
        "phone",
        "outbound_email",
        "note",
        "outbound_email",
    ]
    assert [m["visibility"] for m in view["messages"]] == [
        "participant",
        "participant",
        "internal",
        "participant",
    ]
    actions = [(e["action"], e["from"], e["to"]) for e in app.queries.history(ref)]
    assert actions == [
        ("open", None, "new"),
        ("triage", None, "registration_service"),
        ("assign", None, "registration_service"),
        ("status", "new", "assigned"),
        ("note", None, None),
        ("status", "assigned", "resolved"),
    ]
    assert [(e["actor"], e["channel"]) for e in view["events"]] == [
        (AGENT.name, "cli"), ("triage", "system"), ("triage", "system"), ("triage", "system"),
        (AGENT.name, "cli"), (AGENT.name, "cli")]  # triage routed it; the agent did the rest
    with unit_of_work(app.factory) as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert [(r.channel, r.payload.get("template") or r.payload["kind"]) for r in rows] == [
            ("slack", "ticket_card"),
            ("email", "acknowledgement"),
            ("slack", "ticket_update"),  # the note, on the group's card
            ("email", "resolved"),
            ("slack", "ticket_update"),  # the resolution
        ]
        _, ack, _, resolved, _ = rows
        # one ticket, one e-mail thread: the resolution answers the acknowledgement
        assert resolved.payload["in_reply_to"] == ack.payload["message_id"]
        assert resolved.payload["subject"].startswith(f"[{ref}]")


def test_explicit_fields_win_over_triage(demo_app: App) -> None:
    ref = _open(
        demo_app,
        impact=3,
        urgency=2,
        resolver="dno_mpas",
        type="query",
        mpxns=[("1906293768104", "mpan")],
    )
    view = demo_app.queries.show(ref)
    assert (view["priority"], view["resolver"], view["type"]) == ("P3", "dno_mpas", "query")
    assert view["triage"] is not None  # still triaged, for the agent's information


def test_references_are_sequential_and_unique(demo_app: App) -> None:
    refs = [_open(demo_app, acknowledge=False) for _ in range(3)]
    assert len(set(refs)) == 3 and all(r.startswith("SD-0000") for r in refs)


def test_a_failed_change_leaves_no_trace(demo_app: App) -> None:
    ref = _open(demo_app)
    events, rows = _count(demo_app, AuditEvent), _count(demo_app, OutboxRow)
    with pytest.raises(InvalidInput, match="unknown resolver group 'gas_people'"):
        demo_app.tickets.assign(ref, "gas_people", AGENT)
    with pytest.raises(IllegalTransition, match="from assigned to closed"):
        demo_app.tickets.close(ref, AGENT)
    with pytest.raises(NotFound, match="no ticket SD-000999"):
        demo_app.tickets.note("SD-000999", "hello", AGENT)
    with pytest.raises(InvalidInput, match="reason"):
        demo_app.tickets.set_priority(ref, "P1", "  ", AGENT)
    with pytest.raises(InvalidInput, match="cannot be empty"):
        demo_app.tickets.note(ref, " ", AGENT)
    assert (_count(demo_app, AuditEvent), _count(demo_app, OutboxRow)) == (events, rows)
    assert demo_app.queries.show(ref)["status"] == "assigned"


def test_priority_override_keeps_the_reason(demo_app: App) -> None:
    ref = _open(demo_app, impact="low", urgency="low")
    assert demo_app.queries.show(ref)["priority"] == "P4"
    demo_app.tickets.set_priority(ref, "p2", "PSR customer, SED tomorrow", AGENT)
    view = demo_app.queries.show(ref)
    assert view["priority"] == "P2" and view["priority_reason"] == "PSR customer, SED tomorrow"
    assert view["events"][-1] | {"at": None} == {
        "at": None,
        "actor": AGENT.name,
        "channel": "cli",
        "action": "priority",
        "from": "P4",
        "to": "P2",
        "detail": "PSR customer, SED tomorrow",
    }


def test_reopen_goes_back_to_the_resolver_and_closed_is_final(demo_app: App) -> None:
    ref = _open(demo_app, resolver="dno_mpas")
    demo_app.tickets.set_status(ref, "in_progress", AGENT)
    demo_app.tickets.set_status(ref, "pending_participant", AGENT, "asked for a bill photo")
    demo_app.tickets.resolve(ref, "Corrected in MPAS", AGENT)
    demo_app.tickets.reopen(ref, "Still wrong in ECOES", AGENT)
    assert demo_app.queries.show(ref)["status"] == "assigned"
    demo_app.tickets.resolve(ref, "Corrected in ECOES too", AGENT)
    demo_app.tickets.close(ref, AGENT)
    with pytest.raises(IllegalTransition, match="from closed to reopened"):
        demo_app.tickets.reopen(ref, "again", AGENT)
    with pytest.raises(IllegalTransition, match="from closed to assigned"):
        demo_app.tickets.assign(ref, "dno_mpas", AGENT)
    with pytest.raises(InvalidInput, match="closed"):
        demo_app.tickets.reply(ref, "hello?", AGENT)
    view = demo_app.queries.show(ref)
    assert view["closed_at"] and view["status"] == "closed"


def test_unknown_sender_is_unverified_and_learns_only_the_reference(demo_app: App) -> None:
    ref = _open(
        demo_app,
        requester_email="someone@elsewhere.example",
        subject="Confidential: 140 switches for Big Customer plc",
    )
    view = demo_app.queries.show(ref)
    assert view["verified"] is False and view["organisation"] is None
    assert view["resolver"] == "service_desk"  # routed to the desk for review
    with unit_of_work(demo_app.factory) as session:
        ack = session.scalars(select(OutboxRow).where(OutboxRow.channel == "email")).one()
    assert "Big Customer" not in ack.payload["subject"]
    assert ack.payload["context"]["subject"] == ""
    assert ack.payload["auto_submitted"] == "auto-replied"


def test_attachments_are_stored_once_by_content(demo_app: App) -> None:
    pdf = NewAttachment("bill.pdf", "application/pdf", b"%PDF-1.4 bill")
    first = _open(demo_app, attachments=[pdf])
    _open(demo_app, attachments=[NewAttachment("same-bill.pdf", "application/pdf", pdf.data)])
    view = demo_app.queries.show(first)
    [attachment] = view["attachments"]
    assert attachment["filename"] == "bill.pdf" and attachment["size"] == len(pdf.data)
    assert demo_app.blobs.get(attachment["sha256"]) == pdf.data
    blob_files = [p for p in (demo_app.settings.home / "blobs").rglob("*") if p.is_file()]
    assert len(blob_files) == 1 and _count(demo_app, Attachment) == 2


def test_links_show_on_both_tickets(demo_app: App) -> None:
    a, b = _open(demo_app), _open(demo_app)
    demo_app.tickets.link(a, b, AGENT, "duplicate")
    assert demo_app.queries.show(a)["links"] == [{"ref": b, "kind": "duplicate"}]
    assert demo_app.queries.show(b)["links"] == [{"ref": a, "kind": "duplicate"}]
    with pytest.raises(InvalidInput):
        demo_app.tickets.link(a, a, AGENT)


def test_list_filters(demo_app: App) -> None:
    gas = _open(
        demo_app, resolver="xoserve_uk_link", impact=2, urgency=2, mpxns=[("3938424403", "mprn")]
    )
    elec = _open(demo_app, requester_email="g.pryce@kestrel-pg.example", resolver="dno_mpas")
    done = _open(demo_app, resolver="dno_mpas")
    demo_app.tickets.resolve(done, "fixed", AGENT)

    def refs(**kwargs) -> list[str]:
        return [t["ref"] for t in demo_app.queries.list(TicketFilter(**kwargs))]

    assert refs() == [done, elec, gas]
    assert refs(status="open") == [elec, gas]
    assert refs(status="open", resolver="dno_mpas") == [elec]
    assert refs(organisation="Kestrel Power & Gas") == [elec]
    assert refs(priority="P2") == [gas]
    assert refs(mpxn="3938424403") == [gas]
    assert refs(limit=1) == [done]
    row = demo_app.queries.list(TicketFilter(limit=1))[0]
    assert {
        "ref",
        "type",
        "status",
        "priority",
        "category",
        "resolver",
        "organisation",
        "requester_email",
        "subject",
        "mpxn",
        "created_at",
        "updated_at",
    } <= row.keys()


def test_audit_events_cannot_be_changed(demo_app: App) -> None:
    _open(demo_app)
    with pytest.raises(RuntimeError, match="immutable"), unit_of_work(demo_app.factory) as session:
        session.scalars(select(AuditEvent)).first().detail = "rewritten"
