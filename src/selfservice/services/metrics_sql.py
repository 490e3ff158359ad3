"""SQL pieces the managers' metrics share, written once for SQLite and PostgreSQL.

Timestamps are stored in UTC (``UTCDateTime``: ``timestamptz`` on PostgreSQL, text on
SQLite), so a day or an hour of day is read in UTC on both, whatever the server's zone.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Integer, case, cast, func
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC."""

    start: datetime
    end: datetime


def day_of(engine: Engine, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp as ``YYYY-MM-DD`` text."""
    if engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def hour_of(engine: Engine, column: Any) -> ColumnElement[Any]:
    """The UTC hour of day (0..23) of a timestamp, as an integer."""
    if engine.dialect.name == "postgresql":
        return cast(func.extract("hour", func.timezone("UTC", column)), Integer)
    return cast(func.strftime("%H", column), Integer)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``, 0 on no rows."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when there is no whole."""
    return round(part / whole, 4) if whole else None
