"""Benchmark intake.parse.parse_message on ~2,000 generated, typical desk e-mails.

Deterministic (fixed seed). Mix: plain new mail, replies with quoted history (Outlook,
"On ... wrote:", ">" quoting), multipart/alternative, HTML-only, small attachments.
Prints JSON: throughput and per-message p50/p99, with bare stdlib parses for context.

    .venv/bin/python scripts/bench/parse.py [--count 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from intake.parse import parse_message

ORGS = ["brightwatt", "northgrid-energy", "oakfield-supply", "tidal-power", "greenhome"]
NAMES = ["Priya Shah", "Tom Hughes", "Aisha Khan", "Gareth Lloyd", "Mairi Campbell", "Ben Cole"]
TOPICS = [
    "Registration stuck in pending for MPAN {mpan}",
    "Switch request rejected with no reason for MPRN {mprn}",
    "Address Service returning wrong UPRN for MPAN {mpan}",
    "Certificate expiry warning on our CSS gateway",
    "Duplicate registration after objection window for MPAN {mpan}",
    "Query: secure switch lead time for MPRN {mprn}",
]
SENTENCES = [
    "We submitted the registration request on Monday and have not had a response since.",
    "The switch was due to complete yesterday but the CSS portal still shows it as pending.",
    "Could you please confirm whether the objection was raised by the losing supplier?",
    "Our logs show the message was delivered to the CSS gateway at 09:14 with no error.",
    "This is affecting around {n} customers on our books, so we would appreciate an update.",
    "Attached is the export from our registration system (path C:\\exports\\new\\table.csv).",
    "We have tried resubmitting twice, both times with the same rejection code.",
    "Please treat this as urgent as the customer is on a prepayment meter.",
]
SIGNATURES = ["Kind regards,\n{name}\n{org_title}\nTel: 0161 496 {tel:04d}", "Thanks,\n{name}"]


def _text(rng: random.Random) -> str:
    chosen = rng.sample(SENTENCES, rng.randint(4, 6))
    return "\n\n".join(s.format(n=rng.randint(2, 400)) for s in chosen)


def _quote(rng: random.Random, body: str, style: int) -> str:
    when = f"{rng.randint(1, 28)} May 2026 {rng.randint(8, 17)}:{rng.randint(0, 59):02d}"
    if style == 0:
        head = (
            "-----Original Message-----\nFrom: CSS Service Desk <desk@switchdesk.example>\n"
            f"Sent: {when}\nTo: {rng.choice(NAMES)}\nSubject: RE: your ticket\n\n"
        )
        return head + body
    if style == 1:
        return f"On {when}, CSS Service Desk <desk@switchdesk.example> wrote:\n" + "\n".join(
            "> " + line for line in body.split("\n")
        )
    return "\n".join("> " + line for line in body.split("\n"))


def make_message(rng: random.Random, i: int) -> tuple[str, bytes]:
    """One generated mail and its kind (plain, reply, alternative, html-only, attachment)."""
    name, org = rng.choice(NAMES), rng.choice(ORGS)
    mpan = "".join(str(rng.randint(0, 9)) for _ in range(13))
    mprn = "".join(str(rng.randint(0, 9)) for _ in range(10))
    msg = EmailMessage()
    msg["From"] = f"{name} <{name.split()[0].lower()}@{org}.example>"
    msg["To"] = "CSS Service Desk <desk@switchdesk.example>"
    if rng.random() < 0.3:
        msg["Cc"] = f"ops@{org}.example"
    subject = rng.choice(TOPICS).format(mpan=mpan, mprn=mprn)
    msg["Date"] = f"Mon, {rng.randint(1, 28)} Jun 2026 10:{rng.randint(0, 59):02d}:00 +0100"
    msg["Message-ID"] = f"<{i}.{rng.getrandbits(40):x}@{org}.example>"
    kind = rng.random()
    label = "plain"
    sig = rng.choice(SIGNATURES).format(name=name, org_title=org.title(), tel=rng.randint(0, 9999))
    body = f"Hello,\n\n{_text(rng)}\n\n{sig}\n"
    if kind < 0.25:
        label = "reply"
        subject = "RE: " + subject
        msg["In-Reply-To"] = f"<ack.{i}@switchdesk.example>"
        body = body + "\n" + _quote(rng, _text(rng), rng.randint(0, 2)) + "\n"
    msg["Subject"] = subject
    msg.set_content(body)
    if 0.25 <= kind < 0.40:
        label = "alternative"
        paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        msg.add_alternative(f"<html><body>{paras}</body></html>", subtype="html")
    elif 0.40 <= kind < 0.50:
        label = "html-only"
        paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        msg.set_content(f"<html><body>{paras}</body></html>", subtype="html")
    elif 0.50 <= kind < 0.60:
        label = "attachment"
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(200, 900)))
        msg.add_attachment(data, maintype="application", subtype="pdf", filename="evidence.pdf")
    return label, msg.as_bytes()


def _time(fn: Callable[[bytes], object], corpus: list[bytes]) -> tuple[float, list[float]]:
    """Wall time of the whole run and of each message (after a warm-up)."""
    for raw in corpus[:50]:
        fn(raw)  # warm caches and imports
    per: list[float] = []
    start = time.perf_counter()
    for raw in corpus:
        t0 = time.perf_counter()
        fn(raw)
        per.append(time.perf_counter() - t0)
    return time.perf_counter() - start, per


def _cpu(fn: Callable[[bytes], object], corpus: list[bytes]) -> float:
    """CPU seconds for the whole run: steadier than wall time on a shared machine."""
    start = time.process_time()
    for raw in corpus:
        fn(raw)
    return time.process_time() - start


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    labelled = [make_message(rng, i) for i in range(args.count)]
    corpus = [raw for _, raw in labelled]
    total, per = _time(parse_message, corpus)
    cpu = _cpu(parse_message, corpus)
    by_kind: dict[str, list[float]] = {}
    for (kind, _), seconds in zip(labelled, per, strict=True):
        by_kind.setdefault(kind, []).append(seconds)
    default = BytesParser(policy=policy.default)
    compat = BytesParser(policy=policy.compat32)

    def stdlib_default(raw: bytes) -> object:
        msg = default.parsebytes(raw)
        body = msg.get_body(("plain", "html"))
        return (msg["from"], msg["subject"], body.get_content() if body else "")

    d_total, _ = _time(stdlib_default, corpus)
    c_total, _ = _time(compat.parsebytes, corpus)
    print(
        json.dumps(
            {
                "messages": len(corpus),
                "median_bytes": int(statistics.median(len(r) for r in corpus)),
                "parse_message": {
                    "msg_per_s": round(len(corpus) / total),
                    "cpu_msg_per_s": round(len(corpus) / cpu),
                    "p50_ms": round(_pct(per, 0.50), 3),
                    "p99_ms": round(_pct(per, 0.99), 3),
                    "max_ms": round(max(per) * 1000, 3),
                },
                "by_kind": {
                    kind: {
                        "n": len(times),
                        "p50_ms": round(_pct(times, 0.50), 3),
                        "p99_ms": round(_pct(times, 0.99), 3),
                    }
                    for kind, times in sorted(by_kind.items())
                },
                "context_msg_per_s": {
                    "stdlib_policy_default_with_get_body": round(len(corpus) / d_total),
                    "stdlib_compat32_parse_only": round(len(corpus) / c_total),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
