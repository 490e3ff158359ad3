"""Column types shared by the tables.

Enums are stored as their *values* in a VARCHAR (no PostgreSQL ENUM type, no CHECK),
so adding a member to a domain enum never needs a migration; reads give back the enum.
"""

from enum import StrEnum
from typing import Any

import sqlalchemy as sa

#: JSON documents (form values, origins, what self-service tried): plain JSON on both DBs.
JSONType = sa.JSON()


def str_enum(enum_cls: type[StrEnum], *, length: int = 32) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=_values,
        validate_strings=True,
    )


def _values(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]
