"""Tickets opened together in one store.writes.batched block, on both databases: the
transaction reads as if every row were written at once, and a failed block writes nothing."""

import pytest
from sqlalchemy import func, select

from desk.actor import Actor
from desk.bootstrap import App
from desk.tickets import NewAttachment, NewTicket
from store import writes
from store.db import unit_of_work
from store.models import Attachment, AuditEvent, Message, OutboxRow, Ticket

AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"


BODY = "Switch rejected: RMP not found for MPAN 1906293768104"


def _new(subject: str, **fields) -> NewTicket:
    return NewTicket(requester_email=PRIYA, subject=subject, body=BODY, **fields)


def _counts(app: App) -> tuple[int, ...]:
    with unit_of_work(app.factory) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Ticket, Message, AuditEvent, OutboxRow, Attachment))  # fmt: skip


def test_tickets_opened_in_one_block_are_whole_and_read_back_inside_it(demo_app: App) -> None:
    tickets = demo_app.tickets  # built (and its articles loaded) before the block's transaction
    with unit_of_work(demo_app.factory) as session, writes.batched(session):
        first = tickets.open_in(session, _new("First"), AGENT)
        # a query inside the block sees the first ticket, its messages and its audit trail
        assert session.scalar(select(Ticket.status).where(Ticket.id == first.id)) == "assigned"
        assert session.scalar(select(func.count()).where(Message.ticket_id == first.id)) == 2
        # a message on the first ticket before the second exists: written parents first
        tickets.add_email_in(session, first, AGENT, "More detail", "RE: First", None,
                             "participant")  # fmt: skip
        csv = [NewAttachment("rejections.csv", "text/csv", b"mpan\n1906293768104\n")]
        second = tickets.open_in(session, _new("Second", attachments=csv), AGENT,
                                 tickets.store_attachments(csv))  # fmt: skip
    assert second.id == first.id + 1
    first_view, second_view = (demo_app.queries.show(f"SD-{t.id:06d}") for t in (first, second))
    for view in (first_view, second_view):
        assert view["status"] == "assigned" and view["resolver"] == "registration_service"
        assert view["mpxn"] == ["1906293768104"]
    assert [m["body"] for m in first_view["messages"]][-1] == "More detail"
    assert [a["filename"] for a in second_view["attachments"]] == ["rejections.csv"]
    # tickets; 2 + 2 + 1 messages; 4 + 4 + 1 audit events; acknowledgements, cards and a line
    assert _counts(demo_app) == (2, 5, 9, 5, 1)


def test_a_ticket_written_early_still_ends_as_its_block_left_it(demo_app: App) -> None:
    """A query in the middle of opening writes the ticket's row; what opening changed after
    it (the group's assignment) is not lost."""
    tickets = demo_app.tickets  # built (and its articles loaded) before the block's transaction
    with unit_of_work(demo_app.factory) as session, writes.batched(session):
        ticket = tickets.open_in(session, _new("Early"), AGENT)
    with unit_of_work(demo_app.factory) as session:
        stored = session.get(Ticket, ticket.id)
        assert (stored.status, stored.resolver_key) == ("assigned", "registration_service")
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id)).all()  # fmt: skip
        assert actions == ["open", "triage", "assign", "status"]


def test_a_failed_block_writes_nothing(demo_app: App) -> None:
    before, tickets = _counts(demo_app), demo_app.tickets
    with (
        pytest.raises(RuntimeError, match="boom"),
        unit_of_work(demo_app.factory) as session,
        writes.batched(session),
    ):
        tickets.open_in(session, _new("Lost"), AGENT)
        raise RuntimeError("boom")
    assert _counts(demo_app) == before
    # and the next ticket opens as usual (PostgreSQL's sequence may leave a gap)
    ref = tickets.open(_new("Next"), AGENT)
    assert demo_app.queries.show(ref)["subject"] == "Next" and _counts(demo_app)[0] == 1
