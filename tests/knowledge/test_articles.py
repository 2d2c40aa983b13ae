from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeError
from knowledge.articles import DEFAULT_OWNERS

SEED_TITLES = {
    "MPAN format and check digit validation", "MPRN format and check digit validation",
    "Switch request validation rejections", "Switch stuck in Pending or not Secured",
    "Objection window and objection handling", "Annulment rules (R0287)",
    "Erroneous switch resolution (CFSB/SDEP)", "Withdrawing a switch request",
    "Missing CSS notifications", "CSS certificate renewal and signing errors",
    "CSS API connectivity troubleshooting", "Planned maintenance and service status",
    "Reporting a suspected major incident", "REL address mismatch or missing premises",
    "Requesting an address or UPRN correction",
    "Electricity registration data discrepancies (ERDS/MPAS)",
    "New connection MPAN not available in CSS",
    "Gas meter point data discrepancies (GRDS/UK Link)",
    "Shipper and supplier relationship rejections", "ECOES/EES access and account issues",
    "Smart meter CoS update after a switch (DCC)", "REC Portal and switching portal access",
    "Working days, bank holidays and SLA clocks",
    "SoLR and bulk switch events (anomaly thresholds)", "Misdirected consumer enquiries",
}

GOOD = """---
id: T-1
title: Test article
owner: service_desk
categories: [process_query]
type_hint: query
first_line: true
symptoms: [something odd happens]
keywords: [odd, thing]
answer: Try turning it off and on.
---
# Body
Steps.
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_articles_cover_every_seed_title(kb: KnowledgeBase) -> None:
    assert len(kb.articles) >= 25
    assert {a.title for a in kb.articles} >= SEED_TITLES
    assert len({a.id for a in kb.articles}) == len(kb.articles)


def test_packaged_articles_are_well_formed(kb: KnowledgeBase) -> None:
    for article in kb.articles:
        assert article.owner in DEFAULT_OWNERS
        assert article.body.startswith("#")
        assert len(article.sha256) == 64
        if article.first_line:
            assert article.answer, f"{article.id} is first_line but has no answer"


def test_load_custom_directory_and_sha_tracks_content(tmp_path: Path) -> None:
    write(tmp_path, "t1.md", GOOD)
    first = KnowledgeBase.load(tmp_path).articles[0]
    assert (first.id, first.first_line, first.answer) == ("T-1", True, "Try turning it off and on.")
    write(tmp_path, "t1.md", GOOD.replace("Steps.", "Other steps."))
    assert KnowledgeBase.load(tmp_path).articles[0].sha256 != first.sha256


@pytest.mark.parametrize(("text", "field"), [
    ("no front matter here\n", "front matter"),
    ("---\nid: [unclosed\n---\nbody\n", "front matter"),
    ("---\nid: T-1\ntitle: x\n", "front matter"),
    ("---\n- a list\n---\nbody\n", "front matter"),
    (GOOD.replace("title: Test article\n", ""), "title"),
    (GOOD.replace("keywords: [odd, thing]\n", ""), "keywords"),
    (GOOD.replace("first_line: true", "first_line: maybe"), "first_line"),
    (GOOD.replace("owner: service_desk", "owner: the_janitor"), "owner"),
    (GOOD.replace("type_hint: query", "type_hint: moan"), "type_hint"),
    (GOOD.replace("symptoms: [something odd happens]", "symptoms: []"), "symptoms"),
])
def test_loader_errors_name_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    write(tmp_path, "broken.md", text)
    with pytest.raises(KnowledgeError) as err:
        KnowledgeBase.load(tmp_path)
    assert err.value.file == "broken.md"
    assert err.value.field == field
    assert "broken.md" in str(err.value) and field in str(err.value)


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD.replace("Test article", "Another"))
    with pytest.raises(KnowledgeError) as err:
        KnowledgeBase.load(tmp_path)
    assert (err.value.file, err.value.field) == ("b.md", "id")
    assert "a.md" in str(err.value)


def test_known_owners_are_configurable(tmp_path: Path) -> None:
    write(tmp_path, "t1.md", GOOD)
    with pytest.raises(KnowledgeError, match="owner"):
        KnowledgeBase.load(tmp_path, known_owners=frozenset({"someone_else"}))
    assert KnowledgeBase.load(tmp_path, known_owners=frozenset({"service_desk"})).articles


def test_body_may_contain_horizontal_rules(tmp_path: Path) -> None:
    write(tmp_path, "t1.md", GOOD + "\n---\n\nMore after a rule.\n")
    assert "More after a rule." in KnowledgeBase.load(tmp_path).articles[0].body
