"""Ticket read paths at scale: one resolver's 50 newest open tickets, and `tickets show`.

Fills SQLite and/or PostgreSQL with N deterministic, realistic tickets (default 1,000,000;
schema from the real migrations, the demo directory loaded, ~1 MPxN, ~2 messages and ~3 audit
events per ticket), then times in-process `TicketQueries.list(status="open", resolver=R,
limit=50)` with R cycling through the nine resolver groups and `TicketQueries.show(ref)` of a
uniformly random ticket. Target: p95 < 20 ms for both, on both databases.

Prints JSON on stdout (progress goes to stderr): generation times, row counts, p50/p95/p99 per
operation and database, and the EXPLAIN (PostgreSQL) / EXPLAIN QUERY PLAN (SQLite) of the
statements behind the list and the show. Not a timed test.

    .venv/bin/python scripts/bench/tickets.py                       # both, 1M, ~10 minutes
    .venv/bin/python scripts/bench/tickets.py --tickets 100000 --databases sqlite
    .venv/bin/python scripts/bench/tickets.py --reuse               # keep filled databases

Bulk load: the migrated schema's secondary indexes are dropped and re-created from their own
catalog DDL around the load (so they are exactly the migrations'); SQLite loads through the raw
sqlite3 connection with synchronous=OFF and no journal, PostgreSQL through psycopg 3 COPY with
foreign-key triggers off for the loading session (superuser; data is consistent by
construction). PostgreSQL gets VACUUM ANALYZE, SQLite ANALYZE.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine, make_url

from desk.directory import parse_directory
from desk.directory_load import apply_directory
from desk.priority import priority_for
from desk.reference import format_ref
from desk.ticket_views import TicketQueries
from store import migrate
from store.db import make_engine, make_session_factory, unit_of_work
from store.models import Contact, Organisation, ResolverGroup
from store.tickets import TicketFilter

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = ROOT / "scripts" / "demo" / "directory.yaml"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 20.0
CHUNK = 20_000
LIST_INDEX = "ix_tickets_open_by_resolver"
BULK_TABLES = ("tickets", "ticket_mpxns", "messages", "audit_events")
# Data ends at a fixed instant so that a seed always gives the same rows.
END = datetime(2026, 12, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
RECENT_FRACTION = 0.04  # the newest 4% of tickets: mostly still open
P_OPEN_RECENT = 0.8
P_OPEN_OLD = 0.001  # a few stale tickets never closed

COLUMNS: dict[str, tuple[str, ...]] = {
    "tickets": (
        "id", "type", "status", "priority", "impact", "urgency", "priority_reason", "category",
        "resolver_key", "organisation_id", "contact_id", "requester_email", "requester_name",
        "verified", "subject", "channel", "triage", "created_at", "updated_at", "resolved_at",
        "closed_at",
    ),
    "ticket_mpxns": ("id", "ticket_id", "position", "value", "kind"),
    "messages": (
        "id", "ticket_id", "kind", "author", "channel", "visibility", "subject", "body",
        "email_message_id", "created_at",
    ),
    "audit_events": (
        "id", "ticket_id", "at", "actor", "channel", "action", "from_value", "to_value", "detail",
    ),
}

# resolver -> (weight, categories, share of MPRNs rather than MPANs)
RESOLVERS: dict[str, tuple[int, tuple[str, ...], float]] = {
    "registration_service": (16, ("registration", "switch_rejection", "objection"), 0.3),
    "address_service": (10, ("address", "uprn"), 0.3),
    "xoserve_uk_link": (13, ("gas_registration", "gas_data"), 1.0),
    "dno_mpas": (13, ("mpas_data", "registration"), 0.0),
    "gemserv_ecoes": (11, ("ecoes", "mpan_data"), 0.0),
    "dcc_dsp": (9, ("smart_metering", "dsp_message"), 0.2),
    "switching_network": (10, ("certificates", "connectivity", "message_delivery"), 0.3),
    "switching_operator": (8, ("major_incident", "service_change"), 0.3),
    "service_desk": (10, ("query", "access", "other"), 0.3),
}
SUBJECTS = (
    "Switch rejected: RMP not found for {m}",
    "Registration stuck in pending for {m}",
    "Address Service returns the wrong UPRN for {m}",
    "Objection raised in error on {m}",
    "Switch request rejected with no reason code, {m}",
    "Missing secured active switch notification for {m}",
    "Gateway certificate expiring, messages to CSS failing",
    "Duplicate registration for {m}",
    "Smart meter details not updated after switch, {m}",
    "Query: how to withdraw a switch request for {m}",
    "Annulment request for {m}",
    "ECOES shows the point as traded but CSS does not, {m}",
)
BODIES = (
    "Hello,\n\nWe submitted a switch request for {m} this morning and it was rejected. The "
    "registration data looks correct on our side. Could you please check and advise?\n\n"
    "Thanks,\n{n}",
    "Hi desk,\n\n{m} has been pending for two days now; the customer is chasing. Our switch "
    "request reference is attached below. Please investigate.\n\nRegards,\n{n}",
    "Good afternoon,\n\nThe Address Service returns a UPRN for {m} that belongs to the "
    "neighbouring property. This blocks our switch. Can the record be corrected?\n\n{n}",
    "Hello,\n\nWe are seeing intermittent delivery failures for messages about {m} since "
    "09:40. Retries eventually succeed. Is there a known problem?\n\nMany thanks,\n{n}",
)
NOTES = (
    "Checked with the provider: data fix scheduled for tonight's run.",
    "Participant confirmed the resubmission went through.",
    "Known problem, linked to the open major incident.",
    "Waiting for the provider's root cause.",
)
TYPES = (("incident", 60), ("service_request", 25), ("query", 15))
CHANNELS = (("email", 70), ("cli", 20), ("slack", 10))
FIRST_KIND = {"email": "inbound_email", "cli": "phone", "slack": "chat"}
OPEN_STATES = (
    ("new", 12), ("assigned", 30), ("in_progress", 30), ("pending_participant", 13),
    ("pending_provider", 15),
)
LEVELS = ((1, 2), (2, 10), (3, 70), (4, 18))
AGENTS = (
    "dana.whitlock@switchdesk.example", "femi.adeyemi@switchdesk.example",
    "claire.moss@switchdesk.example",
)
DESK_EMAIL = "servicedesk@switchdesk.example"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Callable[[], Any]:
    values = [v for v, _ in pairs]
    cumulative: list[int] = []
    total = 0
    for _, w in pairs:
        total += w
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


# --- data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    organisation_id: int | None
    contact_id: int | None
    email: str
    name: str | None


@dataclass
class Generator:
    """Deterministic rows, chunk by chunk; timestamps rendered for one database."""

    count: int
    seed: int
    senders: list[Sender]
    tz_suffix: str  # "" for SQLite's naive UTC text, "+00" for PostgreSQL
    truthy: Any  # 1 on SQLite, "t" on PostgreSQL
    falsy: Any
    _message_id: int = field(default=0, init=False)
    _event_id: int = field(default=0, init=False)

    def fmt(self, at: datetime) -> str:
        return at.isoformat(" ", "microseconds")[:26] + self.tz_suffix

    def chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        rng = random.Random(self.seed)
        pick_type = weighted(rng, TYPES)
        pick_channel = weighted(rng, CHANNELS)
        pick_open = weighted(rng, OPEN_STATES)
        pick_level = weighted(rng, LEVELS)
        pick_resolver = weighted(rng, tuple((k, v[0]) for k, v in RESOLVERS.items()))
        known = [s for s in self.senders if s.organisation_id is not None]
        start = (END - SPAN).replace(tzinfo=None)
        step = SPAN.total_seconds() / self.count
        recent_from = int(self.count * (1 - RECENT_FRACTION))
        for first in range(1, self.count + 1, CHUNK):
            rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in BULK_TABLES}
            for tid in range(first, min(first + CHUNK, self.count + 1)):
                created = start + timedelta(seconds=(tid - 1) * step + rng.random() * step * 0.9)
                self._ticket(rows, rng, tid, created, tid >= recent_from, known,
                             pick_type, pick_channel, pick_open, pick_level, pick_resolver)
            yield rows

    def _ticket(
        self,
        rows: dict[str, list[tuple[Any, ...]]],
        rng: random.Random,
        tid: int,
        created: datetime,
        recent: bool,
        known: list[Sender],
        pick_type: Callable[[], str],
        pick_channel: Callable[[], str],
        pick_open: Callable[[], str],
        pick_level: Callable[[], int],
        pick_resolver: Callable[[], str],
    ) -> None:
        ref = format_ref(tid)
        is_open = rng.random() < (P_OPEN_RECENT if recent else P_OPEN_OLD)
        if is_open:
            status = pick_open()
        elif recent:
            status = "resolved" if rng.random() < 0.7 else "closed"
        else:
            status = "closed" if rng.random() < 0.97 else "resolved"
        resolver = None if status == "new" else pick_resolver()
        _, categories, gas_share = RESOLVERS[resolver or "service_desk"]
        ttype = pick_type()
        impact, urgency = (4, 4) if ttype == "query" else (pick_level(), pick_level())
        priority = priority_for(impact, urgency)
        override = rng.random() < 0.01
        reason = "Agent override: customer on priority services register" if override else None
        if override:
            priority = "P2"
        channel = pick_channel()
        sender = (
            rng.choice(known) if rng.random() < 0.95 else
            Sender(None, None, f"someone{rng.randrange(10_000)}@unknown-sender.example", None)
        )
        gas = rng.random() < gas_share
        mpxn = str(rng.randrange(10**9, 10**10)) if gas else str(rng.randrange(10**12, 10**13))
        subject = rng.choice(SUBJECTS).format(m=mpxn)
        triage = (
            json.dumps({"resolver": resolver, "confidence": round(rng.random(), 2)})
            if channel == "email" and rng.random() < 0.5 else None
        )
        resolved = closed = None
        if status in ("resolved", "closed"):
            resolved = created + timedelta(hours=rng.uniform(0.5, 120))
            if status == "closed":
                closed = resolved + timedelta(days=5)
        updated = closed or resolved or created + timedelta(minutes=rng.uniform(1, 600))
        fmt = self.fmt
        created_s = fmt(created)
        rows["tickets"].append((
            tid, ttype, status, priority, impact, urgency, reason, rng.choice(categories),
            resolver, sender.organisation_id, sender.contact_id, sender.email, sender.name,
            self.truthy if sender.organisation_id else self.falsy, subject, channel, triage,
            created_s, fmt(updated), resolved and fmt(resolved), closed and fmt(closed),
        ))
        rows["ticket_mpxns"].append((tid, tid, 0, mpxn, "mprn" if gas else "mpan"))

        agent = rng.choice(AGENTS)
        first_kind = FIRST_KIND[channel]
        author = sender.email if channel != "cli" else agent
        inbound_id = (
            f"<{rng.getrandbits(64):016x}@{sender.email.split('@')[1]}>"
            if first_kind == "inbound_email" else None
        )
        body = rng.choice(BODIES).format(m=mpxn, n=sender.name or "Switching team")
        messages = rows["messages"]
        self._message_id += 1
        messages.append((
            self._message_id, tid, first_kind, author, channel,
            "participant" if first_kind != "chat" else "internal", subject, body, inbound_id,
            created_s,
        ))
        self._message_id += 1
        messages.append((
            self._message_id, tid, "outbound_email", DESK_EMAIL, "email", "participant",
            f"[{ref}] {subject}", f"Acknowledgement sent: logged as {ref}.",
            f"sd-{tid:06d}.{rng.getrandbits(128):032x}@switchdesk.example",
            fmt(created + timedelta(seconds=2)),
        ))
        if rng.random() < 0.1:
            self._message_id += 1
            messages.append((
                self._message_id, tid, "note", agent, "cli", "internal", None,
                rng.choice(NOTES), None, fmt(created + timedelta(minutes=rng.uniform(5, 300))),
            ))

        events = rows["audit_events"]
        self._event_id += 1
        events.append((
            self._event_id, tid, created_s, author, channel, "open", None, "new",
            f"{ttype} {priority} from {sender.email}",
        ))
        if resolver:
            assigned = fmt(created + timedelta(minutes=rng.uniform(1, 30)))
            self._event_id += 1
            events.append((
                self._event_id, tid, assigned, agent, "cli", "assign", None, resolver, None,
            ))
            self._event_id += 1
            events.append((
                self._event_id, tid, fmt(updated), agent, "cli", "status", "new", status,
                f"assigned to {resolver}" if status == "assigned" else None,
            ))


# --- databases ---------------------------------------------------------------------------


def load_directory(engine: Engine) -> list[Sender]:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        apply_directory(session, parse_directory(DIRECTORY))
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(Contact.id, Contact.organisation_id, Contact.email, Contact.name)
            .join(Organisation, Organisation.id == Contact.organisation_id)
            .order_by(Contact.id)
        ).all()
    return [Sender(r.organisation_id, r.id, r.email, r.name) for r in rows]


def resolver_keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(ResolverGroup.key).order_by(ResolverGroup.key)))


def sqlite_prepare(path: Path, count: int, reuse: bool) -> tuple[bool, Engine]:
    url = f"sqlite:///{path}"
    if reuse and path.exists():
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                n = conn.scalar(text("SELECT count(*) FROM tickets"))
                has_index = conn.scalar(
                    text("SELECT count(*) FROM sqlite_master WHERE name = :n"), {"n": LIST_INDEX}
                )
            if n == count and has_index:
                return False, engine
        except Exception as exc:  # noqa: BLE001 - anything wrong means "regenerate"
            log(f"sqlite: cannot reuse {path} ({type(exc).__name__}); regenerating")
        engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    return True, engine


def sqlite_fill(path: Path, engine: Engine, count: int, seed: int) -> dict[str, float]:
    senders = load_directory(engine)
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(BULK_TABLES))})",
        BULK_TABLES,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    gen = Generator(count, seed, senders, "", 1, 0)
    inserts = {
        t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})"
        for t, c in COLUMNS.items()
    }
    done = 0
    for rows in gen.chunks():
        conn.execute("BEGIN")
        for table in BULK_TABLES:
            conn.executemany(inserts[table], rows[table])
        conn.execute("COMMIT")
        done += len(rows["tickets"])
        if done % 200_000 == 0:
            log(f"sqlite: {done:,} tickets")
    rows_s = time.perf_counter() - started
    started = time.perf_counter()
    for name, sql in indexes:
        log(f"sqlite: index {name}")
        conn.execute(sql)
    indexes_s = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("ANALYZE")
    analyze_s = time.perf_counter() - started
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return {"rows_s": rows_s, "indexes_s": indexes_s, "analyze_s": analyze_s}


def pg_urls(server: str, schema: str) -> str:
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options=-csearch_path%3D{schema}"


def pg_prepare(server: str, schema: str, count: int, reuse: bool) -> tuple[bool, Engine]:
    url = pg_urls(server, schema)
    admin = create_engine(make_url(server).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        if reuse:
            engine = make_engine(url)
            with engine.connect() as conn:
                exists = conn.scalar(text("SELECT to_regclass('tickets') IS NOT NULL"))
                n = conn.scalar(text("SELECT count(*) FROM tickets")) if exists else None
                has_index = conn.scalar(
                    text("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                         "AND indexname = :n"),
                    {"n": LIST_INDEX},
                )
            if n == count and has_index:
                return False, engine
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    engine = make_engine(url)
    migrate.upgrade(engine)
    return True, engine


def pg_fill(engine: Engine, count: int, seed: int) -> dict[str, float]:
    senders = load_directory(engine)
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '256MB'")
            try:
                cur.execute("SET session_replication_role = replica")  # no FK triggers
            except Exception as exc:  # noqa: BLE001 - not a superuser: load with the checks
                conn.rollback()
                log(f"postgresql: foreign-key checks stay on ({type(exc).__name__})")
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
                (list(BULK_TABLES),),
            )
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            conn.commit()
            started = time.perf_counter()
            gen = Generator(count, seed, senders, "+00", "t", "f")
            done = 0
            for rows in gen.chunks():
                for table in BULK_TABLES:
                    copy_sql = f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN"
                    with cur.copy(copy_sql) as copy:
                        for row in rows[table]:
                            copy.write_row(row)
                conn.commit()
                done += len(rows["tickets"])
                if done % 200_000 == 0:
                    log(f"postgresql: {done:,} tickets")
            rows_s = time.perf_counter() - started
            started = time.perf_counter()
            for name, sql in indexes:
                log(f"postgresql: index {name}")
                cur.execute(sql)
                conn.commit()
            for table in BULK_TABLES:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.commit()
            indexes_s = time.perf_counter() - started
        started = time.perf_counter()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")  # also keeps autovacuum out of the timings
        conn.autocommit = False
        analyze_s = time.perf_counter() - started
    finally:
        raw.close()
    return {"rows_s": rows_s, "indexes_s": indexes_s, "analyze_s": analyze_s}


# --- measuring ---------------------------------------------------------------------------


def counts(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        result: dict[str, Any] = {
            t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in BULK_TABLES
        }
        result["open_tickets"] = conn.scalar(
            text("SELECT count(*) FROM tickets WHERE status NOT IN ('resolved', 'closed')")
        )
        result["open_by_resolver"] = dict(
            conn.execute(
                text(
                    "SELECT coalesce(resolver_key, '(none)'), count(*) FROM tickets "
                    "WHERE status NOT IN ('resolved', 'closed') GROUP BY 1 ORDER BY 1"
                )
            ).all()
        )
    return result


def capture(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]


def explain(engine: Engine, statements: list[tuple[str, Any]], analyze: bool) -> list[Any]:
    raw = engine.raw_connection()
    out: list[Any] = []
    try:
        cur = raw.cursor()
        for statement, params in statements:
            sql = " ".join(statement.split())
            if engine.dialect.name == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + statement, params)
                rows = cur.fetchall()
                parents = {r[0]: r[1] for r in rows}
                plan = [f"{'  ' * _depth(r[1], parents)}{r[3]}" for r in rows]
            else:
                options = "(ANALYZE, BUFFERS)" if analyze else ""
                cur.execute(f"EXPLAIN {options} " + statement, params)
                plan = [r[0] for r in cur.fetchall()]
            out.append({"sql": sql, "params": params if isinstance(params, dict) else
                        list(params or ()), "plan": plan})
        cur.close()
        raw.rollback()
    finally:
        raw.close()
    return out


def _depth(parent: int, parents: dict[int, int]) -> int:
    depth = 0
    while parent in parents:
        parent = parents[parent]
        depth += 1
    return depth


class FullCollections:
    """Counts Python's generation-2 GC passes during a timed loop: they make the far tail."""

    def __init__(self) -> None:
        self.count, self.ms, self._started = 0, 0.0, 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.ms += (time.perf_counter() - self._started) * 1000

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)

    def report(self) -> dict[str, Any]:
        return {"gc_full_collections": self.count, "gc_full_ms": round(self.ms, 1)}


def stats(samples: list[float]) -> dict[str, Any]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "samples": len(samples),
        "p50_ms": round(q[49], 3),
        "p95_ms": round(q[94], 3),
        "p99_ms": round(q[98], 3),
        "max_ms": round(max(samples), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "p95_under_target": q[94] < TARGET_P95_MS,
    }


def measure(engine: Engine, count: int, iterations: int, seed: int) -> dict[str, Any]:
    queries = TicketQueries(make_session_factory(engine))
    keys = resolver_keys(engine)
    with engine.connect() as conn:
        low, high = conn.execute(text("SELECT min(id), max(id) FROM tickets")).one()
    rng = random.Random(seed + 1)

    def lister(i: int) -> Callable[[], Any]:
        f = TicketFilter(status="open", resolver=keys[i % len(keys)], limit=50)
        return lambda: queries.list(f)

    def shower() -> Callable[[], Any]:
        ref = format_ref(rng.randint(low, high))
        return lambda: queries.show(ref)

    load_before = os.getloadavg()
    warmup = max(20, min(100, iterations // 3))
    for i in range(warmup):
        lister(i)()
        shower()()
    list_ms: list[float] = []
    listed: list[int] = []
    with FullCollections() as list_gc:
        for i in range(iterations):
            call = lister(i)
            started = time.perf_counter()
            result = call()
            list_ms.append((time.perf_counter() - started) * 1000)
            listed.append(len(result))
    show_ms: list[float] = []
    shown_messages: list[int] = []
    with FullCollections() as show_gc:
        for _ in range(iterations):
            call = shower()
            started = time.perf_counter()
            view = call()
            show_ms.append((time.perf_counter() - started) * 1000)
            shown_messages.append(len(view["messages"]))

    sample_ref = format_ref(rng.randint(low, high))
    list_sql = capture(engine, lambda: queries.list(
        TicketFilter(status="open", resolver=keys[0], limit=50)))
    show_sql = capture(engine, lambda: queries.show(sample_ref))
    return {
        "resolvers": keys,
        "warmup_calls_each": warmup,
        # The machine's 1/5/15-minute load around the timings: other work skews the tail.
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "list_open_by_resolver": {
            **stats(list_ms),
            "rows_per_call_min": min(listed),
            "rows_per_call_max": max(listed),
            **list_gc.report(),
        },
        "show": {
            **stats(show_ms),
            "messages_per_ticket_mean": round(statistics.fmean(shown_messages), 2),
            **show_gc.report(),
        },
        "explain": {
            "list": explain(engine, list_sql, analyze=True),
            "show": {"ref": sample_ref, "statements": explain(engine, show_sql, analyze=False)},
        },
    }


# --- main --------------------------------------------------------------------------------


def run(database: str, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    if database == "sqlite":
        path = Path(args.sqlite_path)
        fresh, engine = sqlite_prepare(path, args.tickets, args.reuse)
        url = f"sqlite:///{path}"
        if fresh:
            log(f"sqlite: generating {args.tickets:,} tickets into {path}")
            generation = sqlite_fill(path, engine, args.tickets, args.seed)
            engine = make_engine(url)
    else:
        fresh, engine = pg_prepare(args.pg_url, args.pg_schema, args.tickets, args.reuse)
        url = pg_urls(args.pg_url, args.pg_schema)
        if fresh:
            log(f"postgresql: generating {args.tickets:,} tickets into schema {args.pg_schema}")
            generation = pg_fill(engine, args.tickets, args.seed)
    result: dict[str, Any] = {"url": url, "generated": fresh}
    if fresh:
        generation["total_s"] = time.perf_counter() - started
        result["generation"] = {k: round(v, 1) for k, v in generation.items()}
    else:
        log(f"{database}: reusing {args.tickets:,} tickets")
    try:
        if database == "sqlite":
            result["size_mb"] = round(sum(
                Path(f"{args.sqlite_path}{s}").stat().st_size
                for s in ("", "-wal") if Path(f"{args.sqlite_path}{s}").exists()
            ) / 2**20, 1)
        else:
            with engine.connect() as conn:
                result["size_mb"] = round(float(conn.scalar(text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                ))) / 2**20, 1)
        result["counts"] = counts(engine)
        log(f"{database}: measuring ({args.iterations} iterations)")
        result.update(measure(engine, args.tickets, args.iterations, args.seed))
    finally:
        engine.dispose()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql")
    parser.add_argument("--sqlite-path", default="/tmp/switchdesk-bench/bench.db")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="the server; a schema is added")
    parser.add_argument("--pg-schema", default="switchdesk_bench")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--reuse", action="store_true",
                        help="keep an already-filled database with --tickets tickets")
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown or not databases:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown)) or '(none)'}")
    if args.tickets < 1 or args.iterations < 2:
        parser.error("--tickets must be >= 1 and --iterations >= 2")

    started = time.perf_counter()
    results = {d: run(d, args) for d in databases}
    print(json.dumps({
        "tickets": args.tickets,
        "iterations": args.iterations,
        "seed": args.seed,
        "target_p95_ms": TARGET_P95_MS,
        "wall_s": round(time.perf_counter() - started, 1),
        "databases": results,
    }, indent=2, default=str))


if __name__ == "__main__":
    main()
