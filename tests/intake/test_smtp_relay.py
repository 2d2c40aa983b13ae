"""Outbound mail through a real SMTP relay on loopback: delivered, refused, unreachable."""

import socket

import pytest

from desk.delivery import PermanentFailure, TransientFailure
from intake.smtp_relay import RelayUrl, SmtpRelayDeliverer
from tests.support.smtp import Inbox, free_port, smtp_server

PAYLOAD = {
    "template": "reply",
    "to": ["priya.raman@brightwater-energy.example"],
    "subject": "[SD-000007] Switch rejected",
    "message_id": "sd-000007.abc@switchdesk.example",
    "in_reply_to": "root@switchdesk.example",
    "references": ["root@switchdesk.example"],
    "auto_submitted": None,
    "context": {
        "ref": "SD-000007",
        "desk_name": "Desk",
        "requester_name": "Priya",
        "subject": "Switch rejected",
        "body": "Please resubmit with SED 21/10.",
    },
}


def _deliverer(port: int) -> SmtpRelayDeliverer:
    return SmtpRelayDeliverer(
        RelayUrl.parse(f"smtp://127.0.0.1:{port}"),
        "Desk",
        "servicedesk@switchdesk.example",
        timeout=5,
    )


def test_relay_delivers_a_threaded_message() -> None:
    with smtp_server() as (inbox, port):
        _deliverer(port).deliver(7, PAYLOAD)
    [message] = inbox.messages
    assert message["Message-ID"] == "<sd-000007.abc@switchdesk.example>"
    assert message["In-Reply-To"] == "<root@switchdesk.example>"
    assert "Please resubmit" in message.get_body(("plain",)).get_content()


def test_refused_recipient_is_permanent_and_unreachable_relay_is_transient() -> None:
    with (
        smtp_server(Inbox(refuse_with="550 5.1.1 no such user")) as (_, port),
        pytest.raises(PermanentFailure, match="refused"),
    ):
        _deliverer(port).deliver(7, PAYLOAD)
    with (
        smtp_server(Inbox(refuse_with="451 4.3.0 try later")) as (_, port),
        pytest.raises(TransientFailure),
    ):
        _deliverer(port).deliver(7, PAYLOAD)
    with pytest.raises(TransientFailure, match="unreachable"):
        _deliverer(free_port()).deliver(7, PAYLOAD)


def test_relay_urls() -> None:
    relay = RelayUrl.parse("smtp://desk%40x:p%40ss@relay.example:587?starttls=1")
    assert (relay.host, relay.port, relay.starttls, relay.username, relay.password) == (
        "relay.example",
        587,
        True,
        "desk@x",
        "p@ss",
    )
    assert RelayUrl.parse("smtps://relay.example").port == 465
    with pytest.raises(ValueError):
        RelayUrl.parse("http://relay.example")


def test_one_connection_carries_many_messages_and_a_dropped_one_is_replaced() -> None:
    connections: list[object] = []

    class Counting(Inbox):
        async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
            connections.append(session)
            session.host_name = hostname
            return responses

    with smtp_server(Counting()) as (inbox, port):
        deliverer = SmtpRelayDeliverer(RelayUrl.parse(f"smtp://127.0.0.1:{port}"), "Desk",
                                       "servicedesk@switchdesk.example", timeout=5,
                                       idle_check_seconds=0)  # fmt: skip
        for row in range(5):
            deliverer.deliver(row, PAYLOAD)
        assert len(inbox.messages) == 5 and len(connections) == 1
        deliverer._local.client.sock.shutdown(socket.SHUT_RDWR)  # dropped while idle
        deliverer.deliver(6, PAYLOAD)
        deliverer.close()
    assert len(inbox.messages) == 6 and len(connections) == 2
