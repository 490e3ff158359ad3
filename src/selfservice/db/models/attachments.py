"""Files a contact attached to a ticket or a reply (``ticket_attachments``).

An upload is stored first (``ticket_id`` NULL, owned by the contact who sent it) and
answered with its ``token``; filing a ticket or a reply that names the token claims it
(``ticket_id``, and ``comment_id`` for a reply) in the use case's transaction. The bytes
are in ``data`` or, when an attachment folder is configured, in the file ``stored_as``
under it (written and flushed to disk before the row commits).

E-mail attachments keep their own table (``mail_attachments``: tied to the inbound
message, rejected ones kept as metadata); a ticket's attachment list reads both.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)


class TicketAttachment(SQLModel, table=True):
    __tablename__ = "ticket_attachments"
    __table_args__ = (sa.Index("ix_ticket_attachments_contact_unclaimed",
                               "contact_id", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    #: The public id (in URLs and in the create/reply requests); random, unguessable.
    token: str = Field(max_length=32, unique=True)
    org_id: str = Field(foreign_key="organisations.id", max_length=64)
    contact_id: int = Field(foreign_key="contacts.id")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    comment_id: int | None = Field(default=None, foreign_key="comments.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)
    #: The content when kept in the database; NULL when it is a file (``stored_as``).
    data: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    #: The file's path under the attachment folder, when kept there.
    stored_as: str | None = Field(default=None, max_length=255)
    created_at: datetime
    claimed_at: datetime | None = None
