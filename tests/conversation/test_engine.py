"""The deflection conversation over the real search index of the minimal kb."""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.conversation.engine import (
    Action,
    ConversationError,
    Hit,
    Input,
    Outcome,
    Phase,
    State,
    handle,
    record_ticket,
    start,
    tried_summary,
)
from selfservice.conversation.prefill import prefill
from selfservice.search import SearchIndex

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
World = tuple[Content, SearchIndex]


@pytest.fixture
def world(kb_min: Path, tmp_path: Path) -> Iterator[tuple[Content, SearchIndex]]:
    content = load_content(kb_min)
    index = SearchIndex.open_or_build(tmp_path / "index", content)
    yield content, index
    index.close()


def run(state: State, world: World, **kwargs: object) -> list[dict[str, object]]:
    content, index = world

    def search(text: str, lang: str) -> Sequence[Hit]:
        return index.search(text, lang=lang, audience="public")

    return handle(state, Input(**kwargs), content=content, search=search, now=NOW)  # type: ignore[arg-type]


def test_deflection_walks_the_scripted_solution_and_records_solved(world: World) -> None:
    state, greeting = start(lang="en", signed_in=False, now=NOW)
    assert greeting[0]["type"] == "text"
    replies = run(state, world, text="I forgot my password")
    cards = next(m for m in replies if m["type"] == "articles")
    assert cards["items"][0]["id"] == "reset-en"
    replies = run(state, world, action=Action.OPEN_ARTICLE, article="reset-en")
    step = replies[-1]
    assert (step["type"], step["index"], step["total"]) == ("step", 1, 2)
    assert "next_step" in step["actions"]
    step = run(state, world, action=Action.NEXT_STEP)[-1]
    assert step["check"] == "Did the e-mail arrive?" and step["actions"] == ["solved", "need_help"]
    replies = run(state, world, action=Action.SOLVED)
    assert replies[-1] == {"type": "outcome", "outcome": "deflected"}
    assert state.phase is Phase.CLOSED and state.outcome is Outcome.DEFLECTED
    assert state.tried[0].helped is True and state.tried[0].steps_seen == 2
    with pytest.raises(ConversationError) as closed:
        run(state, world, text="again")
    assert closed.value.code == "conversation_closed"


def test_state_survives_a_json_round_trip_mid_walk(world: World) -> None:
    import json

    state, _ = start(lang="ru", signed_in=True, now=NOW)
    run(state, world, text="забыл пароль")
    run(state, world, action=Action.OPEN_ARTICLE, article="reset-ru")
    restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
    step = run(restored, world, action=Action.NEXT_STEP)[-1]
    assert step["index"] == 2 and step["check"] == "Письмо пришло?"


def test_not_solved_offers_forms_with_values_from_the_text(world: World) -> None:
    state, _ = start(lang="en", signed_in=True, now=NOW)
    run(state, world, text="vm web-01.example.com is not responding, it hangs")
    replies = run(state, world, action=Action.NEED_HELP)
    forms = next(m for m in replies if m["type"] == "forms")
    assert [f["id"] for f in forms["items"]] == ["vm-down"]
    intro, form = run(state, world, action=Action.CHOOSE_FORM, form="vm-down")
    assert form["type"] == "form" and form["values"] == {"vm_name": "web-01.example.com"}
    assert intro["text"] == (
        "Please fill in the form. From your messages I filled in: VM name. Please check them."
    )
    replies = record_ticket(state, number="INC-000042", now=NOW)
    assert replies[0]["ticket"] == "INC-000042"
    assert state.outcome is Outcome.TICKET_FILED
    assert tried_summary(state)["conversation_texts"][0].startswith("vm web-01")


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Please fill in the form."), ("ru", "Заполните, пожалуйста, форму."),
])
def test_nothing_found_in_the_conversation_means_no_word_about_prefill(
    world: World, lang: str, said: str
) -> None:
    state, _ = start(lang=lang, signed_in=True, now=NOW)
    run(state, world, text="the machine hangs" if lang == "en" else "машина зависла")
    run(state, world, action=Action.NEED_HELP)
    intro, form = run(state, world, action=Action.CHOOSE_FORM, form="vm-down")
    assert form["values"] == {} and intro["text"] == said


def test_anonymous_visitor_is_told_to_sign_in(world: World) -> None:
    state, _ = start(lang="ru", signed_in=False, now=NOW)
    run(state, world, text="не работает виртуальная машина")
    replies = run(state, world, action=Action.NEED_HELP)
    assert replies[0]["type"] == "sign_in_required"
    assert "войдите в клиентский портал" in str(replies[0]["text"])
    replies = run(state, world, action=Action.CHOOSE_FORM, form="vm-down")
    assert replies[0]["type"] == "sign_in_required"


def test_tried_article_that_did_not_help_goes_into_the_summary(world: World) -> None:
    state, _ = start(lang="en", signed_in=True, now=NOW)
    run(state, world, text="forgot password")
    run(state, world, action=Action.OPEN_ARTICLE, article="reset-en")
    run(state, world, action=Action.NEED_HELP)
    summary = tried_summary(state)
    assert summary["articles"] == [
        {"article": "reset-en", "title": "Reset a forgotten password", "steps_total": 2,
         "steps_seen": 1, "helped": False}
    ]  # fmt: skip


def test_nothing_relevant_is_said_honestly(world: World) -> None:
    state, _ = start(lang="en", signed_in=True, now=NOW)
    replies = run(state, world, text="recipe for borscht with beetroot")
    assert replies[0]["text"].startswith("I could not find")
    assert not any(m["type"] == "articles" for m in replies)
    assert state.events[-1]["confident"] is False


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"action": Action.OPEN_ARTICLE, "article": "unlock-en"}, "unknown_article", "article"),
        ({"action": Action.CHOOSE_FORM, "form": "nope"}, "unknown_form", "form"),
        ({"action": Action.NEXT_STEP}, "not_walking", "action"),
        ({"text": "   "}, "empty_text", "text"),
        ({}, "missing_input", "text"),
    ],
)
def test_bad_input_names_the_field(
    world: World, kwargs: dict[str, object], code: str, field: str
) -> None:
    state, _ = start(lang="en", signed_in=True, now=NOW)
    with pytest.raises(ConversationError) as error:
        run(state, world, **kwargs)
    assert (error.value.code, error.value.field) == (code, field)


def test_prefill_takes_addresses_in_order_and_skips_file_names(kb_min: Path) -> None:
    form = load_content(kb_min).forms["vm-down"]
    text = "see report.pdf: db1.example.org and app.example.org both down, mail me at a@b.com"
    assert prefill(form, [text]) == {"vm_name": "db1.example.org"}


GENERAL_FORM = """\
id: support-question
type: request
service: identity
title: {en: "Question for support", ru: "Вопрос в поддержку"}
description: {en: "Anything no other form fits", ru: "Всё, для чего нет другой формы"}
default_impact: low
customer_sets_urgency: false
default_urgency: medium
fulfilment_hours: 8
fields:
  - id: question
    type: text
    label: {en: "Your question", ru: "Ваш вопрос"}
    required: true
"""


def offered_forms(state: State, world: World) -> list[object]:
    replies = run(state, world, action=Action.NEED_HELP)
    forms = next(m for m in replies if m["type"] == "forms")
    return [f["id"] for f in forms["items"]]  # type: ignore[attr-defined]


def test_without_a_confident_form_the_general_form_is_offered(
    kb_min: Path, tmp_path: Path
) -> None:
    (kb_min / "catalog" / "support-question.yml").write_text(GENERAL_FORM, encoding="utf-8")
    content = load_content(kb_min)
    index = SearchIndex.open_or_build(tmp_path / "index", content)
    try:
        world = (content, index)
        state, _ = start(lang="en", signed_in=True, now=NOW)
        run(state, world, text="the server answers a little slowly in the evening")
        assert offered_forms(state, world) == ["support-question"]
        state, _ = start(lang="en", signed_in=True, now=NOW)
        run(state, world, text="vm web-01.example.com is not responding, it hangs")
        assert offered_forms(state, world) == ["vm-down"]
    finally:
        index.close()
