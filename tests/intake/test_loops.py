"""RFC 3834 loop protection: automated mail and bounces are recognised."""

from __future__ import annotations

import pytest

from intake.loops import auto_reply_reason, dsn_recipients, is_bounce
from intake.parse import parse_message

PERSON = b"From: Priya Shah <priya@brightwatt.example>\r\nTo: desk@switchdesk.example\r\n"


@pytest.mark.parametrize(
    "header",
    [
        b"Auto-Submitted: auto-replied",
        b"Auto-Submitted: auto-generated (failure)",
        b"Precedence: bulk",
        b"Precedence: junk",
        b"Precedence: list",
        b"X-Autoreply: yes",
        b"X-Autorespond: Out of office",
        b"List-Id: <energy.lists.example>",
        b"List-Unsubscribe: <mailto:leave@lists.example>",
    ],
)
def test_header_signals(header: bytes) -> None:
    msg = parse_message(PERSON + header + b"\r\nSubject: Switch\r\n\r\nHello")
    assert msg.is_auto_reply and msg.auto_reply_reason


def test_auto_submitted_no_and_ordinary_mail_are_answered() -> None:
    msg = parse_message(PERSON + b"Auto-Submitted: no\r\nSubject: Pending switch\r\n\r\nHi")
    assert not msg.is_auto_reply and msg.auto_reply_reason is None
    assert msg.auto_submitted == "no"
    assert auto_reply_reason({"auto-submitted": "No (sent by a person)"}, "", "") is None


@pytest.mark.parametrize(
    "subject, body",
    [
        ("Automatic reply: SD-1042", "Thanks for your message."),
        ("Out of Office: Pending switch", "Back soon."),
        ("Abwesenheitsnotiz: Anfrage", "Danke."),
        ("Réponse automatique : demande", "Merci."),
        ("Re: Pending switch", "I am currently out of the office until Monday 8 June."),
        ("Re: Pending switch", "I'm on annual leave with limited access to email."),
        ("RE: SD-5", "Ich bin bis 12.06. nicht im Büro und lese keine E-Mails."),
    ],
)
def test_out_of_office_wording(subject: str, body: str) -> None:
    raw = PERSON + f"Subject: {subject}\r\n\r\n{body}".encode()
    assert parse_message(raw).is_auto_reply


def test_long_human_mail_mentioning_leave_is_not_auto() -> None:
    body = "The customer was away. " + "The switch is stuck in pending. " * 100
    assert auto_reply_reason({}, "Switch stuck", body) is None


def test_pure_rules() -> None:
    assert auto_reply_reason({"auto-submitted": "auto-replied"}, "", "") == (
        "auto-submitted: auto-replied"
    )
    assert not is_bounce(False, "postmaster@x.example", "", "Our newsletter", "Long links")
    assert is_bounce(False, None, "", "", "That's not a valid user here.")
    assert is_bounce(False, "no-reply@isp.example", "", "?", "Could not be delivered to: <a@b>")
    blocks = [
        {"reporting-mta": "dns; mx"},
        {"final-recipient": "rfc822; <Bob@X.example>", "action": "failed"},
    ]
    assert dsn_recipients(blocks) == ["bob@x.example"]


DSN = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\nTo: desk@switchdesk.example\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
    b"--R\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message "
    b"could not be delivered.\r\n"
    b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
    b"Final-Recipient: rfc822; gone@supplier.example\r\n"
    b"Action: {action}\r\nStatus: {status}\r\n\r\n"
    b"Final-Recipient: rfc822; ok@supplier.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
    b"--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: desk@switchdesk.example\r\n"
    b"To: gone@supplier.example\r\nSubject: SD-1\r\n\r\nAck\r\n--R--\r\n"
)


@pytest.mark.parametrize("action, status", [(b"failed", b"5.1.1"), (b"delayed", b"4.4.7")])
def test_dsn_bounce_and_delay_warning_with_recipients(action: bytes, status: bytes) -> None:
    msg = parse_message(DSN.replace(b"{action}", action).replace(b"{status}", status))
    assert msg.is_bounce and msg.is_auto_reply
    assert msg.bounce_recipients == ("gone@supplier.example",)
    assert [a.is_message for a in msg.attachments] == [False, True]


def test_non_dsn_bounce_recipients_from_text() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx4.example\r\nSubject: failure notice\r\n\r\n"
        b"Hi. This is the qmail-send program at mx4.example.\r\n"
        b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n"
        b"<nobody@supplier.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        b"--- Below this line is a copy of the message.\r\n\r\nReturn-Path: <desk@sd.example>\r\n"
        b"To: nobody@supplier.example\r\nFrom: other@sd.example\r\n"
    )
    msg = parse_message(raw)
    assert msg.is_bounce and msg.bounce_recipients == ("nobody@supplier.example",)


def test_human_mail_from_postmaster_or_quoting_bounce_words_is_not_a_bounce() -> None:
    raw = b"From: postmaster@isp.example\r\nSubject: Our new portal\r\n\r\nSee the links."
    assert not parse_message(raw).is_bounce
    raw = PERSON + b"Subject: FW: Undeliverable: SD-9\r\n\r\nWhy could this not be delivered?"
    assert not parse_message(raw).is_bounce
