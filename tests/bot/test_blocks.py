"""Block Kit builders: pure, tested without a network."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.blocks import ACTIONS, cut, thread_line, ticket_card
from desk.chat_port import TicketCard
from tests.support.fake_slack import block_kit_problem

REF = "SD-000042"


def _card(**changes: object) -> TicketCard:
    values = {"ref": REF, "status": "assigned", "priority": "P2", "type": "incident",
              "summary": "Switch rejected", "category": "registration",
              "organisation": "Brightwater Energy", "resolver": "CSS Registration Service",
              "mpxns": ("1906293768104",), "triage_summary": "routed to registration_service",
              "reasons": ("impact 2 × urgency 2",),
              "sla_due": datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
              "updated_at": datetime(2026, 7, 1, 8, 0, tzinfo=UTC), **changes}  # fmt: skip
    return TicketCard(**values)  # type: ignore[arg-type]


def test_a_card_shows_the_ticket_and_its_buttons() -> None:
    text, blocks = ticket_card(_card())
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "emoji": False,
                                                    "text": f"{REF} · P2 · Switch rejected"}}
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Organisation*\nBrightwater Energy" in fields and "*MPxNs*\n1906293768104" in fields
    assert "*SLA due*\n2026-07-01 13:00 BST" in fields  # shown in London time
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in actions["elements"]] == [
        (a, REF, label) for a, label in ACTIONS.items()]
    assert set(ACTIONS) == {"ticket_ack", "ticket_resolve", "ticket_reassign",
                            "ticket_escalate", "ticket_reply"}
    assert text.startswith(f"{REF} [P2 assigned]") and block_kit_problem(
        {"text": text, "blocks": blocks}) is None


def test_outside_text_cannot_mention_anyone() -> None:
    _, blocks = ticket_card(_card(organisation="<!channel> & co", summary="<!here>"))
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Organisation*\n&lt;!channel&gt; &amp; co" in fields
    assert thread_line(REF, "hi <@U123>") == "hi &lt;@U123&gt;"


def test_long_content_fits_every_limit_with_a_pointer() -> None:
    card = _card(summary="s" * 5000, organisation="o" * 5000, mpxns=("1906293768104",) * 500,
                 triage_summary="t" * 9000, reasons=tuple("r" * 200 for _ in range(100)))
    text, blocks = ticket_card(card)
    assert block_kit_problem({"text": text, "blocks": blocks}) is None
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith("…")
    pointer = f"… see `switchdesk tickets show {REF}`"
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert all(len(s) <= 3000 and s.endswith(pointer) for s in sections)
    assert len(thread_line(REF, "x" * 50_000)) == 40_000


def test_cut_never_leaves_half_an_escape() -> None:
    cut_text = cut("&amp;" * 100, 60, REF)
    assert len(cut_text) <= 60 and "&amp" not in cut_text.replace("&amp;", "")
