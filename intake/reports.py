"""Machine-written reports carried by a message: DSN fields (RFC 3464) and
Authentication-Results (RFC 8601), read into plain dicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import Message

from intake.charsets import decode_bytes
from intake.headers import clean, raw_bytes, unfold

_VERDICT = re.compile(r"\b(spf|dkim|dmarc|arc)\s*=\s*([A-Za-z]+)", re.I)


def dsn_blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status part, names lowercased.

    The stdlib parses the blocks into header-only sub-messages; when it could not (a
    malformed part left as text), the blocks are read from the text here.
    """
    payload = part.get_payload()
    if isinstance(payload, list):
        return [
            {k.lower(): clean(decode_bytes(unfold(raw_bytes(v)))) for k, v in block.raw_items()}
            for block in payload
            if isinstance(block, Message)
        ]
    text = decode_bytes(raw_bytes(payload)) if isinstance(payload, str) else ""
    blocks: list[dict[str, str]] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        block: dict[str, str] = {}
        for line in chunk.split("\n"):
            name, sep, value = line.partition(":")
            if sep and name.strip() and not name[0].isspace():
                block.setdefault(name.strip().lower(), value.strip())
        blocks.append(block)
    return blocks


def auth_results(values: Iterable[str], received_spf: str | None = None) -> dict[str, str]:
    """spf/dkim/dmarc/arc verdicts; the first (topmost, our own MTA's) verdict wins.

    Received-SPF fills in ``spf`` when no Authentication-Results header carried it.
    """
    verdicts: dict[str, str] = {}
    for value in values:
        for method, result in _VERDICT.findall(value):
            verdicts.setdefault(method.lower(), result.lower())
    if "spf" not in verdicts and received_spf:
        word = received_spf.strip().split(" ", 1)[0].lower()
        if word.isalpha():
            verdicts["spf"] = word
    return verdicts
