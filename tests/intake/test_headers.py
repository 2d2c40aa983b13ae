"""Header decoding: RFC 2047 in its real-world forms, ids, dates, addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from intake.headers import decode_words, message_ids
from intake.parse import parse_message
from intake.reports import auth_results


def test_rfc2047_b_and_q_words_joined_without_whitespace() -> None:
    assert decode_words(b"=?utf-8?B?Q2Fmw6k=?= =?utf-8?Q?_cr=C3=A8me?=") == "Café crème"


def test_multibyte_character_split_across_words() -> None:
    # "é" is C3 A9: each half in its own encoded-word.
    assert decode_words(b"=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=") == "café"


def test_lenient_forms_charset_none_bad_padding_and_quotes() -> None:
    assert decode_words(b"=?NONE?B?VEVTVA?=") == "TEST"
    assert decode_words(b'Re: "=?utf-8?B?5ryi5a2X?=" tail') == 'Re: "漢字" tail'
    assert decode_words(b"=?unknown-8bit?Q?caf=E9?=") == "café"
    # UTF-8 bytes under a Latin-1 label stay UTF-8 (no "cafÃ©").
    assert decode_words(b"=?iso-8859-1?Q?caf=C3=A9?=") == "café"


def test_subject_decoded_and_whitespace_collapsed() -> None:
    raw = b"Subject: =?iso-8859-1?Q?R=E9ponse?=\r\n   about\t\tthe   switch\r\n\r\n."
    assert parse_message(raw).subject == "Réponse about the switch"
    assert parse_message(b"From: a@b.example\r\n\r\n.").subject == ""


def test_from_name_and_address() -> None:
    raw = b'From: "=?utf-8?Q?Ren=C3=A9e_O=27Neil?=" <Renee.ONeil@Example.COM>\r\n\r\n.'
    msg = parse_message(raw)
    assert (msg.from_addr, msg.from_name) == ("renee.oneil@example.com", "Renée O'Neil")


def test_quoted_comma_names_and_raw_utf8_addresses() -> None:
    raw = (
        b"From: j\xc3\xb6e@m\xc3\xa4chine.example\r\n"
        b'To: "Shah, Priya" <priya@a.example>, tom@b.example\r\nCc: (ops) <ops@c.example>\r\n\r\n.'
    )
    msg = parse_message(raw)
    assert msg.from_addr == "jöe@mächine.example"
    assert msg.to == ("priya@a.example", "tom@b.example")
    assert msg.cc == ("ops@c.example",)


def test_message_ids_and_references() -> None:
    raw = (
        b"Message-ID: < abc@x.example >\r\nIn-Reply-To: <p1@x.example> (comment)\r\n"
        b"References: <p0@x.example>\r\n <p1@x.example> junk\r\n\r\n."
    )
    msg = parse_message(raw)
    assert msg.message_id == "abc@x.example"
    assert msg.in_reply_to == "p1@x.example"
    assert msg.references == ("p0@x.example", "p1@x.example")
    assert parse_message(b"In-Reply-To: \r\n\r\n.").in_reply_to is None
    assert message_ids(b"bare@id.example") == ("bare@id.example",)


def test_date_is_aware() -> None:
    msg = parse_message(b"Date: Mon, 1 Jun 2026 10:30:00 +0100\r\n\r\n.")
    assert msg.date == datetime(2026, 6, 1, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert parse_message(b"Date: Mon, 1 Jun 2026 10:30:00 -0000\r\n\r\n.").date.tzinfo == UTC
    assert parse_message(b"Date: yesterday-ish\r\n\r\n.").date is None


def test_authentication_results() -> None:
    raw = (
        b"Authentication-Results: mx.switchdesk.example; spf=pass smtp.mailfrom=a.example;\r\n"
        b" dkim=fail header.d=a.example; dmarc=fail (p=reject) header.from=a.example\r\n"
        b"Authentication-Results: older.example; spf=fail\r\n\r\n."
    )
    assert parse_message(raw).auth_results == {"spf": "pass", "dkim": "fail", "dmarc": "fail"}
    spf_only = parse_message(b"Received-SPF: softfail (domain of x) client-ip=1.2.3.4\r\n\r\n.")
    assert spf_only.auth_results == {"spf": "softfail"}
    assert auth_results(["x; spf=pass; dkim=none"], "fail (x)") == {"spf": "pass", "dkim": "none"}
