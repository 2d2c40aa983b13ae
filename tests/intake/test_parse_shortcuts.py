"""The parser's shortcuts (literal pre-checks before costly scans) never change a result."""

from __future__ import annotations

import random

import pytest
from mailparser_reply.parser import EmailMessage

from intake import loops, replies
from intake.repair import _STRAY_LINE, _header_end, _stray

REPLY_LINES = [
    "Kind regards", "KIND REGARDS", "kind Regards,", "Thanks,", "thanks", "Thank you,", "Best,",
    "All the best", "regards,", "Sent from my iPhone", "Get Outlook for iOS", "-- ", "--", "__",
    "- Priya", "-Priya", "-", " - x", "> - x", ">> Thanks,", "> > Best regards", "  ", "\t", "",
    "", "On Mon, 1 Jun 2026 X wrote:", "> On Tue, Y <a@b.example> wrote:", "From: A",
    "Sent: Monday", "To: B", "Subject: C", "Date: D", "Cc: E", "-----Original Message-----",
    "_" * 32, "-" * 40, " " + "_" * 33, "ab" + "_" * 40, "\u017fent from my", "Kind \u212aegards",
    "th\u0131nks,", "\u0130", "\u00c9t\u00e9 \u03a3", "x\r", "\xa0Thanks,", "Jane wrote:",
    "MPAN 1200023305967 is stuck", "text line",
]  # fmt: skip


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["\n".join(rng.choices(REPLY_LINES, k=rng.randint(1, 16))) for _ in range(count)]


# Another release of mail-parser-reply is read with its own read(): nothing to compare then.
mirrored = pytest.mark.skipif(not replies._MIRRORED, reason="mail-parser-reply is not 1.36")


@mirrored
def test_reply_view_matches_the_library() -> None:
    for text in _texts(3_000, seed=1):
        assert replies._library_view(text) == replies._library_read(text), text


@mirrored
def test_normalisation_matches_the_library() -> None:
    for text in _texts(1_000, seed=2):
        text = text.replace("\n", "\r\n", 3)
        assert replies._normalized(text) == EmailMessage(text=text, languages=["en"]).text


def test_body_wording_words_are_necessary() -> None:
    phrases = [
        "i am away", "i'm on leave", "i’m out of the office", "ich bin bis 3.5 abwesend",
        "limited access to email", "i will reply after my return", "je suis absent",
        "please verify you are human", "add yourself to my approved list",
        "your email has been held for approval", "challenge-response", "hello", "\n",
    ]  # fmt: skip
    rng = random.Random(3)
    for _ in range(2_000):
        text = " ".join(rng.choices(phrases, k=rng.randint(1, 5)))
        if loops._OOO_BODY.search(text):
            assert loops._mentions(text, loops._OOO_BODY_WORDS), text
        if loops._CHALLENGE_BODY.search(text):
            assert loops._mentions(text, loops._CHALLENGE_WORDS), text


def test_stray_line_scan_agrees_with_the_line_test() -> None:
    pieces = [b"\n", b"\r", b"\r\n", b" ", b"\t", b"From ", b"from ", b":", b"X-A: b", b"a",
              b"\x00", b"\xff", b"\n\n", b"\n\r\n", b"Subject:", b"\x80: x"]  # fmt: skip
    rng = random.Random(4)
    for _ in range(5_000):
        raw = b"".join(rng.choices(pieces, k=rng.randint(0, 20)))
        end = _header_end(raw)
        slow = any(i and _stray(line) for i, line in enumerate(raw[:end].split(b"\n")))
        assert bool(_STRAY_LINE.search(raw, 0, end)) == slow, raw
