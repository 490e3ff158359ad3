"""customer mail: the organisation's portal URL; HTML, coalescing and threading in the outbox.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("portal_url", sqlmodel.sql.sqltypes.AutoString(length=500),
                                   nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("html_body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("coalesce_key",
                                   sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=254),
                                   nullable=True))
        batch.create_index(batch.f("ix_outbox_coalesce_key"), ["coalesce_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_coalesce_key"))
        batch.drop_column("thread_id")
        batch.drop_column("payload")
        batch.drop_column("coalesce_key")
        batch.drop_column("html_body")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("portal_url")
