"""Knowledge articles kept whole, and the versions of the last load marked current.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_article_versions") as batch:
        batch.add_column(sa.Column("current", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("kb_article_versions") as batch:
        batch.drop_column("current")
