"""The conversation walks a branching scripted solution: Yes / No go where the script says."""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.branching import write

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.conversation.engine import (
    Action,
    Hit,
    Input,
    Outcome,
    Phase,
    State,
    handle,
    start,
    tried_summary,
)
from selfservice.conversation.simulate import simulate

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def no_search(query: str, lang: str) -> Sequence[Hit]:
    return ()


@pytest.fixture
def content(kb_min: Path) -> Content:
    write(kb_min)
    return load_content(kb_min)


def press(state: State, content: Content, action: Action, **kwargs: str) -> list[dict[str, object]]:
    event = Input(action=action, **kwargs)
    return handle(state, event, content=content, search=no_search, now=NOW)


def opened(content: Content, *, signed_in: bool = True) -> tuple[State, dict[str, object]]:
    state, _ = start(lang="en", signed_in=signed_in, now=NOW)
    messages = press(state, content, Action.OPEN_ARTICLE, article="vm-down-en")
    return state, messages[-1]


def test_a_branching_step_asks_yes_or_no_and_jumps(content: Content) -> None:
    state, step = opened(content)
    assert (step["step"], step["check"], step["branch"]) == ("state", "Is the VM running?", True)
    assert step["actions"] == ["yes", "no", "need_help"]  # the escape is always there
    step = press(state, content, Action.YES)[-1]
    assert (step["step"], step["index"], step["total"]) == ("ping", 3, 4)  # step 2 skipped
    step = press(state, content, Action.YES)[-1]
    assert step["step"] == "firewall" and step["branch"] is False
    assert step["actions"] == ["solved", "need_help"]  # a plain check, the last step
    press(state, content, Action.SOLVED)
    assert state.outcome is Outcome.DEFLECTED
    assert tried_summary(state)["articles"][0]["answers"] == ["state: yes", "ping: yes"]
    answered = [(e["step"], e["answer"]) for e in state.events if e["kind"] == "answer"]
    assert answered == [("state", "yes"), ("ping", "yes")]  # for the metrics tables


def test_no_goes_to_the_step_the_script_names(content: Content) -> None:
    state, _ = opened(content)
    step = press(state, content, Action.NO)[-1]
    assert step["step"] == "start" and step["actions"] == ["solved", "next_step", "need_help"]
    step = press(state, content, Action.NEXT_STEP)[-1]  # "no" of a plain check: next in list
    assert step["step"] == "ping"


def test_a_branch_to_a_form_opens_it_with_the_field_filled(content: Content) -> None:
    state, _ = opened(content)
    press(state, content, Action.YES)
    messages = press(state, content, Action.NO)  # ping does not answer
    form = messages[-1]
    assert form["type"] == "form" and form["form"] == "vm-down"
    assert form["values"] == {"os": "linux"}
    assert state.phase is Phase.FILLING_FORM
    assert "Operating system" in str(messages[0]["text"])  # names the filled field
    assert tried_summary(state)["articles"][0]["helped"] is False


def test_an_anonymous_visitor_signs_in_first_and_keeps_the_prefill(content: Content) -> None:
    state, _ = opened(content, signed_in=False)
    press(state, content, Action.YES)
    messages = press(state, content, Action.NO)
    assert [m["type"] for m in messages] == ["sign_in_required", "forms"]
    state.signed_in = True  # the widget signs in and continues the same conversation
    form = press(state, content, Action.CHOOSE_FORM, form="vm-down")[-1]
    assert form["values"] == {"os": "linux"}


def test_i_still_need_help_is_there_on_every_step(content: Content) -> None:
    state, _ = opened(content)
    press(state, content, Action.NEED_HELP)
    assert state.phase is Phase.CHOOSING_FORM


def test_no_at_the_end_of_the_script_means_i_still_need_help(content: Content) -> None:
    state, _ = opened(content)
    press(state, content, Action.YES)
    press(state, content, Action.YES)
    press(state, content, Action.NO)
    assert state.phase is Phase.CHOOSING_FORM


def test_the_state_survives_json_between_turns(content: Content) -> None:
    state, _ = opened(content)
    press(state, content, Action.YES)
    again = State.from_dict(state.to_dict())
    assert press(again, content, Action.NO)[-1]["values"] == {"os": "linux"}


def test_every_path_replays_through_the_engine(content: Content) -> None:
    result = simulate(content.articles["vm-down-en"], content)
    assert result.problems == [] and len(result.paths) == 7
