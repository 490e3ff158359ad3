"""Customers' own words for a problem, proposed as new symptoms of the article that solved it.

``phrasing_proposals``: one row per (article, phrasing): what a customer typed before a
conversation ended "solved" on that article. Authors review them: an accepted phrasing
is written into the article's front matter (``selfservice kb phrasings accept``), a
rejected one is never proposed again. ``seen`` counts how many conversations brought it.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)


class PhrasingProposal(SQLModel, table=True):
    __tablename__ = "phrasing_proposals"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "norm", name="uq_phrasing_proposals_article_norm"),
        sa.Index("ix_phrasing_proposals_status_last", "status", "last_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(max_length=200)
    lang: str = Field(max_length=8)
    #: The phrasing as the customer typed it (trimmed).
    text: str = Field(max_length=200)
    #: Case- and space-folded: the same phrasing twice is one proposal.
    norm: str = Field(max_length=200)
    #: proposed | accepted | rejected
    status: str = Field(default="proposed", max_length=16)
    seen: int = 1
    first_at: datetime
    last_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = Field(default=None, max_length=200)
