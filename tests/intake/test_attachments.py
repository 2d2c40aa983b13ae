"""Attachments: decoded filenames, inline-ness, TNEF and attached messages."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

from intake.parse import parse_message

HEAD = (
    b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
    b"--B\r\n\r\nSee attached.\r\n"
)


def _with_part(part_headers: bytes, payload: bytes = b"data") -> bytes:
    return HEAD + b"--B\r\n" + part_headers + b"\r\n\r\n" + payload + b"\r\n--B--\r\n"


def test_rfc2231_filename_with_charset_and_continuations() -> None:
    raw = _with_part(
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''Z%C3%A4hler;\r\n filename*1*=%20report.pdf"
    )
    assert parse_message(raw).attachment_names == ["Zähler report.pdf"]


def test_rfc2047_filename_unquoted_and_quoted() -> None:
    unquoted = _with_part(
        b"Content-Type: application/pdf; name==?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?=\r\n"
        b"Content-Disposition: attachment; filename==?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?="
    )
    assert parse_message(unquoted).attachment_names == ["This is a test.pdf"]
    quoted = _with_part(b'Content-Type: text/csv; name="=?iso-8859-1?Q?r=E9sum=E9=2Ecsv?="')
    assert parse_message(quoted).attachment_names == ["résumé.csv"]


def test_unquoted_filename_with_spaces_and_raw_utf8() -> None:
    spaces = _with_part(b"Content-Disposition: attachment; filename=meter reads 2026.csv")
    assert parse_message(spaces).attachment_names == ["meter reads 2026.csv"]
    raw8 = _with_part(b'Content-Disposition: attachment; filename="\xd0\xb0\xd0\xba\xd1\x82.pdf"')
    assert parse_message(raw8).attachment_names == ["акт.pdf"]


def test_attachment_data_and_hash() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content("body")
    msg.add_attachment(
        b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="reads.bin"
    )
    att = parse_message(msg.as_bytes()).attachments[0]
    assert (att.filename, att.data, att.size) == ("reads.bin", b"\x00\x01binary", 8)
    assert att.sha256 == hashlib.sha256(b"\x00\x01binary").hexdigest()
    assert not (att.inline or att.is_tnef or att.is_message)


def test_tnef_is_kept_and_flagged() -> None:
    raw = _with_part(
        b'Content-Type: application/ms-tnef; name="winmail.dat"\r\n'
        b"Content-Transfer-Encoding: base64",
        b"eJ8+IgAAAA==",
    )
    (att,) = parse_message(raw).attachments
    assert (
        att.is_tnef and att.filename == "winmail.dat" and att.data.startswith(b"\x78\x9f\x3e\x22")
    )


def test_attached_message_is_kept_whole_and_not_descended() -> None:
    inner = (
        b"From: x@y.example\r\nSubject: original\r\n"
        b"Content-Type: multipart/mixed; boundary=I\r\n\r\n"
        b"--I\r\n\r\ninner text\r\n--I\r\nContent-Disposition: attachment; filename=inner.pdf\r\n"
        b"\r\n%PDF\r\n--I--\r\n"
    )
    raw = _with_part(b'Content-Type: message/rfc822; name="fwd.eml"', inner)
    msg = parse_message(raw)
    assert msg.attachment_names == ["fwd.eml"]
    (att,) = msg.attachments
    assert att.is_message and b"Subject: original" in att.data and b"inner.pdf" in att.data
    assert "inner text" not in msg.body_text


def test_related_images_are_inline_and_not_listed() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content("plain")
    msg.add_alternative('<p>see <img src="cid:logo"></p>', subtype="html")
    msg.get_payload()[1].add_related(b"\x89PNG", maintype="image", subtype="png", cid="<logo>")
    parsed = parse_message(msg.as_bytes())
    assert parsed.body_text == "plain"
    assert parsed.attachment_names == []
    assert [a.inline for a in parsed.attachments] == [True]


def test_text_part_with_filename_is_an_attachment_not_body() -> None:
    raw = _with_part(b"Content-Type: text/plain; name=log.txt", b"ERROR 42")
    msg = parse_message(raw)
    assert msg.attachment_names == ["log.txt"] and "ERROR 42" not in msg.body_text


def test_path_in_filename_is_dropped() -> None:
    raw = _with_part(b'Content-Disposition: attachment; filename="C:\\Docs\\new\\reads.csv"')
    assert parse_message(raw).attachment_names == ["reads.csv"]
    raw = _with_part(b'Content-Disposition: attachment; filename="../../etc/passwd"')
    assert parse_message(raw).attachment_names == ["passwd"]
