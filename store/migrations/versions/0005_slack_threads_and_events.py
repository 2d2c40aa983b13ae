"""slack threads and the inbound event ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "slack_threads",
        sa.Column("id", big_id, nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("thread_key", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", big_id, nullable=True),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "thread_key"),
        sa.UniqueConstraint("channel", "ts"),
    )
    op.create_index("ix_slack_threads_ticket_id", "slack_threads", ["ticket_id"])
    op.create_table(
        "slack_events_seen",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("received_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("slack_events_seen")
    op.drop_index("ix_slack_threads_ticket_id", table_name="slack_threads")
    op.drop_table("slack_threads")
