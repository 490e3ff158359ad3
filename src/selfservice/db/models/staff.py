"""Support groups (one line each) and engineers.

Groups are configured in the support configuration (``groups:``); the table mirrors them
(``services.admin.sync_support_groups``) so engineers and tickets can reference them.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import str_enum
from selfservice.domain.enums import Line


class Role(StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    MANAGER = "manager"


class SupportGroup(SQLModel, table=True):
    __tablename__ = "support_groups"

    id: str = Field(primary_key=True, max_length=64, description="slug, e.g. 'l2-network'")
    name: str = Field(max_length=200)
    name_ru: str = Field(default="", max_length=200)
    line: Line = Field(sa_type=str_enum(Line, length=16), index=True)


class Engineer(SQLModel, table=True):
    __tablename__ = "engineers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True)
    role: Role = Field(sa_type=str_enum(Role, length=16))
    group_id: str | None = Field(default=None, foreign_key="support_groups.id", max_length=64)
    #: sha256 hex of the API token; the token itself is shown once and never stored.
    api_token_hash: str = Field(max_length=64, unique=True)
    active: bool = True
    created_at: datetime
    #: argon2 hash of the console password (``selfservice engineer passwd``); None: no sign-in.
    password_hash: str | None = Field(default=None, max_length=200)
    #: Failed sign-ins since the last success (``domain.lockout``).
    failed_logins: int = 0
    locked_until: datetime | None = None


class StaffSession(SQLModel, table=True):
    """A signed-in console session; only the sha256 of its cookie token is stored."""

    __tablename__ = "staff_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    engineer_id: int = Field(foreign_key="engineers.id", index=True)
    #: The token every form of this session carries (CSRF).
    csrf_token: str = Field(max_length=64)
    #: The language chosen with the console's switch; "" follows Accept-Language.
    lang: str = Field(default="", max_length=8)
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
