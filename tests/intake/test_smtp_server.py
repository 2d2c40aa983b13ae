"""The SMTP edge against real smtplib clients on loopback."""

import re
import smtplib
import threading
import time
from email import policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select, text

from desk.bootstrap import App, build
from desk.settings import Settings
from store.db import unit_of_work
from store.models import InboundRecord
from tests.support.smtp import free_port

DESK = "servicedesk@switchdesk.example"


def _mail(subject: str = "Switch stuck", body: str = "MPAN 1906293768104 pending") -> bytes:
    message = EmailMessage()
    message["From"] = "Priya Raman <priya.raman@brightwater-energy.example>"
    message["To"] = DESK
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '.')}@brightwater-energy.example>"
    message.set_content(body)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


@pytest.fixture
def smtp_app(demo_app: App):
    demo_app.settings.smtp_listen = f"127.0.0.1:{free_port()}"
    demo_app.settings.max_message_bytes = 200_000
    server = demo_app.smtp_server()
    server.start()
    yield demo_app, server.config.port
    server.stop()


def test_accepted_only_after_the_spool_commit(smtp_app) -> None:
    app, port = smtp_app
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("priya.raman@brightwater-energy.example", [DESK], _mail())
        code, text = client.noop()
    with unit_of_work(app.factory) as session:
        [record] = session.scalars(select(InboundRecord)).all()
        assert (record.received_via, record.state, record.rcpt_to) == ("smtp", "pending", [DESK])
        assert b"Subject: Switch stuck" in record.raw and b"1906293768104 pending" in record.raw
        assert record.source.startswith("smtp:127.0.0.1:")
    [result] = app.inbound_processor.process_pending()
    assert result.outcome == "ticket_created" and result.ticket_ref == "SD-000001"


def test_unknown_recipient_gets_550_and_too_large_552(smtp_app) -> None:
    app, port = smtp_app
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo()
        client.mail("priya.raman@brightwater-energy.example")
        code, text = client.rcpt("someone.else@switchdesk.example")
        assert code == 550 and b"5.1.1" in text
    big = _mail(body=("x" * 70 + "\n") * 4000)
    with smtplib.SMTP("127.0.0.1", port) as client:  # announced with SIZE: refused at MAIL
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("priya.raman@brightwater-energy.example", [DESK], big)
        assert refused.value.smtp_code == 552 and b"5.3.4" in refused.value.smtp_error
    with smtplib.SMTP("127.0.0.1", port) as client:  # not announced: refused after DATA
        client.ehlo()
        client.mail("priya.raman@brightwater-energy.example")
        client.rcpt(DESK)
        code, text = client.data(big)
        assert code == 552 and b"5.3.4" in text
    with smtplib.SMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail(
            "priya.raman@brightwater-energy.example",
            [DESK],
            b"Subject: long\r\n\r\n" + b"y" * 2000 + b"\r\n",
        )
    assert err.value.smtp_code == 500  # a line over 1,000 octets, as RFC 5321 allows
    with unit_of_work(app.factory) as session:
        assert session.scalars(select(InboundRecord)).all() == []


def test_database_down_answers_451_so_the_sender_retries(tmp_path) -> None:
    settings = Settings(
        home=tmp_path,
        smtp_listen=f"127.0.0.1:{free_port()}",
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/none",
    )
    app = build(settings)
    server = app.smtp_server()
    server.start()
    try:
        with (
            smtplib.SMTP("127.0.0.1", server.config.port) as client,
            pytest.raises(smtplib.SMTPDataError) as err,
        ):
            client.sendmail("priya.raman@brightwater-energy.example", [DESK], _mail())
        assert err.value.smtp_code == 451 and b"4.3.0" in err.value.smtp_error
    finally:
        server.stop()
        app.close()


def test_the_same_message_twice_is_one_ticket_and_one_duplicate(smtp_app) -> None:
    app, port = smtp_app
    for _ in range(2):
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail("priya.raman@brightwater-energy.example", [DESK], _mail())
    app.inbound_processor.process_pending()
    with unit_of_work(app.factory) as session:
        first, second = session.scalars(select(InboundRecord).order_by(InboundRecord.id)).all()
        assert (first.outcome, second.outcome, second.duplicate_of) == (
            "ticket_created",
            "duplicate",
            first.id,
        )


def test_past_100_recipients_the_rest_get_452_and_the_message_still_goes_through(
    demo_app: App,
) -> None:
    """RFC 5321 4.5.3.1.8: a server may refuse recipients past 100 with 452; the client then
    sends DATA to the ones accepted, and a message with up to 100 recipients is taken whole."""
    aliases = [f"desk-{n:03d}@switchdesk.example" for n in range(1, 121)]
    demo_app.settings.smtp_listen = f"127.0.0.1:{free_port()}"
    demo_app.settings.desk_addresses = [DESK, *aliases]
    server = demo_app.smtp_server()
    server.start()
    sender = "priya.raman@brightwater-energy.example"
    try:
        with smtplib.SMTP("127.0.0.1", server.config.port) as client:
            refused = client.sendmail(sender, [DESK, *aliases[:99]], _mail("Exactly one hundred"))
        assert refused == {}
        with smtplib.SMTP("127.0.0.1", server.config.port) as client:
            refused = client.sendmail(sender, [DESK, *aliases], _mail("One hundred and twenty"))
        assert set(refused) == set(aliases[99:])  # the 101st to the 121st
        assert all(code == 452 and b"4.5.3" in text for code, text in refused.values())
        with smtplib.SMTP("127.0.0.1", server.config.port) as client:  # by hand, step by step
            client.ehlo()
            client.mail(sender)
            for address in [DESK, *aliases[:99]]:
                assert client.rcpt(address)[0] == 250
            code, text = client.rcpt(aliases[99])
            assert (code, text) == (452, b"4.5.3 Too many recipients")
            assert client.rcpt(DESK)[0] == 452  # still refused: the count stands
            code, _ = client.data(_mail("Step by step"))
            assert code == 250
    finally:
        server.stop()
    with unit_of_work(demo_app.factory) as session:
        records = session.scalars(select(InboundRecord).order_by(InboundRecord.id)).all()
        assert [len(r.rcpt_to) for r in records] == [100, 100, 100]
        assert records[1].rcpt_to == [DESK, *aliases[:99]]
    results = demo_app.inbound_processor.process_pending()
    assert [r.outcome for r in results] == ["ticket_created"] * 3


def test_senders_at_once_are_each_answered_after_the_commit_that_holds_their_message(
    smtp_app,
) -> None:
    """While the spool cannot be written nobody hears 250; then every sender does, each with
    its own spool row holding its own message."""
    app, port = smtp_app
    answers: dict[int, tuple[int, bytes]] = {}

    def send(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.ehlo()
            client.mail("priya.raman@brightwater-energy.example")
            client.rcpt(DESK)
            answers[n] = client.data(_mail(subject=f"Stuck switch {n}"))

    with app.engine.begin() as blocker:  # holds the spool's write lock
        if app.engine.dialect.name == "postgresql":
            blocker.execute(text("LOCK TABLE inbound IN SHARE ROW EXCLUSIVE MODE"))
        senders = [threading.Thread(target=send, args=(n,)) for n in range(8)]
        for sender in senders:
            sender.start()
        time.sleep(0.5)
        assert answers == {}
    for sender in senders:
        sender.join(timeout=30)
    assert sorted(answers) == list(range(8))
    ids = {}
    for n, (code, text_) in answers.items():
        assert code == 250, text_
        ids[n] = int(re.search(rb"inbound (\d+)", text_).group(1))
    assert len(set(ids.values())) == 8
    with unit_of_work(app.factory) as session:
        for n, spool_id in ids.items():
            raw = session.get(InboundRecord, spool_id).raw
            assert f"Subject: Stuck switch {n}\r\n".encode() in raw
