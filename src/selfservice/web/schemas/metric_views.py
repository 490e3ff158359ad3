"""The managers' dashboard metrics (``/api/v1/engineer/metrics/<view>``): queries and the
one table-shaped answer they share (also served as CSV with ``format=csv``)."""

from typing import Literal

from pydantic import Field

from selfservice.web.schemas.answers import Answer
from selfservice.web.schemas.requests import Day, Model

Format = Literal["json", "csv"]
FORMAT_HELP = "`csv` answers the same table as text/csv (a download)"


class ViewQuery(Model):
    """Tickets or conversations created from ``from`` to ``to``, both days included (UTC)."""

    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    format: Format = Field("json", description=FORMAT_HELP)


class SlaQuery(ViewQuery):
    by: Literal["priority", "line", "org"] = Field(
        "priority", description="one row per priority, line or organisation")


class NowQuery(Model):
    format: Format = Field("json", description=FORMAT_HELP)


class MetricTable(Answer):
    """One metric as a table: column names, then rows of numbers (the first cell names the
    row; rates are 0..1 or null when there is nothing to divide)."""

    view: str
    from_: str | None = Field(None, alias="from", json_schema_extra={"format": "date"})
    to: str | None = Field(None, json_schema_extra={"format": "date"})
    columns: list[str]
    rows: list[list[str | int | float | None]]
