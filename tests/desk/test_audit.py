"""Audit events are immutable in the database itself, not only in the ORM, on both databases."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from desk.actor import Actor
from desk.bootstrap import App
from desk.cli.main import cli
from desk.tickets import NewTicket
from store import migrate
from store.db import make_engine
from store.models import AuditEvent
from tests.conftest import pg_schema

AGENT = Actor("dana.whitlock@switchdesk.example", "cli")
PRIYA = "priya.raman@brightwater-energy.example"


def _open(app: App) -> str:
    return app.tickets.open(
        NewTicket(requester_email=PRIYA, subject="Switch rejected", body="RMP not found"), AGENT
    )


def _events(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, ticket_id, action, detail FROM audit_events ORDER BY id"))]  # fmt: skip


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET detail = 'rewritten'",
        "UPDATE audit_events SET actor = 'x' WHERE id = (SELECT min(id) FROM audit_events)",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)",
        "DELETE FROM tickets",  # ON DELETE CASCADE reaches audit_events, and is refused there
    ],
)
def test_raw_sql_cannot_update_or_delete_audit_events(demo_app: App, statement: str) -> None:
    _open(demo_app)
    before = _events(demo_app.engine)
    assert before
    with (
        pytest.raises(IntegrityError, match="audit events are immutable"),
        demo_app.engine.begin() as conn,
    ):
        conn.execute(text(statement))
    assert _events(demo_app.engine) == before


def test_inserts_still_work_and_the_trail_grows(demo_app: App) -> None:
    ref = _open(demo_app)
    demo_app.tickets.note(ref, "ECOES shows the point traded", AGENT)
    with demo_app.engine.begin() as conn:  # outside the ORM, as a script would
        ticket_id = conn.scalar(text("SELECT max(ticket_id) FROM audit_events"))
        conn.execute(insert(AuditEvent.__table__).values(
            ticket_id=ticket_id, at=datetime.now(UTC), actor="ops@switchdesk.example",
            channel="cli", action="note", detail="raw"))  # fmt: skip
    actions = [e["action"] for e in demo_app.queries.history(ref)]
    assert actions[0] == "open" and actions[-2:] == ["note", "note"]
    with demo_app.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEvent)) == len(actions)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'switchdesk.db'}"
        return
    with pg_schema("sd_fresh") as url:
        yield url


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = ("SELECT name FROM sqlite_master "
                   "WHERE type = 'trigger' AND tbl_name = 'audit_events'")  # fmt: skip
        else:
            sql = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                   "AND tgrelid = 'audit_events'::regclass")  # fmt: skip
        return set(conn.scalars(text(sql)))


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_db_upgrade_from_scratch_installs_the_guard_and_downgrade_removes_it(
    fresh_url: str, tmp_path: Path
) -> None:
    env = {"SWITCHDESK_DATABASE_URL": fresh_url, "SWITCHDESK_HOME": str(tmp_path / "var")}
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_url)
    try:
        head = migrate.current(engine)
        assert result.stdout.strip() == f"database at revision {head}"
        assert _triggers(engine)
        insert = text("INSERT INTO audit_events (at, actor, channel, action) "
                      "VALUES (CURRENT_TIMESTAMP, 'ops', 'cli', 'note')")  # fmt: skip
        with engine.begin() as conn:
            conn.execute(insert)
        with pytest.raises(IntegrityError, match="immutable"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET detail = 'x'"))

        _downgrade(engine, "-1")
        assert _triggers(engine) == set()
        with engine.begin() as conn:  # unguarded again: the downgrade is complete
            conn.execute(text("UPDATE audit_events SET detail = 'x'"))
            conn.execute(text("DELETE FROM audit_events"))

        migrate.upgrade(engine)
        assert migrate.current(engine) == head and _triggers(engine)
        with engine.begin() as conn:
            conn.execute(insert)
        with pytest.raises(IntegrityError, match="immutable"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
    finally:
        engine.dispose()
