"""Known problems (major incidents) customers are told about, their public updates, and
the contacts who saw the notice or asked to be told when it is resolved.

* ``known_problems``: one per incident ticket marked as affecting customers: the service
  and where (zones/regions, clusters, organisations), the public title and text in both
  languages, the start, an optional estimate and next update, and the resolution.
* ``known_problem_updates``: public updates, newest last.
* ``known_problem_contacts``: UNIQUE (problem, contact): when the contact first saw the
  notice, subscribed ("notify me"), and was notified of the resolution.

A ticket that is a child of a known problem has ``tickets.known_problem_id``.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType


class KnownProblem(SQLModel, table=True):
    __tablename__ = "known_problems"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", unique=True)
    service: str = Field(max_length=64)
    zones: list[str] = Field(default_factory=list, sa_type=JSONType)
    clusters: list[str] = Field(default_factory=list, sa_type=JSONType)
    organisations: list[str] = Field(default_factory=list, sa_type=JSONType)
    title_en: str = Field(max_length=300)
    title_ru: str = Field(max_length=300)
    text_en: str = Field(default="", sa_type=sa.Text)
    text_ru: str = Field(default="", sa_type=sa.Text)
    #: ``open`` or ``resolved``.
    status: str = Field(default="open", max_length=16, index=True)
    started_at: datetime
    estimate_at: datetime | None = None
    next_update_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution_en: str | None = Field(default=None, sa_type=sa.Text)
    resolution_ru: str | None = Field(default=None, sa_type=sa.Text)
    #: ``alerts:<source>`` or ``engineer:<id>``.
    declared_by: str = Field(max_length=64)
    created_at: datetime
    updated_at: datetime
    #: When a customer was first shown it (the "alert to first notice" metric).
    first_notice_at: datetime | None = None


class KnownProblemUpdate(SQLModel, table=True):
    __tablename__ = "known_problem_updates"

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="known_problems.id", index=True)
    at: datetime
    text_en: str = Field(sa_type=sa.Text)
    text_ru: str = Field(sa_type=sa.Text)
    author: str = Field(max_length=64)


class KnownProblemContact(SQLModel, table=True):
    __tablename__ = "known_problem_contacts"
    __table_args__ = (
        sa.UniqueConstraint("problem_id", "contact_id", name="uq_known_problem_contacts_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="known_problems.id", index=True)
    contact_id: int = Field(foreign_key="contacts.id")
    noticed_at: datetime | None = None
    subscribed_at: datetime | None = None
    notified_at: datetime | None = None
