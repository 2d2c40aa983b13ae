"""audit events immutable in the database itself

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 07:00:00

The ORM guard in store/db.py stops a session from updating or deleting an AuditEvent; these
triggers refuse raw SQL too, on both databases. Inserts are untouched. Consequences:

- deleting a ticket that has audit events fails (the ON DELETE CASCADE to audit_events fires
  the DELETE trigger), which is the point: nothing in the desk deletes tickets;
- PostgreSQL's TRUNCATE fires no row triggers, so the test fixtures' and the benchmarks'
  `TRUNCATE ... CASCADE` still empties the table;
- on SQLite a later batch migration (`render_as_batch`) that recreates `audit_events` drops
  these triggers with the old table: such a migration must create them again.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MESSAGE = "audit events are immutable"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_immutable() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_immutable()"
        )
        return
    for verb in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb} BEFORE {verb.upper()} ON audit_events "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_immutable ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_immutable()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")
