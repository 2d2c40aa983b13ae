"""Deterministic generator of realistic Switching Service Desk e-mail, for benchmarks.

About 20% are replies to earlier messages (In-Reply-To/References and the subject tag kept),
10% carry an attachment and 10% are HTML-only. Senders come from the demo directory, with a
few unknown ones. Usage: python scripts/gen_mail.py COUNT OUT_DIR [--seed N] [--mbox FILE]
"""

from __future__ import annotations

import argparse
import mailbox
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

PRIMES = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43]
SENDERS = [
    ("Priya Raman", "priya.raman@brightwater-energy.example"),
    ("Tom Hale", "tom.hale@brightwater-energy.example"),
    ("Gareth Pryce", "g.pryce@kestrel-pg.example"),
    ("Aisha Bello", "aisha.bello@northfield-dn.example"),
    ("Owen Clarke", "owen.clarke@heronsgate-networks.example"),
    ("Fiona Laing", "fiona.laing@meridian-gt.example"),
    ("Marek Nowak", "marek.nowak@cobalt-shipping.example"),
    ("Hannah Price", "hannah.price@lumen-metering.example"),
    ("Sian Evans", "sian.evans@oakleaf-energy.example"),
    ("New Analyst", "analyst@oakleaf-business.example"),
    ("Unknown Sender", "someone@unlisted-supplier.example"),
]
TOPICS = [
    (
        "Switch request rejected - RMP not found",
        "Our switch request for MPAN {mpan} came back "
        "rejected with 'RMP not found / not eligible'. ECOES shows the point as traded. "
        "SED {date}.",
    ),
    (
        "Switch stuck in Pending",
        "The switch for MPAN {mpan} has sat in Pending since {date}; "
        "no objection was raised and nothing has moved to Secured.",
    ),
    (
        "Gas meter point data wrong",
        "DES shows the wrong meter serial for MPRN {mprn}. "
        "Please correct it in UK Link before the switch on {date}.",
    ),
    (
        "Missing secured notification",
        "We received no Secured notification for {mpan} ahead of Gate Closure on {date}.",
    ),
    ("Certificate expiring", "Our CSS signing certificate expires on {date}. How do we renew?"),
    (
        "Address mismatch in CSS",
        "The REL address for MPAN {mpan} is wrong: flat 2 is shown as flat 12. UPRN 100023336956.",
    ),
    (
        "Objection window question",
        "How long is the objection window for a non-domestic "
        "switch lodged on {date}? Call me on 0161 496 0815.",
    ),
    ("ECOES access for a new starter", "Please set up ECOES access for our new analyst."),
]
SIGNATURE = "\n\nKind regards\n{name}\nRegistrations | {org}\n"


def _mpan(rng: random.Random) -> str:
    first12 = f"{rng.randint(10, 23)}{rng.randint(0, 10**10 - 1):010d}"
    check = sum(int(d) * p for d, p in zip(first12, PRIMES, strict=True)) % 11 % 10
    return f"{first12}{check}"


def _mprn(rng: random.Random) -> str:
    body = f"{rng.randint(1, 9)}{rng.randint(0, 10**7 - 1):07d}"
    check = sum(int(d) * (len(body) - i) for i, d in enumerate(body)) % 11
    return f"{body}{check:02d}"


def generate(count: int, seed: int = 7) -> Iterator[bytes]:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    earlier: list[tuple[str, str, str, str]] = []  # (message id, subject, sender name, address)
    for n in range(count):
        when = start + timedelta(minutes=7 * n)
        date = (when + timedelta(days=rng.randint(1, 10))).strftime("%d/%m/%Y")
        message = EmailMessage()
        if earlier and rng.random() < 0.2:
            parent_id, subject, name, address = rng.choice(earlier[-500:])
            subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
            message["In-Reply-To"] = f"<{parent_id}>"
            message["References"] = f"<{parent_id}>"
            text = rng.choice(
                [
                    "Any update on this?",
                    "Still happening today.",
                    "Thanks - that worked.",
                    "Customer chasing again, please help.",
                ]
            )
            text += f"\n\nOn {when:%d %b %Y} {name} wrote:\n> previous message text\n> MPAN kept"
        else:
            name, address = rng.choice(SENDERS)
            subject, template = rng.choice(TOPICS)
            text = template.format(mpan=_mpan(rng), mprn=_mprn(rng), date=date)
            text += " " + " ".join(
                rng.choice(
                    ["Customer", "is", "waiting", "urgently", "today", "please", "advise", "thanks"]
                )
                for _ in range(40)
            )
        org = address.split("@")[1].split(".")[0]
        text += SIGNATURE.format(name=name, org=org)
        message_id = f"gen-{seed}-{n}@{address.split('@')[1]}"
        message["From"] = f"{name} <{address}>"
        message["To"] = "servicedesk@switchdesk.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(when)
        message["Message-ID"] = f"<{message_id}>"
        if rng.random() < 0.1:
            paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
            message.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
        else:
            message.set_content(text)
        if rng.random() < 0.1:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(2_000, 20_000)))
            message.add_attachment(
                data, maintype="application", subtype="pdf", filename=f"evidence-{n}.pdf"
            )
        earlier.append((message_id, subject, name, address))
        yield message.as_bytes(policy=policy.SMTP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path, help="directory for .eml files, or an mbox file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mbox", action="store_true", help="write one mbox file instead")
    args = parser.parse_args()
    if args.mbox:
        box = mailbox.mbox(args.out)
        for raw in generate(args.count, args.seed):
            box.add(raw)
        box.flush()
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for n, raw in enumerate(generate(args.count, args.seed)):
        (args.out / f"{n:06d}.eml").write_bytes(raw)


if __name__ == "__main__":
    main()
