"""phrasing proposals: customers' words proposed as symptoms of the article that solved it.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "phrasing_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", _text(200), nullable=False),
        sa.Column("lang", _text(8), nullable=False),
        sa.Column("text", _text(200), nullable=False),
        sa.Column("norm", _text(200), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("first_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by", _text(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phrasing_proposals")),
        sa.UniqueConstraint("article_id", "norm", name="uq_phrasing_proposals_article_norm"),
    )
    op.create_index("ix_phrasing_proposals_status_last", "phrasing_proposals",
                    ["status", "last_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phrasing_proposals_status_last", table_name="phrasing_proposals")
    op.drop_table("phrasing_proposals")
