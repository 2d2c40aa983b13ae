"""Walking the MIME tree: which parts are the body, which are attachments.

Rules (matching what mail clients show): in multipart/alternative the text/plain branch wins
and the others only contribute attachments; multipart/related shows its root (the ``start``
part, else the first part of the declared ``type``, else the first part); attached messages
are kept whole and never descended into; text parts with a filename or ``attachment``
disposition are attachments, not body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.message import Message

from intake.attachments import disposition, filename, is_inline, is_tnef
from intake.body import part_charset, part_text, payload_bytes
from intake.message import Attachment

_MAX_DEPTH = 40
_BODY_TYPES = {"text/plain", "text/html"}
# Re-serialising an attached message must not re-wrap its header lines.
_AS_WRITTEN = policy.compat32.clone(max_line_length=0, linesep="\r\n")


@dataclass
class Parts:
    """What the walk collected; ``charset`` is the first declared one, used for raw headers."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    charset: str | None = None
    has_dsn: bool = False
    dsn_parts: list[Message] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    decoded: dict[int, str] = field(default_factory=dict)  # id(part) -> text, decoded once

    def text_of(self, part: Message) -> str:
        key = id(part)
        if key not in self.decoded:
            self.decoded[key] = part_text(part)
        return self.decoded[key]


def collect(msg: Message) -> Parts:
    parts = Parts()
    _walk(msg, parts, in_related=False, text_wanted=True, depth=0)
    return parts


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _walk(part: Message, out: Parts, in_related: bool, text_wanted: bool, depth: int) -> None:
    """Visit one part; a part that cannot be read is recorded and skipped, not fatal."""
    try:
        _visit(part, out, in_related, text_wanted, depth)
    except Exception as exc:  # noqa: BLE001 - one broken part must not lose the others
        out.errors.append(f"PartError: {type(exc).__name__}")


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:  # noqa: BLE001
        return ""
    return value.strip().lower() if isinstance(value, str) else ""


def _visit(part: Message, out: Parts, in_related: bool, text_wanted: bool, depth: int) -> None:
    ctype = part.get_content_type()
    if out.charset is None:
        out.charset = part_charset(part)
    if ctype == "message/delivery-status":
        out.has_dsn = True
        out.dsn_parts.append(part)
    if ctype.startswith("multipart/") and depth < _MAX_DEPTH:
        children = _subparts(part)
        if ctype == "multipart/alternative":
            _alternative(children, out, in_related, text_wanted, depth)
        elif ctype == "multipart/related":
            _related(part, children, out, text_wanted, depth)
        else:
            for child in children:
                _walk(child, out, in_related, text_wanted, depth + 1)
        return
    if ctype.startswith("multipart/"):
        return
    name = filename(part)
    if _is_body(part, ctype, name):
        if text_wanted:
            text = out.text_of(part)
            (out.html if ctype == "text/html" else out.plain).append(text)
        return
    out.attachments.append(_attachment(part, ctype, name, in_related))


def _is_body(part: Message, ctype: str, name: str) -> bool:
    if name or disposition(part) == "attachment":
        return False
    return ctype in _BODY_TYPES or ctype.endswith("/plain")


def _alternative(
    children: list[Message], out: Parts, in_related: bool, text_wanted: bool, depth: int
) -> None:
    chosen: Message | None = None
    for child in children:
        plain = child.get_content_type() == "text/plain" and not filename(child)
        if plain and out.text_of(child).strip():
            chosen = child
            break
    if chosen is None:
        for child in reversed(children):
            ctype = child.get_content_type()
            if ctype == "text/html" or ctype.startswith("multipart/"):
                chosen = child
                break
    for child in children:
        _walk(child, out, in_related, text_wanted and child is chosen, depth + 1)


def _related(
    part: Message, children: list[Message], out: Parts, text_wanted: bool, depth: int
) -> None:
    if not children:
        return
    root = children[0]
    start = _param(part, "start").strip("<> ")
    wanted_type = _param(part, "type")
    if start:
        ids = [str(c.get("content-id") or "").strip("<> ").lower() for c in children]
        root = children[ids.index(start)] if start in ids else root
    elif wanted_type and root.get_content_type() != wanted_type:
        root = next((c for c in children if c.get_content_type() == wanted_type), root)
    for child in children:
        _walk(child, out, child is not root, text_wanted and child is root, depth + 1)


def _attachment(part: Message, ctype: str, name: str, in_related: bool) -> Attachment:
    is_message = ctype in ("message/rfc822", "message/global")
    return Attachment(
        filename=name,
        content_type=ctype,
        data=_message_bytes(part) if part.is_multipart() else payload_bytes(part),
        inline=is_inline(part, in_related),
        is_tnef=is_tnef(ctype, name),
        is_message=is_message,
    )


def _message_bytes(part: Message) -> bytes:
    """Serialise an attached message (or DSN field blocks) back to bytes, best effort."""
    chunks: list[bytes] = []
    for sub in _subparts(part):
        try:
            chunks.append(sub.as_bytes(policy=_AS_WRITTEN))
        except Exception:  # noqa: BLE001 - regenerating broken input can fail
            try:
                chunks.append(sub.as_string().encode("utf-8", "surrogateescape"))
            except Exception:  # noqa: BLE001
                continue
    return b"\n".join(chunks)
