"""Shared fixtures: every store and use-case test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (database `test`, user `postgres`); each test run
works in a schema of its own, emptied before every test. Without the server those tests skip,
unless REQUIRE_SERVICES=1 (as in CI), when they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from desk.bootstrap import App, build
from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.settings import Settings
from store import migrate
from store.db import make_engine, unit_of_work
from store.models import Base

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIRECTORY = ROOT / "scripts" / "demo" / "directory.yaml"
SHARED = ROOT.parent / "shared"
PG_SERVER = os.environ.get(
    "SWITCHDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(what: str) -> None:
    """Skip a test whose service is absent, or fail it when CI requires the services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available", pytrace=False)
    pytest.skip(f"{what} not available")


def shared_corpus(relative: str) -> Path:
    """A file of ../shared/corpus: the corpus bars are checked wherever it can be, and CI
    (REQUIRE_SERVICES=1) fails rather than passing them unchecked."""
    path = SHARED / "corpus" / relative
    if not path.exists():
        service_missing(f"the shared corpus ({path})")
    return path


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """The URL of a new, empty schema on the PostgreSQL server, dropped afterwards."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        admin.dispose()
        service_missing(f"PostgreSQL at {PG_SERVER} ({type(exc).__name__})")
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated schema of this run's own on the PostgreSQL server."""
    with pg_schema("sd_test") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "switchdesk.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "var" / "switchdesk.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "var", database_url=database_url, outbox_backoff_base=0.01)


@pytest.fixture
def app(settings: Settings) -> Iterator[App]:
    application = build(settings)
    yield application
    application.close()


@pytest.fixture
def demo_app(app: App) -> App:
    """An app with the demo directory loaded."""
    with unit_of_work(app.factory) as session:
        apply_directory(session, parse_directory(DEMO_DIRECTORY))
    return app


def cli_env(app: App) -> dict[str, str]:
    """The environment that points the `switchdesk` CLI at this test's database and home."""
    return {
        "SWITCHDESK_DATABASE_URL": app.settings.effective_database_url,
        "SWITCHDESK_HOME": str(app.settings.home),
    }


@pytest.fixture
def engine(app: App) -> Engine:
    return app.engine
