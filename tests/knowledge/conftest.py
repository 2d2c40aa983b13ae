from __future__ import annotations

import pytest

from knowledge import KnowledgeBase, Triage


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def triage(kb: KnowledgeBase) -> Triage:
    return Triage(kb)
