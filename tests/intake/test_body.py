"""Body extraction: text/plain preferred, else the visible text of the HTML."""

from __future__ import annotations

from email.message import EmailMessage

from intake.parse import parse_message


def _html_mail(html: str) -> bytes:
    return b"From: a@b.example\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()


def test_plain_preferred_over_html_in_alternative() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content("plain words")
    msg.add_alternative("<p>html words</p>", subtype="html")
    assert parse_message(msg.as_bytes()).body_text == "plain words"


def test_empty_plain_alternative_falls_back_to_html() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example"
    msg.set_content("\n")
    msg.add_alternative("<p>html words</p>", subtype="html")
    assert parse_message(msg.as_bytes()).body_text == "html words"


def test_html_only_gives_visible_text() -> None:
    html = (
        "<html><head><title>Title</title><style>p{color:red}</style>"
        "<script>alert(1)</script></head><body><p>Meter &amp; MPAN 1200023305967</p>"
        "<ul><li>first</li><li>second</li></ul><!-- hidden --></body></html>"
    )
    body = parse_message(_html_mail(html)).body_text
    assert "Meter & MPAN 1200023305967" in body and "first" in body and "second" in body
    for hidden in ("Title", "color:red", "alert", "hidden", "<p>"):
        assert hidden not in body


def test_outlook_html_reply_is_split() -> None:
    html = (
        "<div>Thanks, it now shows as registered.</div>"
        '<div id="divRplyFwdMsg"><hr><b>From:</b> CSS Desk &lt;desk@x.example&gt;<br>'
        "<b>Sent:</b> 01 June 2026 10:00<br><b>To:</b> Tom<br><b>Subject:</b> SD-1</div>"
        "<div>Please retry the switch.</div>"
    )
    msg = parse_message(_html_mail(html))
    assert msg.new_text == "Thanks, it now shows as registered."
    assert "Please retry the switch." in msg.quoted_text


def test_gmail_html_reply_is_split() -> None:
    html = (
        '<div dir="ltr">Done.</div><div class="gmail_quote">On Mon, 1 Jun 2026 at 10:00, '
        "Desk &lt;desk@x.example&gt; wrote:<br><blockquote>Please retry.</blockquote></div>"
    )
    msg = parse_message(_html_mail(html))
    assert msg.new_text == "Done." and msg.quoted_text.endswith("Please retry.")


def test_multiple_inline_text_parts_are_joined() -> None:
    raw = (
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=M\r\n\r\n"
        b"--M\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
        b"--M\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n\r\nPNG\r\n"
        b"--M\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--M--\r\n"
    )
    assert parse_message(raw).body_text == "first part\n\nsecond part"


def test_related_root_follows_type_parameter() -> None:
    raw = (
        b'From: a@b.example\r\nContent-Type: multipart/related; type="text/html"; boundary=R\r\n'
        b"\r\n--R\r\nContent-Type: image/png\r\nContent-Location: image1\r\n\r\nPNG\r\n"
        b"--R\r\nContent-Type: text/html\r\n\r\n<p>the real body</p>\r\n--R--\r\n"
    )
    msg = parse_message(raw)
    assert msg.body_text == "the real body"
    assert msg.attachments[0].content_type == "image/png"


def test_related_root_follows_start_parameter() -> None:
    raw = (
        b'From: a@b.example\r\nContent-Type: multipart/related; start="<Root@x>"; boundary=R\r\n'
        b"\r\n--R\r\nContent-Type: image/png\r\nContent-ID: <img\xff@x>\r\n\r\nPNG\r\n"
        b"--R\r\nContent-Type: text/html\r\nContent-ID: <root@x>\r\n\r\n<p>root</p>\r\n--R--\r\n"
    )
    msg = parse_message(raw)
    assert msg.body_text == "root"
    assert [a.inline for a in msg.attachments] == [True]
