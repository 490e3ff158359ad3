"""Walk every path of every scripted solution, through the real conversation engine.

For each path of an article's decision graph (:func:`selfservice.content.flow.walks`) a
signed-in customer opens the article and gives the path's answers one by one; the engine
must show each step of the path in turn and end where the graph says: closed as solved,
the request form with its prefilled fields, or "I still need help". ``selfservice kb
simulate`` prints the paths and every disagreement as FILE:LINE.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from selfservice.content import flow
from selfservice.content.fields import Problem
from selfservice.content.model import Article, Content
from selfservice.content.validation import validate_submission
from selfservice.conversation.engine import (
    Action,
    Hit,
    Input,
    Message,
    Outcome,
    Phase,
    State,
    handle,
    start,
)

#: The buttons that give an answer, as the widget offers them: Yes / No on a branching
#: step, else Solved / Next step (I still need help on the last one).
_BUTTONS = {
    flow.YES: ("yes", "solved"),
    flow.NO: ("no", "next_step", "need_help"),
    flow.NEXT: ("next_step",),
}
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Simulation:
    """The walked paths of one article (``article id: path`` lines) and any problems."""

    paths: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _no_search(query: str, lang: str) -> Sequence[Hit]:
    return ()


def simulate(article: Article, content: Content) -> Simulation:
    result = Simulation()
    try:
        walks = list(flow.walks(article))
    except ValueError as error:
        result.problems.append(Problem(article.path, article.steps[0].line, str(error)))
        return result
    for walk in walks:
        result.paths.append(f"{article.id}: {walk.describe()}")
        if article.is_public:  # the widget walks only public articles
            problem = _replay(article, content, walk)
            if problem is not None:
                result.problems.append(problem)
    return result


def _replay(article: Article, content: Content, walk: flow.Walk) -> Problem | None:
    state, _ = start(lang=article.lang.value, signed_in=True, now=_NOW)
    messages = _send(state, Input(action=Action.OPEN_ARTICLE, article=article.id), content)
    for step_id, answer in walk.answers:
        shown = next((m for m in messages if m.get("type") == "step"), None)
        line = next((s.line for s in article.steps if s.id == step_id), 1)
        if shown is None or shown.get("step") != step_id:
            seen = shown.get("step") if shown else "no step"
            return Problem(article.path, line, f"the widget showed {seen!r}, the path expects"
                           f" step '{step_id}' ({walk.describe()})")
        offered = shown.get("actions") or []
        action = next((Action(a) for a in _BUTTONS[answer] if a in offered), None)
        if action is None and answer == flow.NEXT and walk.end is None:
            return None  # the last step: the customer says Solved or I still need help
        if action is None:
            return Problem(article.path, line, f"step '{step_id}' offers {offered}, no button "
                           f"for the answer '{answer}' ({walk.describe()})")
        messages = _send(state, Input(action=action), content)
    return _check_end(article, content, walk, state, messages)


def _check_end(
    article: Article, content: Content, walk: flow.Walk, state: State, messages: list[Message]
) -> Problem | None:
    end = walk.end
    line = next((s.line for s in article.steps if s.id == walk.answers[-1][0]), 1)
    if end is None:
        ok = state.phase is Phase.CHOOSING_FORM
    elif end.form is not None:
        form = content.forms[end.form]
        expected = validate_submission(form, dict(end.prefill)).values
        values = next((m.get("values") for m in messages if m.get("type") == "form"), None)
        ok = (state.phase is Phase.FILLING_FORM and state.form == end.form
              and values is not None and all(values.get(k) == v for k, v in expected.items()))
    else:
        ok = state.phase is Phase.CLOSED and state.outcome is Outcome.DEFLECTED
    if ok:
        return None
    return Problem(article.path, line, f"the conversation ended in phase '{state.phase}', "
                   f"the path expects '{flow.ending(end)}' ({walk.describe()})")


def _send(state: State, event: Input, content: Content) -> list[Message]:
    return handle(state, event, content=content, search=_no_search, now=_NOW)
