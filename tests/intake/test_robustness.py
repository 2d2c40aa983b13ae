"""parse_message never raises, and text survives charset trouble byte for byte."""

from __future__ import annotations

import random

import pytest

from intake.message import InboundMessage
from intake.parse import parse_message

HEADERS = b"From: Priya Shah <priya@brightwatt.example>\r\nTo: desk@switchdesk.example\r\n"


def _check(msg: InboundMessage) -> None:
    assert isinstance(msg, InboundMessage)
    for text in (msg.subject, msg.body_text, msg.new_text, msg.from_name):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates


BAD_INPUTS = {
    "empty": b"",
    "nul bytes": HEADERS + b"Subject: a\x00b\r\n\r\nbody\x00text\r\n",
    "1 MB line": HEADERS + b"Subject: long\r\n\r\n" + b"x" * 1_000_000 + b"\r\n",
    "1 MB header": b"Subject: " + b"y" * 1_000_000 + b"\r\n\r\nhi",
    "outlook .msg": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(1).randbytes(60_000),
    "binary junk": random.Random(2).randbytes(100_000),
    "missing from": b"Subject: hello\r\n\r\nbody",
    "headers only": b"From: a@b.example\r\nSubject: x",
    "colon junk": b":::\r\n\x00\x01\x02\r\n",
    "10k subject": HEADERS + b"Subject: " + b"word " * 2_000 + b"\r\n\r\nbody",
    "500 recipients": b"From: a@b.example\r\nTo: "
    + b", ".join(b"user%d@example.com" % i for i in range(500))
    + b"\r\n\r\nbody",
    "deep nesting": b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    + b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(300)
    ),
    "bad base64": HEADERS
    + b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@not base64!!\r\n",
    "unknown cte": HEADERS + b"Content-Transfer-Encoding: x-magic\r\n\r\nhello",
    "boundary never occurs": HEADERS
    + b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n--yy\r\nhello\r\n',
    "empty multipart": HEADERS + b"Content-Type: multipart/alternative; boundary=q\r\n\r\n",
    "bogus charset": HEADERS + b"Content-Type: text/plain; charset=base64\r\n\r\ncaf\xe9",
    "html only, broken": HEADERS + b"Content-Type: text/html\r\n\r\n<p><b>unclosed <<<>>>",
    "encoded-word junk": HEADERS + b"Subject: =?x-nope?Q?=ZZ?= =?utf-8?B?###?=\r\n\r\n.",
}


@pytest.mark.parametrize("raw", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_never_raises(raw: bytes) -> None:
    _check(parse_message(raw))


def test_random_mutations_never_raise() -> None:
    base = (
        HEADERS + b"Subject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: multipart/mixed; boundary=b\r\n"
        b"\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--b\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt\r\n"
        b"\r\nx\r\n--b--\r\n"
    )
    rng = random.Random(42)
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        _check(parse_message(bytes(data)))


def test_missing_from_and_null_sender() -> None:
    assert parse_message(b"Subject: x\r\n\r\nbody").from_addr is None
    assert parse_message(b"From: <>\r\n\r\nbody").from_addr is None
    assert parse_message(b"From: MAILER-DAEMON\r\n\r\nbody").from_addr is None


def test_500_recipients_and_long_subject_are_kept() -> None:
    msg = parse_message(BAD_INPUTS["500 recipients"])
    assert len(msg.to) == 500 and msg.to[499] == "user499@example.com"
    assert len(parse_message(BAD_INPUTS["10k subject"]).subject) == 9_999


def test_one_megabyte_line_survives_whole() -> None:
    assert len(parse_message(BAD_INPUTS["1 MB line"]).body_text) == 1_000_000


@pytest.mark.parametrize(
    "cte, payload",
    [
        (b"7bit", b"C:\\new\\table and \\x41 \\u00e9 \\\\server\\share"),
        (b"quoted-printable", b"C:\\new\\table and \\x41 \\u00e9 \\\\server\\share"),
        (b"base64", b"QzpcbmV3XHRhYmxlIGFuZCBceDQxIFx1MDBlOSBcXHNlcnZlclxzaGFyZQ=="),
    ],
)
def test_backslashes_survive_byte_for_byte(cte: bytes, payload: bytes) -> None:
    raw = HEADERS + b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + payload + b"\r\n"
    body = parse_message(raw).body_text
    assert body == "C:\\new\\table and \\x41 \\u00e9 \\\\server\\share"


def test_backslashes_survive_in_html_only_mail() -> None:
    raw = HEADERS + b"Content-Type: text/html\r\n\r\n<p>Path: C:\\new\\table</p>"
    assert "C:\\new\\table" in parse_message(raw).body_text


def test_utf8_mislabelled_as_latin1_is_not_mojibake() -> None:
    raw = HEADERS + b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n" + "café – ok".encode()
    assert parse_message(raw).body_text == "café – ok"


def test_cp1252_labelled_latin1_or_utf8_falls_back() -> None:
    for label in (b"iso-8859-1", b"utf-8", b"x-unknown"):
        raw = (
            HEADERS
            + b"Content-Type: text/plain; charset="
            + label
            + b"\r\n\r\ncaf\xe9 \x85 \x93q\x94"
        )
        assert parse_message(raw).body_text == "café … “q”"


def test_declared_legacy_charsets_are_honoured() -> None:
    body = "Привет".encode("koi8-r")
    raw = HEADERS + b"Content-Type: text/plain; charset=koi8-r\r\n\r\n" + body
    assert parse_message(raw).body_text == "Привет"
    jis = "日本語".encode("iso-2022-jp")
    raw = HEADERS + b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n" + jis
    assert parse_message(raw).body_text == "日本語"


def test_raw_8bit_subject_uses_utf8_then_cp1252() -> None:
    assert parse_message(b"Subject: Gr\xc3\xbc\xc3\x9fe\r\n\r\n.").subject == "Grüße"
    assert parse_message(b"Subject: Ver\xe3o \x85\r\n\r\n.").subject == "Verão …"


def test_truncated_utf8_filename_or_text_stays_utf8() -> None:
    raw = HEADERS + b"Content-Type: text/plain\r\n\r\n" + "Картинка с именем".encode()[:-1]
    assert parse_message(raw).body_text.startswith("Картинка с имен")


def test_leading_bom_and_bad_fold_do_not_hide_headers() -> None:
    raw = (
        b"\xef\xbb\xbfFrom: a@b.example\r\nX-Diag: 1;part\r\ncontinued-without-space\r\n"
        b"Subject: found\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\n"
        b"--q\r\nContent-Type: text/plain\r\n\r\nreal body\r\n--q--\r\n"
    )
    msg = parse_message(raw)
    assert (msg.from_addr, msg.subject, msg.body_text) == ("a@b.example", "found", "real body")
    assert "LeadingByteOrderMark" in msg.defects
