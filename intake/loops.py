"""Mail-loop protection (RFC 3834): is this message automated, and is it a bounce?

Pure functions over already-decoded values, so each rule is testable on its own. The desk
must not answer anything for which ``auto_reply_reason`` or ``is_bounce`` is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Patterns are lowercase and matched against lowercased text: several times faster than re.I.
_OOO_SUBJECT = re.compile(
    r"auto(matic|matische)?[ _-]?(reply|response|respons|antwort|answer)|out of (the )?office"
    r"|abwesenheit|r[ée]ponse automatique|respuesta autom[áa]tica|fuera de la oficina"
    r"|risposta automatica|automatisch antwoord|afwezig|automatyczna odpowied[źz]|autosvar"
    r"|fr[åa]nvaro|vacation|away from (the )?office|away until|on annual leave"
)
_OOO_BODY = re.compile(
    r"out of (the )?office|\bi(?: am|'m|’m) (?:currently |now )?(?:away|on (?:annual )?leave"
    r"|on holiday|on vacation|out of the office)|limited access to (?:my )?e-?mail"
    r"|(?:respond|reply|get back to you) .{0,40}(?:on|upon|after) my return"
    r"|ich bin (?:bis|vom|derzeit|zurzeit) .{0,40}(?:abwesend|nicht im b[üu]ro|urlaub)"
    r"|je suis absent|estoy fuera de la oficina|sono assente|ik ben afwezig|jestem nieobecn"
)
_CHALLENGE_BODY = re.compile(
    r"add yourself to my .{0,30}(guest|safe|approved|allowed|white) ?list"
    r"|(verify|confirm) (that )?you are (a )?(human|real person|not a robot)"
    r"|your (message|e-?mail)\b.{0,80}\b(has been|is being|was) (waitlisted|held for approval)"
    r"|challenge[ -]response|sender verification request",
    re.S,
)
# Text that every branch of the two body patterns above contains. The patterns are matched
# against lowercased text without re.I, so a substring test is exact, and far cheaper than the
# regex scan: the regex runs only on text that holds one of these.
_OOO_BODY_WORDS = (
    "out of ", "i am ", "i'm ", "i’m ", "limited access to ", " my return", "ich bin ",
    "je suis absent", "estoy fuera de la oficina", "sono assente", "ik ben afwezig",
    "jestem nieobecn",
)  # fmt: skip
_CHALLENGE_WORDS = (
    "add yourself to my ", "you are ", "waitlisted", "held for approval", "challenge",
    "sender verification request",
)  # fmt: skip
_MAX_OOO_BODY = 2_000  # out-of-office notices are short; longer mail is a person writing
_MAX_SUBJECT = 1_000  # wording tests look at the start of a (possibly huge) subject
_DAEMON_LOCALS = {"mailer-daemon", "mailer_daemon", "mail-daemon", "postmaster", "mailerdaemon"}
_NOREPLY_LOCALS = {"no-reply", "noreply", "do-not-reply", "donotreply", "no_reply"}
_DAEMON_NAME = re.compile(r"mail ?delivery (sub)?system|mailer.daemon|postmaster")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|failed|problem|error|notif)"
    r"|returned mail|failure notice|mail system error|non.?delivery|delayed mail|delivery delayed"
    r"|could not send message|bounce|mail failure|mail delivery|message status"
)
_BOUNCE_BODY = re.compile(
    r"could ?n[o']t be delivered|was not delivered|undeliverable|undelivered|delivery (has )?failed"
    r"|failed permanently|permanent (fatal )?error|user unknown|unknown user|no such user"
    r"|not a valid user|mailbox (is )?(full|unavailable|not found)|exceeds allowed size"
    r"|quota exceeded|returned to (the )?sender|unable to deliver|could not deliver"
    r"|delivery problems?|not listed in|failure reasons?|recipient address rejected|host unknown"
    r"|has not yet been delivered|delivery has been delayed|will (continue|keep) (trying|retrying)"
    r"|could not send message|bounce notification|message was rejected"
)
_ADDR = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_ORIGINAL_STARTS = re.compile(
    r"^\s*(-+ ?(this is a copy|original message|below this line|the header of the original)"
    r"|bounced e-?mail:|(received|return-path|message-id|dkim-signature):)"
    r"|^(from |date:|from:)",
    re.I | re.M,
)
_BOUNCE_TEXT_WINDOW = 5_000


def auto_reply_reason(headers: Mapping[str, str], subject: str, new_text: str) -> str | None:
    """Why this message must not be answered automatically, or None when a person wrote it.

    ``headers`` maps lowercased header names to their decoded first value. Reasons (stable
    prefixes, the desk matches on them): ``auto-submitted: <value>``, ``x-autoreply`` (and the
    other X- names), ``precedence: bulk|junk|list|auto_reply``, ``mailing list (list-id)``,
    ``mailing list (list-unsubscribe)``, ``out-of-office wording in subject``,
    ``out-of-office wording in body``, ``challenge-response wording in body``.
    """
    submitted = headers.get("auto-submitted", "").strip().lower()
    if submitted and re.split(r"[\s;(]", submitted, maxsplit=1)[0] != "no":
        return f"auto-submitted: {submitted}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponse", "x-autoresponder"):
        if name in headers and headers[name].strip().lower() not in ("no", "false", "0"):
            return name
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe"):
        if name in headers:
            return f"mailing list ({name})"
    if _OOO_SUBJECT.search(subject[:_MAX_SUBJECT].lower()):
        return "out-of-office wording in subject"
    if len(new_text) <= _MAX_OOO_BODY:
        text = new_text.lower()
        if _mentions(text, _OOO_BODY_WORDS) and _OOO_BODY.search(text):
            return "out-of-office wording in body"
        if _mentions(text, _CHALLENGE_WORDS) and _CHALLENGE_BODY.search(text):
            return "challenge-response wording in body"
    return None


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def is_daemon_sender(from_addr: str | None, from_name: str) -> bool:
    """The null sender, mailer-daemon/postmaster, or a 'Mail Delivery System' display name."""
    if from_addr is None:
        return True
    local = from_addr.split("@", 1)[0]
    return local in _DAEMON_LOCALS or bool(_DAEMON_NAME.search(from_name.lower()))


def is_bounce(
    has_dsn: bool, from_addr: str | None, from_name: str, subject: str, body: str
) -> bool:
    """A delivery-status report, or non-DSN failure wording from a system sender."""
    if has_dsn:
        return True
    daemon = is_daemon_sender(from_addr, from_name)
    if not daemon and (from_addr or "").split("@", 1)[0] not in _NOREPLY_LOCALS:
        return False  # a person's mail: the costly wording tests are skipped
    if _BOUNCE_BODY.search(body[:_BOUNCE_TEXT_WINDOW].lower()):
        return True
    return daemon and bool(_BOUNCE_SUBJECT.search(subject[:_MAX_SUBJECT].lower()))


def dsn_recipients(fields: Iterable[Mapping[str, str]]) -> list[str]:
    """The address we sent to in each failed or delayed DSN block.

    Original-Recipient (what the sender wrote) wins over Final-Recipient, which may be the
    result of forwarding or aliasing on the far side.
    """
    found: list[str] = []
    for block in fields:
        value = block.get("original-recipient") or block.get("final-recipient") or ""
        action = block.get("action", "").strip().lower()
        if action in ("delivered", "relayed", "expanded"):
            continue
        addr = value.split(";", 1)[-1].strip().strip("<>").strip().lower()
        if "@" in addr and addr not in found:
            found.append(addr)
    return found


def text_recipients(body: str, exclude: Iterable[str]) -> list[str]:
    """Addresses named in a non-DSN bounce text before the returned original begins."""
    window = body[:_BOUNCE_TEXT_WINDOW]
    match = _ORIGINAL_STARTS.search(window)
    if match:
        window = window[: match.start()]
    skip = {e.lower() for e in exclude}
    found: list[str] = []
    for addr in _ADDR.findall(window):
        addr = addr.lower().rstrip(".")
        if addr not in skip and addr not in found:
            found.append(addr)
    # System mailboxes named in the explanation go last: they are rarely the failed recipient.
    people = [a for a in found if a.split("@", 1)[0] not in _DAEMON_LOCALS]
    return (people or found)[:50]
