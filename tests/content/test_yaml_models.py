"""The readers' one error style: pydantic's refusals as FILE:LINE: key.path: reason."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from selfservice.content.yaml_lines import load_yaml
from selfservice.content.yaml_models import YamlModel, issues_of, problems_at, validated
from selfservice.domain.enums import Urgency


class Step(YamlModel):
    id: str
    urgency: Urgency = Urgency.MEDIUM


class Doc(YamlModel):
    title: str
    enabled: bool = False
    steps: list[Step] = []
    size: int | list[int] = 0


DOC = """\
title: A document
enabled: 3
steps:
  - id: first
  - id: second
    urgncy: high
  - urgency: urgent
"""


def _problems(text: str) -> list[str]:
    data = load_yaml(text)
    model, issues = validated(Doc, data)
    assert model is None
    return [str(p) for p in problems_at(Path("doc.yml"), data, issues)]


def test_every_refusal_is_a_line_with_its_key_path() -> None:
    assert _problems(DOC) == [
        "doc.yml:2: enabled: must be true or false",
        "doc.yml:6: steps[1].urgncy: unknown key (did you mean 'urgency'?); "
        "expected one of id, urgency",
        "doc.yml:7: steps[2].id: missing",
        "doc.yml:7: steps[2].urgency: 'urgent' is not one of very_high, high, medium, low, none",
    ]


def test_union_members_do_not_show_in_the_key_path() -> None:
    data = load_yaml("title: t\nsize: big\n")
    with pytest.raises(ValidationError) as info:
        Doc.model_validate(data)
    issues = issues_of(info.value, data, Doc)
    assert {issue.path for issue in issues} == {"size"} and len(issues) == 2


def test_an_unknown_key_alone_still_builds_the_model() -> None:
    data = load_yaml("title: t\ntitel: t\n")
    model, issues = validated(Doc, data)
    assert model is not None and model.title == "t"
    assert [i.path for i in issues] == ["titel"]
    assert issues[0].reason.startswith("unknown key (did you mean 'title'?)")
