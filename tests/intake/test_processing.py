"""Spooled mail to tickets: threading, isolation between organisations, loops, bad input."""

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from desk.actor import Actor
from desk.bootstrap import App
from desk.cli.main import cli
from desk.inbound_processor import InboundProcessor
from desk.spooling import Incoming
from intake.parse import parse_message
from store import inbound
from store.db import unit_of_work
from store.models import Contact, InboundRecord, OutboxRow, Ticket
from tests.conftest import cli_env

PRIYA = "priya.raman@brightwater-energy.example"
TOM = "tom.hale@brightwater-energy.example"
GARETH = "g.pryce@kestrel-pg.example"
AGENT = Actor("dana.whitlock@switchdesk.example", "cli")


def mail(
    sender: str,
    subject: str,
    body: str = "Please help.",
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "servicedesk@switchdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id or abs(hash((sender, subject, body)))}@test.example>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def deliver(app: App, raw: bytes, via: str = "smtp"):
    inbound_id = app.spooler.spool(Incoming(raw, via))
    [result] = app.inbound_processor.process_pending(ids=[inbound_id])
    return result


def sent_to(app: App, address: str) -> list[dict]:
    with unit_of_work(app.factory) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.channel == "email")).all()
        return [r.payload for r in rows if r.payload["to"] == [address]]


def ack_id(app: App, address: str) -> str:
    [ack] = [p for p in sent_to(app, address) if p["template"] == "acknowledgement"]
    return ack["message_id"]


def test_a_reply_joins_its_ticket_by_in_reply_to_and_by_subject_tag(demo_app: App) -> None:
    first = deliver(demo_app, mail(PRIYA, "Switch rejected", "MPAN 1906293768104 rejected"))
    assert first.outcome == "ticket_created"
    ref = first.ticket_ref
    by_header = deliver(
        demo_app,
        mail(PRIYA, "Re: Switch rejected", "Any news?", in_reply_to=ack_id(demo_app, PRIYA)),
    )
    by_tag = deliver(demo_app, mail(TOM, f"RE: [{ref}] Switch rejected", "Adding a colleague"))
    assert (by_header.outcome, by_header.ticket_ref) == ("reply_added", ref)
    assert (by_tag.outcome, by_tag.ticket_ref) == ("reply_added", ref)
    view = demo_app.queries.show(ref)
    inbound = [m for m in view["messages"] if m["kind"] == "inbound_email"]
    assert [m["author"] for m in inbound] == [PRIYA, PRIYA, TOM]
    assert len(sent_to(demo_app, PRIYA)) == 1  # replies are not acknowledged again


def test_an_outsider_quoting_a_reference_gets_a_new_ticket_and_sees_nothing(demo_app: App) -> None:
    ref = deliver(demo_app, mail(PRIYA, "Customer list", "secret: 1906293768104")).ticket_ref
    outsider = deliver(
        demo_app,
        mail(
            GARETH, f"Re: [{ref}] Customer list", "Let me in", in_reply_to=ack_id(demo_app, PRIYA)
        ),
    )
    assert outsider.outcome == "ticket_created" and outsider.ticket_ref != ref
    assert len(demo_app.queries.show(ref)["messages"]) == 2  # the original and its ack
    [ack] = sent_to(demo_app, GARETH)
    assert "secret" not in json.dumps(ack)
    assert "secret" not in json.dumps(demo_app.queries.show(outsider.ticket_ref))


def test_unknown_sender_is_unverified_and_routed_to_the_desk(demo_app: App) -> None:
    result = deliver(demo_app, mail("someone@random.example", "Big Customer plc: 140 switches"))
    view = demo_app.queries.show(result.ticket_ref)
    assert view["verified"] is False and view["resolver"] == "service_desk"
    [ack] = sent_to(demo_app, "someone@random.example")
    assert "Big Customer" not in ack["subject"] and ack["context"]["subject"] == ""


def test_replies_to_resolved_reopen_and_to_closed_open_a_linked_ticket(demo_app: App) -> None:
    ref = deliver(demo_app, mail(PRIYA, "Stuck switch")).ticket_ref
    demo_app.tickets.assign(ref, "registration_service", AGENT)
    demo_app.tickets.resolve(ref, "Secured now", AGENT)
    resolution = [p for p in sent_to(demo_app, PRIYA) if p["template"] == "resolved"][0]
    again = deliver(
        demo_app,
        mail(
            PRIYA, f"Re: [{ref}] Stuck switch", "Still stuck", in_reply_to=resolution["message_id"]
        ),
    )
    assert again.outcome == "reply_added" and demo_app.queries.show(ref)["status"] == "assigned"
    demo_app.tickets.resolve(ref, "Really secured", AGENT)
    demo_app.tickets.close(ref, AGENT)
    late = deliver(demo_app, mail(PRIYA, f"Re: [{ref}] Stuck switch", "It came back"))
    assert late.outcome == "ticket_created" and late.ticket_ref != ref
    assert demo_app.queries.show(late.ticket_ref)["links"] == [{"ref": ref, "kind": "follow_up"}]


def test_a_provider_update_on_its_own_ticket_is_internal(demo_app: App) -> None:
    ref = deliver(demo_app, mail(PRIYA, "Gas meter data wrong")).ticket_ref
    demo_app.tickets.assign(ref, "xoserve_uk_link", AGENT)
    update = deliver(
        demo_app, mail("uklink-desk@gasdata.example", f"[{ref}] update", "Corrected in UK Link")
    )
    assert update.outcome == "reply_added"
    last = demo_app.queries.show(ref)["messages"][-1]
    assert last["visibility"] == "internal" and "Corrected" in last["body"]
    assert demo_app.queries.show(ref)["events"][-1]["action"] == "provider_update"


def test_out_of_office_exchange_never_loops(demo_app: App) -> None:
    """The desk acknowledges; the participant's robot answers; the desk stays silent."""
    ref = deliver(demo_app, mail(PRIYA, "Objection window question")).ticket_ref
    demo_app.outbox_worker().drain()
    sent_dir = demo_app.settings.home / "mail" / "sent"
    [ack_file] = sent_dir.glob("*.eml")
    ack = message_from_bytes(ack_file.read_bytes(), policy=policy.default)
    assert ack["Auto-Submitted"] == "auto-replied"
    away = EmailMessage()
    away["From"], away["To"] = PRIYA, "servicedesk@switchdesk.example"
    away["Subject"] = f"Automatic reply: {ack['Subject']}"
    away["Auto-Submitted"] = "auto-replied"
    away["In-Reply-To"] = ack["Message-ID"]
    away["Message-ID"] = "<away-1@brightwater-energy.example>"
    away.set_content("I am out of the office until Monday.")
    result = deliver(demo_app, away.as_bytes())
    assert (result.outcome, result.ticket_ref) == ("auto_reply", ref)
    assert demo_app.queries.show(ref)["messages"][-1]["visibility"] == "internal"
    stranger_away = mail(
        "nobody@elsewhere.example",
        "Out of office: back Monday",
        "I am currently out of the office.",
    )
    assert deliver(demo_app, stranger_away).outcome == "auto_reply"
    # the desk's own mail coming back is never answered either
    assert deliver(demo_app, ack_file.read_bytes()).outcome == "auto_reply"
    demo_app.outbox_worker().drain()
    assert len(list(sent_dir.glob("*.eml"))) == 1


def test_machine_reports_from_participants_open_tickets_silently(demo_app: App) -> None:
    report = mail(
        PRIYA,
        "Daily rejection report",
        "12 rejections, see attached",
        headers={"Auto-Submitted": "auto-generated"},
    )
    result = deliver(demo_app, report)
    assert result.outcome == "ticket_created" and sent_to(demo_app, PRIYA) == []
    stranger = mail(
        "robot@elsewhere.example", "Newsletter", "Buy now", headers={"Precedence": "bulk"}
    )
    assert deliver(demo_app, stranger).outcome == "auto_reply"


def test_acknowledgements_are_rate_limited_per_sender(demo_app: App) -> None:
    for n in range(7):
        deliver(demo_app, mail(GARETH, f"Separate issue {n}"))
    acks = [p for p in sent_to(demo_app, GARETH) if p["template"] == "acknowledgement"]
    assert len(acks) == demo_app.settings.acks_per_sender_per_hour


def test_a_bounce_marks_the_contact_and_opens_nothing(demo_app: App) -> None:
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.switchdesk.example>\n"
        "To: servicedesk@switchdesk.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <dsn-1@mx.switchdesk.example>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nDelivery failed.\n\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        f"Final-Recipient: rfc822; {TOM}\nAction: failed\nStatus: 5.1.1\n\n--B--\n"
    ).encode()
    result = deliver(demo_app, dsn)
    assert result.outcome == "bounce" and result.ticket_ref is None
    with unit_of_work(demo_app.factory) as session:
        assert session.scalar(select(Contact).where(Contact.email == TOM)).bouncing is True


def test_dmarc_failure_claiming_a_participant_is_flagged_and_threads_nothing(demo_app: App) -> None:
    ref = deliver(demo_app, mail(PRIYA, "Real ticket")).ticket_ref
    forged = mail(
        PRIYA,
        f"Re: [{ref}] Real ticket",
        "Change the bank details",
        headers={
            "Authentication-Results": "mx.switchdesk.example; spf=fail; dkim=none; dmarc=fail"
        },
    )
    result = deliver(demo_app, forged)
    assert result.outcome == "ticket_created" and result.ticket_ref != ref
    view = demo_app.queries.show(result.ticket_ref)
    assert view["verified"] is False and view["resolver"] == "service_desk"


BAD_INPUT = {
    "malformed MIME": b'Content-Type: multipart/mixed; boundary="x"\nFrom: a@b.example\n'
    b"Subject: broken\n\n--x\nno end",
    "no From": b"Subject: who am I\n\nhello\n",
    "empty From": b"From: \nSubject: blank\n\nhello\n",
    "NUL bytes": b"From: a@b.example\nSubject: nul\x00here\n\nbody\x00with nul\n",
    "a 1 MB line": b"From: a@b.example\nSubject: long\n\n" + b"z" * 1_000_000 + b"\n",
    "Outlook .msg": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 64,
    "empty body": b"From: a@b.example\nSubject: nothing to say\n\n",
    "500 recipients": b"From: a@b.example\nTo: "
    + b", ".join(b"r%d@x.example" % i for i in range(500))
    + b"\nSubject: many\n\nhi\n",
    "10,000-character subject": b"From: a@b.example\nSubject: " + b"s" * 10_000 + b"\n\nhi\n",
    "empty file": b"",
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_has_a_defined_outcome(demo_app: App, case: str) -> None:
    result = deliver(demo_app, BAD_INPUT[case], via="file")
    expected = (
        "rejected"
        if case in ("no From", "empty From", "Outlook .msg", "empty file")
        else "ticket_created"
    )
    assert result.outcome == expected
    with unit_of_work(demo_app.factory) as session:
        record = session.get(InboundRecord, result.inbound_id)
        assert record.raw == BAD_INPUT[case] and record.parsed is not None


def test_a_30_mb_message_is_rejected_but_kept(demo_app: App) -> None:
    raw = b"From: a@b.example\nSubject: huge\n\n" + (b"x" * 76 + b"\n") * 400_000
    assert deliver(demo_app, raw, via="file").outcome == "rejected"


def test_a_failing_message_is_quarantined_and_the_rest_go_on(demo_app: App) -> None:
    def fragile(raw: bytes):
        if b"poison" in raw:
            raise RuntimeError("parser exploded")
        return parse_message(raw)

    processor = InboundProcessor(
        demo_app.factory, fragile, demo_app.tickets, demo_app.inbound_processor.policy
    )
    ids = demo_app.spooler.spool_many(
        [Incoming(mail(PRIYA, s), "file") for s in ("one", "poison pill", "three")]
    )
    results = processor.process_pending(ids=ids)
    assert [r.outcome for r in results] == ["ticket_created", "quarantined", "ticket_created"]
    with unit_of_work(demo_app.factory) as session:
        record = session.get(InboundRecord, ids[1])
        assert record.error == "RuntimeError: parser exploded"
        assert "Traceback" in record.traceback
    # once fixed, `inbound retry` processes it
    runner = CliRunner()
    env = cli_env(demo_app)
    out = runner.invoke(cli, ["inbound", "retry", str(ids[1])], env=env)
    assert out.exit_code == 0 and "ticket_created SD-" in out.stdout
    again = runner.invoke(cli, ["inbound", "retry", str(ids[0])], env=env)
    assert again.exit_code == 1 and "only quarantined" in again.stderr


def test_a_message_failing_half_way_leaves_nothing_behind_and_nothing_twice(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is redone one message at a time: the failed one's half-opened ticket is gone,
    and the others' tickets, messages and acknowledgements are there once."""
    notices = demo_app.tickets.chat
    real_opened = notices.opened

    def opened(session, ticket) -> None:
        if "poison" in ticket.subject:
            raise RuntimeError("card exploded")
        real_opened(session, ticket)

    monkeypatch.setattr(notices, "opened", opened)
    ids = demo_app.spooler.spool_many(
        [Incoming(mail(PRIYA, s), "file") for s in ("one", "two", "poison pill", "four")]
    )
    results = demo_app.inbound_processor.process_pending(ids=ids)
    assert [r.outcome for r in results] == [
        "ticket_created", "ticket_created", "quarantined", "ticket_created"]  # fmt: skip
    refs = [r.ticket_ref for r in results if r.ticket_ref]
    assert len(set(refs)) == 3
    for ref in refs:
        view = demo_app.queries.show(ref)
        assert [m["kind"] for m in view["messages"]] == ["inbound_email", "outbound_email"]
    assert len(sent_to(demo_app, PRIYA)) == 3
    with unit_of_work(demo_app.factory) as session:
        assert session.get(InboundRecord, ids[2]).error == "RuntimeError: card exploded"
        subjects = session.scalars(select(Ticket.subject).order_by(Ticket.id)).all()
    assert subjects == ["one", "two", "four"]


def test_ingest_eml_mbox_and_maildir_with_json(demo_app: App, tmp_path: Path) -> None:
    import mailbox

    eml = tmp_path / "one.eml"
    eml.write_bytes(mail(PRIYA, "From a file"))
    box = mailbox.mbox(tmp_path / "box.mbox")
    for n in range(2):
        box.add(mail(GARETH, f"From an mbox {n}"))
    box.flush()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(mail(TOM, "From a Maildir"))
    env = cli_env(demo_app)
    result = CliRunner().invoke(
        cli,
        ["ingest", str(eml), str(tmp_path / "box.mbox"), str(tmp_path / "Maildir"), "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["outcome"] for line in lines] == ["ticket_created"] * 4
    assert lines[0]["source"] == str(eml) and lines[1]["source"].endswith("box.mbox#0")
    assert all(line["ticket_ref"].startswith("SD-") and line["inbound_id"] for line in lines)
    again = CliRunner().invoke(cli, ["ingest", str(eml), "--json"], env=env)
    assert json.loads(again.stdout)["outcome"] == "duplicate"
    missing = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nope.eml")], env=env)
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    listed = json.loads(CliRunner().invoke(cli, ["inbound", "list", "--json"], env=env).stdout)
    parsed = listed[0]["parsed"]
    assert {
        "from_addr",
        "subject",
        "message_id",
        "in_reply_to",
        "is_auto_reply",
        "is_bounce",
        "attachment_names",
        "body_text",
    } <= parsed.keys()


def test_outcomes_are_read_back_in_chunks_for_any_number_of_messages(demo_app: App) -> None:
    ids = demo_app.spooler.spool_many([Incoming(mail(PRIYA, f"n{n}"), "file") for n in range(5)])
    demo_app.inbound_processor.process_pending(ids=ids)
    with unit_of_work(demo_app.factory) as session:
        found = inbound.outcomes(session, ids, chunk=2)
    assert sorted(found) == sorted(ids)
    assert {outcome for outcome, _ in found.values()} == {"ticket_created"}
    assert len({ticket_id for _, ticket_id in found.values()}) == 5
