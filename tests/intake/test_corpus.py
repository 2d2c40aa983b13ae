"""Score parse_message against the shared corpus of 137 real-world messages.

Every ``expected`` field is scored strictly, then again with the record's ``ambiguous`` fields
skipped. ``body_snippet`` must be a substring of ``body_text``; a null snippet ("no human
text") is scored as ``body_text`` being empty or whitespace only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from intake.message import InboundMessage
from intake.parse import parse_message
from tests.conftest import shared_corpus

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "emails"
FIELDS = (
    "from_addr",
    "subject",
    "message_id",
    "in_reply_to",
    "is_auto_reply",
    "is_bounce",
    "attachment_names",
    "body_snippet",
)
THRESHOLD = 0.95


def _records() -> list[dict[str, Any]]:
    manifest = CORPUS / "manifest.jsonl"
    if not manifest.exists():
        return []
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines() if line.strip()]


def _strip_id(value: str | None) -> str | None:
    if value is None:
        return None
    return "".join(value.split()).strip("<>") or None


def field_ok(name: str, expected: Any, msg: InboundMessage) -> bool:
    if name in ("message_id", "in_reply_to"):
        return _strip_id(expected) == _strip_id(getattr(msg, name))
    if name == "attachment_names":
        return sorted(expected) == msg.attachment_names
    if name == "body_snippet":
        return not msg.body_text.strip() if expected is None else expected in msg.body_text
    return expected == getattr(msg, name)


def test_corpus_per_field_accuracy() -> None:
    shared_corpus("emails")
    records = _records()
    assert records, "manifest.jsonl is empty"
    strict = dict.fromkeys(FIELDS, 0)
    lenient_ok = dict.fromkeys(FIELDS, 0)
    lenient_n = dict.fromkeys(FIELDS, 0)
    misses: list[str] = []
    for record in records:
        msg = parse_message((CORPUS / record["file"]).read_bytes())
        for name in FIELDS:
            ok = field_ok(name, record["expected"][name], msg)
            strict[name] += ok
            if name not in record.get("ambiguous", []):
                lenient_n[name] += 1
                lenient_ok[name] += ok
            if not ok:
                got = msg.body_text[:80] if name == "body_snippet" else getattr(msg, name, None)
                if name == "attachment_names":
                    got = msg.attachment_names
                misses.append(
                    f"{record['file']}: {name} expected {record['expected'][name]!r} got {got!r}"
                )
    total = len(records)
    print(f"\ncorpus: {total} messages")
    print(f"{'field':<18}{'strict':>10}{'non-ambiguous':>16}")
    for name in FIELDS:
        print(
            f"{name:<18}{strict[name] / total:>10.1%}"
            f"{lenient_ok[name] / max(lenient_n[name], 1):>16.1%}"
        )
    print("misses:\n  " + "\n  ".join(misses) if misses else "misses: none")
    low = {n: strict[n] / total for n in FIELDS if strict[n] / total < THRESHOLD}
    assert not low, f"fields below {THRESHOLD:.0%} strict: {low}"
