"""Known problems in the API: the engineers' bodies (declare, update, resolve) and the
answers customers, the public status page and managers read."""

from typing import Annotated

from pydantic import BaseModel, Field

from selfservice.web.schemas.answers import Answer, NullableText
from selfservice.web.schemas.fields import NOT_BLANK, SomeId, Subject
from selfservice.web.schemas.requests import LangQuery, Model

PublicText = Annotated[str, Field(max_length=2000), NOT_BLANK]
Place = Annotated[str, Field(max_length=64), NOT_BLANK]
Minutes = Annotated[int, Field(ge=5, le=10080, strict=True)]


class Titles(Model):
    en: Subject
    ru: Subject


class Texts(Model):
    en: PublicText
    ru: PublicText


class Declare(Model):
    """An open incident becomes a known problem customers are told about."""

    ticket: Annotated[str, Field(max_length=32), NOT_BLANK] = Field(
        description="the incident's number, e.g. INC-000123")
    service: SomeId | None = Field(None, description="default: the incident's service")
    zones: list[Place] = Field([], max_length=50, description="zones or regions affected")
    clusters: list[Place] = Field([], max_length=50)
    organisations: list[Place] = Field(
        [], max_length=500, description="organisation ids; nothing named anywhere = every "
        "organisation using the service")
    title: Titles
    text: Texts
    estimate_minutes: Minutes | None = Field(None, description="expected fix, from now")
    next_update_minutes: Minutes | None = Field(None, description="next update, from now")


class Update(Model):
    text: Texts
    estimate_minutes: Minutes | None = None
    next_update_minutes: Minutes | None = None


class Resolve(Model):
    resolution: Texts


class Subscribe(Model):
    """No fields: the contact of the token subscribes."""


class ProblemPath(BaseModel):
    id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class StatusQuery(LangQuery):
    pass


class ProblemUpdate(Answer):
    at: str
    text: str


class Problem(Answer):
    """A known problem in the caller's language."""

    id: int
    service: str
    title: str
    text: str
    status: str
    started_at: str
    estimate_at: NullableText = None
    next_update_at: NullableText = None
    resolved_at: NullableText = None
    resolution: NullableText = None
    zones: list[str]
    clusters: list[str]
    subscribed: bool = False
    updates: list[ProblemUpdate]


class Problems(Answer):
    problems: list[Problem]


class Subscribed(Answer):
    id: int
    subscribed: bool


class Status(Answer):
    """The public status page's data: open problems, and those resolved in the last 30
    days (problems that name only organisations are theirs alone, never listed here)."""

    current: list[Problem]
    recent: list[Problem]


class StaffProblem(Problem):
    ticket: str
    organisations: list[str]
    children: list[str]
    title_en: str
    title_ru: str


class Resolved(Answer):
    id: int
    children_completed: list[str]
    children_left: list[str] = Field(description="tickets that could not be completed, why")
    subscribers_mailed: int


class ProblemMetrics(Answer):
    """Known problems that started in the period."""

    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    problems: int
    children_linked: int
    contacts_told: int
    duplicates_avoided: int = Field(description="contacts told who filed no ticket about it")
    first_notice_seconds_median: float | None
    first_notice_seconds_max: float | None
