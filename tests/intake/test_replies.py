"""Quoted history and signatures are separated from the new text, never lost."""

from __future__ import annotations

from intake.parse import parse_message
from intake.replies import split_reply


def _mail(body: str) -> bytes:
    return b"From: a@b.example\r\nSubject: RE: ticket\r\n\r\n" + body.encode()


def test_outlook_original_message() -> None:
    body = (
        "The registration is still pending for MPAN 1200023305967.\n\n"
        "-----Original Message-----\nFrom: CSS Desk <desk@switchdesk.example>\n"
        "Sent: 01 June 2026 10:00\nTo: Priya\nSubject: Ticket SD-1042\n\nWe have escalated this."
    )
    msg = parse_message(_mail(body))
    assert msg.new_text == "The registration is still pending for MPAN 1200023305967."
    assert msg.quoted_text.startswith("-----Original Message-----")
    assert msg.quoted_text.endswith("We have escalated this.")
    assert msg.body_text == body


def test_outlook_header_block_without_separator() -> None:
    body = (
        "Fixed on our side.\n\n________________________________\n"
        "From: CSS Desk <desk@switchdesk.example>\nSent: 01 June 2026 10:00\n"
        "To: Tom\nSubject: SD-7\n\nPlease retry."
    )
    split = split_reply(body)
    assert split.new.startswith("Fixed on our side.")
    assert "Please retry." in split.quoted and "Please retry." not in split.new


def test_on_date_wrote_with_gt_quoting() -> None:
    body = (
        "Thanks, that worked.\n\nOn Mon, 1 Jun 2026 at 10:00, CSS Desk <desk@x.example> wrote:\n"
        "> Please resubmit the request.\n> Regards"
    )
    split = split_reply(body)
    assert split.new == "Thanks, that worked."
    assert split.quoted.startswith("On Mon, 1 Jun 2026") and "> Please resubmit" in split.quoted


def test_bare_gt_quoting_at_the_end() -> None:
    split = split_reply("Agreed, go ahead.\n\n> Shall we retry the switch?\n>\n> Desk")
    assert split.new == "Agreed, go ahead."
    assert split.quoted == "> Shall we retry the switch?\n>\n> Desk"


def test_signature_dash_dash_and_closing_phrase() -> None:
    split = split_reply("Please close the ticket.\n\n-- \nTom Hughes\nTidal Power\n")
    assert (split.new, split.signature) == (
        "Please close the ticket.",
        "-- \nTom Hughes\nTidal Power",
    )
    split = split_reply("Meter read attached.\n\nKind regards,\nMairi Campbell\nGreenhome")
    assert split.new == "Meter read attached."
    assert split.signature.startswith("Kind regards,")


def test_text_is_never_rewritten() -> None:
    body = "  Indented C:\\new\\table\n\tTabbed line\n\nOn Tue, 2 Jun 2026, X wrote:\n> old"
    split = split_reply(body)
    assert split.new == "Indented C:\\new\\table\n\tTabbed line"
    assert "  Indented C:\\new\\table\n\tTabbed line" in body


def test_plain_message_is_all_new_text() -> None:
    split = split_reply("Just one line about MPRN 1234567890.")
    assert (split.new, split.quoted, split.signature) == (
        "Just one line about MPRN 1234567890.",
        "",
        "",
    )


def test_attribution_without_date_and_interleaved_quotes() -> None:
    split = split_reply("Fine by me.\n\nJane Doe wrote:\n\n> Shall we close it?\n")
    assert split.new == "Fine by me."
    assert split.quoted == "Jane Doe wrote:\n\n> Shall we close it?"
    inline = split_reply("Marc wrote:\n> q1\n> q2\n\nanswer one\n\n> q3\n\nanswer two\n")
    assert inline.new == "answer one\n\nanswer two"
    assert inline.quoted == "Marc wrote:\n> q1\n> q2\n> q3"


def test_a_list_of_meter_points_is_not_a_signature() -> None:
    split = split_reply("Hi,\n\nThese are stuck in Pending:\n- 1906293768104\n- 1906293768105\n"
                        "- 2000012345672\n\nThanks\nPriya\n")  # fmt: skip
    assert "2000012345672" in split.new and split.signature == ""
    items = split_reply("Two problems\n\n- the SED was rejected\n- no Secured notification\n")
    assert "no Secured notification" in items.new
    assert split_reply("Please check.\n\n- Priya\nBrightwater Energy\n").signature.startswith(
        "- Priya")  # a dash before a name is still a sign-off
