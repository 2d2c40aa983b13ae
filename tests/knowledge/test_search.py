from __future__ import annotations

import pytest

from knowledge import KnowledgeBase


@pytest.mark.parametrize(("text", "expected_id"), [
    ("every message fails signature validation, our signing certificate expired", "KB-10"),
    ("TLS handshake reset after moving to new egress IP addresses, please allow-list them",
     "KB-11"),
    ("customer cannot find their flat in the address search", "KB-14"),
    ("the smart meter still has the old supplier credentials, PAYG top up failing", "KB-21"),
    ("does Easter Monday count as a working day in Scotland", "KB-23"),
    ("UK Link shows the wrong shipper as registered user", "KB-18"),
])
def test_best_article_for_typical_wording(kb: KnowledgeBase, text: str, expected_id: str) -> None:
    assert kb.search(text)[0].id == expected_id


def test_scores_are_bounded_and_descending(kb: KnowledgeBase) -> None:
    results = kb.search("switch rejected RMP not found, certificate expired", limit=10)
    assert 1 <= len(results) <= 10
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_limit_and_empty_query(kb: KnowledgeBase) -> None:
    assert len(kb.search("switch pending objection rejected", limit=2)) == 2
    assert kb.search("") == []
    assert kb.search("1234567 0000 !!!") == []


def test_misspelt_words_still_match(kb: KnowledgeBase) -> None:
    assert kb.search("how do we renw our signing certficate before expiri")[0].id == "KB-10"


def test_match_carries_first_line_flag(kb: KnowledgeBase) -> None:
    best = kb.search("REC Portal locked out, password reset link expired")[0]
    assert best.id == "KB-22" and best.first_line
