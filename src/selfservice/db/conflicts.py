"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL: "record this once".

A UNIQUE constraint decides, inside the caller's transaction, without a failed statement
(which would abort a PostgreSQL transaction) and without a check-then-insert race.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_once(session: Session, table: Table, values: Mapping[str, Any]) -> int | None:
    """Insert the row unless it would break a UNIQUE constraint; the new row's ``id``, or
    None when such a row exists already."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"insert_once does not support {dialect}")
    statement = statement.values(**values).on_conflict_do_nothing().returning(table.c.id)
    return session.execute(statement).scalar_one_or_none()
