"""``parse_message``: raw bytes in, an ``InboundMessage`` out, whatever the bytes are.

Policy choice: the stdlib parser runs with ``compat32``, which keeps raw header values and
costs about a seventh of ``policy.default``; headers are then decoded by hand (intake.headers),
which is also more lenient. Any failure degrades to a message carrying the raw text as its
body and the error as a defect: the spool never holds a message that cannot be looked at.
"""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesParser

from intake.addresses import address_list, first_address
from intake.body import html_to_text, normalise
from intake.charsets import decode_bytes
from intake.headers import clean, decode_words, first_id, message_ids, parse_date, unfold
from intake.headers import raw_bytes as _raw
from intake.loops import auto_reply_reason, dsn_recipients, is_bounce, text_recipients
from intake.message import InboundMessage
from intake.mime import Parts, collect
from intake.repair import repair
from intake.replies import split_reply
from intake.reports import auth_results, dsn_blocks

_PARSER = BytesParser(policy=policy.compat32)
_LOOP_HEADERS = (
    "auto-submitted", "x-autoreply", "x-autorespond", "x-autoresponse", "x-autoresponder",
    "precedence", "list-id", "list-unsubscribe",
)  # fmt: skip
_MAX_FALLBACK_BODY = 1_000_000


def parse_message(raw: bytes) -> InboundMessage:
    """Parse one message; never raises, whatever ``raw`` holds."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raw = str(raw or "").encode("utf-8", "surrogateescape")
    raw = bytes(raw)
    try:
        return _parse(raw)
    except Exception as exc:  # noqa: BLE001 - last resort; the spool keeps the raw bytes
        text = normalise(decode_bytes(raw[:_MAX_FALLBACK_BODY]))
        return InboundMessage(
            body_text=text, new_text=text, defects=(f"ParseError: {type(exc).__name__}",)
        )


def _index(msg: Message) -> dict[str, list[bytes]]:
    """Lowercased header name -> unfolded raw values, in order (one pass over the headers)."""
    found: dict[str, list[bytes]] = {}
    for name, value in msg.raw_items():
        found.setdefault(name.strip().lower(), []).append(unfold(_raw(value)))
    return found


def _parse(raw: bytes) -> InboundMessage:
    fixed, repairs = repair(raw)
    msg = _PARSER.parsebytes(fixed)
    parts = collect(msg)
    hdr = _index(msg)
    fallback = parts.charset

    def first(name: str) -> bytes | None:
        values = hdr.get(name)
        return values[0] if values else None

    from_addr, from_name = first_address(first("from"), fallback)
    subject_raw = first("subject")
    subject = clean(decode_words(subject_raw, fallback)) if subject_raw else ""
    body = _body_text(parts)
    split = split_reply(body)
    loop_headers = {
        n: clean(decode_words(first(n) or b"", fallback)) for n in _LOOP_HEADERS if n in hdr
    }
    reason = auto_reply_reason(loop_headers, subject, split.new)
    bounce = is_bounce(parts.has_dsn, from_addr, from_name, subject, body)
    return InboundMessage(
        from_addr=from_addr,
        from_name=from_name,
        to=address_list(b", ".join(hdr.get("to", [])), fallback),
        cc=address_list(b", ".join(hdr.get("cc", [])), fallback),
        subject=subject,
        message_id=first_id(first("message-id")),
        in_reply_to=first_id(first("in-reply-to")),
        references=message_ids(first("references")),
        date=parse_date(first("date")),
        body_text=body,
        new_text=split.new,
        quoted_text=split.quoted,
        signature=split.signature,
        attachments=tuple(parts.attachments),
        is_auto_reply=reason is not None,
        auto_reply_reason=reason,
        auto_submitted=loop_headers.get("auto-submitted") or None,
        is_bounce=bounce,
        bounce_recipients=_bounce_recipients(parts, body, from_addr) if bounce else (),
        auth_results=auth_results(
            [decode_bytes(v) for v in hdr.get("authentication-results", [])],
            decode_bytes(first("received-spf") or b""),
        ),
        defects=tuple(repairs) + tuple(parts.errors) + _defects(msg),
    )


def _body_text(parts: Parts) -> str:
    """text/plain when there is any, else the visible text of the HTML."""
    plain = [t.strip("\n") for t in parts.plain if t.strip()]
    if plain:
        return "\n\n".join(plain)
    html = [html_to_text(h) for h in parts.html]
    return "\n\n".join(t for t in html if t.strip())


def _bounce_recipients(parts: Parts, body: str, from_addr: str | None) -> tuple[str, ...]:
    found = dsn_recipients(b for part in parts.dsn_parts for b in dsn_blocks(part))
    if not found:
        found = text_recipients(body, [from_addr] if from_addr else [])
    return tuple(found)


def _defects(msg: Message) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for part in msg.walk():
        for defect in getattr(part, "defects", ()):
            names.setdefault(type(defect).__name__, None)
    return tuple(names)
