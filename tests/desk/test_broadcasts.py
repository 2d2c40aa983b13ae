"""Bulletins and the forward schedule of change, with controlled time, on both databases."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from desk.actor import Actor
from desk.bootstrap import App
from desk.bulletins import NewBulletin
from desk.changes import NewChange
from desk.errors import InvalidInput
from store.db import unit_of_work
from store.models import OutboxRow

OPERATOR = Actor("claire.moss@switchdesk.example", "cli")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday, before any test runs
CONTACTS = 10  # in the demo directory


def _rows(app: App, channel: str = "email") -> list[dict]:
    with unit_of_work(app.factory) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.channel == channel)
                               .order_by(OutboxRow.id))  # fmt: skip
        return [r.payload for r in rows]


def _bulletin(app: App, **kwargs) -> str:
    fields = {"title": "CSS Registration Service degraded", "body": "Switch requests are slow.",
              "severity": "degraded", "services": ("registration_service",)}  # fmt: skip
    return app.bulletins.create(NewBulletin(**{**fields, **kwargs}), OPERATOR, now=NOW)


def test_a_bulletin_reaches_every_participant_once_on_one_thread(demo_app: App) -> None:
    demo_app.settings.announcement_channels = ["C0ANNOUNCE"]
    ref = _bulletin(demo_app)
    publisher = demo_app.publisher()
    assert publisher.run_due(NOW) == 1 and publisher.run_due(NOW) == 0
    first = _rows(demo_app)
    assert len(first) == CONTACTS and len({p["to"][0] for p in first}) == CONTACTS
    assert all(p["auto_submitted"] == "auto-generated" for p in first)
    assert f"<{ref.lower()}.broadcasts." in first[0]["headers"]["List-Id"]
    assert [p["channel"] for p in _rows(demo_app, "slack")] == ["C0ANNOUNCE"]
    demo_app.bulletins.update(ref, "Now recovering.", OPERATOR, now=NOW + timedelta(minutes=30))
    demo_app.bulletins.update(ref, "Resolved at 10:05.", OPERATOR, resolve=True,
                              now=NOW + timedelta(hours=1))  # fmt: skip
    assert publisher.run_due(NOW + timedelta(hours=1)) == 2
    by_recipient: dict[str, list[dict]] = {}
    for payload in _rows(demo_app):
        by_recipient.setdefault(payload["to"][0], []).append(payload)
    for original, update, resolved in by_recipient.values():
        assert update["in_reply_to"] == original["message_id"]
        assert resolved["references"][0] == original["message_id"]
        assert resolved["subject"].startswith(f"[{ref}] Resolved:")
    demo_app.outbox_worker().drain()
    ledger = demo_app.bulletins.status(ref)
    assert len(ledger) == 3 * (CONTACTS + 1) and {r["status"] for r in ledger} == {"sent",
                                                                                    "skipped"}
    assert demo_app.bulletins.show(ref)["state"] == "resolved"


def test_scheduled_bulletins_wait_for_their_time_and_survive_a_restart(demo_app: App) -> None:
    at = NOW + timedelta(hours=2)
    _bulletin(demo_app, publish_at=at)
    assert demo_app.publisher().run_due(NOW + timedelta(hours=1)) == 0
    assert _rows(demo_app) == []
    assert demo_app.publisher().run_due(at + timedelta(seconds=5)) == 1  # a new publisher
    assert len(_rows(demo_app)) == CONTACTS


def test_updating_a_scheduled_bulletin_keeps_the_thread_in_order(demo_app: App) -> None:
    at = NOW + timedelta(hours=2)
    ref = _bulletin(demo_app, publish_at=at)
    demo_app.bulletins.update(ref, "Extended to 13:00.", OPERATOR, now=NOW)
    demo_app.bulletins.update(ref, "Cancelled: done early.", OPERATOR, resolve=True, now=NOW)
    assert demo_app.publisher().run_due(NOW + timedelta(minutes=5)) == 0  # nothing overtakes
    assert demo_app.publisher().run_due(at) == 3
    first, update, resolved = [p for p in _rows(demo_app)
                               if p["to"][0] == "fiona.laing@meridian-gt.example"]  # fmt: skip
    assert "Update:" not in first["subject"] and first["in_reply_to"] is None
    assert update["in_reply_to"] == first["message_id"]
    assert resolved["references"][0] == first["message_id"]


def test_a_broadcast_missed_beyond_the_grace_is_not_sent_late(demo_app: App) -> None:
    ref = _bulletin(demo_app, publish_at=NOW + timedelta(hours=1))
    assert demo_app.publisher().run_due(NOW + timedelta(days=2)) == 1
    assert _rows(demo_app) == []
    assert "beyond the grace" in demo_app.bulletins.show(ref)["publications"][0]["detail"]


@pytest.mark.parametrize(("audience", "expected"), [
    (("role:GT",), {"fiona.laing@meridian-gt.example"}),
    (("org:Cobalt Shipping", "role:R"), {"marek.nowak@cobalt-shipping.example",
                                          "aisha.bello@northfield-dn.example",
                                          "owen.clarke@heronsgate-networks.example"}),
])
def test_audiences(demo_app: App, audience: tuple[str, ...], expected: set[str]) -> None:
    _bulletin(demo_app, audience=audience)
    demo_app.publisher().run_due(NOW)
    assert {p["to"][0] for p in _rows(demo_app)} == expected


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"publish_at": NOW - timedelta(hours=1)}, "in the past"),
    ({"services": ("teleportation",)}, "teleportation"),
    ({"audience": ("org:Nobody Ltd",)}, "Nobody Ltd"),
    ({"expires_at": NOW - timedelta(minutes=5)}, "expiry"),
    ({"title": "  "}, "title"),
])
def test_bad_bulletins_are_refused(demo_app: App, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _bulletin(demo_app, **kwargs)


def _change(app: App, **kwargs) -> str:
    fields = {"title": "UK Link release", "provider": "xoserve_uk_link", "services": ("uk_link",),
              "start": NOW + timedelta(days=3), "end": NOW + timedelta(days=3, hours=4),
              "impact": "DES read-only during the window."}  # fmt: skip
    return app.changes.create(NewChange(**{**fields, **kwargs}), OPERATOR, now=NOW)


def _ics(payload: dict) -> icalendar.Calendar:
    [attachment] = payload["attachments"]
    return icalendar.Calendar.from_ical(attachment["text"])


def test_changes_carry_a_calendar_entry_that_updates_in_place(demo_app: App) -> None:
    demo_app.settings.announcement_channels = ["C0ANNOUNCE"]
    ref = _change(demo_app)
    demo_app.changes.amend(ref, OPERATOR, end=NOW + timedelta(days=3, hours=6),
                           note="Window extended by two hours.", now=NOW)  # fmt: skip
    demo_app.changes.cancel(ref, "Release postponed", OPERATOR, now=NOW)
    demo_app.publisher().run_due(NOW)
    mine = [p for p in _rows(demo_app) if p["to"] == ["priya.raman@brightwater-energy.example"]]
    created, amended, cancelled = (_ics(p) for p in mine)
    events = [next(iter(c.walk("VEVENT"))) for c in (created, amended, cancelled)]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert str(cancelled["METHOD"]) == "CANCEL" and str(events[2]["STATUS"]) == "CANCELLED"
    assert amended["METHOD"] == "REQUEST"
    assert mine[1]["in_reply_to"] == mine[0]["message_id"]
    organizer = events[0]["ORGANIZER"]
    assert str(organizer) == f"mailto:{demo_app.settings.desk_email}" and organizer.params["CN"]
    assert mine[0]["context"]["window"] == "2026-12-03 09:00 GMT to 2026-12-03 13:00 GMT"
    posts = [p["text"] for p in _rows(demo_app, "slack")]
    assert len(posts) == 3 and all(f"[{ref}]" in text for text in posts)
    assert "2026-12-03 09:00 GMT to 2026-12-03 13:00 GMT · planned" in posts[0]
    assert "to 2026-12-03 15:00 GMT · cancelled" in posts[2]
    feed = icalendar.Calendar.from_ical(demo_app.changes.ics(now=NOW))
    [event] = list(feed.walk("VEVENT"))
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    assert (demo_app.settings.home / "calendar" / "fsc.ics").exists()


def test_a_change_moves_through_its_statuses_in_order(demo_app: App) -> None:
    ref = _change(demo_app)
    later = NOW + timedelta(days=3, hours=1)
    demo_app.changes.amend(ref, OPERATOR, status="approved", now=NOW)
    demo_app.changes.amend(ref, OPERATOR, status="in_progress", now=later)
    with pytest.raises(InvalidInput, match="cannot go from in_progress to planned"):
        demo_app.changes.amend(ref, OPERATOR, status="planned", now=later)
    with pytest.raises(InvalidInput, match="cannot start in the past"):
        demo_app.changes.amend(ref, OPERATOR, start=NOW, now=later)
    # an overrun is announced while the change is under way
    assert demo_app.changes.amend(ref, OPERATOR, end=later + timedelta(hours=4), now=later) == 3
    demo_app.changes.amend(ref, OPERATOR, status="completed", now=later)
    with pytest.raises(InvalidInput, match="cannot go from completed to in_progress"):
        demo_app.changes.amend(ref, OPERATOR, status="in_progress", now=later)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start": NOW - timedelta(days=2), "end": NOW - timedelta(days=1)}, "in the past"),
    ({"start": NOW - timedelta(hours=1), "end": NOW + timedelta(hours=1)}, "in the past"),
    ({"end": NOW + timedelta(days=2)}, "ends before it starts"),
    ({"provider": "plumbers"}, "plumbers"),
    ({"services": ()}, "service"),
])
def test_bad_changes_are_refused(demo_app: App, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _change(demo_app, **kwargs)


def test_two_publishers_send_each_recipient_one_email(demo_app: App, tmp_path) -> None:
    """Two processes publish the same due bulletin; a real SMTP sink counts what arrives."""
    import os
    import subprocess
    import sys
    from collections import Counter

    from tests.conftest import cli_env
    from tests.support.smtp import smtp_server

    demo_app.bulletins.create(NewBulletin(title="Maintenance tonight", body="22:00-23:00",
                                          severity="planned_maintenance"), OPERATOR)
    env = {**os.environ, **cli_env(demo_app)}
    command = [sys.executable, "-m", "desk.cli.main"]
    publishers = [subprocess.Popen([*command, "bulletins", "publish-due"], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                  for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=120) for p in publishers]
    assert [p.returncode for p in publishers] == [0, 0], outputs
    assert sorted(out.split()[1] for out, _ in outputs) == ["0", "1"]
    with smtp_server() as (inbox, port):
        subprocess.run([*command, "outbox", "work"], check=True, capture_output=True,
                       env={**env, "SWITCHDESK_MAIL_RELAY": f"smtp://127.0.0.1:{port}"},
                       timeout=120)  # fmt: skip
    received = Counter(m["To"] for m in inbox.messages)
    assert len(received) == CONTACTS and set(received.values()) == {1}


def test_a_published_bulletin_past_its_expiry_is_shown_as_expired(demo_app: App) -> None:
    lasting = _bulletin(demo_app, title="Lasting")
    brief = _bulletin(demo_app, title="Brief", expires_at=NOW + timedelta(hours=1))
    demo_app.publisher().run_due(NOW)
    # The tests' NOW is in the past, so the hour is over by the real clock.
    states = {b["ref"]: b["state"] for b in demo_app.bulletins.list()}
    assert states == {lasting: "published", brief: "expired"}
