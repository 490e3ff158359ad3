"""telegram channel: linked accounts, link codes, updates, chats, groups, outbox; the
conversations' channel.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


_STATUS = sa.Enum("pending", "sending", "sent", "failed", name="outboxstatus",
                  native_enum=False, create_constraint=False, length=32)
_LANGUAGE = sa.Enum("en", "ru", name="language", native_enum=False, create_constraint=False,
                    length=8)


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("channel", _text(16), nullable=False,
                                   server_default="widget"))
    op.create_table(
        "telegram_links",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", _LANGUAGE, nullable=False),
        sa.Column("notify", _text(16), nullable=False),
        _time("linked_at"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_telegram_links_contact_id_contacts")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_telegram_links")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_telegram_links_contact_id")),
    )
    op.create_table(
        "telegram_link_codes",
        sa.Column("code_hash", _text(64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_telegram_link_codes_contact_id_contacts")),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_telegram_link_codes")),
    )
    op.create_index(op.f("ix_telegram_link_codes_contact_id"), "telegram_link_codes",
                    ["contact_id"])
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _time("received_at"),
        _time("processed_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("lease_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_updates")),
    )
    op.create_index(op.f("ix_telegram_updates_processed_at"), "telegram_updates",
                    ["processed_at"])
    op.create_table(
        "telegram_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", _text(32), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        _time("updated_at"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_telegram_chats_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_chats")),
        sa.UniqueConstraint("chat_id", "user_id", name="uq_telegram_chats_chat_user"),
    )
    op.create_table(
        "telegram_groups",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("org_id", _text(64), nullable=False),
        _time("bound_at"),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_telegram_groups_org_id_organisations")),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_telegram_groups")),
    )
    op.create_table(
        "telegram_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", _text(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("kind", _text(32), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        _time("lease_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _time("created_at"),
        _time("sent_at", nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_telegram_outbox_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_outbox")),
    )
    op.create_index("ix_telegram_outbox_due", "telegram_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_telegram_outbox_chat", "telegram_outbox", ["chat_id", "status"])
    op.create_index("ix_telegram_outbox_sent", "telegram_outbox", ["chat_id", "message_id"])
    op.create_index(op.f("ix_telegram_outbox_ticket_id"), "telegram_outbox", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_telegram_outbox_ticket_id"), table_name="telegram_outbox")
    op.drop_index("ix_telegram_outbox_sent", table_name="telegram_outbox")
    op.drop_index("ix_telegram_outbox_chat", table_name="telegram_outbox")
    op.drop_index("ix_telegram_outbox_due", table_name="telegram_outbox")
    op.drop_table("telegram_outbox")
    op.drop_table("telegram_groups")
    op.drop_table("telegram_chats")
    op.drop_index(op.f("ix_telegram_updates_processed_at"), table_name="telegram_updates")
    op.drop_table("telegram_updates")
    op.drop_index(op.f("ix_telegram_link_codes_contact_id"), table_name="telegram_link_codes")
    op.drop_table("telegram_link_codes")
    op.drop_table("telegram_links")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("channel")
