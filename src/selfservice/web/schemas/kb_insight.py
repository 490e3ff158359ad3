"""The authors' view of the knowledge base in the engineers' API: content gaps and
per-article performance (``/api/v1/engineer/kb/``)."""

from typing import Annotated

from pydantic import Field

from selfservice.domain.enums import Language
from selfservice.web.schemas.answers import Answer
from selfservice.web.schemas.fields import QUERY_INT
from selfservice.web.schemas.requests import Model

#: A period before now: a number and h (hours), d (days) or w (weeks), at most 366 days.
Since = Annotated[str, Field(max_length=8, pattern=r"^[0-9]{1,4}[hdw]$",
                             description="the period before now, e.g. 30d, 12h, 2w")]


class GapsQuery(Model):
    since: Since = "30d"
    lang: Language | None = None
    limit: Annotated[int, Field(ge=1, le=1000), QUERY_INT] = 100


class StatsQuery(Model):
    since: Since = "30d"
    lang: Language | None = None


class Gap(Answer):
    id: str = Field(description="stable while its most asked phrasing stays the most asked")
    count: int = Field(description="searches without a confident answer in the group")
    lang: str
    langs: dict[str, int]
    examples: list[str] = Field(description="up to 3 phrasings, most asked first")
    conversations: int
    ticket_filed: int = Field(description="of those conversations, how many ended in a ticket")
    last_at: str = Field(json_schema_extra={"format": "date-time"})


class Gaps(Answer):
    """Groups of unanswered searches, biggest first."""

    from_: str = Field(alias="from", json_schema_extra={"format": "date-time"})
    searches: int = Field(description="unanswered searches of the period")
    left_out: int = Field(description="of those, not grouped: their phrasings were asked "
                                      "more rarely than the 1,000 grouped")
    groups: int
    gaps: list[Gap]


class ArticlePerformance(Answer):
    article: str
    lang: str = Field(description="the customer's language")
    shown: int
    opened: int
    steps: list[int] = Field(description="openings that reached step 1, 2, …")
    solved: int
    not_helped: int
    ticket_24h: int = Field(description="openings followed by a ticket within 24 hours")


class ArticlesPerformance(Answer):
    """Per article and language, most opened first."""

    from_: str = Field(alias="from", json_schema_extra={"format": "date-time"})
    articles: list[ArticlePerformance]
