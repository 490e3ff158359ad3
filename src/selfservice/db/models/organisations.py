"""Client organisations and their authorised contact persons."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType, str_enum
from selfservice.domain.enums import Language


class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"

    id: str = Field(primary_key=True, max_length=64, description="slug, e.g. 'acme'")
    name: str = Field(max_length=200)
    contract_number: str = Field(max_length=64)
    time_zone: str = Field(default="UTC", max_length=64, description="IANA zone for SLA calendars")
    sla_level: str = Field(default="standard", max_length=64, description="contract SLA level")
    support_phone: str | None = Field(default=None, max_length=64)
    portal_origins: list[str] = Field(default_factory=list, sa_type=JSONType)
    #: Where the organisation's contacts see a ticket; ``{number}`` becomes its number.
    portal_url: str | None = Field(default=None, max_length=500)
    # Widget/portal tokens are signed with ``token_secret``; after a rotation the
    # previous secret still verifies until ``previous_secret_valid_until``.
    token_secret: str = Field(max_length=128)
    previous_token_secret: str | None = Field(default=None, max_length=128)
    previous_secret_valid_until: datetime | None = None
    created_at: datetime
    #: False: disabled (``selfservice org disable``), its portal tokens are refused.
    active: bool = True
    #: Where its resources live: zones, regions, clusters (``org set-locations``); a
    #: known problem of one of them affects the organisation.
    locations: list[str] = Field(default_factory=list, sa_type=JSONType)


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (sa.UniqueConstraint("org_id", "email", name="uq_contacts_org_email"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: str = Field(foreign_key="organisations.id", max_length=64, index=True)
    email: str = Field(max_length=254, description="stored lower-case")
    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=64)
    language: Language = Field(default=Language.EN, sa_type=str_enum(Language, length=8))
    authorised: bool = True
    created_at: datetime
