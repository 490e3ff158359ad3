"""The decision graph of a scripted solution: where each answer leads, and its checks.

A step with a ``check`` question is answered "yes" or "no"; a step without one is just
done ("next"). Each answer follows the step's route (``if-yes:``, ``if-no:``, ``next:`` in
the front matter) or, left out, the default: "yes" is solved, "no" and "next" go to the
following step of the list. After the last step the default is the end of the script:
the customer says whether it helped, and "I still need help" leads to a request form.

Every path from the first step must end in *solved*, a *request form* or that end; the
checks here find what would break that (FILE:LINE for each): a route to a step or form
that does not exist, a prefilled field the form does not have or a value it refuses,
branches on a step that asks no question, steps no answer reaches, and cycles.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from selfservice.content.fields import Problem
from selfservice.content.model import Article, RequestForm, Route, Step
from selfservice.content.validation import validate_submission

#: The answers a customer can give on a step.
YES, NO, NEXT = "yes", "no", "next"
#: Reserved target names; no step may be called so.
SOLVED = "solved"
#: A script whose paths outnumber this is too tangled to walk (and to read).
MAX_PATHS = 500


def answers(step: Step) -> tuple[str, ...]:
    """What the customer may answer on ``step``."""
    return (YES, NO) if step.check is not None else (NEXT,)


def route(article: Article, index: int, answer: str) -> Route | None:
    """Where ``answer`` on step ``index`` leads; None is the end of the script."""
    step = article.steps[index]
    explicit = {YES: step.yes, NO: step.no, NEXT: step.next}[answer]
    if explicit is not None:
        return explicit
    if answer == YES:
        return Route(line=step.line)
    if index + 1 < len(article.steps):
        return Route(step=article.steps[index + 1].id, line=step.line)
    return None


def routes_json(article: Article, index: int) -> list[dict[str, object]]:
    """Where each answer on step ``index`` leads, defaults resolved, as plain JSON:
    ``{"answer": "no", "to": "step" | "solved" | "form" | "end", "step"/"form"/"prefill"}``."""
    result: list[dict[str, object]] = []
    for answer in answers(article.steps[index]):
        target = route(article, index, answer)
        if target is None:
            result.append({"answer": answer, "to": "end"})
        elif target.form is not None:
            result.append({"answer": answer, "to": "form", "form": target.form,
                           "prefill": dict(target.prefill)})
        elif target.step is not None:
            result.append({"answer": answer, "to": "step", "step": target.step})
        else:
            result.append({"answer": answer, "to": SOLVED})
    return result


def index_of(article: Article, step_id: str) -> int | None:
    return next((i for i, s in enumerate(article.steps) if s.id == step_id), None)


@dataclass(frozen=True)
class Walk:
    """One path through a script: ``(step id, answer)`` pairs, then where it ends."""

    answers: tuple[tuple[str, str], ...]
    end: Route | None

    def describe(self) -> str:
        hops = [step if answer == NEXT else f"{step}({answer})" for step, answer in self.answers]
        return " → ".join([*hops, ending(self.end, last_checked=self.answers[-1][1] != NEXT)])


def ending(end: Route | None, *, last_checked: bool = True) -> str:
    if end is None:
        return "I still need help" if last_checked else "end (solved or I still need help)"
    if end.form is not None:
        filled = ", ".join(f"{k}={_shown(v)}" for k, v in end.prefill)
        return f"form {end.form}" + (f" ({filled})" if filled else "")
    return SOLVED


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def walks(article: Article) -> Iterator[Walk]:
    """Every path from the first step (the script must have passed :func:`check_flow`)."""
    if not article.steps:
        return
    count = 0

    def go(index: int, trail: tuple[tuple[str, str], ...]) -> Iterator[Walk]:
        nonlocal count
        step = article.steps[index]
        for answer in answers(step):
            here = (*trail, (step.id, answer))
            target = route(article, index, answer)
            following = index_of(article, target.step) if target and target.step else None
            if following is not None and any(s == article.steps[following].id for s, _ in here):
                # check_flow reports the cycle with its line; a walk cannot go round it
                raise ValueError(f"cycle at step '{article.steps[following].id}'")
            if following is None:
                count += 1
                if count > MAX_PATHS:
                    raise ValueError(f"more than {MAX_PATHS} paths")
                yield Walk(here, target)
            else:
                yield from go(following, here)

    yield from go(0, ())


def check_flow(article: Article, forms: Mapping[str, RequestForm]) -> list[Problem]:
    """Every problem of ``article``'s steps as a decision graph (see the module doc)."""
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(article.path, line, message))

    ids = {s.id for s in article.steps}
    for step in article.steps:
        if step.id == SOLVED:
            problem(step.line, f"'{SOLVED}' is reserved: give the step another id")
        if step.check is None:
            for key, given in (("if-yes", step.yes), ("if-no", step.no)):
                if given is not None:
                    problem(given.line, f"step '{step.id}': '{key}' needs a 'check' question to"
                            " answer (dead end: nobody is asked, so the branch is never taken)")
        elif step.next is not None:
            problem(step.next.line, f"step '{step.id}' has a check: route its answers with "
                    "'if-yes' and 'if-no' instead of 'next'")
        if step.next is not None and step.next.solved and step.check is None:
            problem(step.next.line, f"step '{step.id}': only a check question may end in "
                    f"'{SOLVED}'; ask one (dead end: nobody confirms the problem is gone)")
        for given in (step.yes, step.no, step.next):
            if given is None:
                continue
            if given.step is not None and given.step not in ids:
                problem(given.line, f"step '{step.id}' leads to step '{given.step}', which "
                        f"does not exist (steps: {', '.join(s.id for s in article.steps)})")
            if given.form is not None:
                problems.extend(_check_form_route(article, step, given, forms))
    if not problems:
        problems.extend(_check_graph(article))
    return problems


def _check_form_route(
    article: Article, step: Step, given: Route, forms: Mapping[str, RequestForm]
) -> list[Problem]:
    form = forms.get(given.form or "")
    if form is None:
        return [Problem(article.path, given.line,
                        f"step '{step.id}' leads to form '{given.form}', which does not exist")]
    problems = []
    for field_id, value in given.prefill:
        field = form.field(field_id)
        if field is None:
            known = ", ".join(f.id for f in form.fields)
            problems.append(Problem(article.path, given.line,
                                    f"form '{form.id}' has no field '{field_id}' to prefill "
                                    f"(fields: {known})"))
            continue
        result = validate_submission(form, {field_id: value})
        refused = [e for e in result.errors if e.field == field_id]
        if refused:
            problems.append(Problem(article.path, given.line,
                                    f"prefill {field_id}={value!r}: {refused[0].message.en}"))
    return problems


def _check_graph(article: Article) -> list[Problem]:
    """Cycles (depth-first from the first step) and steps no path reaches."""
    problems: list[Problem] = []
    state: dict[int, str] = {}  # "open" while on the current path, then "done"
    trail: list[str] = []

    def visit(index: int) -> None:
        state[index] = "open"
        step = article.steps[index]
        trail.append(step.id)
        for answer in answers(step):
            target = route(article, index, answer)
            following = index_of(article, target.step) if target and target.step else None
            if following is None:
                continue
            if state.get(following) == "open":
                loop = trail[trail.index(article.steps[following].id) :]
                shown = " → ".join([*loop, article.steps[following].id])
                line = target.line if target is not None else step.line
                problems.append(Problem(article.path, line, f"cycle: {shown} (answer "
                                        f"'{answer}' of step '{step.id}' goes back)"))
            elif following not in state:
                visit(following)
        trail.pop()
        state[index] = "done"

    if article.steps:
        visit(0)
    for index, step in enumerate(article.steps):
        if index not in state:
            problems.append(Problem(article.path, step.line, f"step '{step.id}' is unreachable:"
                                    " no answer of an earlier step leads to it"))
    return problems


def _target(target: Route | None) -> str:
    if target is None:
        return "end"
    if target.form is not None:  # prefilled values may be worded per language
        return f"form {target.form} " + ",".join(k for k, _ in target.prefill)
    return target.step or SOLVED


def shape(article: Article) -> list[tuple[str, ...]]:
    """The graph without its words, to compare an article with its translation."""
    return [
        (step.id, *(f"{a}:{_target(route(article, i, a))}" for a in answers(step)))
        for i, step in enumerate(article.steps)
    ]


def check_twins(article: Article, twin: Article) -> list[Problem]:
    """A translation walks the same steps and branches (ids, checks, targets)."""
    mine, theirs = shape(article), shape(twin)
    if mine == theirs:
        return []
    for index, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if a != b:
            line = article.steps[index].line
            return [Problem(article.path, line, f"step '{a[0]}' differs from translation "
                            f"'{twin.id}' (steps, checks and branches must be the same)")]
    line = article.steps[min(len(mine), len(theirs)) - 1].line if mine and theirs else 1
    return [Problem(article.path, line, f"translation '{twin.id}' has {len(theirs)} steps, "
                    f"this one {len(mine)}")]
