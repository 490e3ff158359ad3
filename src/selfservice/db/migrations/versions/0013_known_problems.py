"""known problems: incidents customers are told about, updates, notices and subscriptions;
child tickets; organisations' locations.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "known_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("service", _text(64), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("clusters", sa.JSON(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
        sa.Column("title_en", _text(300), nullable=False),
        sa.Column("title_ru", _text(300), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        _at("started_at", nullable=False),
        _at("estimate_at"),
        _at("next_update_at"),
        _at("resolved_at"),
        sa.Column("resolution_en", sa.Text(), nullable=True),
        sa.Column("resolution_ru", sa.Text(), nullable=True),
        sa.Column("declared_by", _text(64), nullable=False),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("first_notice_at"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_known_problems_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_problems")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_known_problems_ticket_id")),
    )
    op.create_index(op.f("ix_known_problems_status"), "known_problems", ["status"])
    op.create_table(
        "known_problem_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        _at("at", nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column("author", _text(64), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["known_problems.id"],
                                name=op.f("fk_known_problem_updates_problem_id_known_problems")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_problem_updates")),
    )
    op.create_index(op.f("ix_known_problem_updates_problem_id"), "known_problem_updates",
                    ["problem_id"])
    op.create_table(
        "known_problem_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        _at("noticed_at"),
        _at("subscribed_at"),
        _at("notified_at"),
        sa.ForeignKeyConstraint(["problem_id"], ["known_problems.id"],
                                name=op.f("fk_known_problem_contacts_problem_id_known_problems")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_known_problem_contacts_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_problem_contacts")),
        sa.UniqueConstraint("problem_id", "contact_id", name="uq_known_problem_contacts_once"),
    )
    op.create_index(op.f("ix_known_problem_contacts_problem_id"), "known_problem_contacts",
                    ["problem_id"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("known_problem_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_tickets_known_problem_id"), ["known_problem_id"])
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("locations", sa.JSON(), nullable=False,
                                   server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("locations")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index(batch.f("ix_tickets_known_problem_id"))
        batch.drop_column("known_problem_id")
    op.drop_index(op.f("ix_known_problem_contacts_problem_id"),
                  table_name="known_problem_contacts")
    op.drop_table("known_problem_contacts")
    op.drop_index(op.f("ix_known_problem_updates_problem_id"), table_name="known_problem_updates")
    op.drop_table("known_problem_updates")
    op.drop_index(op.f("ix_known_problems_status"), table_name="known_problems")
    op.drop_table("known_problems")
